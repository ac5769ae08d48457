-- Failed runs by unit, result and exit code or signal
--
-- `result` is systemd's verdict (exit-code, signal, core-dump, timeout,
-- watchdog, oom-kill, …); `exit_kind`/`exit_status` are how the main process
-- ended (exited with a status, or killed/dumped by a signal number). Runs
-- whose start job failed before anything ran have a `start_failed` reason
-- instead.
SELECT
    unit,
    result,
    exit_kind,
    exit_status,
    start_failed,
    COUNT(*) AS runs,
    COUNT(DISTINCT boot_id) AS boots,
    MAX(ended) AS last_failure
FROM activations
WHERE end_state = 'failed'
GROUP BY unit, result, exit_kind, exit_status, start_failed
ORDER BY runs DESC, unit, result, exit_kind, exit_status, start_failed;

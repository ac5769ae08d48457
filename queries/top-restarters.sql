-- Units systemd restarted most (Restart=), across all boots
--
-- Automatic restarts only: `failure-restart` after a failed run, and
-- `policy-restart` after a clean exit (Restart=always). A unit high on this
-- list is crash-looping or exiting when it should not; `crash-loops` shows
-- each episode and how it ended.
SELECT
    unit,
    COUNT(*) AS restarts,
    SUM(CASE WHEN cause = 'failure-restart' THEN 1 ELSE 0 END) AS after_failure,
    SUM(CASE WHEN cause = 'policy-restart' THEN 1 ELSE 0 END) AS after_clean_exit,
    COUNT(DISTINCT boot_id) AS boots,
    MAX(realtime) AS last_restart
FROM starts
WHERE cause IN ('failure-restart', 'policy-restart')
GROUP BY unit
ORDER BY restarts DESC, unit
LIMIT 20;

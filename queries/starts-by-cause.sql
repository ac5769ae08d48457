-- How many units started in each boot, and why: one column per cause
--
-- `boot` is the default target's transaction; everything after it is what
-- happened while the machine ran. `unknown` counts starts the log could not
-- decide (see their `explanation` in the `starts` table).
SELECT
    boot_index,
    boot_id,
    COUNT(*) AS starts,
    SUM(CASE WHEN cause = 'boot' THEN 1 ELSE 0 END) AS boot,
    SUM(CASE WHEN cause = 'manual' THEN 1 ELSE 0 END) AS manual,
    SUM(CASE WHEN cause = 'failure-restart' THEN 1 ELSE 0 END) AS failure_restart,
    SUM(CASE WHEN cause = 'policy-restart' THEN 1 ELSE 0 END) AS policy_restart,
    SUM(CASE WHEN cause = 'admin-restart' THEN 1 ELSE 0 END) AS admin_restart,
    SUM(CASE WHEN cause = 'socket' THEN 1 ELSE 0 END) AS socket,
    SUM(CASE WHEN cause = 'timer' THEN 1 ELSE 0 END) AS timer,
    SUM(CASE WHEN cause = 'dependency' THEN 1 ELSE 0 END) AS dependency,
    SUM(CASE WHEN cause = 'on-failure' THEN 1 ELSE 0 END) AS on_failure,
    SUM(CASE WHEN cause = 'on-success' THEN 1 ELSE 0 END) AS on_success,
    SUM(CASE WHEN cause = 'transient' THEN 1 ELSE 0 END) AS transient,
    SUM(CASE WHEN cause = 'unknown' THEN 1 ELSE 0 END) AS unknown
FROM starts
GROUP BY boot_index, boot_id
ORDER BY boot_index;

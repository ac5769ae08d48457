-- Crash-loop episodes: a start followed by 3 or more automatic restarts, and how each ended
--
-- An episode is a unit's start (at boot, by hand, …) and the automatic
-- restarts (Restart=) that follow it without another kind of start in
-- between. Outcome, from the episode's last run:
--   start-limit-hit  systemd refused further starts (StartLimitBurst=)
--   recovered        the last run stayed up: still running when the log
--                    ends, or until the shutdown stopped it
--   stopped          someone stopped it while it was looping
--   gave-up          the last run failed and no restart followed
-- Lower the `restarts >= 3` at the end to see shorter episodes.
WITH numbered AS (
    SELECT
        boot_id,
        boot_index,
        unit,
        activation,
        cause,
        realtime,
        SUM(CASE WHEN cause IN ('failure-restart', 'policy-restart') THEN 0 ELSE 1 END)
            OVER (PARTITION BY boot_id, unit ORDER BY activation) AS episode
    FROM starts
),
episodes AS (
    SELECT
        boot_id,
        boot_index,
        unit,
        episode,
        SUM(CASE WHEN cause IN ('failure-restart', 'policy-restart') THEN 1 ELSE 0 END) AS restarts,
        MIN(activation) AS first_activation,
        MAX(activation) AS last_activation,
        MIN(realtime) AS began
    FROM numbered
    GROUP BY boot_id, boot_index, unit, episode
)
SELECT
    e.boot_index,
    e.boot_id,
    e.unit,
    e.restarts,
    f.cause AS first_start_cause,
    e.began,
    COALESCE(a.ended, a.started) AS last_seen,
    CASE
        WHEN a.start_limit_hit THEN 'start-limit-hit'
        WHEN a.end_state = 'running' THEN 'recovered'
        WHEN a.end_state = 'stopped' AND a.stopping >= b.shutdown_began THEN 'recovered'
        WHEN a.end_state = 'stopped' THEN 'stopped'
        WHEN a.end_state = 'failed' THEN 'gave-up'
        ELSE 'ended'
    END AS outcome,
    a.result AS last_result
FROM episodes AS e
JOIN numbered AS f ON f.boot_id = e.boot_id AND f.activation = e.first_activation
JOIN activations AS a ON a.boot_id = e.boot_id AND a.activation = e.last_activation
JOIN boots AS b ON b.boot_id = e.boot_id
WHERE e.restarts >= 3
ORDER BY e.boot_index, e.began;

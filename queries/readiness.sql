-- Time from "Starting" to "Started" (ready) per unit, slowest first
--
-- How long systemd waited for each unit to report ready: Type=notify
-- (READY=1), forking (the parent exits), oneshot (the run ends). Type=simple
-- services are "Started" the moment they are forked, with no "Starting"
-- line, so they never appear here: systemd cannot see when they are really
-- ready, and units ordered after them may start too early.
SELECT
    unit,
    COUNT(*) AS runs,
    MIN(ready_usec) / 1000 AS min_ms,
    CAST(AVG(ready_usec) / 1000 AS BIGINT) AS avg_ms,
    MAX(ready_usec) / 1000 AS max_ms,
    COUNT(DISTINCT boot_id) AS boots
FROM activations
WHERE ready_usec IS NOT NULL
GROUP BY unit
ORDER BY max_ms DESC, unit;

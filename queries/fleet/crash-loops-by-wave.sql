-- Crash loops by reboot wave: which units crash-looped on how many hosts in
-- the boots of each wave (a bad package or config that broke a unit fleet-wide
-- shows as one unit on many hosts of one wave). Waves as in reboot-waves.sql,
-- with the same variables (wave_gap, wave_min_hosts). Run in the dataset
-- directory (or SET file_search_path to it).
WITH starts AS (
    SELECT DISTINCT machine_id, hostname, boot_id, first_entry
    FROM read_parquet('boots/*/*.parquet', hive_partitioning = true)
),
marked AS (
    SELECT *,
        CASE WHEN first_entry - LAG(first_entry) OVER (ORDER BY first_entry, machine_id, boot_id)
                  <= COALESCE(getvariable('wave_gap'), INTERVAL 5 MINUTE)
             THEN 0 ELSE 1 END AS begins_wave
    FROM starts
),
runs AS (
    SELECT *, SUM(begins_wave) OVER (ORDER BY first_entry, machine_id, boot_id
                                     ROWS UNBOUNDED PRECEDING) AS run
    FROM marked
),
waves AS (
    SELECT run, MIN(first_entry) AS wave_began
    FROM runs
    GROUP BY run
    HAVING COUNT(DISTINCT machine_id) >= COALESCE(getvariable('wave_min_hosts'), 3)
),
loops AS (
    SELECT DISTINCT machine_id, boot_id, unit, severity
    FROM read_parquet('findings/*/*.parquet', hive_partitioning = true)
    WHERE kind = 'crash-loop'
)
SELECT
    w.wave_began,
    l.unit,
    COUNT(DISTINCT l.machine_id) AS hosts,
    COUNT(*) FILTER (WHERE l.severity = 'critical') AS still_looping,
    list(DISTINCT r.hostname ORDER BY r.hostname) AS hostnames
FROM loops l
JOIN runs r USING (machine_id, boot_id)
JOIN waves w USING (run)
GROUP BY w.wave_began, l.unit
ORDER BY w.wave_began, hosts DESC, l.unit;

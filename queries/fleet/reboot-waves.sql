-- Reboot waves: boots of many hosts that began together, oldest first.
-- A wave is a run of boot starts over all hosts, each within the gap of the
-- one before (default 5 minutes), on at least N hosts (default 3): the rule
-- of `jforensics fleet findings`. Change them with DuckDB variables:
--   SET VARIABLE wave_gap = INTERVAL 2 MINUTE; SET VARIABLE wave_min_hosts = 10;
-- Paths are relative to the `export --dataset` directory: run DuckDB there,
-- or SET file_search_path to it.
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
)
SELECT
    MIN(first_entry) AS first_boot,
    MAX(first_entry) AS last_boot,
    COUNT(DISTINCT machine_id) AS hosts,
    COUNT(*) AS boots,
    list(DISTINCT hostname ORDER BY hostname) AS hostnames
FROM runs
GROUP BY run
HAVING COUNT(DISTINCT machine_id) >= COALESCE(getvariable('wave_min_hosts'), 3)
ORDER BY first_boot;

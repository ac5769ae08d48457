-- Lost at reboot, by host: units that ran when a boot ended and did not come
-- back after the next one (started by hand and never enabled, kept alive
-- outside systemd), per machine, most first. Run in the dataset directory
-- (or SET file_search_path to it).
SELECT
    machine_id,
    any_value(hostname) AS hostname,
    COUNT(*) AS lost,
    COUNT(DISTINCT unit) AS units,
    list(DISTINCT unit ORDER BY unit) AS unit_names,
    MAX(began) AS last_lost
FROM (
    SELECT DISTINCT machine_id, hostname, id, unit, began
    FROM read_parquet('findings/*/*.parquet', hive_partitioning = true)
    WHERE kind = 'lost-at-reboot'
)
GROUP BY machine_id
ORDER BY lost DESC, hostname;

-- The five units systemd restarted most in each boot (Restart=)
--
-- As `top-restarters`, one ranking per boot, newest boot last. (Ties are
-- placed in reverse name order: polars' window ORDER BY takes one direction.)
SELECT boot_index, boot_id, place, unit, restarts, last_restart
FROM (
    SELECT
        boot_index,
        boot_id,
        unit,
        restarts,
        last_restart,
        ROW_NUMBER() OVER (PARTITION BY boot_id ORDER BY restarts DESC, unit_name DESC) AS place
    FROM (
        SELECT
            boot_index,
            boot_id,
            unit,
            CAST(unit AS VARCHAR) AS unit_name,
            COUNT(*) AS restarts,
            MAX(realtime) AS last_restart
        FROM starts
        WHERE cause IN ('failure-restart', 'policy-restart')
        GROUP BY boot_index, boot_id, unit
    ) AS per_boot
) AS ranked
WHERE place <= 5
ORDER BY boot_index, place;

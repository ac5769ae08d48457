-- Services that were up when a boot ended and did not come back at the next boot
--
-- "Up at the end": the unit's last run in the boot was still running when
-- the journal stopped (unclean end), or was stopped by the shutdown (after
-- its first line), and its start was logged. "Came back": the next boot
-- started it as part of boot, or ran it without its start being logged
-- (dropped lines, so the benefit of the doubt). A unit that the
-- next boot started only later (by hand again, on socket traffic) is listed:
-- until then, whatever it did was gone. Typical: started by hand and never
-- enabled. Per-login units (user@UID, user-runtime-dir@UID) are left out.
-- Needs two consecutive boots, so it shows nothing with -b.
WITH last_runs AS (
    SELECT a.boot_id, a.boot_index, a.unit, a.activation, a.end_state, a.stopping
    FROM activations AS a
    JOIN (
        SELECT boot_id, unit, MAX(activation) AS activation
        FROM activations
        GROUP BY boot_id, unit
    ) AS latest ON latest.boot_id = a.boot_id AND latest.activation = a.activation
    WHERE a.manager = 'system'
      AND CAST(a.unit AS VARCHAR) LIKE '%.service'
      AND CAST(a.unit AS VARCHAR) NOT LIKE 'user@%'
      AND CAST(a.unit AS VARCHAR) NOT LIKE 'user-runtime-dir@%'
),
up_at_end AS (
    SELECT
        r.boot_id,
        r.boot_index,
        r.boot_index + 1 AS next_index,
        r.unit,
        r.activation,
        b.end_state AS boot_end
    FROM last_runs AS r
    JOIN boots AS b ON b.boot_id = r.boot_id
    WHERE r.end_state = 'running'
       OR (r.end_state = 'stopped' AND r.stopping >= b.shutdown_began)
),
came_back AS (
    SELECT DISTINCT later.boot_index AS next_index, later.unit
    FROM activations AS later
    LEFT JOIN starts AS how ON how.boot_id = later.boot_id AND how.activation = later.activation
    WHERE how.cause = 'boot' OR how.cause IS NULL OR NOT how.start_logged
),
next_starts AS (
    SELECT st.boot_index AS next_index, st.unit, MIN(st.realtime) AS first_start
    FROM starts AS st
    GROUP BY st.boot_index, st.unit
)
SELECT
    u.boot_index,
    u.boot_id,
    n.boot_id AS next_boot_id,
    u.unit,
    u.boot_end,
    s.cause AS how_it_started,
    later.first_start AS next_started
FROM up_at_end AS u
JOIN boots AS n ON n.boot_index = u.next_index
LEFT JOIN starts AS s ON s.boot_id = u.boot_id AND s.activation = u.activation
LEFT JOIN came_back AS x ON x.next_index = u.next_index AND x.unit = u.unit
LEFT JOIN next_starts AS later ON later.next_index = u.next_index AND later.unit = u.unit
WHERE x.unit IS NULL AND s.start_logged
ORDER BY u.boot_index, u.unit;

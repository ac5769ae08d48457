-- Units started by hand that no boot ever starts: they will not come back after a reboot
--
-- A unit someone ran with `systemctl start` (or a program's StartUnit call)
-- but that is neither enabled nor pulled in at boot. If the machine depends
-- on it, enable it (`systemctl enable`) or make something at boot want it.
-- Across every boot of the journal: a unit started at boot in any of them
-- is not listed. Left out: slices, targets (a target started by hand is a request
-- like `systemctl poweroff`) and per-login units (user@UID,
-- user-runtime-dir@UID), which logind starts at each login.
SELECT
    unit,
    manager,
    COUNT(*) AS manual_starts,
    COUNT(DISTINCT boot_id) AS boots,
    MIN(realtime) AS first_start,
    MAX(realtime) AS last_start,
    MIN(confidence) AS min_confidence
FROM starts
WHERE cause = 'manual'
  AND unit NOT IN (SELECT unit FROM starts WHERE cause = 'boot')
  AND CAST(unit AS VARCHAR) NOT LIKE '%.target'
  AND CAST(unit AS VARCHAR) NOT LIKE '%.slice'
  AND CAST(unit AS VARCHAR) NOT LIKE 'user@%'
  AND CAST(unit AS VARCHAR) NOT LIKE 'user-runtime-dir@%'
GROUP BY unit, manager
ORDER BY last_start DESC, unit;

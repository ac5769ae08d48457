-- Units started because another unit's start pulled them in, and who pulled them
--
-- `pulled_by` is the unit whose start transaction brought this one in
-- (Wants=, Requires=, BindsTo=, …): starting it again will start these too.
-- `min_confidence` below 1 means the info-level log left look-alikes open.
SELECT
    trigger AS pulled_by,
    unit,
    COUNT(*) AS starts,
    COUNT(DISTINCT boot_id) AS boots,
    MIN(confidence) AS min_confidence,
    MAX(realtime) AS last_start
FROM starts
WHERE cause = 'dependency'
GROUP BY trigger, unit
ORDER BY starts DESC, pulled_by, unit;

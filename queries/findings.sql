-- Every finding, most severe first, with its one-line summary and the fix
--
-- What `jforensics findings` reports, as rows: filter by kind, unit or boot,
-- or join the `activations` and `starts` behind a finding on boot_id and
-- unit. The `details` column holds every kind-specific fact as JSON.
SELECT
    severity,
    kind,
    boot_index,
    unit,
    began,
    summary,
    hint,
    id
FROM findings
ORDER BY
    CASE severity
        WHEN 'critical' THEN 0
        WHEN 'error' THEN 1
        WHEN 'warning' THEN 2
        ELSE 3
    END,
    began;

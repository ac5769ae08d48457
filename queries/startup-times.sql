-- How long each boot took to start, split into kernel, initrd and userspace
--
-- From systemd's own "Startup finished" line. A boot without one never
-- reached its default target (or the journal lost the line): it shows with
-- null times, which is itself a finding.
SELECT
    boot_index,
    boot_id,
    first_entry,
    systemd_version,
    kernel_usec / 1000 AS kernel_ms,
    initrd_usec / 1000 AS initrd_ms,
    userspace_usec / 1000 AS userspace_ms,
    startup_finished_mono_usec / 1000 AS total_ms
FROM boots
ORDER BY boot_index;

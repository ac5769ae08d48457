-- Boots that ended without a shutdown (power loss, crash), with the last line logged
--
-- An unclean end means the journal just stops and a later boot exists. The
-- last entry is the best clue to what was happening; check it with
-- `journalctl --cursor=<end_cursor>`. downtime_usec is null when the next
-- boot's clock reads earlier (a machine without an RTC).
SELECT
    boot_index,
    boot_id,
    last_entry,
    uptime_usec / 1000000 AS uptime_s,
    downtime_usec / 1000000 AS downtime_s,
    end_message,
    end_cursor
FROM boots
WHERE end_state = 'unclean'
ORDER BY boot_index;

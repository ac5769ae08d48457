-- Crash-loop episodes: the crash loops `jforensics findings` reports, and how each ended
--
-- One row per episode, read from the findings (kind `crash-loop`), so the
-- query and `findings` share one definition. An episode is a run of a unit
-- and the automatic restarts (Restart=) that follow it, at least 3 within
-- 10 minutes; a run that stays up (five times the typical failing run and
-- a whole restart cycle) ends it, and its later failure begins the next.
-- Outcome, from the episode's last run:
--   start-limit-hit  systemd refused further starts (StartLimitBurst=)
--   recovered        the last run stayed up (whether it still runs, was
--                    stopped later or by the shutdown, or failed again)
--   stopped          someone stopped it while it was looping
--   reboot           the boot ended while it was still looping
--   ongoing          still looping where the journal ends
--   failed           the last run failed and systemd did not restart it
-- root_cause is the unit whose start ended it (recovered episodes; an
-- inference, with its confidence), else the unit whose stop began it.
SELECT
    boot_index,
    boot_id,
    unit,
    restarts,
    how_started AS first_start_cause,
    began,
    ended,
    outcome,
    root_cause_unit AS root_cause,
    confidence
FROM findings
WHERE kind = 'crash-loop'
ORDER BY boot_index, began, unit;

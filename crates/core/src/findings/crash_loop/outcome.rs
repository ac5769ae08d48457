//! How an episode ended (from its last run) and what the finding tells the
//! reader to do about it.

use crate::cause::Cause;
use crate::events::EventKind;
use crate::evidence::Evidence;
use crate::lifecycle::EndState;

use super::super::facts::{BootFacts, duration, how_started};
use super::super::loop_cause::RootCause;
use super::LoopOutcome;
use super::chains::FailingRuns;

/// Decides how the loop ended from its last run; returns the outcome, when
/// it ended, and the line that shows it.
pub(super) fn outcome(
    f: &BootFacts,
    last: usize,
    failing: &FailingRuns,
) -> (LoopOutcome, u64, Option<Evidence>) {
    let a = f.act(last);
    let boot = f.boot();
    let start = f.start_realtime(last);
    if a.start_limit_hit {
        let line = f
            .find_event(last, |k| matches!(k, EventKind::StartLimitHit))
            .or_else(|| {
                f.find_event(last, |k| matches!(k, EventKind::FailureResult { result } if result == "start-limit-hit"))
            });
        // The refusal is followed by the failure it leaves the unit in; the
        // unit is failed from the last of those lines.
        let after = a
            .events
            .iter()
            .copied()
            .filter(|&e| line.is_some_and(|l| e >= l))
            .rfind(|&e| {
                matches!(
                    f.lc.event(e).kind,
                    EventKind::FailureResult { .. }
                        | EventKind::StartFailed { .. }
                        | EventKind::StartLimitHit
                )
            });
        let end = after
            .or(line)
            .map(|e| f.lc.event(e).realtime_usec)
            .or(a.ended.map(|s| s.realtime_usec))
            .unwrap_or(start);
        return (LoopOutcome::StartLimitHit, end, line.map(|e| f.evidence(e)));
    }
    let by_shutdown = f.stopped_by_shutdown(last);
    let to_the_end = a.end_state == EndState::Running || by_shutdown;
    let until = if by_shutdown {
        a.stopping.or(a.stopped).map(|s| s.realtime_usec)
    } else {
        None
    }
    .unwrap_or(boot.last_realtime_usec);
    let ran = match (
        f.start_stamp(last).and_then(|s| s.monotonic_usec),
        boot.last_monotonic_usec,
    ) {
        (Some(s), Some(e)) if a.end_state == EndState::Running => e.saturating_sub(s),
        _ if to_the_end => a.ran_usec().unwrap_or_else(|| until.saturating_sub(start)),
        _ => a.ran_usec().unwrap_or(0),
    };
    // Stayed up, however it ended afterwards: stopped by the shutdown or by
    // hand, or failed again (that failure begins the next episode).
    if failing.outlived_by(f, ran) {
        return (LoopOutcome::Recovered, start, None);
    }
    if to_the_end {
        let evidence = f.stamp_evidence(a.stopping.or(a.stopped));
        return match boot.end {
            crate::boots::BootEnd::Running => (LoopOutcome::Ongoing, boot.last_realtime_usec, None),
            _ => (
                LoopOutcome::Reboot,
                until,
                evidence.or_else(|| boot.end_evidence.last().cloned()),
            ),
        };
    }
    if f.stopped_by_request(last) {
        let stamp = a.stopping.or(a.stopped);
        let end = stamp.map(|s| s.realtime_usec).unwrap_or(start);
        return (LoopOutcome::Stopped, end, f.stamp_evidence(stamp));
    }
    let end = a.ended.map(|s| s.realtime_usec).unwrap_or(start);
    if a.restart_scheduled.is_some() {
        // A restart was scheduled and never ran: refused (its line lost) or
        // cut by the end of the boot.
        return match boot.end {
            crate::boots::BootEnd::Running => (LoopOutcome::Ongoing, boot.last_realtime_usec, None),
            _ => (
                LoopOutcome::Reboot,
                boot.last_realtime_usec,
                boot.end_evidence.last().cloned(),
            ),
        };
    }
    if a.end_state == EndState::Failed {
        return (LoopOutcome::Failed, end, f.stamp_evidence(a.ended));
    }
    (LoopOutcome::Recovered, start, None)
}

pub(super) fn outcome_phrase(
    f: &BootFacts,
    outcome: LoopOutcome,
    last: usize,
    end: u64,
    root: Option<&RootCause>,
) -> String {
    let at = f.clock(end);
    match outcome {
        LoopOutcome::StartLimitHit => format!(
            ", until systemd refused to start it again at {at} (start limit hit: \"Start request repeated too quickly\"); it stays failed until someone starts it"
        ),
        LoopOutcome::Recovered => match root {
            Some(r) => {
                let root_act = f.act(r.activation);
                let root_at = f.start_realtime(r.activation);
                let how = match r.cause {
                    Cause::Manual => "by hand".to_string(),
                    c => how_started(c, f.start(r.activation).and_then(|s| s.trigger.as_deref())),
                };
                let recovery = f.start_realtime(last);
                let relation = if recovery >= root_at {
                    format!(
                        "{} after {} was started {how} at {}",
                        duration(recovery - root_at),
                        root_act.unit,
                        f.clock(root_at)
                    )
                } else {
                    format!(
                        "as {} was started {how} at {} ({} later, while it was starting up)",
                        root_act.unit,
                        f.clock(root_at),
                        duration(root_at - recovery)
                    )
                };
                format!(", and recovered with the restart at {at}, {relation}")
            }
            None => format!(", and recovered: the run started at {at} stayed up"),
        },
        LoopOutcome::Stopped => format!(", until it was stopped at {at}"),
        LoopOutcome::Reboot => format!(", until the boot ended at {at} while it was still looping"),
        LoopOutcome::Ongoing => format!(", and is still looping where the journal ends ({at})"),
        LoopOutcome::Failed => format!(
            ", until its last run failed at {at} and systemd did not restart it (Restart= does not cover that exit)"
        ),
    }
}

pub(super) fn hint(
    unit: &str,
    outcome: LoopOutcome,
    restart_kind: &str,
    exits: &[String],
    root: Option<&str>,
    root_at_boot: Option<bool>,
) -> String {
    let why = if exits.is_empty() {
        String::new()
    } else {
        format!(" ({})", exits.join(", "))
    };
    match (root, root_at_boot) {
        (Some(r), Some(false)) => {
            return format!(
                "Enable {r} (`systemctl enable {r}`) and make {unit} wait for it (`Wants={r}` and `After={r}`), so it is up before {unit} needs it."
            );
        }
        (Some(r), _) => {
            return format!(
                "Make {unit} wait for {r} (`Wants={r}` and `After={r}`), or let it retry the connection instead of exiting."
            );
        }
        _ => {}
    }
    if restart_kind == "policy" {
        return format!(
            "{unit} exits on its own and `Restart=always` starts it again: use `Restart=on-failure`, or `Type=oneshot` with a timer if it is meant to run and finish."
        );
    }
    match outcome {
        LoopOutcome::StartLimitHit | LoopOutcome::Failed => format!(
            "Find why it exits{why} with `journalctl -u {unit}`, fix it, then `systemctl reset-failed {unit}` and start it; `RestartSec=`/`StartLimitBurst=` only change how fast it gives up."
        ),
        _ => format!(
            "Find why it exits{why} with `journalctl -u {unit}`; a longer `RestartSec=` only slows the loop down."
        ),
    }
}

//! Resurrections: a unit stopped on purpose that started again by itself.
//!
//! `systemctl stop foo.service` stops the service, not what starts it: its
//! socket keeps listening, its timer keeps firing, and a unit that `Wants=`
//! it pulls it back the next time it starts. The admin believes it is down;
//! a minute later it runs again. The classifier says who brought it back
//! (socket, timer, the puller's name), and the fix follows from that.
//!
//! A stop that is part of the shutdown is no stop on purpose, and a start
//! by hand or a `systemctl restart` after the stop is someone changing their
//! mind, not a resurrection: neither is reported.

use crate::cause::Cause;

use super::facts::{BootFacts, duration, how_started};
use super::{Context, Details, Finding, Kind, ResurrectionDetails, Severity, finding_id};

pub fn detect(cx: &Context) -> Vec<Finding> {
    let f = cx.facts;
    // "Nobody started it" is an absence: in an excerpt the start by hand (or
    // the restart) may be among the missing entries, and without the boot's
    // beginning its job ids cannot be placed (the causes rest on them).
    if !f.boot().coverage.whole_from_start() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, a) in f.lc.activations.iter().enumerate() {
        if !f.stopped_by_request(i) {
            continue;
        }
        let Some(next) = f.lc.next(i) else { continue };
        let Some(start) = f.start(next) else { continue };
        if matches!(
            start.cause,
            Cause::Manual | Cause::AdminRestart | Cause::Boot | Cause::Transient
        ) {
            continue;
        }
        let Some(stop) = a.stopping.or(a.stopped) else {
            continue;
        };
        let back_at = f.start_realtime(next);
        let unit = &a.unit;
        let trigger = start.trigger.clone();
        let trigger_cause = trigger.as_deref().and_then(|t| trigger_cause(f, t, next));
        let who = match (start.cause, trigger.as_deref()) {
            (Cause::Socket, Some(t)) => {
                format!("{t} was still listening and started it again on the next connection")
            }
            (Cause::Timer, Some(t)) => format!("its timer {t} started it again"),
            (Cause::Dependency, Some(t)) => {
                let how = trigger_cause
                    .as_ref()
                    .map(|(c, by)| format!(" (itself started {})", how_started(*c, by.as_deref())))
                    .unwrap_or_default();
                format!("{t}{how} pulled it back in through a dependency (Wants=/Requires=)")
            }
            (Cause::OnFailure | Cause::OnSuccess, Some(t)) => format!(
                "{t} started it again as its {} handler",
                if start.cause == Cause::OnFailure {
                    "OnFailure="
                } else {
                    "OnSuccess="
                }
            ),
            (Cause::FailureRestart | Cause::PolicyRestart, _) => {
                "systemd restarted it (Restart=)".to_string()
            }
            _ => "the journal does not show what started it".to_string(),
        };
        let user = if a.manager.is_system() { "" } else { " --user" };
        let hint = match (start.cause, trigger.as_deref()) {
            (Cause::Socket, Some(t)) => format!(
                "Stop the socket too (`systemctl{user} stop {t} {unit}`), or `systemctl{user} mask {t} {unit}` to keep both down."
            ),
            (Cause::Timer, Some(t)) => format!(
                "Stop the timer as well (`systemctl{user} stop {t}`), or `systemctl{user} mask {unit}` to keep it down."
            ),
            (Cause::Dependency, Some(t)) => format!(
                "{t} wants it: stop or change {t} too (`systemctl{user} list-dependencies --reverse {unit}` lists who pulls it in), or `systemctl{user} mask {unit}`."
            ),
            _ => format!(
                "Find what starts it (`systemctl{user} list-dependencies --reverse {unit}`, its sockets and timers) and stop that too, or `systemctl{user} mask {unit}`."
            ),
        };
        let summary = format!(
            "{unit} was stopped at {} but came back {} later, at {}: {who}.",
            f.clock(stop.realtime_usec),
            duration(back_at.saturating_sub(stop.realtime_usec)),
            f.clock(back_at),
        );
        let mut evidence = vec![f.evidence(stop.event)];
        evidence.extend(start.evidence.iter().cloned());
        if let Some(e) = f.stamp_evidence(f.start_stamp(next))
            && !evidence
                .iter()
                .any(|x| x.cursor == e.cursor && x.message == e.message)
        {
            evidence.push(e);
        }
        evidence.sort_by_key(|e| e.realtime_usec);
        evidence.dedup_by(|x, y| x.cursor == y.cursor && x.message == y.message);
        let boot_id = f.boot().boot_id;
        out.push(Finding {
            id: finding_id(Kind::Resurrection, unit, boot_id, stop.realtime_usec),
            kind: Kind::Resurrection,
            severity: Severity::Warning,
            unit: Some(unit.clone()),
            manager: a.manager.to_string(),
            boot_id,
            start_realtime_usec: stop.realtime_usec,
            end_realtime_usec: back_at.max(stop.realtime_usec),
            summary,
            hint,
            confidence: Some(start.confidence),
            evidence,
            details: Details::Resurrection(ResurrectionDetails {
                stopped_realtime_usec: stop.realtime_usec,
                restarted_realtime_usec: back_at,
                cause: start.cause.as_str().to_string(),
                trigger,
                trigger_cause: trigger_cause.map(|(c, _)| c.as_str().to_string()),
            }),
        });
    }
    out
}

const PULLER_SLACK_USEC: u64 = 10_000_000;

/// How the trigger's latest run before `before` was started, and by what.
fn trigger_cause(f: &BootFacts, trigger: &str, before: usize) -> Option<(Cause, Option<String>)> {
    // The puller's start line can come a little after the pulled unit's
    // (a oneshot logs "Starting" once its dependencies are under way).
    let until = f.start_key(before) + PULLER_SLACK_USEC;
    f.lc.activations_of(trigger)
        .filter(|(j, _)| f.start_key(*j) <= until)
        .map(|(j, _)| j)
        .last()
        .and_then(|j| f.start(j))
        .map(|s| (s.cause, s.trigger.clone()))
}

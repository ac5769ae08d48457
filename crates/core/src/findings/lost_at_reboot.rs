//! Lost at reboot: what ran before the reboot and did not come back.
//!
//! The classic outage after maintenance: someone started a service by hand
//! months ago, never enabled it, and the next reboot (or power cut) quietly
//! drops it. Compared boot by boot: a system unit that was active at the end
//! of boot N−1 (running when the log stops, or stopped only by the shutdown)
//! and was not started as part of boot N "did not come back". How it had
//! been started in N−1 — the origin of its chain of restarts — says why:
//! by hand means not enabled; a socket, timer or dependency means it comes
//! back on demand, which may be fine (lower severity). If it was started
//! later in N, the finding says when and how: that is how long it was down.
//!
//! Programs that logged from a login session or a user's scope in N−1 — a
//! shell loop, a `nohup` job, a screen session — are compared by name: one
//! that ran repeatedly or for long in N−1 (several PIDs, or over ten
//! minutes) and never logs in N did not survive the reboot either.
//!
//! Only services, sockets, timers and paths of the system manager are
//! compared: user managers come back with a login, not a boot, and mounts,
//! slices and scopes come and go with the machinery. logind's per-user units
//! (`user@UID.service`) are left out for the same reason.

use crate::boots::BootEnd;
use crate::cause::Cause;
use crate::events::service_log::OutsideProcess;
use crate::events::{EventKind, Manager, is_transient_name};
use crate::evidence::Evidence;

use super::facts::{
    BootFacts, duration, how_started, how_started_qualified, is_login_machinery, is_program_unit,
    is_session_plumbing,
};
use super::{Context, Details, Finding, Kind, LostDetails, Severity, finding_id};

/// A process outside services counts as kept alive when it logged from this
/// many PIDs (a loop restarting it) …
const KEPT_ALIVE_PIDS: usize = 2;
/// … or over this long.
const KEPT_ALIVE_SPAN_USEC: u64 = 10 * 60 * 1_000_000;
/// How sure a finding about a program outside services is (here and in
/// `at_risk`): it is known only by the name it logs under, not by a unit,
/// so another program of that name, or the same one renamed, reads the
/// same; and it logs only when it has something to say, so its last line
/// need not be its end.
pub(super) const SESSION_PROGRAM_CONFIDENCE: f64 = 0.6;

pub fn detect(cx: &Context) -> Vec<Finding> {
    let Some(before) = cx.previous else {
        return Vec::new();
    };
    let after = cx.facts;
    // "Was running at the end" and "was not started at boot" are absences:
    // they mean something only where the journal holds the one boot whole
    // to its end (how a unit started there decides whether it counts) and
    // the other from its beginning.
    let (b, a) = (&before.boot().coverage, &after.boot().coverage);
    if !b.whole_from_start() || !b.end_judgeable() || !a.whole_from_start() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in before.last_runs_of_system_units() {
        if let Some(f) = lost_unit(before, after, i) {
            out.push(f);
        }
    }
    for p in &before.data.service_log.outside {
        if kept_alive(p) && !after.data.service_log.names.contains(&p.name) {
            out.push(lost_process(before, after, p));
        }
    }
    out
}

/// Whether a process outside services looks like something kept running.
pub fn kept_alive(p: &OutsideProcess) -> bool {
    !is_session_plumbing(&p.name)
        && (p.pids.len() >= KEPT_ALIVE_PIDS || p.span_usec() >= KEPT_ALIVE_SPAN_USEC)
}

/// "the reboot", "the unclean shutdown (power cut or crash)" …
fn reboot_words(before: &BootFacts) -> String {
    let boot = before.boot();
    match (boot.end, boot.shutdown) {
        (BootEnd::Unclean, _) => "the unclean shutdown (power cut or crash)".to_string(),
        (_, Some(crate::boots::ShutdownKind::Poweroff)) => "the power-off".to_string(),
        (_, Some(crate::boots::ShutdownKind::Halt)) => "the halt".to_string(),
        _ => "the reboot".to_string(),
    }
}

fn lost_unit(before: &BootFacts, after: &BootFacts, last: usize) -> Option<Finding> {
    let a = before.act(last);
    let unit = &a.unit;
    if a.manager != Manager::System
        || !is_program_unit(unit)
        || is_login_machinery(unit)
        || is_transient_name(unit)
        || !before.active_at_end(last)
    {
        return None;
    }
    // Came back: started as part of boot N (or tried, and its condition said no).
    if after.present_from_boot(unit) || condition_checked_at_boot(after, unit) {
        return None;
    }
    let origin = before.origin(last);
    // Started before journald ran: its start lines in N may simply be lost.
    // Started while going down: part of the shutdown, not of the work.
    if before.start_seen_only_in_kernel_log(origin) || before.started_during_shutdown(origin) {
        return None;
    }
    let start = before.start(origin);
    let cause = start.map(|s| s.cause).unwrap_or(Cause::Unknown);
    let trigger = start.and_then(|s| s.trigger.clone());
    let started_at = before.start_realtime(origin);
    let last_seen = if before.stopped_by_shutdown(last) {
        a.stopping.or(a.stopped).map(|s| s.realtime_usec)
    } else {
        None
    }
    .unwrap_or(before.boot().last_realtime_usec);

    // Started again later in N, after boot?
    let later = after
        .lc
        .activations_of(unit)
        .find(|(_, b)| b.manager == Manager::System && b.start_logged())
        .map(|(j, _)| j);
    let later_cause = later.map(|j| after.cause(j).unwrap_or(Cause::Unknown));
    let boot_n = after.boot();
    let n_first = boot_n.first_realtime_usec;

    let how_before = how_started_qualified(
        cause,
        trigger.as_deref(),
        start.map_or(0.0, |s| s.confidence),
    );
    let mut summary = format!(
        "{unit} did not come back after {}: in the previous boot ({}) it had been started {how_before} at {} and was still running at its end",
        reboot_words(before),
        before.boot_short(),
        before.clock(started_at),
    );
    let on_demand = matches!(cause, Cause::Socket | Cause::Timer);
    match cause {
        Cause::Manual => summary.push_str(", but it is not started at boot — it is probably not enabled"),
        Cause::Transient => summary.push_str(", and transient units never survive a reboot"),
        Cause::Boot => summary.push_str(
            ", yet this boot did not start it: it was disabled or masked since, or what pulled it in is gone",
        ),
        Cause::Socket | Cause::Timer => summary.push_str(", and it only comes back on demand"),
        Cause::Dependency => summary.push_str(&format!(
            ", and this boot did not start {} at boot",
            trigger.as_deref().unwrap_or("what pulled it in")
        )),
        _ => {}
    }
    match (later, later_cause) {
        (Some(j), Some(c)) => {
            let t = after.start_realtime(j);
            // Time since boot from the monotonic clock: a machine without an
            // RTC sets its wall clock during the boot.
            let since_boot = after
                .start_stamp(j)
                .and_then(|s| s.monotonic_usec)
                .unwrap_or_else(|| t.saturating_sub(n_first));
            summary.push_str(&format!(
                ". In this boot it was started only at {} ({} after the boot began), {}.",
                after.clock(t),
                duration(since_boot),
                how_started(c, after.start(j).and_then(|s| s.trigger.as_deref()))
            ));
        }
        _ if boot_n.end == BootEnd::Running => summary.push_str(". It has not been started since."),
        _ => summary.push_str(". It was not started at all in this boot."),
    }

    let hint = match cause {
        Cause::Manual | Cause::Unknown | Cause::Dependency => format!(
            "`systemctl enable {unit}` so it starts at boot (`systemctl enable --now {unit}` also starts it now)."
        ),
        Cause::Transient => format!(
            "Write a unit file for what {unit} ran (instead of systemd-run) and `systemctl enable` it."
        ),
        Cause::Boot => format!(
            "Check `systemctl is-enabled {unit}` and `systemctl status {unit}`: re-enable or unmask it if it should run."
        ),
        Cause::Socket | Cause::Timer => format!(
            "Nothing to do if on-demand start is intended; `systemctl enable {unit}` if it must run from boot."
        ),
        _ => format!("`systemctl enable {unit}` if it must run from boot."),
    };
    let down_now = later.is_none() && boot_n.end == BootEnd::Running;
    let severity = match cause {
        _ if on_demand => Severity::Info,
        Cause::Dependency | Cause::Boot | Cause::OnFailure | Cause::OnSuccess => Severity::Warning,
        _ if down_now => Severity::Critical,
        _ => Severity::Error,
    };
    let mut evidence: Vec<Evidence> = Vec::new();
    evidence.extend(before.stamp_evidence(before.start_stamp(origin)));
    if let Some(e) = before.stamp_evidence(a.stopping.or(a.stopped)) {
        evidence.push(e);
    }
    if let Some(j) = later {
        evidence.extend(after.stamp_evidence(after.start_stamp(j)));
    }
    evidence.dedup_by(|x, y| x.cursor == y.cursor && x.message == y.message);
    if evidence.is_empty()
        && let Some(&first) = a.events.first()
    {
        // Its start lines were lost: the first line seen of the run stands in.
        evidence.push(before.evidence(first));
    }
    let end = later
        .map(|j| after.start_realtime(j))
        .unwrap_or(boot_n.last_realtime_usec)
        .max(n_first);
    Some(Finding {
        id: finding_id(Kind::LostAtReboot, unit, boot_n.boot_id, n_first),
        kind: Kind::LostAtReboot,
        severity,
        unit: Some(unit.clone()),
        manager: Manager::System.to_string(),
        boot_id: boot_n.boot_id,
        start_realtime_usec: n_first,
        end_realtime_usec: end,
        summary,
        hint,
        confidence: start.map(|s| s.confidence),
        evidence,
        details: Details::LostAtReboot(LostDetails {
            previous_boot_id: before.boot().boot_id,
            how_started_before: cause.as_str().to_string(),
            trigger_before: trigger,
            last_seen_realtime_usec: last_seen,
            started_later_realtime_usec: later.map(|j| after.start_realtime(j)),
            started_later_cause: later_cause.map(|c| c.as_str().to_string()),
            process: None,
        }),
    })
}

/// A start job of the boot transaction that its conditions skipped: the unit
/// is enabled, it just had nothing to do.
fn condition_checked_at_boot(after: &BootFacts, unit: &str) -> bool {
    after.lc.events.iter().any(|e| {
        e.kind == EventKind::ConditionSkipped
            && e.manager == Manager::System
            && e.unit.as_deref() == Some(unit)
    })
}

fn lost_process(before: &BootFacts, after: &BootFacts, p: &OutsideProcess) -> Finding {
    let boot_n = after.boot();
    let n_first = boot_n.first_realtime_usec;
    let runs = if p.pids.len() >= KEPT_ALIVE_PIDS {
        format!("logged from {} different PIDs", p.pids.len())
    } else {
        format!("ran for {}", duration(p.span_usec()))
    };
    let summary = format!(
        "{} ran outside any service in the previous boot ({}) — in {}, where it {runs} between {} and {} — and has not logged since {}: whatever kept it alive (a shell loop, nohup, screen) did not survive.",
        p.name,
        before.boot_short(),
        p.scope,
        before.clock(p.first.realtime_usec),
        before.clock(p.last.realtime_usec),
        reboot_words(before),
    );
    let hint = format!(
        "Run {} as a service (a unit with `Restart=on-failure`, `systemctl enable`d) or from a timer instead of from a login session.",
        p.name
    );
    Finding {
        id: finding_id(
            Kind::LostAtReboot,
            &format!("{}\n{}", p.scope, p.name),
            boot_n.boot_id,
            n_first,
        ),
        kind: Kind::LostAtReboot,
        severity: Severity::Error,
        unit: Some(p.scope.clone()),
        manager: p.manager.to_string(),
        boot_id: boot_n.boot_id,
        start_realtime_usec: n_first,
        end_realtime_usec: boot_n.last_realtime_usec.max(n_first),
        summary,
        hint,
        confidence: Some(SESSION_PROGRAM_CONFIDENCE),
        evidence: vec![p.first.clone(), p.last.clone()],
        details: Details::LostAtReboot(LostDetails {
            previous_boot_id: before.boot().boot_id,
            how_started_before: "outside-service".to_string(),
            trigger_before: None,
            last_seen_realtime_usec: p.last.realtime_usec,
            started_later_realtime_usec: None,
            started_later_cause: None,
            process: Some(p.name.clone()),
        }),
    }
}

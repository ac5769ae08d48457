//! At risk now: what runs in the newest boot only because someone started it.
//!
//! The warning that prevents the outage "lost at reboot" describes after the
//! fact. In the newest boot, a system unit that is running at the end of the
//! log (or ran until the final shutdown) whose chain of starts began by hand
//! — or as a transient unit, or pulled in by a unit that itself did not start
//! at boot — and that no boot-time start explains, will not be there after
//! the next reboot. Likewise a program kept alive from a login session.
//! When the unit is also what ended a crash loop in this boot, the finding
//! says so: the next reboot brings the loop back.

use crate::boots::BootEnd;
use crate::cause::Cause;
use crate::events::Manager;

use super::facts::{how_started_qualified, is_login_machinery, is_program_unit};
use super::lost_at_reboot::{SESSION_PROGRAM_CONFIDENCE, kept_alive};
use super::{AtRiskDetails, Context, Details, Finding, Kind, Severity, finding_id};

pub fn detect(cx: &Context) -> Vec<Finding> {
    let (f, previous, loops) = (cx.facts, cx.previous, cx.earlier);
    // Only the newest boot has a next reboot to lose them at.
    if !f.boot().is_newest() {
        return Vec::new();
    }
    // "Nothing starts it at boot" is read from the boot's beginning, and
    // "started by hand" from the absence of any other cause.
    if !f.boot().coverage.whole_from_start() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let boot = f.boot();
    let running = boot.end == BootEnd::Running;
    for last in f.last_runs_of_system_units() {
        let a = f.act(last);
        let unit = &a.unit;
        if !is_program_unit(unit)
            || is_login_machinery(unit)
            || !f.active_at_end(last)
            || f.present_from_boot(unit)
        {
            continue;
        }
        let origin = f.origin(last);
        let Some(start) = f.start(origin) else {
            continue;
        };
        let at_risk = match start.cause {
            Cause::Manual => true,
            Cause::Transient => !unit.ends_with(".scope"),
            // Pulled in by a unit that did not start at boot either.
            Cause::Dependency => start
                .trigger
                .as_deref()
                .is_some_and(|t| !f.started_at_boot(t)),
            _ => false,
        };
        // dbus-broker's activation units (`dbus-:1.17-…@0.service`) are
        // started on demand by design; so is the shutdown's own work.
        if !at_risk || unit.starts_with("dbus-:") || f.started_during_shutdown(origin) {
            continue;
        }
        let started_at = f.start_realtime(origin);
        let how = how_started_qualified(start.cause, start.trigger.as_deref(), start.confidence);
        let mut summary = if running {
            format!(
                "{unit} is running now only because it was started {how} at {}; nothing starts it at boot, so it will not survive the next reboot",
                f.clock(started_at)
            )
        } else {
            format!(
                "{unit} ran until the end of this boot only because it had been started {how} at {}; nothing starts it at boot, so it will not be running when this machine boots again",
                f.clock(started_at)
            )
        };
        let needed_by: Vec<&str> = loops
            .iter()
            .filter(|l| match &l.details {
                Details::CrashLoop(d) => d.root_cause_unit.as_deref() == Some(unit.as_str()),
                _ => false,
            })
            .filter_map(|l| l.unit.as_deref())
            .collect();
        if !needed_by.is_empty() {
            summary.push_str(&format!(
                " — and {} crash-looped until it was started, so it will again",
                needed_by.join(", ")
            ));
        }
        summary.push('.');
        let hint = match start.cause {
            Cause::Transient => format!(
                "Write a unit file for what {unit} runs (instead of systemd-run) and `systemctl enable` it."
            ),
            Cause::Dependency => format!(
                "Enable what needs it (`systemctl enable {}`), or `systemctl enable {unit}` itself.",
                start.trigger.as_deref().unwrap_or(unit)
            ),
            _ => format!("`systemctl enable {unit}` so the next boot starts it too."),
        };
        let boot_id = boot.boot_id;
        let mut evidence: Vec<_> = f
            .stamp_evidence(f.start_stamp(origin))
            .into_iter()
            .collect();
        evidence.extend(start.evidence.iter().cloned());
        evidence.sort_by_key(|e| e.realtime_usec);
        evidence.dedup_by(|x, y| x.cursor == y.cursor && x.message == y.message);
        out.push(Finding {
            id: finding_id(Kind::AtRiskManual, unit, boot_id, started_at),
            kind: Kind::AtRiskManual,
            severity: Severity::Warning,
            unit: Some(unit.clone()),
            manager: Manager::System.to_string(),
            boot_id,
            start_realtime_usec: started_at,
            end_realtime_usec: boot.last_realtime_usec.max(started_at),
            summary,
            hint,
            confidence: Some(start.confidence),
            evidence,
            details: Details::AtRisk(AtRiskDetails {
                how_started: start.cause.as_str().to_string(),
                trigger: start.trigger.clone(),
                started_realtime_usec: started_at,
                boot_ended: !running,
                process: None,
            }),
        });
    }
    // A program that also ran in the boot before came back after that reboot
    // (a desktop session's programs come back with the login): not at risk.
    let came_back = |name: &str| previous.is_some_and(|b| b.data.service_log.names.contains(name));
    for p in f
        .data
        .service_log
        .outside
        .iter()
        .filter(|p| kept_alive(p) && !came_back(&p.name))
    {
        let summary = format!(
            "{} runs outside any service, in {} (it logged from {} PIDs between {} and {}); nothing will start it after the next reboot.",
            p.name,
            p.scope,
            p.pids.len(),
            f.clock(p.first.realtime_usec),
            f.clock(p.last.realtime_usec),
        );
        let boot_id = boot.boot_id;
        out.push(Finding {
            id: finding_id(Kind::AtRiskManual, &format!("{}\n{}", p.scope, p.name), boot_id, p.first.realtime_usec),
            kind: Kind::AtRiskManual,
            severity: Severity::Warning,
            unit: Some(p.scope.clone()),
            manager: p.manager.to_string(),
            boot_id,
            start_realtime_usec: p.first.realtime_usec,
            end_realtime_usec: p.last.realtime_usec.max(p.first.realtime_usec),
            summary,
            hint: format!(
                "Run {} as a service (`Restart=on-failure`, `systemctl enable`d) or from a timer instead of from a login session.",
                p.name
            ),
            confidence: Some(SESSION_PROGRAM_CONFIDENCE),
            evidence: vec![p.first.clone(), p.last.clone()],
            details: Details::AtRisk(AtRiskDetails {
                how_started: "outside-service".to_string(),
                trigger: None,
                started_realtime_usec: p.first.realtime_usec,
                boot_ended: !running,
                process: Some(p.name.clone()),
            }),
        });
    }
    out
}

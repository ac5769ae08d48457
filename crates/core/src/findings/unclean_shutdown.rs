//! Unclean shutdowns: a boot whose journal just stops.
//!
//! `boots` decides how a boot ended; a boot that logged no shutdown sequence
//! while a later boot exists was cut: power loss, a hard reset, a hypervisor
//! kill, a kernel crash. The finding says when the log stops, what was
//! running at that moment (from the lifecycles: runs that never ended), the
//! last lines, and how long the machine was down before the next boot.
//! "Unclean" is inferred from the absence of a shutdown, hence a confidence.

use crate::boots::BootEnd;
use crate::lifecycle::EndState;

use super::facts::{duration, is_login_machinery, is_program_unit};
use super::{Context, Details, Finding, Kind, Severity, UncleanDetails, finding_id};

/// How sure "unclean" is: it is concluded from an absence (no shutdown
/// line in a boot a later boot follows), and a journal's tail can also be
/// lost without the machine going down uncleanly (journald killed or
/// stopped early, its disk full).
const UNCLEAN_CONFIDENCE: f64 = 0.9;

/// How many running units the summary names before "and N more".
const NAMED: usize = 6;

pub fn detect(cx: &Context) -> Vec<Finding> {
    let (f, next) = (cx.facts, cx.next_boot);
    let boot = f.boot();
    if boot.end != BootEnd::Unclean {
        return Vec::new();
    }
    // Runs seen only through the kernel log (early boot, before journald)
    // often lack their end lines too: a oneshot that finished long ago would
    // look as if it still ran. Only runs journald saw are named.
    let mut running: Vec<(u64, String)> = Vec::new();
    let mut starting: Vec<String> = Vec::new();
    for i in f.last_runs_of_system_units() {
        let a = f.act(i);
        if a.end_state != EndState::Running
            || !is_program_unit(&a.unit)
            || is_login_machinery(&a.unit)
            || f.start_seen_only_in_kernel_log(i)
        {
            continue;
        }
        if a.started.is_none() && a.requested.is_some() {
            starting.push(a.unit.clone());
        } else if a.unit.ends_with(".service") {
            running.push((f.start_key(i), a.unit.clone()));
        }
    }
    // The most recently started first: those are what someone was doing.
    running.sort_by_key(|r| std::cmp::Reverse(r.0));
    let running: Vec<String> = running.into_iter().map(|(_, u)| u).collect();
    let last = boot.last_realtime_usec;
    let mut summary = format!(
        "Boot {} ended without a shutdown at {}: the journal just stops (power loss, a hard reset or a kernel crash)",
        f.boot_short(),
        f.clock(last),
    );
    if !running.is_empty() {
        let named: Vec<&str> = running.iter().take(NAMED).map(String::as_str).collect();
        let more = running.len().saturating_sub(NAMED);
        summary.push_str(&format!(
            "; {} service{} were running ({}{})",
            running.len(),
            if running.len() == 1 { "" } else { "s" },
            named.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if !starting.is_empty() {
        summary.push_str(&format!("; still starting: {}", starting.join(", ")));
    }
    match (next, boot.downtime_usec) {
        (Some(n), Some(down)) => summary.push_str(&format!(
            ". The next boot ({}) began {} later, at {}.",
            n.boot_id.short(),
            duration(down),
            f.clock(n.first_realtime_usec)
        )),
        (Some(n), None) => summary.push_str(&format!(
            ". The next boot ({}) has an earlier wall-clock time (no RTC or a reset clock), so the downtime is unknown.",
            n.boot_id.short()
        )),
        (None, _) => summary.push('.'),
    }
    let hint = format!(
        "Look outside the machine for the cause (power, PDU or hypervisor logs, a watchdog reset); `journalctl -k -b {}` shows what the kernel said last, and the services above were killed without a clean stop — check their data.",
        f.boot_short()
    );
    let end = next
        .map(|n| n.first_realtime_usec)
        .filter(|&t| t >= last)
        .unwrap_or(last);
    let boot_id = boot.boot_id;
    vec![Finding {
        id: finding_id(Kind::UncleanShutdown, "", boot_id, last),
        kind: Kind::UncleanShutdown,
        severity: Severity::Error,
        unit: None,
        manager: "system".to_string(),
        boot_id,
        start_realtime_usec: last,
        end_realtime_usec: end,
        summary,
        hint,
        confidence: Some(UNCLEAN_CONFIDENCE),
        evidence: boot.end_evidence.clone(),
        details: Details::UncleanShutdown(UncleanDetails {
            last_entry_realtime_usec: last,
            next_boot_id: next.map(|n| n.boot_id),
            downtime_usec: boot.downtime_usec,
            running_units: running,
            starting_units: starting,
        }),
    }]
}

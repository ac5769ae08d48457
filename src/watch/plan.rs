//! The decision of one run, without I/O: given what was reported before and
//! what the detectors find now, which records to send and what to remember.
//!
//! "Ongoing" is decided from the findings themselves, not from a clock: a
//! finding goes on while its boot is still running (the newest boot, no
//! shutdown logged) and it is either `at-risk-manual` (the unit will be lost
//! at the next reboot), `lost-at-reboot` with the unit not back yet, or
//! `critical` (a service down at the end of the evidence: a crash loop still
//! looping, a start limit hit and not cleared). Every other finding is a past
//! event: reported once as `new` and remembered as resolved. An ongoing one
//! is reported `new` once while it fires, then `resolved` once when a later
//! run finds it no longer ongoing (the loop recovered, the boot ended) or no
//! longer finds it at all (at-risk units are judged in the newest boot only;
//! the unit was stopped or enabled).

use std::collections::BTreeMap;

use crate::boots::{Boot, BootEnd};
use crate::findings::{Details, Finding, Kind, Severity};
use crate::journal::Id128;

use super::fingerprint::fingerprint;
use super::record::{self, Event, Gap, Record};
use super::state::{Reported, Status};

/// True when the finding's episode goes on at the end of the journal.
pub fn is_ongoing(f: &Finding, boots: &[Boot]) -> bool {
    let running = boots
        .iter()
        .any(|b| b.boot_id == f.boot_id && b.end == BootEnd::Running);
    let not_back =
        matches!(&f.details, Details::LostAtReboot(d) if d.started_later_realtime_usec.is_none());
    running && (f.kind == Kind::AtRiskManual || not_back || f.severity == Severity::Critical)
}

/// What one run saw.
pub struct Seen<'a> {
    pub machine_id: Id128,
    pub findings: &'a [Finding],
    pub boots: &'a [Boot],
    pub gap: Option<&'a Gap>,
    pub now_usec: u64,
    pub ttl_usec: u64,
    /// The state is older than the last commit (restored from `.prev`, or
    /// lost): an episode this run first sees as ended may have been sent
    /// as ongoing by the run whose state was lost, so its end is sent too.
    pub restored: bool,
}

/// The records to deliver, in order (gap, new, resolved), and the reported
/// set to commit once they are delivered: sightings refresh the TTL, expired
/// entries are dropped.
pub fn plan(
    before: &BTreeMap<String, Reported>,
    seen: &Seen,
) -> (Vec<Record>, BTreeMap<String, Reported>) {
    let mut after = before.clone();
    let mut new = Vec::new();
    let mut resolved = Vec::new();
    let expires = seen.now_usec.saturating_add(seen.ttl_usec);
    let mut current = Vec::new();
    if let Some(gap) = seen.gap {
        let fp = fingerprint(seen.machine_id, &gap.id());
        if !after.contains_key(&fp) {
            new.push(Record {
                event: Event::New,
                fingerprint: fp.clone(),
                machine_id: seen.machine_id,
                finding_id: gap.id(),
                kind: "coverage-gap".to_string(),
                severity: Severity::Warning,
                unit: None,
                boot_id: gap.saved_boot_id.clone(),
                ongoing: false,
                reason: None,
                finding: Some(gap.finding()),
            });
        }
        after
            .entry(fp.clone())
            .or_insert_with(|| {
                reported(
                    &gap.id(),
                    "coverage-gap",
                    Severity::Warning,
                    None,
                    &gap.saved_boot_id,
                    seen.now_usec,
                    Status::Resolved,
                )
            })
            .sighted(seen.now_usec, expires);
        current.push(fp);
    }
    for f in seen.findings {
        let fp = fingerprint(seen.machine_id, &f.id);
        let ongoing = is_ongoing(f, seen.boots);
        current.push(fp.clone());
        match after.get_mut(&fp) {
            None => {
                new.push(record::of_finding(
                    Event::New,
                    fp.clone(),
                    seen.machine_id,
                    f,
                    ongoing,
                    None,
                ));
                if seen.restored && !ongoing {
                    resolved.push(record::of_finding(
                        Event::Resolved,
                        fp.clone(),
                        seen.machine_id,
                        f,
                        false,
                        Some("over when first seen; sent in case a run whose state was lost reported it ongoing".to_string()),
                    ));
                }
                let status = if ongoing {
                    Status::Firing
                } else {
                    Status::Resolved
                };
                let mut r = reported(
                    &f.id,
                    f.kind.as_str(),
                    f.severity,
                    f.unit.clone(),
                    &f.boot_id.to_string(),
                    seen.now_usec,
                    status,
                );
                r.sighted(seen.now_usec, expires);
                after.insert(fp, r);
            }
            Some(r) => {
                r.sighted(seen.now_usec, expires);
                if r.state == Status::Firing && !ongoing {
                    r.state = Status::Resolved;
                    resolved.push(record::of_finding(
                        Event::Resolved,
                        fp.clone(),
                        seen.machine_id,
                        f,
                        false,
                        Some(ended_because(f, seen.boots)),
                    ));
                }
            }
        }
    }
    for (fp, r) in after.iter_mut() {
        if r.state == Status::Firing && !current.contains(fp) {
            r.state = Status::Resolved;
            r.expires_at_usec = expires;
            resolved.push(Record {
                event: Event::Resolved,
                fingerprint: fp.clone(),
                machine_id: seen.machine_id,
                finding_id: r.finding_id.clone(),
                kind: r.kind.clone(),
                severity: Severity::parse(&r.severity).unwrap_or(Severity::Warning),
                unit: r.unit.clone(),
                boot_id: r.boot_id.clone(),
                ongoing: false,
                reason: Some(vanished_because(r, seen.boots)),
                finding: None,
            });
        }
    }
    after.retain(|_, r| r.expires_at_usec >= seen.now_usec);
    new.extend(resolved);
    (new, after)
}

/// Ongoing findings the state has firing (reported now or earlier), as
/// `new` records: `--alertmanager` sends them again every run, since
/// Alertmanager forgets an alert at its `endsAt` (see `alertmanager`).
pub fn still_firing(after: &BTreeMap<String, Reported>, seen: &Seen) -> Vec<Record> {
    seen.findings
        .iter()
        .filter_map(|f| {
            let fp = fingerprint(seen.machine_id, &f.id);
            let firing = after.get(&fp).is_some_and(|r| r.state == Status::Firing);
            (firing && is_ongoing(f, seen.boots))
                .then(|| record::of_finding(Event::New, fp, seen.machine_id, f, true, None))
        })
        .collect()
}

fn reported(
    finding_id: &str,
    kind: &str,
    severity: Severity,
    unit: Option<String>,
    boot_id: &str,
    now: u64,
    state: Status,
) -> Reported {
    Reported {
        finding_id: finding_id.to_string(),
        kind: kind.to_string(),
        severity: severity.as_str().to_string(),
        unit,
        boot_id: boot_id.to_string(),
        first_reported_usec: now,
        last_seen_usec: now,
        state,
        expires_at_usec: now,
    }
}

impl Reported {
    /// Seen again: the TTL starts over.
    fn sighted(&mut self, now: u64, expires: u64) {
        self.last_seen_usec = now;
        self.expires_at_usec = expires;
    }
}

fn boot_running(boot_id: &str, boots: &[Boot]) -> Option<bool> {
    boots
        .iter()
        .find(|b| b.boot_id.to_string() == boot_id)
        .map(|b| b.end == BootEnd::Running)
}

fn ended_because(f: &Finding, boots: &[Boot]) -> String {
    match boot_running(&f.boot_id.to_string(), boots) {
        Some(false) => "its boot ended".to_string(),
        _ => format!("no longer ongoing: now {}", f.severity),
    }
}

fn vanished_because(r: &Reported, boots: &[Boot]) -> String {
    match boot_running(&r.boot_id, boots) {
        None => "its boot is no longer in the journal".to_string(),
        Some(false) => "its boot ended".to_string(),
        Some(true) => "no longer found (the unit was stopped, enabled or came back)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Details, UncleanDetails};

    const MACHINE: Id128 = Id128([9; 16]);
    const DAY: u64 = 86_400_000_000;

    fn boot(n: u8, end: BootEnd) -> Boot {
        Boot {
            boot_id: Id128([n; 16]),
            index: i64::from(n) - 2,
            first_realtime_usec: 0,
            last_realtime_usec: 0,
            first_monotonic_usec: None,
            last_monotonic_usec: None,
            first_cursor: String::new(),
            last_cursor: String::new(),
            duration_usec: 0,
            entries: 0,
            systemd_version: None,
            startup_finished: None,
            end,
            shutdown: None,
            end_evidence: Vec::new(),
            downtime_usec: None,
            notes: Vec::new(),
            coverage: crate::boots::Coverage::unchecked(),
        }
    }

    fn finding(kind: Kind, severity: Severity, boot: u8, start: u64) -> Finding {
        Finding {
            id: crate::findings::finding_id(kind, "a.service", Id128([boot; 16]), start),
            kind,
            severity,
            unit: Some("a.service".to_string()),
            manager: "system".to_string(),
            boot_id: Id128([boot; 16]),
            start_realtime_usec: start,
            end_realtime_usec: start,
            summary: format!("{severity} summary"),
            hint: "hint".to_string(),
            confidence: None,
            evidence: Vec::new(),
            details: Details::UncleanShutdown(UncleanDetails {
                last_entry_realtime_usec: start,
                next_boot_id: None,
                downtime_usec: None,
                running_units: Vec::new(),
                starting_units: Vec::new(),
            }),
        }
    }

    fn run(
        before: &BTreeMap<String, Reported>,
        findings: &[Finding],
        boots: &[Boot],
        now: u64,
        restored: bool,
    ) -> (Vec<(Event, String)>, BTreeMap<String, Reported>) {
        let seen = Seen {
            machine_id: MACHINE,
            findings,
            boots,
            gap: None,
            now_usec: now,
            ttl_usec: 7 * DAY,
            restored,
        };
        let (records, after) = plan(before, &seen);
        (
            records
                .into_iter()
                .map(|r| (r.event, r.finding_id))
                .collect(),
            after,
        )
    }

    #[test]
    fn a_past_event_is_sent_once_and_an_ongoing_one_is_resolved_once() {
        let running = [boot(1, BootEnd::Running)];
        let past = finding(Kind::OomKill, Severity::Error, 1, 10);
        let looping = finding(Kind::CrashLoop, Severity::Critical, 1, 20);
        let (sent, state) = run(
            &BTreeMap::new(),
            &[past.clone(), looping.clone()],
            &running,
            1,
            false,
        );
        assert_eq!(
            sent,
            vec![
                (Event::New, past.id.clone()),
                (Event::New, looping.id.clone())
            ]
        );
        assert_eq!(
            state[&fingerprint(MACHINE, &looping.id)].state,
            Status::Firing
        );
        assert_eq!(
            state[&fingerprint(MACHINE, &past.id)].state,
            Status::Resolved
        );
        // Seen again, still going on, with another severity text: nothing.
        let (sent, state) = run(&state, &[past.clone(), looping.clone()], &running, 2, false);
        assert!(sent.is_empty(), "{sent:?}");
        // The loop recovered: resolved once, then never again.
        let recovered = finding(Kind::CrashLoop, Severity::Error, 1, 20);
        let (sent, state) = run(
            &state,
            &[past.clone(), recovered.clone()],
            &running,
            3,
            false,
        );
        assert_eq!(sent, vec![(Event::Resolved, recovered.id.clone())]);
        let (sent, _) = run(&state, &[past, recovered], &running, 4, false);
        assert!(sent.is_empty(), "{sent:?}");
    }

    #[test]
    fn only_what_the_state_has_firing_and_still_goes_on_is_sent_again() {
        let running = [boot(1, BootEnd::Running)];
        let past = finding(Kind::OomKill, Severity::Error, 1, 10);
        let looping = finding(Kind::CrashLoop, Severity::Critical, 1, 20);
        let both = [past.clone(), looping.clone()];
        let (_, state) = run(&BTreeMap::new(), &both, &running, 1, false);
        let seen = |findings, boots| Seen {
            machine_id: MACHINE,
            findings,
            boots,
            gap: None,
            now_usec: 2,
            ttl_usec: 7 * DAY,
            restored: false,
        };
        let again: Vec<String> = still_firing(&state, &seen(&both, &running))
            .into_iter()
            .map(|r| r.finding_id)
            .collect();
        assert_eq!(again, vec![looping.id.clone()]);
        let ended = [boot(1, BootEnd::Clean)];
        assert!(still_firing(&state, &seen(&both, &ended)).is_empty());
        assert!(still_firing(&BTreeMap::new(), &seen(&both, &running)).is_empty());
    }

    #[test]
    fn an_ongoing_finding_no_longer_found_is_resolved_and_the_ttl_forgets() {
        let at_risk = finding(Kind::AtRiskManual, Severity::Warning, 1, 10);
        let (_, state) = run(
            &BTreeMap::new(),
            std::slice::from_ref(&at_risk),
            &[boot(1, BootEnd::Running)],
            1,
            false,
        );
        let next = [boot(1, BootEnd::Clean), boot(2, BootEnd::Running)];
        let (sent, state) = run(&state, &[], &next, 2, false);
        assert_eq!(sent, vec![(Event::Resolved, at_risk.id.clone())]);
        let (sent, state) = run(&state, &[], &next, 3, false);
        assert!(sent.is_empty());
        assert_eq!(state.len(), 1, "kept until its TTL runs out");
        let (_, state) = run(&state, &[], &next, 3 + 7 * DAY + 1, false);
        assert!(state.is_empty(), "expired entries are dropped");
    }

    #[test]
    fn a_restored_state_also_sends_the_end_of_what_it_first_sees_ended() {
        let ended = [boot(1, BootEnd::Clean)];
        let f = finding(Kind::CrashLoop, Severity::Critical, 1, 10);
        assert!(!is_ongoing(&f, &ended), "its boot ended");
        let (sent, _) = run(&BTreeMap::new(), std::slice::from_ref(&f), &ended, 1, true);
        assert_eq!(
            sent,
            vec![(Event::New, f.id.clone()), (Event::Resolved, f.id.clone())]
        );
        let (sent, _) = run(&BTreeMap::new(), std::slice::from_ref(&f), &ended, 1, false);
        assert_eq!(sent, vec![(Event::New, f.id)]);
    }
}

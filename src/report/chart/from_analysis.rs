//! Chart inputs from the earlier stages: the boot timeline's rows from one
//! boot's lifecycles and classified starts (`crate::cause::BootAnalysis`) —
//! bars from each activation's stamps, a dot per classified start, lines from
//! the boot — and the crash-loop panels from crash-loop findings.
//!
//! Times come from the monotonic clock, placed on the wall clock of the
//! boot's first entry, so a clock set or jump during the boot (NTP on a
//! machine without an RTC) cannot bend the timeline.

use std::collections::BTreeMap;

use super::crash_loop::{CrashLoops, Failure, Loop};
use super::timeline::{Bar, Line, LineKind, Row, StartMark, State, Timeline, select_rows};
use crate::boots::{Boot, BootEnd};
use crate::cause::BootAnalysis;
use crate::events::{ExitKind, Manager};
use crate::findings::{Finding, Kind};
use crate::lifecycle::{Activation, EndState, Stamp};
use crate::present::time::{Zone, span};

/// Rows drawn at most; the rest are counted under the title.
pub const ROW_LIMIT: usize = 40;

/// Unit types that say nothing a reader needs on a timeline.
fn uninteresting(unit: &str) -> bool {
    unit.ends_with(".slice") || unit.ends_with(".device")
}

struct Clock<'a> {
    boot: &'a Boot,
}

impl Clock<'_> {
    fn at(&self, stamp: &Stamp) -> u64 {
        match (stamp.monotonic_usec, self.boot.first_monotonic_usec) {
            (Some(m), Some(first)) => (self.boot.first_realtime_usec + m).saturating_sub(first),
            _ => stamp.realtime_usec,
        }
    }

    fn end(&self) -> u64 {
        match (
            self.boot.last_monotonic_usec,
            self.boot.first_monotonic_usec,
        ) {
            (Some(last), Some(first)) => {
                (self.boot.first_realtime_usec + last).saturating_sub(first)
            }
            _ => self.boot.last_realtime_usec,
        }
    }
}

fn row_name(a: &Activation) -> String {
    match a.manager {
        Manager::System => a.unit.clone(),
        Manager::User(uid) => format!("{} (user {uid})", a.unit),
    }
}

impl Timeline {
    /// The timeline of `analysis`'s boot; units named in `flagged` (those
    /// with findings) are highlighted and always kept.
    pub fn from_analysis(analysis: &BootAnalysis, flagged: &[String], zone: Zone) -> Timeline {
        let boot = &analysis.boot;
        let clock = Clock { boot };
        let window_end = clock.end();
        let lc = &analysis.lifecycles;
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        let mut failures: BTreeMap<String, usize> = BTreeMap::new();
        for (i, a) in lc.activations.iter().enumerate() {
            if uninteresting(&a.unit) || a.end_state == EndState::Skipped {
                continue;
            }
            let name = row_name(a);
            let row = rows.entry(name.clone()).or_insert_with(|| Row {
                unit: name.clone(),
                flagged: flagged.contains(&a.unit),
                note: String::new(),
                bars: Vec::new(),
                starts: Vec::new(),
            });
            let next_start = lc
                .next(i)
                .and_then(|n| lc.activations[n].start_stamp())
                .map(|s| clock.at(&s));
            row.bars.extend(bars(a, &clock, next_start, window_end));
            if a.end_state == EndState::Failed {
                *failures.entry(name).or_default() += 1;
            }
        }
        for s in &analysis.starts {
            let a = &lc.activations[s.activation];
            if let Some(row) = rows.get_mut(&row_name(a)) {
                let at = a
                    .start_stamp()
                    .map(|st| clock.at(&st))
                    .unwrap_or(s.realtime_usec);
                row.starts.push(StartMark {
                    at_usec: at,
                    cause: s.cause,
                });
            }
        }
        let rows: Vec<Row> = rows
            .into_values()
            .filter(|r| !r.bars.is_empty() || !r.starts.is_empty())
            .map(|mut r| {
                let n = r.starts.len();
                r.note = format!("{n} start{}", if n == 1 { "" } else { "s" });
                if let Some(f) = failures.get(&r.unit) {
                    r.note.push_str(&format!(", {f} failed"));
                }
                r
            })
            .collect();
        let (rows, omitted) = select_rows(rows, ROW_LIMIT);
        let mut notes = Vec::new();
        if boot.notes.iter().any(|n| n.contains("clock jumped")) {
            notes.push(
                "The wall clock jumped during this boot; times are the boot's uptime placed after its first entry."
                    .to_string(),
            );
        }
        Timeline {
            title: format!(
                "Boot {} ({}): unit activity, {} to {}",
                boot.boot_id.short(),
                boot.index,
                crate::present::time::wall(boot.first_realtime_usec, zone),
                crate::present::time::wall_near(window_end, boot.first_realtime_usec, zone)
            ),
            notes,
            zone,
            from_usec: boot.first_realtime_usec,
            to_usec: window_end,
            rows,
            omitted,
            lines: lines(boot, &clock),
        }
    }
}

/// The bars of one activation: starting, active, then failed or waiting
/// for its restart until the next run (or the end of the boot).
fn bars(a: &Activation, clock: &Clock, next_start: Option<u64>, window_end: u64) -> Vec<Bar> {
    let mut out = Vec::new();
    let requested = a.requested.map(|s| clock.at(&s));
    let started = a.started.map(|s| clock.at(&s));
    let failed_start = a.start_failed.as_ref().map(|(s, _)| clock.at(s));
    let ended = a.ended.map(|s| clock.at(&s));
    let mut bar = |from: u64, to: u64, state: State| {
        if to >= from {
            out.push(Bar {
                from_usec: from,
                to_usec: to,
                state,
            });
        }
    };
    if let Some(r) = requested {
        let until = started.or(failed_start).or(ended).unwrap_or(window_end);
        bar(r, until, State::Starting);
    }
    if let Some(s) = started {
        bar(s, ended.unwrap_or(window_end), State::Active);
    }
    if a.end_state == EndState::Failed {
        let down_from = ended.or(failed_start).or(started).or(requested);
        if let Some(from) = down_from {
            // A restart refused by the start limit leaves the unit failed.
            let state = if a.restart_scheduled.is_some() && !a.start_limit_hit {
                State::WaitingRestart
            } else {
                State::Failed
            };
            bar(from, next_start.unwrap_or(window_end), state);
        }
    }
    out
}

fn lines(boot: &Boot, clock: &Clock) -> Vec<Line> {
    let mut out = vec![Line {
        at_usec: boot.first_realtime_usec,
        kind: LineKind::BootStart,
        label: "boot (first entry)".to_string(),
    }];
    if let Some(s) = &boot.startup_finished {
        let at = s
            .monotonic_usec
            .zip(boot.first_monotonic_usec)
            .map(|(m, first)| (boot.first_realtime_usec + m).saturating_sub(first))
            .unwrap_or(s.realtime_usec);
        out.push(Line {
            at_usec: at,
            kind: LineKind::StartupFinished,
            label: match s.monotonic_usec {
                Some(m) => format!("startup finished ({})", span(m)),
                None => "startup finished".to_string(),
            },
        });
    }
    match boot.end {
        BootEnd::Clean => {
            if let Some(first) = boot.end_evidence.first() {
                // Evidence has wall-clock times only; shift by the boot's clock offset.
                let offset = clock.end() as i128 - boot.last_realtime_usec as i128;
                let at = (first.realtime_usec as i128 + offset).max(0) as u64;
                out.push(Line {
                    at_usec: at,
                    kind: LineKind::Shutdown,
                    label: match boot.shutdown {
                        Some(k) => format!("shutdown ({})", k.as_str()),
                        None => "shutdown".to_string(),
                    },
                });
            }
        }
        BootEnd::Unclean => out.push(Line {
            at_usec: clock.end(),
            kind: LineKind::PowerCut,
            label: "journal stops: power cut or crash".to_string(),
        }),
        BootEnd::Running | BootEnd::Unknown => {}
    }
    out
}

impl CrashLoops {
    /// One panel per crash-loop finding of `analysis`'s boot: the unit's
    /// failed runs between the finding's start and end, with how each ended.
    pub fn from_findings(findings: &[Finding], analysis: &BootAnalysis, zone: Zone) -> CrashLoops {
        let lc = &analysis.lifecycles;
        let loops: Vec<Loop> = findings
            .iter()
            .filter(|f| f.kind == Kind::CrashLoop && f.boot_id == analysis.boot.boot_id)
            .filter_map(|f| {
                let unit = f.unit.as_deref()?;
                let failures: Vec<Failure> = lc
                    .activations
                    .iter()
                    .filter(|a| a.unit == unit && a.manager.to_string() == f.manager)
                    .filter_map(|a| {
                        let ended = a.ended?.realtime_usec;
                        let failed =
                            a.end_state == EndState::Failed || a.restart_scheduled.is_some();
                        (failed && (f.start_realtime_usec..=f.end_realtime_usec).contains(&ended))
                            .then(|| Failure {
                                at_usec: ended,
                                exit: how_it_ended(a),
                            })
                    })
                    .collect();
                (!failures.is_empty()).then(|| Loop {
                    unit: unit.to_string(),
                    failures,
                })
            })
            .collect();
        let n = loops.len();
        CrashLoops {
            title: format!(
                "Crash loops in boot {} ({}): {n} unit{}",
                analysis.boot.boot_id.short(),
                analysis.boot.index,
                if n == 1 { "" } else { "s" }
            ),
            notes: vec![
                "Each dot is a run that ended and was restarted (or given up); the line counts them."
                    .to_string(),
            ],
            zone,
            loops,
        }
    }
}

/// "exit 1", "signal 11, core dumped", or systemd's result ("timeout").
fn how_it_ended(a: &Activation) -> String {
    match &a.exit {
        Some(x) => match (x.kind, x.status.as_deref()) {
            (ExitKind::Exited, Some(s)) => format!("exit {s}"),
            (ExitKind::Killed, Some(s)) => format!("signal {s}"),
            (ExitKind::Dumped, Some(s)) => format!("signal {s}, core dumped"),
            (kind, _) => kind.as_str().to_string(),
        },
        None => a.result.clone().unwrap_or_else(|| "?".to_string()),
    }
}

//! Starts and activations for people (terminal) and programs (JSON):
//! `jforensics since-boot` and `jforensics unit`.
//!
//! The JSON field names are a documented contract (README, "JSON output"):
//! add fields freely, never rename or remove one.

use serde_json::{Value, json};

use crate::cause::{BootAnalysis, Cause, Start};
use crate::events::EventKind;
use crate::lifecycle::{Activation, BootLifecycles, EndState};
use crate::report::json::{self, SCHEMA_VERSION};
use crate::report::terminal::{self, Style, WIDTH, fit, wrap};
use crate::report::time::{rfc3339, span, wall, wall_near};

// ------------------------------------------------------------------ JSON

/// How an activation ended, as JSON.
pub fn outcome(a: &Activation) -> Value {
    json!({
        "end_state": a.end_state,
        "result": a.result,
        "exit_code": a.exit.as_ref().map(|x| x.kind.as_str()),
        "exit_status": a.exit.as_ref().and_then(|x| x.status.clone()),
        "ended_realtime_usec": a.ended.map(|s| s.realtime_usec),
        "ran_usec": a.ran_usec(),
        "restart_scheduled": a.restart_scheduled.is_some(),
        "start_limit_hit": a.start_limit_hit,
        "oom_killed": a.oom_killed,
        "watchdog_timeout": a.watchdog_timeout,
        "timed_out": a.timed_out,
        "core_dumped": a.coredump.is_some()
            || a.exit.as_ref().is_some_and(|x| x.kind == crate::events::ExitKind::Dumped),
    })
}

/// One start, as in `since-boot -o json`'s `starts` array.
pub fn start(s: &Start, lc: &BootLifecycles) -> Value {
    let a = &lc.activations[s.activation];
    json!({
        "unit": s.unit,
        "manager": s.manager,
        "boot_id": s.boot_id.to_string(),
        "invocation_id": s.invocation_id.map(|i| i.to_string()),
        "job_id": s.job_id,
        "realtime_usec": s.realtime_usec,
        "realtime": rfc3339(s.realtime_usec),
        "monotonic_usec": s.monotonic_usec,
        "cause": s.cause,
        "trigger": s.trigger,
        "trigger_cause": s.trigger_cause,
        "confidence": round2(s.confidence),
        "explanation": s.explanation,
        "evidence": json::evidence_list(&s.evidence),
        "start_logged": s.start_logged,
        "outcome": outcome(a),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `jforensics since-boot -o json`.
pub fn since_boot_json(analysis: &BootAnalysis, units: &[String]) -> Value {
    let lc = &analysis.lifecycles;
    let starts: Vec<&Start> = analysis
        .starts
        .iter()
        .filter(|s| units.is_empty() || units.contains(&s.unit))
        .collect();
    let mut by_cause = serde_json::Map::new();
    for cause in Cause::ALL {
        let n = starts.iter().filter(|s| s.cause == cause).count();
        if n > 0 {
            by_cause.insert(cause.as_str().to_string(), json!(n));
        }
    }
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "since-boot",
        "boot": json::boot(&analysis.boot),
        "starts": starts.iter().map(|s| start(s, lc)).collect::<Vec<_>>(),
        "by_cause": by_cause,
        "failures": failures(lc, units).iter().map(|&i| activation(lc, i, analysis)).collect::<Vec<_>>(),
        "runs_without_logged_start": unstarted(analysis, units).len(),
    })
}

/// One activation, as in `unit -o json` and `since-boot`'s `failures`.
pub fn activation(lc: &BootLifecycles, index: usize, analysis: &BootAnalysis) -> Value {
    let a = &lc.activations[index];
    let stamp = |s: Option<crate::lifecycle::Stamp>| s.map(|s| s.realtime_usec);
    json!({
        "unit": a.unit,
        "manager": a.manager,
        "boot_id": a.boot_id.to_string(),
        "invocation_id": a.invocation_id.map(|i| i.to_string()),
        "start_job_id": a.start_job_id,
        "requested_realtime_usec": stamp(a.requested),
        "started_realtime_usec": stamp(a.started),
        "stopping_realtime_usec": stamp(a.stopping),
        "ended_realtime_usec": stamp(a.ended),
        "stop_job_id": a.stop_job_id,
        "stop_job_type": a.stop_job_type,
        "cause": analysis.start_of(index).map(|s| s.cause),
        "trigger": analysis.start_of(index).and_then(|s| s.trigger.clone()),
        "start": analysis.start_of(index).map(|s| start(s, lc)),
        "outcome": outcome(a),
        "n_restarts": a.restart_scheduled.and_then(|(_, n)| n),
        "cpu_usage_nsec": a.resources.cpu_usage_nsec,
        "memory_peak_bytes": a.resources.memory_peak_bytes,
        "events": a.events.iter().map(|&i| json::evidence(&lc.event(i).evidence)).collect::<Vec<_>>(),
    })
}

/// `jforensics unit UNIT -o json`.
pub fn unit_json(unit: &str, analyses: &[BootAnalysis]) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "unit",
        "unit": unit,
        "boots": analyses.iter().map(|an| json!({
            "boot": json::boot(&an.boot),
            "activations": an.lifecycles.activations_of(unit)
                .map(|(i, _)| activation(&an.lifecycles, i, an))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Activations seen only while already running: their start was not logged.
fn unstarted(analysis: &BootAnalysis, units: &[String]) -> Vec<usize> {
    let lc = &analysis.lifecycles;
    (0..lc.activations.len())
        .filter(|&i| !crate::cause::is_start(lc, i))
        .filter(|&i| units.is_empty() || units.contains(&lc.activations[i].unit))
        .collect()
}

/// Activations that ended in failure, in order (only those of `units`, if given).
fn failures(lc: &BootLifecycles, units: &[String]) -> Vec<usize> {
    lc.activations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.end_state == EndState::Failed)
        .filter(|(_, a)| units.is_empty() || units.contains(&a.unit))
        .map(|(i, _)| i)
        .collect()
}

// ------------------------------------------------------------------ terminal

/// `jforensics since-boot`: the boot line, then every start that was not
/// part of boot grouped by cause, then the failures.
pub fn since_boot(analysis: &BootAnalysis, units: &[String], all: bool, style: &Style) -> String {
    let lc = &analysis.lifecycles;
    let boot = &analysis.boot;
    let mut out = terminal::boots(std::slice::from_ref(boot), style);
    let starts: Vec<&Start> = analysis
        .starts
        .iter()
        .filter(|s| units.is_empty() || units.contains(&s.unit))
        .collect();
    let at_boot = starts.iter().filter(|s| s.cause == Cause::Boot).count();
    let later: Vec<&Start> = starts
        .iter()
        .copied()
        .filter(|s| all || s.cause != Cause::Boot)
        .collect();
    out.push('\n');
    let mut summary = format!(
        "{} start(s): {at_boot} part of boot{}, {} after.",
        starts.len(),
        if all {
            ""
        } else {
            " (not listed; --all lists them)"
        },
        starts.len() - at_boot
    );
    let unstarted = unstarted(analysis, units);
    if !unstarted.is_empty() {
        summary.push_str(&format!(
            " {} more run(s) were only seen already running (mounts made outside systemd, or starts missing from the log); `jforensics unit` shows them.",
            unstarted.len()
        ));
    }
    let unknown = starts.iter().filter(|s| s.cause == Cause::Unknown).count();
    if unknown > 0 {
        summary.push_str(&format!(
            " {unknown} start(s) could not be explained from the log; see \"unknown\" below."
        ));
    }
    for line in wrap(&summary, WIDTH) {
        out.push_str(&line);
        out.push('\n');
    }
    for cause in Cause::ALL {
        let group: Vec<&Start> = later.iter().copied().filter(|s| s.cause == cause).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({})\n", cause.as_str(), group.len()));
        for s in group {
            out.push_str(&start_lines(s, lc, boot.first_realtime_usec, style));
        }
    }
    let failed = failures(lc, units);
    if !failed.is_empty() {
        out.push_str(&format!("\nFailures ({})\n", failed.len()));
        let mut t = crate::report::table::Table::new(&[
            ("ENDED", crate::report::table::Align::Left),
            ("UNIT", crate::report::table::Align::Left),
            ("RESULT", crate::report::table::Align::Left),
            ("EXIT", crate::report::table::Align::Left),
            ("RAN", crate::report::table::Align::Right),
        ]);
        for i in failed {
            let a = &lc.activations[i];
            t.row(vec![
                a.ended
                    .map(|s| wall_near(s.realtime_usec, boot.first_realtime_usec, style.zone))
                    .unwrap_or_else(|| "-".to_string()),
                fit(&a.unit, 40),
                a.result
                    .clone()
                    .or_else(|| a.start_failed.as_ref().map(|(_, r)| format!("job {r}")))
                    .unwrap_or_else(|| "-".to_string()),
                a.exit
                    .as_ref()
                    .map(|x| format!("{} {}", x.kind.as_str(), x.describe()))
                    .unwrap_or_else(|| "-".to_string()),
                a.ran_usec().map(span).unwrap_or_else(|| "-".to_string()),
            ]);
        }
        for line in t.render().lines() {
            out.push_str("  ");
            out.push_str(&fit(line, WIDTH - 2));
            out.push('\n');
        }
    }
    out
}

/// One start: a summary line, the explanation, and its evidence.
fn start_lines(s: &Start, lc: &BootLifecycles, day_of: u64, style: &Style) -> String {
    let time = wall_near(s.realtime_usec, day_of, style.zone);
    let trigger = match (&s.trigger, s.trigger_cause) {
        (Some(t), Some(c)) => format!("  ← {t} ({c})"),
        (Some(t), None) => format!("  ← {t}"),
        _ => String::new(),
    };
    let a = &lc.activations[s.activation];
    let end = describe_outcome(a);
    let head = format!("  {time}  {}{trigger}", s.unit);
    let tail = format!("  {}  conf {:.2}", end, s.confidence);
    let room = WIDTH.saturating_sub(tail.chars().count());
    let mut out = format!("{}{tail}\n", pad(&fit(&head, room), room));
    for line in wrap(&s.explanation, WIDTH - 6) {
        out.push_str(&format!("      {line}\n"));
    }
    let shown: Vec<_> = if style.full_ids {
        s.evidence.iter().collect()
    } else {
        s.evidence.iter().rev().take(4).rev().collect()
    };
    for e in shown {
        let line = format!(
            "      | {}  {}",
            wall_near(e.realtime_usec, day_of, style.zone),
            e.message
        );
        out.push_str(&fit(&line, WIDTH));
        out.push('\n');
    }
    out
}

/// "running", "failed exit-code status=1 after 2.1s", "stopped after 4min 2s".
fn describe_outcome(a: &Activation) -> String {
    let ran = a
        .ran_usec()
        .map(|r| format!(" after {}", span(r)))
        .unwrap_or_default();
    match a.end_state {
        EndState::Running => "running".to_string(),
        EndState::Skipped => "skipped".to_string(),
        EndState::Stopped => format!("stopped{ran}"),
        EndState::Succeeded => format!("exited{ran}"),
        EndState::Failed => {
            let what = a
                .result
                .clone()
                .or_else(|| a.start_failed.as_ref().map(|(_, r)| r.clone()))
                .unwrap_or_else(|| "failed".to_string());
            let exit = a
                .exit
                .as_ref()
                .map(|x| format!(" {}", x.describe()))
                .unwrap_or_default();
            format!("FAILED {what}{exit}{ran}")
        }
    }
}

/// `jforensics unit UNIT`: each activation per boot.
pub fn unit(unit: &str, analyses: &[BootAnalysis], style: &Style) -> String {
    let mut out = String::new();
    let total: usize = analyses
        .iter()
        .map(|an| an.lifecycles.activations_of(unit).count())
        .sum();
    out.push_str(&format!(
        "{unit}: {total} activation(s) in {} boot(s)\n",
        analyses.len()
    ));
    for an in analyses {
        let b = &an.boot;
        let lc = &an.lifecycles;
        out.push_str(&format!(
            "\nBoot {} ({})  {}  {}\n",
            if style.full_ids {
                b.boot_id.to_string()
            } else {
                b.boot_id.short()
            },
            b.index,
            wall(b.first_realtime_usec, style.zone),
            terminal::boot_end(b)
        ));
        let acts: Vec<(usize, &Activation)> = lc.activations_of(unit).collect();
        if acts.is_empty() {
            out.push_str("  not started in this boot\n");
            continue;
        }
        // A system unit and a user unit may share a name: say whose it is.
        let mixed = acts.iter().any(|(_, a)| !a.manager.is_system());
        let mut headers = vec![
            ("#", crate::report::table::Align::Right),
            ("STARTED", crate::report::table::Align::Left),
            ("CAUSE", crate::report::table::Align::Left),
            ("TRIGGER", crate::report::table::Align::Left),
            ("RAN", crate::report::table::Align::Right),
            ("ENDED", crate::report::table::Align::Left),
        ];
        if mixed {
            headers.insert(1, ("MANAGER", crate::report::table::Align::Left));
        }
        let mut t = crate::report::table::Table::new(&headers);
        for (n, (i, a)) in acts.iter().enumerate() {
            let s = an.start_of(*i);
            let mut row = vec![(n + 1).to_string()];
            if mixed {
                row.push(a.manager.to_string());
            }
            row.extend([
                s.map(|s| wall_near(s.realtime_usec, b.first_realtime_usec, style.zone))
                    .unwrap_or_else(|| "-".to_string()),
                s.map(|s| s.cause.as_str().to_string())
                    .unwrap_or_else(|| "-".to_string()),
                s.and_then(|s| s.trigger.clone())
                    .map(|t| fit(&t, 28))
                    .unwrap_or_else(|| "-".to_string()),
                a.ran_usec().map(span).unwrap_or_else(|| "-".to_string()),
                describe_end_short(a, lc),
            ]);
            t.row(row);
        }
        for line in t.render().lines() {
            out.push_str("  ");
            out.push_str(&fit(line, WIDTH - 2));
            out.push('\n');
        }
        if style.full_ids {
            for (n, (i, _)) in acts.iter().enumerate() {
                if let Some(s) = an.start_of(*i) {
                    out.push_str(&format!("  #{}: {}\n", n + 1, s.explanation));
                }
            }
        }
    }
    out
}

fn describe_end_short(a: &Activation, lc: &BootLifecycles) -> String {
    let mut words = describe_outcome(a);
    if let Some(pos) = words.find(" after ") {
        words.truncate(pos);
    }
    if a.restart_scheduled.is_some() {
        words.push_str(", restart scheduled");
    }
    if a.start_limit_hit {
        words.push_str(", start limit hit");
    }
    if a.oom_killed {
        words.push_str(", OOM kill");
    }
    if a.watchdog_timeout {
        words.push_str(", watchdog");
    }
    if a.coredump.is_some() && !words.contains("core") {
        words.push_str(", core dumped");
    }
    let kinds = || a.events.iter().map(|&i| &lc.event(i).kind);
    if let Some(EventKind::TriggeringDependencies { trigger }) =
        kinds().find(|k| matches!(k, EventKind::TriggeringDependencies { .. }))
    {
        if kinds().any(|k| matches!(k, EventKind::TriggerFailed { .. })) {
            words.push_str(&format!(", {} handler not started", trigger.setting()));
        } else {
            words.push_str(&format!(", {} triggered", trigger.setting()));
        }
    }
    words
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

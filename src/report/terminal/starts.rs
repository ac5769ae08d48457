//! Starts and activations for people at a terminal: `jforensics
//! since-boot` and `jforensics unit`.

use super::Style;
use crate::cause::{BootAnalysis, Cause, Start};
use crate::events::EventKind;
use crate::lifecycle::{Activation, BootLifecycles, EndState};
use crate::present::table::{Align, Table};
use crate::present::text::{WIDTH, fit, pad, wrap};
use crate::present::time::{span, wall, wall_near};
use crate::report::select::{failures, unstarted};
use crate::report::terminal;

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
        let mut t = Table::new(&[
            ("ENDED", Align::Left),
            ("UNIT", Align::Left),
            ("RESULT", Align::Left),
            ("EXIT", Align::Left),
            ("RAN", Align::Right),
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
            ("#", Align::Right),
            ("STARTED", Align::Left),
            ("CAUSE", Align::Left),
            ("TRIGGER", Align::Left),
            ("RAN", Align::Right),
            ("ENDED", Align::Left),
        ];
        if mixed {
            headers.insert(1, ("MANAGER", Align::Left));
        }
        let mut t = Table::new(&headers);
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

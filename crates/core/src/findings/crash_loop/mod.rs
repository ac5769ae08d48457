//! Crash loops: a unit that systemd restarts again and again.
//!
//! An episode is a chain of runs of one unit in which every run after the
//! first was started by systemd itself (`Restart=`), with at least
//! `loop_restarts` such restarts inside `loop_window`. Restarts after clean
//! exits (`Restart=always` on a program that finishes) count too: the unit
//! churns just the same.
//!
//! A run that stayed up ends the episode: the unit recovered (see
//! [`chains::FailingRuns::outlived_by`] for when a run counts as staying up). If that
//! run fails later and the restarts begin again, that is a new episode,
//! begun by that failure; when another unit was stopped just before it (a
//! database stopped by hand under a backend), the episode says so.
//!
//! How the episode ended is read from its last run: refused by the start
//! limit, stopped by a stop job, cut by the shutdown or the end of the boot,
//! still looping where the journal ends, or it stayed up ("recovered") —
//! also when the shutdown stopped it cleanly after it had stayed up.
//!
//! The root cause of a recovery is a unit started before (or with) the
//! recovering restart (see `loop_cause.rs`): a backend that stops crashing
//! once its database is started by hand. Nothing in the journal links the
//! two, so this is a coincidence in time, said with a confidence. If the
//! loop began at boot and that unit was not started at boot, the story is
//! "the dependency is not enabled", and the finding says so.
//!
//! Lost lines: under load PID 1 can drop lines (the recorded debug boot lost
//! one "Scheduled restart job" of seven). Restarts are recognised by the
//! classifier (restart job ids, the failure before) and, failing that, by a
//! scheduled restart after the previous run, so one lost line does not break
//! the chain; the count of scheduled-restart lines seen is reported beside
//! the count of restarts.

mod chains;
mod outcome;

use std::collections::BTreeMap;

use crate::cause::Cause;
use crate::events::EventKind;
use crate::evidence::Evidence;
use crate::lifecycle::EndState;

use super::facts::{BootFacts, duration, how_started};
use super::loop_cause::{begun_by_stop, root_cause};
use super::{Context, CrashLoopDetails, Details, Finding, Kind, Severity, finding_id};
use chains::{Chain, between, chains, median};
use outcome::{hint, outcome, outcome_phrase};

crate::vocab::words! {
    "kebab-case",
    /// How a crash loop ended.
    pub enum LoopOutcome {
        /// systemd refused the next restart ("Start request repeated too quickly.").
        StartLimitHit,
        /// The last run stayed up.
        Recovered,
        /// Stopped by a stop job (by hand).
        Stopped,
        /// The boot ended (shutdown or power cut) while it was looping.
        Reboot,
        /// Still looping where the journal ends.
        Ongoing,
        /// The last run failed and systemd did not restart it (Restart= does
        /// not cover that exit).
        Failed,
    }
}

pub fn detect(cx: &Context) -> Vec<Finding> {
    let f = cx.facts;
    let mut groups: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, a) in f.lc.activations.iter().enumerate() {
        groups.entry((a.run, a.unit.as_str())).or_default().push(i);
    }
    let mut out = Vec::new();
    for runs in groups.values() {
        for chain in chains(f, runs) {
            if let Some(finding) = episode(f, &chain) {
                out.push(finding);
            }
        }
    }
    out
}

fn episode(f: &BootFacts, chain: &Chain) -> Option<Finding> {
    let options = f.options;
    let runs = chain.runs.as_slice();
    let n = options.loop_restarts.max(1) as usize;
    let restarts = &runs[1..];
    if restarts.len() < n {
        return None;
    }
    let dense = (0..=restarts.len() - n)
        .any(|j| between(f, restarts[j], restarts[j + n - 1]) <= options.loop_window_usec);
    if !dense {
        return None;
    }
    let first = runs[0];
    let last = *runs.last().expect("episode has runs");
    let unit = f.act(first).unit.clone();
    let manager = f.act(first).manager;

    let intervals: Vec<u64> = runs.windows(2).map(|w| between(f, w[0], w[1])).collect();
    let median_interval = median(intervals);

    // The first run began the episode at its start, or at its failure if it
    // had stayed up before.
    let first_ran_long = chain.head_stayed_up
        || f.act(first)
            .ran_usec()
            .is_some_and(|r| r >= options.recovered_after_usec);
    let (start_usec, episode_from) = match (first_ran_long, f.act(first).ended) {
        (true, Some(end)) => (
            end.realtime_usec,
            end.monotonic_usec.unwrap_or(end.realtime_usec),
        ),
        _ => (f.start_realtime(first), f.start_key(first)),
    };
    let stop = if first_ran_long {
        let cycle = match chain.failing.cycle() {
            0 => median(
                runs.windows(2)
                    .skip(1)
                    .map(|w| between(f, w[0], w[1]))
                    .collect(),
            ),
            c => c,
        };
        begun_by_stop(f, first, cycle)
    } else {
        None
    };

    let mut exit_statuses: Vec<String> = Vec::new();
    let mut results: Vec<String> = Vec::new();
    for &i in runs {
        let a = f.act(i);
        // Only exits that ended a run on their own: the last run's SIGTERM
        // from a stop or the shutdown says nothing about the loop.
        let own_end = a.end_state == EndState::Failed
            || a.restart_scheduled.is_some()
            || f.lc.next(i).is_some();
        if let Some(x) = a.exit.as_ref().filter(|_| own_end) {
            push_unique(&mut exit_statuses, x.describe());
        }
        if let Some(r) = a.result.as_ref().filter(|_| own_end)
            && r != "start-limit-hit"
        {
            push_unique(&mut results, r.clone());
        }
    }
    let (mut failure, mut policy) = (0, 0);
    for &i in restarts {
        match f.cause(i) {
            Some(Cause::PolicyRestart) => policy += 1,
            Some(Cause::FailureRestart) => failure += 1,
            _ => match f.lc.previous(i).and_then(|p| f.act(p).result.as_deref()) {
                Some("success") => policy += 1,
                _ => failure += 1,
            },
        }
    }
    let restart_kind = match (failure, policy) {
        (_, 0) => "failure",
        (0, _) => "policy",
        _ => "mixed",
    };
    let scheduled_logged = runs
        .iter()
        .filter(|&&i| f.act(i).restart_scheduled.is_some())
        .count() as u32;

    let (outcome, end_usec, end_evidence) = outcome(f, last, &chain.failing);
    let root = match outcome {
        LoopOutcome::Recovered => root_cause(
            f,
            runs,
            episode_from,
            chain.failing.ran.iter().copied().min().unwrap_or(0),
        ),
        _ => None,
    };
    let first_cause = f.cause(first).unwrap_or(Cause::Unknown);
    let first_trigger = f.start(first).and_then(|s| s.trigger.clone());
    let root_at_boot = root
        .as_ref()
        .map(|r| f.started_at_boot(&f.act(r.activation).unit));

    // --- words ---
    // From the failure that began it when the first run had stayed up.
    let span_usec = if first_ran_long {
        f.start_realtime(last).saturating_sub(start_usec)
    } else {
        between(f, first, last)
    };
    let mut summary = format!(
        "{unit} crash-looped {}: {} automatic restart{} in {} ({})",
        origin_phrase(
            f,
            first,
            first_cause,
            first_trigger.as_deref(),
            first_ran_long,
            stop,
        ),
        restarts.len(),
        if restarts.len() == 1 { "" } else { "s" },
        duration(span_usec),
        exits_phrase(&exit_statuses, &results, restart_kind),
    );
    summary.push_str(&outcome_phrase(f, outcome, last, end_usec, root.as_ref()));
    let stop_unit = stop.map(|i| f.act(i).unit.clone());
    // A loop that did not recover has no unit whose start ended it; the
    // stop that began it is then its cause.
    let root_unit = root
        .as_ref()
        .map(|r| f.act(r.activation).unit.clone())
        .or_else(|| stop_unit.clone());
    if let (Some(r), Some(false), Cause::Boot) = (&root_unit, root_at_boot, first_cause) {
        summary.push_str(&format!(
            "; {r} is not started at boot — it is probably not enabled"
        ));
    }
    summary.push('.');

    let hint = hint(
        &unit,
        outcome,
        restart_kind,
        &exit_statuses,
        root_unit.as_deref(),
        root_at_boot,
    );

    let still_down = matches!(outcome, LoopOutcome::StartLimitHit | LoopOutcome::Failed)
        && f.lc.next(last).is_none();
    let severity = match outcome {
        LoopOutcome::Ongoing => Severity::Critical,
        _ if still_down => Severity::Critical,
        _ if restart_kind == "policy" => Severity::Warning,
        _ => Severity::Error,
    };

    let mut evidence: Vec<Evidence> = Vec::new();
    let mut add = |e: Option<Evidence>| {
        if let Some(e) = e
            && !evidence
                .iter()
                .any(|x| x.cursor == e.cursor && x.message == e.message)
        {
            evidence.push(e);
        }
    };
    add(f.stamp_evidence(f.start_stamp(first)));
    add(failure_line(f, first));
    add(f
        .find_event(first, |k| matches!(k, EventKind::RestartScheduled { .. }))
        .map(|e| f.evidence(e)));
    if runs.len() > 2 {
        let before_last = runs[runs.len() - 2];
        add(failure_line(f, before_last));
        add(f
            .find_event(before_last, |k| {
                matches!(k, EventKind::RestartScheduled { .. })
            })
            .map(|e| f.evidence(e)));
    }
    if let Some(r) = &root {
        add(f.stamp_evidence(f.start_stamp(r.activation)));
    }
    if let Some(i) = stop {
        add(f.stamp_evidence(f.act(i).stopping.or(f.act(i).stopped)));
    }
    add(f.stamp_evidence(f.start_stamp(last)));
    add(failure_line(f, last));
    add(end_evidence);
    evidence.sort_by_key(|e| e.realtime_usec);

    let details = CrashLoopDetails {
        restarts: restarts.len() as u32,
        outcome,
        root_cause_unit: root_unit.clone(),
        root_cause_cause: root.as_ref().map(|r| r.cause.as_str().to_string()),
        root_cause_started_at_boot: root_at_boot,
        median_interval_usec: median_interval,
        exit_statuses,
        results,
        first_start_cause: first_cause.as_str().to_string(),
        first_start_trigger: first_trigger,
        restart_kind: restart_kind.to_string(),
        scheduled_restarts_logged: scheduled_logged,
        begun_by_stop_of: stop_unit,
        begun_by_stop_realtime_usec: stop
            .and_then(|i| f.act(i).stopping.or(f.act(i).stopped))
            .map(|s| s.realtime_usec),
    };
    let boot_id = f.boot().boot_id;
    Some(Finding {
        id: finding_id(Kind::CrashLoop, &unit, boot_id, start_usec),
        kind: Kind::CrashLoop,
        severity,
        unit: Some(unit),
        manager: manager.to_string(),
        boot_id,
        start_realtime_usec: start_usec,
        end_realtime_usec: end_usec.max(start_usec),
        summary,
        hint,
        confidence: root.as_ref().map(|r| r.confidence),
        evidence,
        details: Details::CrashLoop(details),
    })
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The line that says how run `i` failed: its failure result, else its exit.
fn failure_line(f: &BootFacts, i: usize) -> Option<Evidence> {
    f.find_event(
        i,
        |k| matches!(k, EventKind::FailureResult { result } if result != "start-limit-hit"),
    )
    .or_else(|| f.find_event(i, |k| matches!(k, EventKind::ProcessExit(_))))
    .map(|e| f.evidence(e))
}

fn origin_phrase(
    f: &BootFacts,
    first: usize,
    cause: Cause,
    trigger: Option<&str>,
    ran_long: bool,
    stop: Option<usize>,
) -> String {
    let at = f.clock(f.start_realtime(first));
    if ran_long {
        let ended = f.act(first).ended;
        let failed = ended.map(|s| f.clock(s.realtime_usec)).unwrap_or(at);
        let stopped = stop.and_then(|i| {
            let s = f.act(i).stopping.or(f.act(i).stopped)?;
            let gap = ended.map(|e| s.until(&e)).unwrap_or(0);
            Some(format!(
                ", {} after {} was stopped at {}",
                duration(gap),
                f.act(i).unit,
                f.clock(s.realtime_usec)
            ))
        });
        return format!(
            "after it failed at {failed} (it had run fine before{})",
            stopped.unwrap_or_default()
        );
    }
    match cause {
        Cause::Boot => format!("after boot (first start at {at})"),
        Cause::Manual => format!("after it was started by hand at {at}"),
        other => format!(
            "after it was started {} at {at}",
            how_started(other, trigger)
        ),
    }
}

fn exits_phrase(exits: &[String], results: &[String], restart_kind: &str) -> String {
    let described: Vec<String> = exits
        .iter()
        .map(|x| {
            if let Some(s) = x.strip_prefix("status=") {
                format!("exit status {s}")
            } else if let Some(rest) = x.strip_prefix("signal=") {
                let (num, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let name = num
                    .parse::<u32>()
                    .ok()
                    .and_then(super::facts::signal_name)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!(
                    "signal {num}{name}{}",
                    if tail.is_empty() {
                        String::new()
                    } else {
                        format!(" {tail}")
                    }
                )
            } else {
                x.clone()
            }
        })
        .collect();
    match (described.is_empty(), restart_kind) {
        (_, "policy") if exits.iter().all(|x| x == "status=0") => {
            "each run exited cleanly and Restart=always started it again".to_string()
        }
        (true, _) if results.iter().any(|r| r == "success") && results.len() == 1 => {
            "each run exited cleanly and Restart=always started it again".to_string()
        }
        (true, _) if !results.is_empty() => format!("result {}", results.join(", ")),
        (true, _) => "how the runs ended was not logged".to_string(),
        _ => described.join(", "),
    }
}

//! The classification rules, in the order they are tried.
//!
//! 1. Evidence that names the cause outright: a restart scheduled by systemd
//!    (failure- or policy-restart), a restart job that stopped a running unit
//!    (admin-restart), an OnFailure=/OnSuccess= trigger, a transient unit, and
//!    at debug level the line that woke a socket, timer, path or automount or
//!    the D-Bus call that asked for the job; sudo's `systemctl start` line.
//!    These starts anchor transactions of their own.
//! 2. The boot transaction: job ids from the default target's id up to the
//!    first id that is provably later (see `jobs.rs`), logged before startup
//!    finished.
//! 3. Transactions: starts are walked in job-id order; a start joins the
//!    transaction before it (→ dependency) when debug lines say so, or at
//!    info level when job ids link it (inside the anchor's smallest block,
//!    or no room for a block of its own before the next job), it was logged
//!    within 500 ms of a member (or within this run's own dispatch latency,
//!    measured on its restart jobs, when that is longer; 2 s at most) or
//!    right after one of its members finished starting (for units ordered
//!    after it), and no job in between proves a boundary. Timing alone
//!    (150 ms) never makes a dependency; it is only said.
//! 4. What remains began a transaction of its own: a listening socket/path
//!    or an active timer of the same name explains it (with less confidence
//!    at info level, where a start by hand looks the same); otherwise it was
//!    requested by someone: `manual` after startup finished, `unknown` while
//!    the system was still starting (udev, D-Bus activation and logind ask
//!    for units then, and nothing names them).

mod automount;
mod bus_call;
mod debug_trigger;
mod handler;
mod names;
mod own;
mod restart;
mod shutdown_request;
mod special_unit;
mod sudo;
mod transient;
mod upheld;
mod walk;

use std::collections::HashMap;

use crate::events::{Event, EventKind, EventTag};
use crate::lifecycle::{Activation, BootLifecycles};

use super::jobs::RunJobs;
use super::windows::{DISPATCH_LATENCY_MARGIN, LINKED_DISPATCH_CAP_USEC, LINKED_DISPATCH_USEC};
use super::{Cause, Link, LinkKind, Start};
use walk::{Join, TimeOnly, Transaction};

/// How sure an answer is, on named levels so that rules resting on the same
/// kind of evidence give the same number (`Start::confidence`, 0..1).
mod level {
    /// A line names the cause and a second one confirms it.
    pub const CONFIRMED: f64 = 0.97;
    /// A line names the cause outright (a scheduled restart with its
    /// counter, a trigger line at debug level, sudo's command, a D-Bus call).
    pub const NAMED: f64 = 0.95;
    /// The log shows it with one step inferred (a handler logged right
    /// after "Triggering OnFailure=", logind's shutdown announcement).
    pub const SHOWN: f64 = 0.9;
    /// Shown, but the line leaves one plausible alternative.
    pub const STRONG: f64 = 0.85;
    /// Inferred from job ids or timing that rarely mislead.
    pub const PROBABLE: f64 = 0.8;
    pub const FAIR: f64 = 0.75;
    pub const LEANING: f64 = 0.7;
    /// Info level, where another cause would look the same.
    pub const LOOK_ALIKE: f64 = 0.65;
    pub const WEAK: f64 = 0.6;
    /// As likely as not.
    pub const EVEN: f64 = 0.5;
    pub const DOUBTFUL: f64 = 0.4;
    pub const GUESS: f64 = 0.35;
    /// Nothing decides (`Cause::Unknown`).
    pub const NONE: f64 = 0.0;
}

/// What the rules decided for one start.
#[derive(Clone, Debug)]
struct Decision {
    cause: Cause,
    trigger: Option<String>,
    /// The trigger's activation, to look up how it was started.
    trigger_activation: Option<usize>,
    confidence: f64,
    explanation: String,
    /// Event indexes.
    evidence: Vec<usize>,
    /// For a shutdown requested through logind: when it was requested. Its
    /// transaction stops everything and takes a long time, so its members are
    /// found by job-id range from then on rather than by time.
    range_from: Option<u64>,
    /// For a dependency: what links it to its trigger.
    link: Option<Link>,
}

impl Decision {
    fn new(cause: Cause, confidence: f64, explanation: String) -> Decision {
        Decision {
            cause,
            trigger: None,
            trigger_activation: None,
            confidence,
            explanation,
            evidence: Vec::new(),
            range_from: None,
            link: None,
        }
    }

    fn trigger(mut self, unit: &str, activation: Option<usize>) -> Decision {
        self.trigger = Some(unit.to_string());
        self.trigger_activation = activation;
        self
    }

    fn evidence(mut self, events: impl IntoIterator<Item = usize>) -> Decision {
        self.evidence.extend(events);
        self
    }
}

/// A start as the rules see it.
#[derive(Clone, Debug)]
struct Candidate {
    activation: usize,
    job: Option<u32>,
    /// Sort key (monotonic µs) of the first start line, or of the first event.
    key: u64,
}

pub fn classify(lc: &BootLifecycles) -> Vec<Start> {
    let mut decided: Vec<(Candidate, Decision)> = Vec::new();
    for run in 0..lc.runs.len() {
        decided.extend(RunRules::new(lc, run).classify());
    }
    let cause_of: HashMap<usize, Cause> = decided
        .iter()
        .map(|(candidate, decision)| (candidate.activation, decision.cause))
        .collect();
    let mut starts: Vec<Start> = decided
        .into_iter()
        .map(|(candidate, decision)| to_start(lc, &candidate, decision, &cause_of))
        .collect();
    starts.sort_by_key(|s| (s.monotonic_usec.unwrap_or(s.realtime_usec), s.activation));
    starts
}

fn to_start(
    lc: &BootLifecycles,
    candidate: &Candidate,
    decision: Decision,
    cause_of: &HashMap<usize, Cause>,
) -> Start {
    let activation = &lc.activations[candidate.activation];
    let mut evidence = decision.evidence.clone();
    evidence.extend(start_lines(activation));
    evidence.sort_unstable_by_key(|&i| (lc.event(i).sort_key(), i));
    evidence.dedup();
    let first = activation.start_stamp().unwrap_or_else(|| {
        let e = lc.event(activation.events[0]);
        crate::lifecycle::Stamp {
            event: activation.events[0],
            realtime_usec: e.realtime_usec,
            monotonic_usec: e.monotonic_usec,
        }
    });
    Start {
        activation: candidate.activation,
        unit: activation.unit.clone(),
        manager: activation.manager,
        boot_id: activation.boot_id,
        invocation_id: activation.invocation_id,
        job_id: candidate.job,
        realtime_usec: first.realtime_usec,
        monotonic_usec: first.monotonic_usec,
        cause: decision.cause,
        trigger: decision.trigger,
        trigger_cause: decision
            .trigger_activation
            .and_then(|trigger| cause_of.get(&trigger).copied()),
        confidence: decision.confidence,
        explanation: decision.explanation,
        evidence: evidence
            .into_iter()
            .map(|i| lc.event(i).evidence.clone())
            .collect(),
        start_logged: activation.start_logged(),
        link: decision.link,
    }
}

/// The lines that show the start itself.
fn start_lines(activation: &Activation) -> Vec<usize> {
    let mut v: Vec<usize> = [activation.requested, activation.started]
        .into_iter()
        .flatten()
        .map(|s| s.event)
        .collect();
    if let Some((s, _)) = activation.start_failed {
        v.push(s.event);
    }
    if v.is_empty() {
        v.push(activation.events[0]);
    }
    v
}

struct RunRules<'a> {
    lc: &'a BootLifecycles,
    run: usize,
    startup_key: Option<u64>,
    debug: bool,
    /// This run's events by kind, so a rule looks only at its lines.
    by_kind: HashMap<EventTag, Vec<usize>>,
    /// (event index, highest job id logged up to it) for this run's events
    /// with a job id.
    max_job: Vec<(usize, u32)>,
    /// How far apart in time members linked by job ids may be dispatched
    /// in this run (see [`DISPATCH_LATENCY_MARGIN`]).
    linked_dispatch_usec: u64,
}

impl<'a> RunRules<'a> {
    fn new(lc: &'a BootLifecycles, run: usize) -> RunRules<'a> {
        let r = &lc.runs[run];
        let mut by_kind: HashMap<EventTag, Vec<usize>> = HashMap::new();
        let mut max_job = Vec::new();
        let mut highest = 0;
        for (i, e) in lc.events_in_run(run, |_| true) {
            by_kind.entry(e.kind.tag()).or_default().push(i);
            if let Some(j) = e.job_id {
                highest = highest.max(j);
                max_job.push((i, highest));
            }
        }
        let (times, over) = DISPATCH_LATENCY_MARGIN;
        let linked_dispatch_usec = (restart_dispatch_latency(lc, run) * times / over)
            .clamp(LINKED_DISPATCH_USEC, LINKED_DISPATCH_CAP_USEC);
        RunRules {
            lc,
            run,
            startup_key: r.startup_finished.map(|i| lc.event(i).sort_key()),
            debug: r.logs_debug(),
            by_kind,
            max_job,
            linked_dispatch_usec,
        }
    }

    /// This run's events of one kind, in order.
    fn of(&self, kind: EventTag) -> impl DoubleEndedIterator<Item = (usize, &'a Event)> + '_ {
        let lc = self.lc;
        self.by_kind
            .get(&kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(move |&i| (i, lc.event(i)))
    }

    /// The latest event of `kind` (about `unit`, if given) logged at most
    /// `window` µs before `key`.
    fn latest_before(
        &self,
        kind: EventTag,
        unit: Option<&str>,
        key: u64,
        window: u64,
    ) -> Option<(usize, &'a Event)> {
        self.of(kind).rev().find(|(_, e)| {
            (unit.is_none() || e.unit.as_deref() == unit)
                && e.sort_key() <= key
                && key - e.sort_key() <= window
        })
    }

    /// The highest job id this run logged before event `index`.
    fn max_job_before(&self, index: usize) -> u32 {
        match self.max_job.partition_point(|(i, _)| *i < index) {
            0 => 0,
            n => self.max_job[n - 1].1,
        }
    }

    fn key(&self, event: usize) -> u64 {
        self.lc.event(event).sort_key()
    }

    fn act(&self, i: usize) -> &'a Activation {
        &self.lc.activations[i]
    }

    fn classify(&self) -> Vec<(Candidate, Decision)> {
        let lc = self.lc;
        let candidates: Vec<Candidate> = lc
            .activations
            .iter()
            .enumerate()
            .filter(|(i, activation)| activation.run == self.run && is_start(lc, *i))
            .map(|(i, activation)| Candidate {
                activation: i,
                job: activation.start_job_id,
                key: start_key(lc, activation),
            })
            .collect();

        // 1. Evidence that names the cause.
        let mut decisions: Vec<Option<Decision>> = candidates
            .iter()
            .map(|candidate| self.explicit(candidate))
            .collect();
        let anchors: Vec<u32> = candidates
            .iter()
            .zip(&decisions)
            .filter(|(_, decision)| {
                decision
                    .as_ref()
                    .is_some_and(|decision| decision.cause != Cause::Dependency)
            })
            .filter_map(|(candidate, _)| candidate.job)
            .collect();
        let jobs = RunJobs::collect(lc, self.run, &anchors, self.startup_key);

        // 2 and 3. The walk in job-id order.
        let mut order: Vec<usize> = (0..candidates.len())
            .filter(|&i| candidates[i].job.is_some())
            .collect();
        order.sort_by_key(|&i| (candidates[i].job, candidates[i].key));
        let mut transaction: Option<Transaction> = None;
        // Starts that timing alone put into a transaction: rule 4 names it.
        let mut time_only: Vec<Option<TimeOnly>> = vec![None; candidates.len()];
        for &i in &order {
            let candidate = &candidates[i];
            let job = candidate.job.expect("filtered above");
            let activation = self.act(candidate.activation);
            if decisions[i].is_none() {
                if let Some(decision) = self.boot(&jobs, candidate) {
                    decisions[i] = Some(decision);
                    transaction = Some(self.transaction_from(candidate, true, None));
                    continue;
                }
                if let Some(decision) = self.debug_member(&jobs, candidate, &candidates) {
                    decisions[i] = Some(decision);
                    continue;
                }
                if let Some(transaction) = transaction.as_mut() {
                    match self.joins(&jobs, transaction, candidate) {
                        Join::Member(link) => {
                            decisions[i] = Some(self.dependency(transaction, job, link));
                            transaction.units.push(activation.unit.clone());
                            transaction.member_keys.push(candidate.key);
                            transaction.max_job = transaction.max_job.max(job);
                            transaction.done_keys.extend(self.done_keys(activation));
                            continue;
                        }
                        Join::TimeOnly(next) => {
                            time_only[i] = Some(TimeOnly {
                                anchor_unit: transaction.anchor_unit.clone(),
                                anchor_job: self
                                    .act(transaction.anchor)
                                    .start_job_id
                                    .unwrap_or_default(),
                                next_job: next,
                                own_block_min: jobs.own_block_min,
                            });
                        }
                        Join::No => {}
                    }
                }
            }
            let range_from = decisions[i]
                .as_ref()
                .and_then(|decision| decision.range_from);
            transaction = Some(self.transaction_from(candidate, false, range_from));
        }

        // 4. Starts that began transactions of their own, or have no job id.
        for (i, candidate) in candidates.iter().enumerate() {
            if decisions[i].is_none() {
                decisions[i] = Some(match candidate.job {
                    Some(_) => self.own_transaction(candidate, time_only[i].as_ref()),
                    None => self.without_job(candidate, &jobs),
                });
            }
        }
        candidates
            .into_iter()
            .zip(decisions)
            .map(|(candidate, decision)| (candidate, decision.expect("every candidate decided")))
            .collect()
    }

    /// Rule 1, in the order tried: each looks for evidence that names the
    /// cause. A new rule is one method and one line here.
    const EXPLICIT: [fn(&Self, &Candidate) -> Option<Decision>; 10] = [
        Self::restart,
        Self::handler,
        Self::transient,
        Self::debug_trigger,
        Self::automount,
        Self::upheld,
        Self::sudo,
        Self::bus_call,
        Self::shutdown_request,
        Self::special_unit,
    ];

    fn explicit(&self, candidate: &Candidate) -> Option<Decision> {
        Self::EXPLICIT.iter().find_map(|rule| rule(self, candidate))
    }
}

/// The longest a restart job of run `run` waited between its install
/// ("Scheduled restart job", the old run already gone) and its run's first
/// start line: how late this manager dispatched jobs here. 0 without one.
fn restart_dispatch_latency(lc: &BootLifecycles, run: usize) -> u64 {
    let mut next_of_unit: HashMap<&str, usize> = HashMap::new();
    let mut latest = 0;
    for (i, activation) in lc.activations.iter().enumerate().rev() {
        if activation.run != run {
            continue;
        }
        if let (Some((scheduled, _)), Some(&next)) = (
            activation.restart_scheduled.as_ref(),
            next_of_unit.get(activation.unit.as_str()),
        ) {
            let next = &lc.activations[next];
            let installed = lc.event(scheduled.event).sort_key();
            if next.start_logged() {
                let dispatched = start_key(lc, next);
                if dispatched >= installed {
                    latest = latest.max(dispatched - installed);
                }
            }
        }
        next_of_unit.insert(&activation.unit, i);
    }
    latest
}

/// When a start was first visible: its first start line, else (start lines
/// lost) the first sign of its process being spawned, else its first event.
fn start_key(lc: &BootLifecycles, activation: &Activation) -> u64 {
    if let Some(s) = activation.start_stamp() {
        return s.monotonic_usec.unwrap_or(s.realtime_usec);
    }
    activation
        .events
        .iter()
        .map(|&i| lc.event(i))
        .find(|e| matches!(e.kind, EventKind::Spawned { .. }))
        .unwrap_or_else(|| lc.event(activation.events[0]))
        .sort_key()
}

/// Whether an activation counts as a start: its start was logged, or its
/// process was seen being spawned (start lines lost), or it followed an
/// earlier run (a restart whose lines were lost). A run that was only seen
/// already running — a mount made by another program, a credentials mount, a
/// unit whose start fell into a gap of the log or before the entries read —
/// is an activation but not a start: when it started is not known.
pub fn is_start(lc: &BootLifecycles, index: usize) -> bool {
    let activation = &lc.activations[index];
    activation.start_logged()
        || activation
            .events
            .iter()
            .any(|&i| matches!(lc.event(i).kind, EventKind::Spawned { .. }))
        || (lc.previous(index).is_some() && activation.start_job_id.is_some())
}

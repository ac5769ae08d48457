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

use std::collections::HashMap;

use crate::events::{
    Event, EventKind, EventTag, JobType, TriggerKind, is_transient_name, looks_like_command_line,
    parse_systemctl_command, parse_systemd_run_unit,
};
use crate::lifecycle::{Activation, BootLifecycles};

use super::jobs::RunJobs;
use super::{Cause, Link, LinkKind, Start};

/// Within this much of a transaction's first logged start, a start at info
/// level counts as dispatched with it (jobs of one transaction that wait for
/// nothing run in the same pass of the manager's loop, milliseconds apart).
const SAME_DISPATCH_USEC: u64 = 150_000;
/// When job ids already place a start in a transaction, time only has to
/// tell which transaction: the jobs of one transaction are installed at once
/// and run in the passes of the manager's loop right after, in run-queue
/// order, so a member may even be logged before its anchor's first line (by
/// 173 ms on an emulated VM under load, the most seen). Half a second covers
/// that with room, and stays below the time a request from outside takes to
/// follow the one before it through logind or a login (740 ms seen for
/// user@.service after a sudo start), whose first job also follows a block.
const LINKED_DISPATCH_USEC: u64 = 500_000;
/// On a loaded machine the manager's loop falls behind, and the members of
/// one transaction are dispatched further apart (0.8 s seen on systemd 257
/// beside a load generator). The members are installed at one instant and
/// each is dispatched within the loop's latency after it, so two of them
/// are at most that latency apart. The run measures its own latency on the
/// restart jobs it logs: "Scheduled restart job" is logged as the job is
/// installed (the old run is already gone), its run's first start line when
/// it is dispatched. When ids prove the link, the window is that latency
/// with this margin (×1.5: the slowest restart seen need not be the slowest
/// dispatch), never below [`LINKED_DISPATCH_USEC`] …
const DISPATCH_LATENCY_MARGIN: (u64, u64) = (3, 2);
/// … and never above this: past it, a request from outside that followed
/// the transaction (740 ms after a sudo start on an idle machine) would be
/// taken for a member even with ids that leave it room.
const LINKED_DISPATCH_CAP_USEC: u64 = 2_000_000;
/// A unit ordered after another starts this soon after it finished starting
/// (the run queue is dispatched in the same loop iteration; 60 ms was the
/// slowest seen, on an emulated VM).
const ORDERING_USEC: u64 = 80_000;
/// How long a shutdown may take between logind's announcement and the
/// shutdown target being reached.
const SHUTDOWN_WINDOW_USEC: u64 = 300_000_000;
/// How far back a trigger line (traffic, timer, automount) may be.
const TRIGGER_WINDOW_USEC: u64 = 2_000_000;
/// How far back a sudo `systemctl start` may be.
const SUDO_WINDOW_USEC: u64 = 60_000_000;
/// How soon after "Triggering OnFailure=" its handler's start must be logged.
const HANDLER_WINDOW_USEC: u64 = 5_000_000;

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

/// How a start relates to the transaction before it in the job-id walk.
enum Join {
    /// Linked in time and by job ids: pulled in by the anchor.
    Member(IdLink),
    /// Linked in time only; the next logged job id after it, if any.
    TimeOnly(Option<u32>),
    No,
}

/// The job-id relation that makes a start a member of a transaction.
#[derive(Clone, Copy, Debug)]
enum IdLink {
    /// In the id range of a shutdown requested through logind.
    ShutdownRange,
    /// Inside the smallest block the anchor's transaction can have taken.
    InsideBlock { own_block_min: u32 },
    /// The next job came too soon for it to have taken a block of its own.
    NoBlockOfItsOwn {
        next_job: u32,
        /// The first event of `next_job`.
        next_event: usize,
        own_block_min: u32,
    },
}

impl IdLink {
    fn describe(self, anchor_job: u32) -> Link {
        let (kind, next_job, own_block_min) = match self {
            IdLink::ShutdownRange => (LinkKind::ShutdownRange, None, None),
            IdLink::InsideBlock { own_block_min } => (LinkKind::JobIds, None, Some(own_block_min)),
            IdLink::NoBlockOfItsOwn {
                next_job,
                own_block_min,
                ..
            } => (LinkKind::JobIds, Some(next_job), Some(own_block_min)),
        };
        Link {
            kind,
            anchor_job: Some(anchor_job),
            next_job,
            own_block_min,
        }
    }
}

/// A transaction that timing alone would have joined a start to.
#[derive(Clone, Debug)]
struct TimeOnly {
    anchor_unit: String,
    anchor_job: u32,
    next_job: Option<u32>,
    own_block_min: u32,
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
        .map(|(c, d)| (c.activation, d.cause))
        .collect();
    let mut starts: Vec<Start> = decided
        .into_iter()
        .map(|(c, d)| to_start(lc, &c, d, &cause_of))
        .collect();
    starts.sort_by_key(|s| (s.monotonic_usec.unwrap_or(s.realtime_usec), s.activation));
    starts
}

fn to_start(
    lc: &BootLifecycles,
    c: &Candidate,
    d: Decision,
    cause_of: &HashMap<usize, Cause>,
) -> Start {
    let a = &lc.activations[c.activation];
    let mut evidence = d.evidence.clone();
    evidence.extend(start_lines(a));
    evidence.sort_unstable_by_key(|&i| (lc.event(i).sort_key(), i));
    evidence.dedup();
    let first = a.start_stamp().unwrap_or_else(|| {
        let e = lc.event(a.events[0]);
        crate::lifecycle::Stamp {
            event: a.events[0],
            realtime_usec: e.realtime_usec,
            monotonic_usec: e.monotonic_usec,
        }
    });
    Start {
        activation: c.activation,
        unit: a.unit.clone(),
        manager: a.manager,
        boot_id: a.boot_id,
        invocation_id: a.invocation_id,
        job_id: c.job,
        realtime_usec: first.realtime_usec,
        monotonic_usec: first.monotonic_usec,
        cause: d.cause,
        trigger: d.trigger,
        trigger_cause: d.trigger_activation.and_then(|t| cause_of.get(&t).copied()),
        confidence: d.confidence,
        explanation: d.explanation,
        evidence: evidence
            .into_iter()
            .map(|i| lc.event(i).evidence.clone())
            .collect(),
        start_logged: a.start_logged(),
        link: d.link,
    }
}

/// The lines that show the start itself.
fn start_lines(a: &Activation) -> Vec<usize> {
    let mut v: Vec<usize> = [a.requested, a.started]
        .into_iter()
        .flatten()
        .map(|s| s.event)
        .collect();
    if let Some((s, _)) = a.start_failed {
        v.push(s.event);
    }
    if v.is_empty() {
        v.push(a.events[0]);
    }
    v
}

/// A transaction being assembled during the job-id walk.
struct Tx {
    boot: bool,
    /// Members are found by id range from this time on (a shutdown).
    range_from: Option<u64>,
    anchor: usize,
    anchor_unit: String,
    /// Sort key at which the anchor's run ended, if it did.
    anchor_ended: Option<u64>,
    /// When each member's first line was logged.
    member_keys: Vec<u64>,
    units: Vec<String>,
    max_job: u32,
    /// When members finished starting (or ended): units ordered after them
    /// start right then.
    done_keys: Vec<u64>,
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
            .filter(|(i, a)| a.run == self.run && is_start(lc, *i))
            .map(|(i, a)| Candidate {
                activation: i,
                job: a.start_job_id,
                key: start_key(lc, a),
            })
            .collect();

        // 1. Evidence that names the cause.
        let mut decisions: Vec<Option<Decision>> =
            candidates.iter().map(|c| self.explicit(c)).collect();
        let anchors: Vec<u32> = candidates
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| d.as_ref().is_some_and(|d| d.cause != Cause::Dependency))
            .filter_map(|(c, _)| c.job)
            .collect();
        let jobs = RunJobs::collect(lc, self.run, &anchors, self.startup_key);

        // 2 and 3. The walk in job-id order.
        let mut order: Vec<usize> = (0..candidates.len())
            .filter(|&i| candidates[i].job.is_some())
            .collect();
        order.sort_by_key(|&i| (candidates[i].job, candidates[i].key));
        let mut tx: Option<Tx> = None;
        // Starts that timing alone put into a transaction: rule 4 names it.
        let mut time_only: Vec<Option<TimeOnly>> = vec![None; candidates.len()];
        for &i in &order {
            let c = &candidates[i];
            let job = c.job.expect("filtered above");
            let a = self.act(c.activation);
            if decisions[i].is_none() {
                if let Some(d) = self.boot(&jobs, c) {
                    decisions[i] = Some(d);
                    tx = Some(self.tx_from(c, true, None));
                    continue;
                }
                if let Some(d) = self.debug_member(&jobs, c, &candidates) {
                    decisions[i] = Some(d);
                    continue;
                }
                if let Some(t) = tx.as_mut() {
                    match self.joins(&jobs, t, c) {
                        Join::Member(link) => {
                            decisions[i] = Some(self.dependency(t, job, link));
                            t.units.push(a.unit.clone());
                            t.member_keys.push(c.key);
                            t.max_job = t.max_job.max(job);
                            t.done_keys.extend(self.done_keys(a));
                            continue;
                        }
                        Join::TimeOnly(next) => {
                            time_only[i] = Some(TimeOnly {
                                anchor_unit: t.anchor_unit.clone(),
                                anchor_job: self.act(t.anchor).start_job_id.unwrap_or_default(),
                                next_job: next,
                                own_block_min: jobs.own_block_min,
                            });
                        }
                        Join::No => {}
                    }
                }
            }
            let range_from = decisions[i].as_ref().and_then(|d| d.range_from);
            tx = Some(self.tx_from(c, false, range_from));
        }

        // 4. Starts that began transactions of their own, or have no job id.
        for (i, c) in candidates.iter().enumerate() {
            if decisions[i].is_none() {
                decisions[i] = Some(match c.job {
                    Some(_) => self.own_transaction(c, time_only[i].as_ref()),
                    None => self.without_job(c, &jobs),
                });
            }
        }
        candidates
            .into_iter()
            .zip(decisions)
            .map(|(c, d)| (c, d.expect("every candidate decided")))
            .collect()
    }

    // ------------------------------------------------------------ rule 3

    /// A start that joins transaction `t` (see [`RunRules::joins`]): pulled in
    /// by its anchor.
    fn dependency(&self, t: &Tx, job: u32, link: IdLink) -> Decision {
        let anchor_job = self.act(t.anchor).start_job_id.unwrap_or_default();
        let mut evidence = start_lines(self.act(t.anchor));
        let mut d = match link {
            IdLink::ShutdownRange => Decision::new(
                Cause::Dependency,
                level::PROBABLE,
                format!(
                    "Part of the shutdown transaction of {}: job {job} lies in its id range after job {anchor_job}, with no other request in between.",
                    t.anchor_unit
                ),
            ),
            IdLink::InsideBlock { own_block_min } => Decision::new(
                Cause::Dependency,
                level::PROBABLE,
                format!(
                    "Pulled into the transaction of {}: its job {job} lies within the {own_block_min} ids that transaction took from job {anchor_job} on, and it was dispatched with it.",
                    t.anchor_unit
                ),
            ),
            IdLink::NoBlockOfItsOwn {
                next_job,
                next_event,
                own_block_min,
            } => {
                evidence.push(next_event);
                Decision::new(
                    Cause::Dependency,
                    level::PROBABLE,
                    format!(
                        "Pulled into the transaction of {} (job {anchor_job}): it was dispatched with it, and its job {job} took {} id(s) before the next job ({next_job}), where a request of its own takes at least {own_block_min} here, one per unit it pulls in.",
                        t.anchor_unit,
                        next_job - job
                    ),
                )
            }
        };
        d.link = Some(link.describe(anchor_job));
        d.trigger(&t.anchor_unit, Some(t.anchor)).evidence(evidence)
    }

    fn tx_from(&self, c: &Candidate, boot: bool, range_from: Option<u64>) -> Tx {
        let a = self.act(c.activation);
        Tx {
            boot,
            range_from,
            anchor: c.activation,
            anchor_unit: a.unit.clone(),
            anchor_ended: a.ended.map(|s| self.key(s.event)),
            member_keys: vec![c.key],
            units: vec![a.unit.clone()],
            max_job: c.job.unwrap_or(0),
            done_keys: self.done_keys(a),
        }
    }

    /// When a run finished starting: units ordered after it start then.
    fn done_keys(&self, a: &Activation) -> Vec<u64> {
        [a.started, a.start_failed.as_ref().map(|(s, _)| *s)]
            .into_iter()
            .flatten()
            .map(|s| self.key(s.event))
            .collect()
    }

    /// Whether `c` belongs to transaction `t` at info level. Timing alone
    /// never decides it: two requests a few milliseconds apart look like one
    /// transaction dispatching. So `c` must be linked in time (no debug
    /// anchor in between, and either logged in the same pass of the
    /// manager's loop as a member (and before the anchor's run ended), or
    /// right after a member finished starting (ordered after it), or a member
    /// started right after `c` finished (the member was ordered after `c`))
    /// and by job ids (see [`RunRules::id_link`]).
    fn joins(&self, jobs: &RunJobs, t: &Tx, c: &Candidate) -> Join {
        let Some(job) = c.job else { return Join::No };
        let a = self.act(c.activation);
        if t.boot || t.units.contains(&a.unit) || job <= t.max_job || job - t.max_job > 2_000 {
            return Join::No;
        }
        if let Some(from) = t.range_from {
            if !jobs.debug_boundary_between(t.max_job, job) && c.key + 1_000_000 >= from {
                return Join::Member(IdLink::ShutdownRange);
            }
            return Join::No;
        }
        let latest_member = t.member_keys.iter().copied().max().unwrap_or(0);
        if jobs.boundary_between(t.max_job, job, latest_member) {
            return Join::No;
        }
        let anchor_job = self.act(t.anchor).start_job_id.unwrap_or_default();
        match self.id_link(jobs, anchor_job, job) {
            Some(link) if self.time_linked(t, c, self.linked_dispatch_usec) => Join::Member(link),
            None if self.time_linked(t, c, SAME_DISPATCH_USEC) => {
                Join::TimeOnly(jobs.next_after(job))
            }
            _ => Join::No,
        }
    }

    /// The job-id relation that puts job `job` into the transaction anchored
    /// at `anchor_job`, if the ids show one. A transaction of its own takes a
    /// block of at least `own_block_min` ids (see `RunJobs::own_block_min`),
    /// so `job` is a member when it lies inside the anchor's smallest
    /// possible block, or when the next logged job came too soon after it
    /// for `job` to have had a block of its own.
    fn id_link(&self, jobs: &RunJobs, anchor_job: u32, job: u32) -> Option<IdLink> {
        let own_block_min = jobs.own_block_min;
        if job > anchor_job && job - anchor_job < own_block_min {
            return Some(IdLink::InsideBlock { own_block_min });
        }
        let next_job = jobs.next_after(job)?;
        if next_job - job >= own_block_min {
            return None;
        }
        let next_event = self.first_event_of_job(next_job)?;
        Some(IdLink::NoBlockOfItsOwn {
            next_job,
            next_event,
            own_block_min,
        })
    }

    /// The first event of this run that carries job id `job`.
    fn first_event_of_job(&self, job: u32) -> Option<usize> {
        self.lc
            .events_in_run(self.run, |_| true)
            .find(|(_, e)| e.job_id == Some(job))
            .map(|(i, _)| i)
    }

    /// The timing half of [`RunRules::joins`]: logged within `window` of a
    /// member, or right after a member finished starting (or a member right
    /// after it).
    fn time_linked(&self, t: &Tx, c: &Candidate, window: u64) -> bool {
        let a = self.act(c.activation);
        let same_dispatch = t.member_keys.iter().any(|&k| c.key.abs_diff(k) <= window)
            && t.anchor_ended
                .is_none_or(|end| c.key <= end + ORDERING_USEC);
        let after_member = t
            .done_keys
            .iter()
            .any(|&d| c.key >= d && c.key - d <= ORDERING_USEC);
        let member_after = self.done_keys(a).iter().any(|&d| {
            t.member_keys
                .iter()
                .any(|&k| k >= d && k - d <= ORDERING_USEC)
        });
        same_dispatch || after_member || member_after
    }

    // ------------------------------------------------------------ rule 1

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

    fn explicit(&self, c: &Candidate) -> Option<Decision> {
        Self::EXPLICIT.iter().find_map(|rule| rule(self, c))
    }

    /// reboot.target & co. after logind announced that shutdown.
    fn shutdown_request(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let wanted = match a.unit.as_str() {
            "reboot.target" => "reboot",
            "poweroff.target" => "power-off",
            "halt.target" => "halt",
            "kexec.target" => "kexec",
            _ => return None,
        };
        let (i, e) = self.of(EventTag::Shutdown).rev().find(|(_, e)| {
            matches!(&e.kind, EventKind::Shutdown { kind } if kind.as_deref() == Some(wanted))
                && e.sort_key() <= c.key
                && c.key - e.sort_key() <= SHUTDOWN_WINDOW_USEC
        })?;
        let verb = if wanted == "power-off" {
            "poweroff"
        } else {
            wanted
        };
        let mut d = Decision::new(
            Cause::Manual,
            level::SHOWN,
            format!(
                "Requested through systemd-logind, which announced \"{}\" (systemctl {verb} or the desktop's menu).",
                e.evidence.message
            ),
        )
        .evidence([i]);
        d.range_from = Some(e.sort_key());
        Some(d)
    }

    /// "Activating special unit X...": the manager started it itself on a
    /// signal (SIGTERM to a user manager, ctrl-alt-del, SIGRTMIN+n).
    fn special_unit(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let (i, _) = self.latest_before(
            EventTag::SpecialUnitRequested,
            Some(&a.unit),
            c.key,
            SHUTDOWN_WINDOW_USEC,
        )?;
        Some(
            Decision::new(
                Cause::Manual,
                level::LEANING,
                format!(
                    "The manager activated the special unit {} itself because a signal asked for it (a logout or shutdown stopping a user manager, ctrl-alt-del, SIGRTMIN+n).",
                    a.unit
                ),
            )
            .evidence([i]),
        )
    }

    /// Restarts: by systemd (Restart=) or by request (a restart job).
    fn restart(&self, c: &Candidate) -> Option<Decision> {
        let lc = self.lc;
        let prev_i = lc.previous(c.activation)?;
        let prev = self.act(prev_i);
        let same_job = c.job.is_some() && prev.stop_job_id == c.job;
        let converted = prev.events.iter().any(|&i| {
            matches!(
                lc.event(i).kind,
                EventKind::JobConverted {
                    from: JobType::Restart,
                    ..
                }
            )
        });
        let stopping_by_request = prev.stopping.is_some()
            && (prev.stop_job_id == c.job || prev.stop_job_type == Some(JobType::Restart));
        // It ended by itself before the restart job's "Stopped" line.
        let ended_by_itself = match (prev.ended, prev.stopped) {
            (Some(end), Some(stop)) => end.event != stop.event,
            (Some(_), None) => true,
            _ => false,
        };
        if let Some((rs, n)) = prev.restart_scheduled
            && !stopping_by_request
        {
            // A stop by hand between the scheduled restart and this start
            // would have cancelled it.
            let stopped_by_hand = prev.stopping.is_some_and(|s| s.event > rs.event);
            if !stopped_by_hand {
                let mut evidence = vec![rs.event];
                evidence.extend(self.end_lines(prev));
                if let Some(s) = prev.stopped {
                    evidence.push(s.event);
                }
                return Some(self.auto_restart(prev, n, level::NAMED, evidence));
            }
        }
        if same_job
            && prev.stop_job_type == Some(JobType::Restart)
            && !stopping_by_request
            && ended_by_itself
        {
            // RESTART_SCHEDULED was not logged (lost, or filtered), but the
            // restart job picked up a unit that had already ended by itself.
            let mut evidence = self.end_lines(prev);
            evidence.extend(prev.stopped.map(|s| s.event));
            return Some(self.auto_restart(prev, None, level::PROBABLE, evidence));
        }
        if converted && prev.stopping.is_none() && ended_by_itself {
            let evidence: Vec<usize> = prev
                .events
                .iter()
                .copied()
                .filter(|&i| matches!(lc.event(i).kind, EventKind::JobConverted { .. }))
                .chain(self.end_lines(prev))
                .collect();
            return Some(self.auto_restart(prev, None, level::PROBABLE, evidence));
        }
        if same_job && (prev.stopping.is_some() || prev.stop_job_type == Some(JobType::Restart)) {
            let mut evidence: Vec<usize> = [prev.stopping, prev.stopped]
                .into_iter()
                .flatten()
                .map(|s| s.event)
                .collect();
            let mut confidence = level::SHOWN;
            let mut by = String::new();
            if let Some((sudo, line)) = self.sudo_line(
                c,
                &[
                    "restart",
                    "try-restart",
                    "reload-or-restart",
                    "try-reload-or-restart",
                    "condrestart",
                    "force-reload",
                ],
            ) {
                evidence.push(sudo);
                confidence = level::CONFIRMED;
                by = format!(" (`{line}`)");
            }
            return Some(
                Decision::new(
                    Cause::AdminRestart,
                    confidence,
                    format!(
                        "Restarted on request{by}: one restart job (job {}) stopped the running unit and started it again, with no failure or scheduled restart before it.",
                        c.job.unwrap_or_default()
                    ),
                )
                .evidence(evidence),
            );
        }
        None
    }

    fn auto_restart(
        &self,
        prev: &Activation,
        n: Option<u32>,
        confidence: f64,
        evidence: Vec<usize>,
    ) -> Decision {
        let counter = n
            .map(|n| format!("; restart counter {n}"))
            .unwrap_or_default();
        match self.previous_failed(prev) {
            Some(true) => Decision::new(
                Cause::FailureRestart,
                confidence,
                format!(
                    "Restarted by systemd (Restart=) after the previous run failed ({}){counter}.",
                    describe_end(prev)
                ),
            ),
            Some(false) => Decision::new(
                Cause::PolicyRestart,
                confidence,
                format!(
                    "Restarted by systemd's Restart= policy after the previous run ended cleanly ({}){counter}.",
                    describe_end(prev)
                ),
            ),
            None => Decision::new(
                Cause::FailureRestart,
                confidence.min(level::EVEN),
                format!(
                    "Restarted by systemd (Restart=){counter}, but how the previous run ended was not logged; a failure is the likelier reason."
                ),
            ),
        }
        .evidence(evidence)
    }

    /// Whether the run before a restart failed: Some(true/false), None if the
    /// log does not say.
    fn previous_failed(&self, prev: &Activation) -> Option<bool> {
        if let Some(result) = prev.result.as_deref() {
            return Some(result != "success");
        }
        if let Some(exit) = &prev.exit {
            return Some(!exit.is_clean_for_daemon());
        }
        // Debug level: v252 passes through "failed" on the way to
        // "auto-restart"; v254+ through "failed-before-auto-restart" or
        // "dead-before-auto-restart" (the run's own exit lines may be lost
        // while these survive, through the kernel log).
        let failed = |state: &str| state == "failed" || state == "failed-before-auto-restart";
        prev.events
            .iter()
            .find_map(|&i| match &self.lc.event(i).kind {
                EventKind::StateChanged { to, .. } if failed(to) => Some(true),
                EventKind::StateChanged { to, .. } if to == "dead-before-auto-restart" => {
                    Some(false)
                }
                EventKind::StateChanged { from, to } if to == "auto-restart" && !failed(from) => {
                    Some(false)
                }
                _ => None,
            })
    }

    /// The lines that tell how a run ended.
    fn end_lines(&self, a: &Activation) -> Vec<usize> {
        a.events
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.lc.event(i).kind,
                    EventKind::ProcessExit(_)
                        | EventKind::FailureResult { .. }
                        | EventKind::Success
                )
            })
            .take(3)
            .collect()
    }

    /// OnFailure=/OnSuccess= handlers: the first start job created after the
    /// "Triggering" line (its id is above every id logged before it).
    fn handler(&self, c: &Candidate) -> Option<Decision> {
        let job = c.job?;
        let lc = self.lc;
        let mut best: Option<Decision> = None;
        for (t_index, t) in self.of(EventTag::TriggeringDependencies) {
            let EventKind::TriggeringDependencies { trigger } = t.kind else {
                continue;
            };
            let t_key = t.sort_key();
            if c.key < t_key || c.key - t_key > HANDLER_WINDOW_USEC {
                continue;
            }
            let failed_to_enqueue = self
                .of(EventTag::TriggerFailed)
                .any(|(i, f)| f.unit == t.unit && i > t_index && f.sort_key() - t_key < 1_000_000);
            if failed_to_enqueue {
                continue;
            }
            let max_before = self.max_job_before(t_index);
            if job <= max_before {
                continue;
            }
            // The handler's job is the lowest id created after the trigger.
            let lower_exists = lc.activations.iter().any(|o| {
                o.run == self.run
                    && o.start_job_id.is_some_and(|j| j > max_before && j < job)
                    && o.start_stamp().is_some_and(|s| self.key(s.event) >= t_key)
            });
            if lower_exists {
                continue;
            }
            let failed_unit = t.unit.clone().unwrap_or_default();
            let (cause, what) = match trigger {
                TriggerKind::OnFailure => (Cause::OnFailure, "failed"),
                TriggerKind::OnSuccess => (Cause::OnSuccess, "succeeded"),
            };
            let mut evidence = vec![t_index];
            if let Some(a) = lc.activation_of_event(t_index) {
                evidence.extend(self.end_lines(self.act(a)));
            }
            best = Some(
                Decision::new(
                    cause,
                    level::SHOWN,
                    format!(
                        "Started as the {} handler of {failed_unit}, which {what}: its job ({job}) is the first created after \"Triggering {}\".",
                        trigger.setting(),
                        trigger.setting()
                    ),
                )
                .trigger(&failed_unit, lc.activation_of_event(t_index))
                .evidence(evidence),
            );
        }
        best
    }

    fn transient(&self, c: &Candidate) -> Option<Decision> {
        let d = self.transient_unit(c)?;
        Some(self.started_by_transient_timer(c).unwrap_or(d))
    }

    /// A transient service whose namesake `.timer` was active: `systemd-run
    /// --on-active=…/--on-calendar=…` creates both, and the service runs when
    /// the timer elapses, so the timer started it.
    fn started_by_transient_timer(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let stem = a.unit.strip_suffix(".service")?;
        let timer = format!("{stem}.timer");
        let t = self.active_at(&timer, c)?;
        let since = self
            .act(t)
            .started
            .or(self.act(t).requested)
            .map(|s| s.event);
        let elapsed = self.latest_before(
            EventTag::TimerElapsed,
            Some(&timer),
            c.key,
            TRIGGER_WINDOW_USEC,
        );
        let confidence = if elapsed.is_some() {
            level::NAMED
        } else {
            level::STRONG
        };
        Some(
            Decision::new(
                Cause::Timer,
                confidence,
                format!(
                    "Started by {timer}: systemd-run --on-active/--on-calendar creates a transient timer and a service of the same name, which runs when the timer elapses."
                ),
            )
            .trigger(&timer, Some(t))
            .evidence(since.into_iter().chain(elapsed.map(|(i, _)| i))),
        )
    }

    fn transient_unit(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        if is_transient_name(&a.unit) {
            let why = if a.unit.ends_with(".scope") {
                "scope units exist only as transient units, created on request (logind, a desktop, a container manager)"
            } else if a.unit.starts_with("dbus-:") {
                "dbus-broker creates such units to activate a bus service"
            } else {
                "the name is the kind systemd-run gives the units it creates"
            };
            return Some(Decision::new(
                Cause::Transient,
                level::SHOWN,
                format!("A transient unit: {why}."),
            ));
        }
        if let Some((i, line)) = self.sudo_systemd_run(c) {
            return Some(
                Decision::new(
                    Cause::Transient,
                    level::NAMED,
                    format!(
                        "A transient unit: sudo logged `{line}` just before, which creates it."
                    ),
                )
                .evidence([i]),
            );
        }
        let started = a.started?;
        let message = &self.lc.event(started.event).evidence.message;
        if looks_like_command_line(message, &a.unit) {
            return Some(Decision::new(
                Cause::Transient,
                level::FAIR,
                "A transient unit: its description is a command line, which is what systemd-run uses when given none.".to_string(),
            ));
        }
        None
    }

    /// Debug level: the socket's traffic, the timer's or path's trigger.
    fn debug_trigger(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        for (suffix, tag, cause) in [
            (".socket", EventTag::IncomingTraffic, Cause::Socket),
            (".timer", EventTag::TimerElapsed, Cause::Timer),
            (".path", EventTag::PathTriggered, Cause::Socket),
        ] {
            for trigger in trigger_names(&a.unit, suffix) {
                let hit = self.latest_before(tag, Some(&trigger), c.key, TRIGGER_WINDOW_USEC);
                // A trigger creates a job then, with an id above every id
                // logged before its line; a lower id was already queued (a
                // boot unit whose socket saw traffic while it was starting,
                // as journald's own does), so the trigger asked for nothing.
                let job_older = |i: usize| c.job.is_some_and(|j| j <= self.max_job_before(i));
                if let Some((i, _)) = hit.filter(|&(i, _)| !job_older(i)) {
                    let explanation = match cause {
                        Cause::Timer => format!(
                            "Started by {trigger}: \"Timer elapsed\" was logged just before it (debug level)."
                        ),
                        _ if suffix == ".path" => format!(
                            "Started by {trigger}, which was triggered just before it (debug level)."
                        ),
                        _ => format!(
                            "Started on traffic on {trigger}: \"Incoming traffic\" was logged just before it (debug level)."
                        ),
                    };
                    return Some(
                        Decision::new(cause, level::NAMED, explanation)
                            .trigger(&trigger, self.lc.activation_of_event(i))
                            .evidence([i]),
                    );
                }
            }
        }
        None
    }

    /// A mount started right after its automount got a request (info level).
    fn automount(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let stem = a.unit.strip_suffix(".mount")?;
        let trigger = format!("{stem}.automount");
        let (i, e) = self.latest_before(
            EventTag::AutomountRequest,
            Some(&trigger),
            c.key,
            TRIGGER_WINDOW_USEC,
        )?;
        let EventKind::AutomountRequest { path, pid, comm } = &e.kind else {
            return None;
        };
        let by = match (pid, comm) {
            (Some(p), Some(c)) => format!(" from PID {p} ({c})"),
            (Some(p), None) => format!(" from PID {p}"),
            _ => String::new(),
        };
        Some(
            Decision::new(
                Cause::Socket,
                level::SHOWN,
                format!("Mounted on demand: {trigger} got an automount request for {path}{by} just before."),
            )
            .trigger(&trigger, self.lc.activation_of_event(i))
            .evidence([i]),
        )
    }

    /// Debug level: "Unit is started because upheld by active unit X."
    fn upheld(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let (i, e) = self.latest_before(
            EventTag::UpheldBy,
            Some(&a.unit),
            c.key,
            TRIGGER_WINDOW_USEC,
        )?;
        let EventKind::UpheldBy { by } = &e.kind else {
            return None;
        };
        let mut d = Decision::new(
            Cause::Dependency,
            level::SHOWN,
            format!("Started because {by} upholds it (Upholds=), as the debug line says."),
        )
        .trigger(by, None)
        .evidence([i]);
        d.link = Some(Link {
            kind: LinkKind::DebugLines,
            anchor_job: None,
            next_job: None,
            own_block_min: None,
        });
        Some(d)
    }

    /// sudo's "COMMAND=/usr/bin/systemctl start X" shortly before.
    fn sudo(&self, c: &Candidate) -> Option<Decision> {
        let (i, line) = self.sudo_line(
            c,
            &[
                "start",
                "enable",
                "reload-or-restart",
                "restart",
                "try-restart",
                "isolate",
            ],
        )?;
        Some(
            Decision::new(
                Cause::Manual,
                level::NAMED,
                format!("Started by hand: sudo logged `{line}` just before."),
            )
            .evidence([i]),
        )
    }

    /// The latest sudo line that ran `systemctl VERB … unit` before `c`, and
    /// no earlier start of the unit already answered it.
    fn sudo_line(&self, c: &Candidate, verbs: &[&str]) -> Option<(usize, String)> {
        let unit = &self.act(c.activation).unit;
        self.latest_sudo(c, |command| {
            parse_systemctl_command(command)
                .is_some_and(|(verb, units)| verbs.contains(&verb.as_str()) && units.contains(unit))
        })
    }

    /// The latest sudo line that ran `systemd-run --unit=` this unit before
    /// `c` (and after the unit's previous start).
    fn sudo_systemd_run(&self, c: &Candidate) -> Option<(usize, String)> {
        let unit = &self.act(c.activation).unit;
        self.latest_sudo(c, |command| {
            parse_systemd_run_unit(command).as_deref() == Some(unit.as_str())
        })
    }

    /// The latest sudo line whose command `wanted` accepts, within
    /// `SUDO_WINDOW_USEC` before `c` and after the unit's previous start (a
    /// line an earlier start already answered explains nothing more). Only
    /// the system manager's units: sudo runs system commands.
    fn latest_sudo(&self, c: &Candidate, wanted: impl Fn(&str) -> bool) -> Option<(usize, String)> {
        if !self.lc.runs[self.run].manager.is_system() {
            return None;
        }
        let prev_key = self.lc.previous(c.activation).map(|p| {
            let p = self.act(p);
            p.start_stamp().map(|s| self.key(s.event)).unwrap_or(0)
        });
        self.of(EventTag::Sudo)
            .rev()
            .filter(|(_, e)| e.sort_key() <= c.key && c.key - e.sort_key() <= SUDO_WINDOW_USEC)
            .filter(|(_, e)| prev_key.is_none_or(|p| e.sort_key() > p))
            .find_map(|(i, e)| match &e.kind {
                EventKind::Sudo { user, command } if wanted(command) => {
                    Some((i, format!("{user}: {}", short_command(command))))
                }
                _ => None,
            })
    }

    /// Debug level: the D-Bus call that asked for the job.
    fn bus_call(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let lc = self.lc;
        let (trying, trying_event) = self.of(EventTag::TryingToEnqueue).rev().find(|(_, e)| {
            matches!(
                e.kind,
                EventKind::TryingToEnqueue {
                    job_type: JobType::Start
                        | JobType::Restart
                        | JobType::TryRestart
                        | JobType::ReloadOrStart
                        | JobType::VerifyActive,
                    ..
                }
            ) && e.unit.as_deref() == Some(a.unit.as_str())
                && e.sort_key() <= c.key
                && c.key - e.sort_key() <= 30_000_000
        })?;
        if let Some(prev) = lc.previous(c.activation)
            && self
                .act(prev)
                .start_stamp()
                .is_some_and(|s| s.event > trying)
        {
            return None;
        }
        let (call, call_event) = self.of(EventTag::BusCall).rev().find(|(i, e)| {
            *i < trying && trying_event.sort_key().saturating_sub(e.sort_key()) <= 1_000_000
        })?;
        let EventKind::BusCall { member, sender } = &call_event.kind else {
            return None;
        };
        if !member.ends_with("Unit")
            && !member.starts_with("EnqueueUnitJob")
            && member != "StartUnitWithFlags"
        {
            return None;
        }
        if member == "StartTransientUnit" {
            return Some(
                Decision::new(
                    Cause::Transient,
                    level::NAMED,
                    "A transient unit: created by a StartTransientUnit D-Bus call (systemd-run and the like), logged at debug level.".to_string(),
                )
                .evidence([call, trying]),
            );
        }
        let (confidence, who) = match sender {
            None => (
                level::STRONG,
                "over systemd's private socket, as root's systemctl does".to_string(),
            ),
            Some(s) => (
                level::WEAK,
                format!("by D-Bus client {s} (a program, or systemctl as a user)"),
            ),
        };
        Some(
            Decision::new(
                Cause::Manual,
                confidence,
                format!("Requested with a {member} call {who}; debug level logged the call right before the job."),
            )
            .evidence([call, trying]),
        )
    }

    // ------------------------------------------------------------ rules 2, 3

    fn boot(&self, jobs: &RunJobs, c: &Candidate) -> Option<Decision> {
        let job = c.job?;
        let b = jobs.boot_transaction(job)?;
        if self.startup_key.is_some_and(|s| c.key > s + 1_000_000) {
            return None;
        }
        let r = &self.lc.runs[self.run];
        let who = match r.manager {
            crate::events::Manager::System => "the boot transaction".to_string(),
            crate::events::Manager::User(uid) => {
                format!("the startup transaction of UID {uid}'s user manager")
            }
        };
        let target = b
            .target
            .as_deref()
            .map(|t| format!(" for {t}"))
            .unwrap_or_default();
        let (confidence, caveat) = if b.assumed {
            (
                level::PROBABLE,
                " (the default target's own job line was not logged, so the range is inferred)",
            )
        } else {
            (level::NAMED, "")
        };
        let when = if self.startup_key.is_some() {
            ", before startup finished"
        } else {
            ""
        };
        let mut d = Decision::new(
            Cause::Boot,
            confidence,
            format!(
                "Part of {who}{target}: job {job} lies in its id range {}{when}{caveat}.",
                match b.end {
                    u32::MAX => format!("from {}", b.anchor),
                    end => format!("{}–{}", b.anchor, end - 1),
                }
            ),
        );
        d.evidence.extend(b.queued_event);
        Some(d)
    }

    /// Debug level: "Installed new job" between another unit's "Trying to
    /// enqueue" and "Enqueued job" lines.
    fn debug_member(
        &self,
        jobs: &RunJobs,
        c: &Candidate,
        candidates: &[Candidate],
    ) -> Option<Decision> {
        let job = c.job?;
        let anchor = *jobs.debug_anchor.get(&job)?;
        if anchor == job {
            return None;
        }
        let unit = jobs.debug_anchor_unit.get(&anchor)?;
        let anchor_activation = candidates
            .iter()
            .find(|o| o.job == Some(anchor) && self.act(o.activation).unit == *unit)
            .map(|o| o.activation);
        let mut evidence: Vec<usize> = self
            .of(EventTag::JobInstalled)
            .chain(self.of(EventTag::JobEnqueued))
            .filter(|(_, e)| e.job_id == Some(job) || e.job_id == Some(anchor))
            .map(|(i, _)| i)
            .collect();
        evidence.sort_unstable();
        evidence.truncate(3);
        let mut d = Decision::new(
            Cause::Dependency,
            level::NAMED,
            format!(
                "Pulled into the transaction for {unit}: debug level logged its job {job} being installed while job {anchor} for {unit} was enqueued."
            ),
        )
        .trigger(unit, anchor_activation)
        .evidence(evidence);
        d.link = Some(Link {
            kind: LinkKind::DebugLines,
            anchor_job: Some(anchor),
            next_job: None,
            own_block_min: None,
        });
        Some(d)
    }

    // ------------------------------------------------------------ rule 4

    /// Rule 4, with the note that timing alone linked it to another
    /// transaction when it did: the answer then names that candidate and is
    /// held to a low confidence.
    fn own_transaction(&self, c: &Candidate, time_only: Option<&TimeOnly>) -> Decision {
        let mut d = self.own_transaction_alone(c);
        if let Some(t) = time_only {
            let job = c.job.unwrap_or_default();
            let gap = match t.next_job {
                Some(next) => format!(
                    "the next job ({next}) came {} ids later, room for a request of its own (at least {} here)",
                    next - job,
                    t.own_block_min
                ),
                None => "no later job was logged to show how many ids it took".to_string(),
            };
            d.explanation.push_str(&format!(
                " It was also dispatched within milliseconds of the transaction of {} (job {}), but timing alone does not make a dependency and the job ids do not link it: {gap}.",
                t.anchor_unit, t.anchor_job
            ));
            d.confidence = d.confidence.min(level::DOUBTFUL);
        }
        d
    }

    fn own_transaction_alone(&self, c: &Candidate) -> Decision {
        let a = self.act(c.activation);
        if let Some(d) = self
            .listening_trigger(c, ".socket", Cause::Socket)
            .or_else(|| self.listening_trigger(c, ".path", Cause::Socket))
            .or_else(|| self.listening_trigger(c, ".timer", Cause::Timer))
        {
            return d;
        }
        let job = c.job.unwrap_or_default();
        if self.startup_key.is_none_or(|s| c.key < s) && !self.boot_over(c) {
            return Decision::new(
                Cause::Unknown,
                level::NONE,
                format!(
                    "Requested in a transaction of its own (job {job}) while the system was still starting: udev, D-Bus activation and logind ask for units then, and nothing in the log names who asked for {}.",
                    a.unit
                ),
            );
        }
        if let crate::events::Manager::User(uid) = self.lc.runs[self.run].manager {
            return Decision::new(
                Cause::Unknown,
                level::NONE,
                format!(
                    "Requested in a transaction of its own (job {job}) from UID {uid}'s user manager; its units are mostly started by the desktop session or D-Bus activation, and nothing in the log names who asked."
                ),
            );
        }
        if self.debug {
            return Decision::new(
                Cause::Manual,
                level::GUESS,
                format!(
                    "A transaction of its own (job {job}) with no trigger logged; debug level would normally show the D-Bus call that asked for it, and none was found near it."
                ),
            );
        }
        // `systemd-run --unit=NAME --description=TEXT` by root logs, at info
        // level, exactly the lines `systemctl start NAME` logs (no sudo
        // line, a chosen name and description): it stays `manual`, said.
        let transient = if a.unit.ends_with(".service") {
            "; it may also be a transient unit that root made with `systemd-run --unit=NAME`, which logs the same lines"
        } else {
            ""
        };
        Decision::new(
            Cause::Manual,
            level::EVEN,
            format!(
                "A transaction of its own (job {job}) with no trigger logged; at info level nothing records who asked, so `systemctl start`, a D-Bus activation or a program calling StartUnit look alike{transient}."
            ),
        )
    }

    /// Whether the boot is over for `c` even without a startup-finished line
    /// (a user manager's or a lossy boot's): a later start already began a
    /// transaction outside the boot one.
    fn boot_over(&self, c: &Candidate) -> bool {
        self.startup_key.is_some_and(|s| c.key >= s)
    }

    /// A socket/path listening or a timer active, of the same name, when a
    /// service began a transaction of its own.
    fn listening_trigger(&self, c: &Candidate, suffix: &str, cause: Cause) -> Option<Decision> {
        let a = self.act(c.activation);
        for trigger in trigger_names(&a.unit, suffix) {
            let Some(t) = self.active_at(&trigger, c) else {
                continue;
            };
            let tact = self.act(t);
            let since = tact.started.or(tact.requested).map(|s| s.event);
            let what = match suffix {
                ".socket" => "was listening",
                ".path" => "was watching",
                _ => "was active",
            };
            let per_connection = suffix == ".socket" && is_connection_instance(&a.unit, &trigger);
            let (confidence, explanation) = if per_connection {
                (
                    level::SHOWN,
                    format!(
                        "Spawned for one connection to {trigger}: Accept=yes sockets name each connection's service instance by its connection number, and nothing else uses such names."
                    ),
                )
            } else if self.debug {
                (
                    level::DOUBTFUL,
                    format!(
                        "{trigger} {what} and the start was a transaction of its own, but debug level shows no trigger line for it, so a start by hand is as likely."
                    ),
                )
            } else {
                let hidden = match suffix {
                    ".socket" => "\"Incoming traffic\"",
                    ".path" => "\"Got triggered\"",
                    _ => "\"Timer elapsed\"",
                };
                (
                    if cause == Cause::Timer {
                        level::LEANING
                    } else {
                        level::LOOK_ALIKE
                    },
                    format!(
                        "{trigger} {what} and the start was a transaction of its own; {hidden} is logged only at debug level, and at info level a start by hand looks the same."
                    ),
                )
            };
            return Some(
                Decision::new(cause, confidence, explanation)
                    .trigger(&trigger, Some(t))
                    .evidence(since),
            );
        }
        None
    }

    /// The activation of `unit` in this run that was active when `c` started.
    fn active_at(&self, unit: &str, c: &Candidate) -> Option<usize> {
        self.lc
            .activations_of(unit)
            .filter(|(_, t)| t.run == self.run)
            .filter(|(_, t)| t.started.is_some_and(|s| self.key(s.event) <= c.key))
            .filter(|(_, t)| t.ended.is_none_or(|e| self.key(e.event) >= c.key))
            .map(|(i, _)| i)
            .last()
    }

    /// Starts whose job id was not logged: text-only lines from early boot,
    /// or runs whose start lines were lost.
    fn without_job(&self, c: &Candidate, jobs: &RunJobs) -> Decision {
        let a = self.act(c.activation);
        let lc = self.lc;
        let text_only = a.start_stamp().is_some_and(|s| lc.event(s.event).from_text);
        let boot_from = jobs.boot.first().map(|b| b.from_key);
        let before_startup = self.startup_key.is_some_and(|s| c.key <= s);
        if text_only && (before_startup || self.startup_key.is_none()) {
            let after_queued =
                boot_from.is_none_or(|f| c.key + 1_000_000 >= f) || !jobs.boot.is_empty();
            if after_queued {
                return Decision::new(
                    Cause::Boot,
                    level::PROBABLE,
                    "Logged during boot through the kernel log, before journald ran, so the line has no job id; starts at that point belong to the boot transaction.".to_string(),
                )
                .evidence(jobs.boot.first().and_then(|b| b.queued_event));
            }
        }
        let spawned = a
            .events
            .iter()
            .copied()
            .find(|&i| matches!(lc.event(i).kind, EventKind::Spawned { .. }));
        if !a.start_logged()
            && let Some(spawn) = spawned
            && before_startup
            && lc.previous(c.activation).is_none()
        {
            return Decision::new(
                Cause::Boot,
                level::EVEN,
                "Its start lines were lost, but its process was spawned while the system was starting and it had not run before in this boot, which is how boot transaction units start; nothing else is logged to confirm it.".to_string(),
            )
            .evidence([spawn]);
        }
        if !a.start_logged() {
            return Decision::new(
                Cause::Unknown,
                level::NONE,
                "The start of this run was not logged (lines lost, filtered with LogLevelMax=, or before the entries read); only later lines about it were.".to_string(),
            );
        }
        Decision::new(
            Cause::Unknown,
            level::NONE,
            "The start line carries no job id, so it cannot be placed in a transaction."
                .to_string(),
        )
    }
}

/// When a start was first visible: its first start line, else (start lines
/// lost) the first sign of its process being spawned, else its first event.
/// The longest a restart job of run `run` waited between its install
/// ("Scheduled restart job", the old run already gone) and its run's first
/// start line: how late this manager dispatched jobs here. 0 without one.
fn restart_dispatch_latency(lc: &BootLifecycles, run: usize) -> u64 {
    let mut next_of_unit: HashMap<&str, usize> = HashMap::new();
    let mut latest = 0;
    for (i, a) in lc.activations.iter().enumerate().rev() {
        if a.run != run {
            continue;
        }
        if let (Some((scheduled, _)), Some(&next)) = (
            a.restart_scheduled.as_ref(),
            next_of_unit.get(a.unit.as_str()),
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
        next_of_unit.insert(&a.unit, i);
    }
    latest
}

fn start_key(lc: &BootLifecycles, a: &Activation) -> u64 {
    if let Some(s) = a.start_stamp() {
        return s.monotonic_usec.unwrap_or(s.realtime_usec);
    }
    a.events
        .iter()
        .map(|&i| lc.event(i))
        .find(|e| matches!(e.kind, EventKind::Spawned { .. }))
        .unwrap_or_else(|| lc.event(a.events[0]))
        .sort_key()
}

/// Whether an activation counts as a start: its start was logged, or its
/// process was seen being spawned (start lines lost), or it followed an
/// earlier run (a restart whose lines were lost). A run that was only seen
/// already running — a mount made by another program, a credentials mount, a
/// unit whose start fell into a gap of the log or before the entries read —
/// is an activation but not a start: when it started is not known.
pub fn is_start(lc: &BootLifecycles, index: usize) -> bool {
    let a = &lc.activations[index];
    a.start_logged()
        || a.events
            .iter()
            .any(|&i| matches!(lc.event(i).kind, EventKind::Spawned { .. }))
        || (lc.previous(index).is_some() && a.start_job_id.is_some())
}

/// The units that can trigger `unit` by name: `foo.socket` for `foo.service`
/// and for `foo@instance.service` (Accept=yes), `foo@instance.socket` too.
fn trigger_names(unit: &str, suffix: &str) -> Vec<String> {
    let Some(stem) = unit.strip_suffix(".service") else {
        return Vec::new();
    };
    let mut names = vec![format!("{stem}{suffix}")];
    if let Some((template, _)) = stem.split_once('@') {
        names.push(format!("{template}{suffix}"));
    }
    names
}

/// Whether `unit` is the per-connection instance an Accept=yes `socket`
/// spawns: `foo@N-…` for `foo.socket`, N being the connection number
/// (`N-LOCALIP:PORT-REMOTEIP:PORT`, or `N-PID-UID` on AF_UNIX).
fn is_connection_instance(unit: &str, socket: &str) -> bool {
    let (Some(template), Some(stem)) = (unit.split_once('@'), socket.strip_suffix(".socket"))
    else {
        return false;
    };
    let (name, instance) = template;
    name == stem
        && instance.split_once('-').is_some_and(|(n, rest)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        })
}

/// "exit-code, status=1", "core-dump, signal=11 (core dumped)", "success".
fn describe_end(a: &Activation) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &a.result {
        parts.push(r.clone());
    }
    if let Some(x) = &a.exit {
        parts.push(x.describe());
    }
    if parts.is_empty() {
        "end not logged".to_string()
    } else {
        parts.join(", ")
    }
}

/// "/usr/bin/systemctl start adhoc.service" → "systemctl start adhoc.service".
fn short_command(command: &str) -> String {
    let (program, rest) = command.split_once(' ').unwrap_or((command, ""));
    let program = program.rsplit('/').next().unwrap_or(program);
    if rest.is_empty() {
        program.to_string()
    } else {
        format!("{program} {rest}")
    }
}

//! What job ids say about transactions.
//!
//! A manager numbers jobs from one counter, and a transaction takes its ids
//! in one go, so the ids of one transaction form an unbroken range that
//! starts with its anchor (the unit that was asked for). Gaps are normal:
//! redundant and merged jobs use up ids without being logged. Two things are
//! therefore certain: a unit appears at most once in a transaction, and a job
//! whose transaction was created later has a higher id. This module holds the
//! per-run facts the rules build on: the boot transaction's id range, and at
//! debug level the exact membership from "Trying to enqueue" / "Installed new
//! job" / "Enqueued job" lines.

use std::collections::{BTreeMap, HashMap};

use crate::events::{EventKind, JobType};
use crate::lifecycle::BootLifecycles;

use super::windows::{AFTER_STARTUP_USEC, CONFLICT_STOP_USEC};

/// The boot transaction of one manager run: the default target's job and the
/// ids that belong with it.
#[derive(Clone, Debug)]
pub struct BootTransaction {
    /// Index of the "Queued start job for default target" event, if logged.
    pub queued_event: Option<usize>,
    pub target: Option<String>,
    /// The default target's job id: the transaction's first id.
    pub anchor: u32,
    /// The first id that belongs to a later transaction (exclusive end).
    pub end: u32,
    /// The anchor was inferred (the "Queued start job" line or the target's
    /// own line was not logged).
    pub assumed: bool,
    /// Sort key (monotonic µs) of the queued line or the first job seen.
    pub from_key: u64,
}

impl BootTransaction {
    pub fn contains(&self, job: u32) -> bool {
        job >= self.anchor && job < self.end
    }
}

/// Facts about the jobs of one manager run.
#[derive(Debug, Default)]
pub struct RunJobs {
    /// Every logged job id with the unit it was for and whether it was a
    /// start job, from the start/stop lines (and debug job lines).
    pub jobs: BTreeMap<u32, JobSeen>,
    pub boot: Vec<BootTransaction>,
    /// Debug level: job id → the anchor job id of its transaction.
    pub debug_anchor: HashMap<u32, u32>,
    /// Debug level: anchor job id → the unit the transaction was requested for.
    pub debug_anchor_unit: HashMap<u32, String>,
    /// The fewest ids a transaction of its own took in this run (see
    /// [`RunJobs::own_block_min`]).
    pub own_block_min: u32,
}

#[derive(Clone, Debug)]
pub struct JobSeen {
    pub unit: String,
    pub start: bool,
    /// Sort key (monotonic µs) of its first line.
    pub first_key: u64,
}

impl RunJobs {
    /// Collects the facts for run `run`. `anchors` are job ids already known
    /// to begin a transaction of their own (restart jobs, handlers, …): the
    /// boot transaction cannot extend past them.
    pub fn collect(
        lc: &BootLifecycles,
        run: usize,
        anchors: &[u32],
        startup_key: Option<u64>,
    ) -> RunJobs {
        let mut jobs = RunJobs::default();
        let mut open: Option<(String, Vec<u32>)> = None;
        for (i, e) in lc.events_in_run(run, |_| true) {
            let _ = i;
            if let (Some(id), Some(unit)) = (e.job_id, e.unit.as_deref()) {
                let start = match &e.kind {
                    k if k.is_start_job_message() => Some(true),
                    EventKind::Stopping | EventKind::Stopped => {
                        Some(e.job_type == Some(JobType::Start))
                    }
                    EventKind::JobInstalled { job_type } | EventKind::JobEnqueued { job_type } => {
                        Some(*job_type == JobType::Start)
                    }
                    _ => None,
                };
                if let Some(start) = start {
                    jobs.jobs.entry(id).or_insert(JobSeen {
                        unit: unit.to_string(),
                        start,
                        first_key: e.sort_key(),
                    });
                }
            }
            match &e.kind {
                EventKind::TryingToEnqueue { .. } => {
                    open = e.unit.clone().map(|u| (u, Vec::new()));
                }
                EventKind::JobInstalled { .. } => {
                    if let (Some((_, members)), Some(id)) = (open.as_mut(), e.job_id) {
                        members.push(id);
                    }
                }
                EventKind::JobEnqueued { .. } => {
                    if let (Some(anchor), Some(unit)) = (e.job_id, e.unit.as_deref()) {
                        let members = match open.take() {
                            Some((u, members)) if u == unit => members,
                            _ => Vec::new(),
                        };
                        jobs.debug_anchor.insert(anchor, anchor);
                        for m in members {
                            jobs.debug_anchor.insert(m, anchor);
                        }
                        jobs.debug_anchor_unit.insert(anchor, unit.to_string());
                    }
                }
                _ => {}
            }
        }
        jobs.boot = jobs.boot_transactions(lc, run, anchors, startup_key);
        jobs.own_block_min = jobs.own_block_min(anchors);
        jobs
    }

    /// How many ids a transaction of its own takes at least, learned from
    /// this run. Building a transaction, the manager creates a job, with a
    /// fresh id, for every unit the requested one pulls in (Requires=,
    /// Wants=, the default dependencies on sysinit.target, its slice, …),
    /// even for units already active whose jobs are then dropped as
    /// redundant. So a request takes a block of ids as large as its unit's
    /// dependency closure (58 for a plain service on a minimal Debian),
    /// while a unit pulled into someone else's transaction takes one id,
    /// plus one per unit that only it pulls in.
    ///
    /// Measured as the smallest id distance between two consecutive starts
    /// that other lines prove were requests of their own (restarts,
    /// handlers, sudo's commands, …) with no logged job in between: that
    /// distance is at least the first one's block. Without two such starts,
    /// 2: a unit, and the slice every unit is in.
    fn own_block_min(&self, anchors: &[u32]) -> u32 {
        let mut sorted: Vec<u32> = anchors.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
            .windows(2)
            .filter(|w| self.jobs.range(w[0] + 1..w[1]).next().is_none())
            .map(|w| w[1] - w[0])
            .min()
            .unwrap_or(2)
            .max(2)
    }

    /// The first job logged with an id above `job`.
    pub fn next_after(&self, job: u32) -> Option<u32> {
        self.jobs
            .range(job.saturating_add(1)..)
            .next()
            .map(|(id, _)| *id)
    }

    fn boot_transactions(
        &self,
        lc: &BootLifecycles,
        run: usize,
        anchors: &[u32],
        startup_key: Option<u64>,
    ) -> Vec<BootTransaction> {
        let r = &lc.runs[run];
        let mut found: Vec<BootTransaction> = Vec::new();
        for &q in &r.default_target_queued {
            let queued = lc.event(q);
            let EventKind::DefaultTargetQueued { target } = &queued.kind else {
                continue;
            };
            let key = queued.sort_key();
            // The target's own job, logged when it is reached.
            let target_job = self
                .jobs
                .iter()
                .find(|(_, j)| j.start && &j.unit == target && j.first_key >= key)
                .map(|(id, _)| *id);
            let (anchor, assumed) = match target_job {
                Some(id) => (id, false),
                None => match self
                    .jobs
                    .iter()
                    .find(|(_, j)| j.start && j.first_key >= key)
                {
                    // Not reached (or its line lost): the lowest id logged
                    // afterwards is the closest bound.
                    Some((id, _)) => (*id, true),
                    None => continue,
                },
            };
            found.push(BootTransaction {
                queued_event: Some(q),
                target: Some(target.clone()),
                anchor,
                end: u32::MAX,
                assumed,
                from_key: key,
            });
        }
        if found.is_empty() {
            // The line went to the kernel log and was lost (a debug boot
            // floods it). The counter starts at 1 every boot and the default
            // target's transaction is the first, so the lowest start job
            // logged stands in for its anchor.
            if let Some((id, j)) = self.jobs.iter().find(|(_, j)| j.start) {
                found.push(BootTransaction {
                    queued_event: None,
                    target: None,
                    anchor: *id,
                    end: u32::MAX,
                    assumed: true,
                    from_key: j.first_key,
                });
            }
        }
        found.sort_by_key(|b| b.anchor);
        let n = found.len();
        for k in 0..n {
            let anchor = found[k].anchor;
            let mut end = if k + 1 < n {
                found[k + 1].anchor
            } else {
                u32::MAX
            };
            if let Some(&a) = anchors.iter().filter(|&&a| a > anchor).min() {
                end = end.min(a);
            }
            // A unit appears once per transaction: its second job is later.
            let mut seen: Vec<&str> = Vec::new();
            for (id, j) in self.jobs.range(anchor..end) {
                if !j.start {
                    continue;
                }
                if seen.contains(&j.unit.as_str()) {
                    end = *id;
                    break;
                }
                // Jobs first logged after startup finished were not part of it.
                if startup_key.is_some_and(|s| j.first_key > s + AFTER_STARTUP_USEC) {
                    end = *id;
                    break;
                }
                seen.push(&j.unit);
            }
            // Debug level names other transactions' anchors exactly.
            if let Some(&a) = self
                .debug_anchor_unit
                .keys()
                .filter(|&&a| a > anchor && a < end)
                .min()
            {
                end = a;
            }
            found[k].end = end;
        }
        found
    }

    /// The boot transaction that holds `job`, if any.
    pub fn boot_transaction(&self, job: u32) -> Option<&BootTransaction> {
        self.boot.iter().find(|b| b.contains(job))
    }

    /// Whether a job with an id in (low, high) proves a transaction
    /// boundary: at debug level another transaction's anchor ("Enqueued job
    /// … as N"); at any level a stop job first logged more than
    /// [`CONFLICT_STOP_USEC`] after the transaction's latest member was (stop
    /// jobs that belong to a transaction, for Conflicts=, run when it is
    /// created).
    pub fn boundary_between(&self, low: u32, high: u32, latest_member_key: u64) -> bool {
        self.debug_boundary_between(low, high)
            || (high > low + 1
                && self
                    .jobs
                    .range(low + 1..high)
                    .any(|(_, j)| !j.start && j.first_key > latest_member_key + CONFLICT_STOP_USEC))
    }

    /// Whether debug level names another transaction's anchor in (low, high].
    pub fn debug_boundary_between(&self, low: u32, high: u32) -> bool {
        self.debug_anchor_unit.keys().any(|&a| a > low && a <= high)
    }
}

//! Rules 2 and 3: the boot transaction and the job-id walk that joins a
//! start to the transaction before it (the job-id facts are `cause/jobs.rs`).

use crate::events::EventTag;
use crate::lifecycle::Activation;

use super::super::jobs::RunJobs;
use super::{Candidate, Cause, Decision, Link, LinkKind, RunRules, level, start_lines};
use crate::cause::windows::{
    AFTER_STARTUP_USEC, MEMBER_ID_REACH, ORDERING_USEC, SAME_DISPATCH_USEC,
    SHUTDOWN_ANNOUNCE_SLACK_USEC,
};

/// How a start relates to the transaction before it in the job-id walk.
pub(super) enum Join {
    /// Linked in time and by job ids: pulled in by the anchor.
    Member(IdLink),
    /// Linked in time only; the next logged job id after it, if any.
    TimeOnly(Option<u32>),
    No,
}

/// The job-id relation that makes a start a member of a transaction.
#[derive(Clone, Copy, Debug)]
pub(super) enum IdLink {
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
pub(super) struct TimeOnly {
    pub(super) anchor_unit: String,
    pub(super) anchor_job: u32,
    pub(super) next_job: Option<u32>,
    pub(super) own_block_min: u32,
}

/// A transaction being assembled during the job-id walk.
pub(super) struct Transaction {
    pub(super) boot: bool,
    /// Members are found by id range from this time on (a shutdown).
    pub(super) range_from: Option<u64>,
    pub(super) anchor: usize,
    pub(super) anchor_unit: String,
    /// Sort key at which the anchor's run ended, if it did.
    pub(super) anchor_ended: Option<u64>,
    /// When each member's first line was logged.
    pub(super) member_keys: Vec<u64>,
    pub(super) units: Vec<String>,
    pub(super) max_job: u32,
    /// When members finished starting (or ended): units ordered after them
    /// start right then.
    pub(super) done_keys: Vec<u64>,
}

impl RunRules<'_> {
    // ------------------------------------------------------------ rule 3

    /// A start that joins `transaction` (see [`RunRules::joins`]): pulled in
    /// by its anchor.
    pub(super) fn dependency(&self, transaction: &Transaction, job: u32, link: IdLink) -> Decision {
        let anchor_job = self
            .act(transaction.anchor)
            .start_job_id
            .unwrap_or_default();
        let mut evidence = start_lines(self.act(transaction.anchor));
        let mut decision = match link {
            IdLink::ShutdownRange => Decision::new(
                Cause::Dependency,
                level::PROBABLE,
                format!(
                    "Part of the shutdown transaction of {}: job {job} lies in its id range after job {anchor_job}, with no other request in between.",
                    transaction.anchor_unit
                ),
            ),
            IdLink::InsideBlock { own_block_min } => Decision::new(
                Cause::Dependency,
                level::PROBABLE,
                format!(
                    "Pulled into the transaction of {}: its job {job} lies within the {own_block_min} ids that transaction took from job {anchor_job} on, and it was dispatched with it.",
                    transaction.anchor_unit
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
                        transaction.anchor_unit,
                        next_job - job
                    ),
                )
            }
        };
        decision.link = Some(link.describe(anchor_job));
        decision
            .trigger(&transaction.anchor_unit, Some(transaction.anchor))
            .evidence(evidence)
    }

    pub(super) fn transaction_from(
        &self,
        candidate: &Candidate,
        boot: bool,
        range_from: Option<u64>,
    ) -> Transaction {
        let activation = self.act(candidate.activation);
        Transaction {
            boot,
            range_from,
            anchor: candidate.activation,
            anchor_unit: activation.unit.clone(),
            anchor_ended: activation.ended.map(|s| self.key(s.event)),
            member_keys: vec![candidate.key],
            units: vec![activation.unit.clone()],
            max_job: candidate.job.unwrap_or(0),
            done_keys: self.done_keys(activation),
        }
    }

    /// When a run finished starting: units ordered after it start then.
    pub(super) fn done_keys(&self, activation: &Activation) -> Vec<u64> {
        [
            activation.started,
            activation.start_failed.as_ref().map(|(s, _)| *s),
        ]
        .into_iter()
        .flatten()
        .map(|s| self.key(s.event))
        .collect()
    }

    /// Whether `candidate` belongs to `transaction` at info level. Timing alone
    /// never decides it: two requests a few milliseconds apart look like one
    /// transaction dispatching. So `candidate` must be linked in time (no debug
    /// anchor in between, and either logged in the same pass of the manager's
    /// loop as a member (and before the anchor's run ended), or right after a
    /// member finished starting (ordered after it), or a member started right
    /// after `candidate` finished (the member was ordered after `candidate`))
    /// and by job ids (see [`RunRules::id_link`]).
    pub(super) fn joins(
        &self,
        jobs: &RunJobs,
        transaction: &Transaction,
        candidate: &Candidate,
    ) -> Join {
        let Some(job) = candidate.job else {
            return Join::No;
        };
        let activation = self.act(candidate.activation);
        if transaction.boot
            || transaction.units.contains(&activation.unit)
            || job <= transaction.max_job
            || job - transaction.max_job > MEMBER_ID_REACH
        {
            return Join::No;
        }
        if let Some(from) = transaction.range_from {
            if !jobs.debug_boundary_between(transaction.max_job, job)
                && candidate.key + SHUTDOWN_ANNOUNCE_SLACK_USEC >= from
            {
                return Join::Member(IdLink::ShutdownRange);
            }
            return Join::No;
        }
        let latest_member = transaction.member_keys.iter().copied().max().unwrap_or(0);
        if jobs.boundary_between(transaction.max_job, job, latest_member) {
            return Join::No;
        }
        let anchor_job = self
            .act(transaction.anchor)
            .start_job_id
            .unwrap_or_default();
        match self.id_link(jobs, anchor_job, job) {
            Some(link) if self.time_linked(transaction, candidate, self.linked_dispatch_usec) => {
                Join::Member(link)
            }
            None if self.time_linked(transaction, candidate, SAME_DISPATCH_USEC) => {
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
    fn time_linked(&self, transaction: &Transaction, candidate: &Candidate, window: u64) -> bool {
        let activation = self.act(candidate.activation);
        let same_dispatch = transaction
            .member_keys
            .iter()
            .any(|&k| candidate.key.abs_diff(k) <= window)
            && transaction
                .anchor_ended
                .is_none_or(|end| candidate.key <= end + ORDERING_USEC);
        let after_member = transaction
            .done_keys
            .iter()
            .any(|&done| candidate.key >= done && candidate.key - done <= ORDERING_USEC);
        let member_after = self.done_keys(activation).iter().any(|&done| {
            transaction
                .member_keys
                .iter()
                .any(|&k| k >= done && k - done <= ORDERING_USEC)
        });
        same_dispatch || after_member || member_after
    }

    // ------------------------------------------------------------ rules 2, 3

    pub(super) fn boot(&self, jobs: &RunJobs, candidate: &Candidate) -> Option<Decision> {
        let job = candidate.job?;
        let boot_transaction = jobs.boot_transaction(job)?;
        if self
            .startup_key
            .is_some_and(|s| candidate.key > s + AFTER_STARTUP_USEC)
        {
            return None;
        }
        let r = &self.lc.runs[self.run];
        let who = match r.manager {
            crate::events::Manager::System => "the boot transaction".to_string(),
            crate::events::Manager::User(uid) => {
                format!("the startup transaction of UID {uid}'s user manager")
            }
        };
        let target = boot_transaction
            .target
            .as_deref()
            .map(|name| format!(" for {name}"))
            .unwrap_or_default();
        let (confidence, caveat) = if boot_transaction.assumed {
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
        let mut decision = Decision::new(
            Cause::Boot,
            confidence,
            format!(
                "Part of {who}{target}: job {job} lies in its id range {}{when}{caveat}.",
                match boot_transaction.end {
                    u32::MAX => format!("from {}", boot_transaction.anchor),
                    end => format!("{}–{}", boot_transaction.anchor, end - 1),
                }
            ),
        );
        decision.evidence.extend(boot_transaction.queued_event);
        Some(decision)
    }

    /// Debug level: "Installed new job" between another unit's "Trying to
    /// enqueue" and "Enqueued job" lines.
    pub(super) fn debug_member(
        &self,
        jobs: &RunJobs,
        candidate: &Candidate,
        candidates: &[Candidate],
    ) -> Option<Decision> {
        let job = candidate.job?;
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
        let mut decision = Decision::new(
            Cause::Dependency,
            level::NAMED,
            format!(
                "Pulled into the transaction for {unit}: debug level logged its job {job} being installed while job {anchor} for {unit} was enqueued."
            ),
        )
        .trigger(unit, anchor_activation)
        .evidence(evidence);
        decision.link = Some(Link {
            kind: LinkKind::DebugLines,
            anchor_job: Some(anchor),
            next_job: None,
            own_block_min: None,
        });
        Some(decision)
    }
}

//! Rule 4: what remains began a transaction of its own, or has no job id.

use crate::events::EventKind;

use super::super::jobs::RunJobs;
use super::names::{is_connection_instance, trigger_names};
use super::walk::TimeOnly;
use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::KERNEL_LOG_SLACK_USEC;

impl RunRules<'_> {
    // ------------------------------------------------------------ rule 4

    /// Rule 4, with the note that timing alone linked it to another
    /// transaction when it did: the answer then names that candidate and is
    /// held to a low confidence.
    pub(super) fn own_transaction(
        &self,
        candidate: &Candidate,
        time_only: Option<&TimeOnly>,
    ) -> Decision {
        let mut decision = self.own_transaction_alone(candidate);
        if let Some(time_only) = time_only {
            let job = candidate.job.unwrap_or_default();
            let gap = match time_only.next_job {
                Some(next) => format!(
                    "the next job ({next}) came {} ids later, room for a request of its own (at least {} here)",
                    next - job,
                    time_only.own_block_min
                ),
                None => "no later job was logged to show how many ids it took".to_string(),
            };
            decision.explanation.push_str(&format!(
                " It was also dispatched within milliseconds of the transaction of {} (job {}), but timing alone does not make a dependency and the job ids do not link it: {gap}.",
                time_only.anchor_unit, time_only.anchor_job
            ));
            decision.confidence = decision.confidence.min(level::DOUBTFUL);
        }
        decision
    }

    fn own_transaction_alone(&self, candidate: &Candidate) -> Decision {
        let activation = self.act(candidate.activation);
        if let Some(decision) = self
            .listening_trigger(candidate, ".socket", Cause::Socket)
            .or_else(|| self.listening_trigger(candidate, ".path", Cause::Socket))
            .or_else(|| self.listening_trigger(candidate, ".timer", Cause::Timer))
        {
            return decision;
        }
        let job = candidate.job.unwrap_or_default();
        if self.startup_key.is_none_or(|s| candidate.key < s) && !self.boot_over(candidate) {
            return Decision::new(
                Cause::Unknown,
                level::NONE,
                format!(
                    "Requested in a transaction of its own (job {job}) while the system was still starting: udev, D-Bus activation and logind ask for units then, and nothing in the log names who asked for {}.",
                    activation.unit
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
        let transient = if activation.unit.ends_with(".service") {
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

    /// Whether the boot is over for `candidate` even without a startup-finished line
    /// (a user manager's or a lossy boot's): a later start already began a
    /// transaction outside the boot one.
    fn boot_over(&self, candidate: &Candidate) -> bool {
        self.startup_key.is_some_and(|s| candidate.key >= s)
    }

    /// A socket/path listening or a timer active, of the same name, when a
    /// service began a transaction of its own.
    fn listening_trigger(
        &self,
        candidate: &Candidate,
        suffix: &str,
        cause: Cause,
    ) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        for trigger in trigger_names(&activation.unit, suffix) {
            let Some(trigger_activation) = self.active_at(&trigger, candidate) else {
                continue;
            };
            let trigger_run = self.act(trigger_activation);
            let since = trigger_run
                .started
                .or(trigger_run.requested)
                .map(|s| s.event);
            let what = match suffix {
                ".socket" => "was listening",
                ".path" => "was watching",
                _ => "was active",
            };
            let per_connection =
                suffix == ".socket" && is_connection_instance(&activation.unit, &trigger);
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
                    .trigger(&trigger, Some(trigger_activation))
                    .evidence(since),
            );
        }
        None
    }

    /// The activation of `unit` in this run that was active when `candidate` started.
    pub(super) fn active_at(&self, unit: &str, candidate: &Candidate) -> Option<usize> {
        self.lc
            .activations_of(unit)
            .filter(|(_, activation)| activation.run == self.run)
            .filter(|(_, activation)| {
                activation
                    .started
                    .is_some_and(|s| self.key(s.event) <= candidate.key)
            })
            .filter(|(_, activation)| {
                activation
                    .ended
                    .is_none_or(|e| self.key(e.event) >= candidate.key)
            })
            .map(|(i, _)| i)
            .last()
    }

    /// Starts whose job id was not logged: text-only lines from early boot,
    /// or runs whose start lines were lost.
    pub(super) fn without_job(&self, candidate: &Candidate, jobs: &RunJobs) -> Decision {
        let activation = self.act(candidate.activation);
        let lc = self.lc;
        let text_only = activation
            .start_stamp()
            .is_some_and(|s| lc.event(s.event).from_text);
        let boot_from = jobs.boot.first().map(|b| b.from_key);
        let before_startup = self.startup_key.is_some_and(|s| candidate.key <= s);
        if text_only && (before_startup || self.startup_key.is_none()) {
            let after_queued = boot_from.is_none_or(|f| candidate.key + KERNEL_LOG_SLACK_USEC >= f)
                || !jobs.boot.is_empty();
            if after_queued {
                return Decision::new(
                    Cause::Boot,
                    level::PROBABLE,
                    "Logged during boot through the kernel log, before journald ran, so the line has no job id; starts at that point belong to the boot transaction.".to_string(),
                )
                .evidence(jobs.boot.first().and_then(|b| b.queued_event));
            }
        }
        let spawned = activation
            .events
            .iter()
            .copied()
            .find(|&i| matches!(lc.event(i).kind, EventKind::Spawned { .. }));
        if !activation.start_logged()
            && let Some(spawn) = spawned
            && before_startup
            && lc.previous(candidate.activation).is_none()
        {
            return Decision::new(
                Cause::Boot,
                level::EVEN,
                "Its start lines were lost, but its process was spawned while the system was starting and it had not run before in this boot, which is how boot transaction units start; nothing else is logged to confirm it.".to_string(),
            )
            .evidence([spawn]);
        }
        if !activation.start_logged() {
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

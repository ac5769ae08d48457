//! Rule 1, debug level: the D-Bus call that asked for the job.

use crate::events::{EventKind, EventTag, JobType};

use crate::cause::windows::{BUS_CALL_USEC, ENQUEUE_LOOK_BACK_USEC};

use super::{Candidate, Cause, Decision, RunRules, level};

impl RunRules<'_> {
    /// Debug level: the D-Bus call that asked for the job.
    pub(super) fn bus_call(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
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
            ) && e.unit.as_deref() == Some(activation.unit.as_str())
                && e.sort_key() <= candidate.key
                && candidate.key - e.sort_key() <= ENQUEUE_LOOK_BACK_USEC
        })?;
        if let Some(prev) = lc.previous(candidate.activation)
            && self
                .act(prev)
                .start_stamp()
                .is_some_and(|s| s.event > trying)
        {
            return None;
        }
        let (call, call_event) = self.of(EventTag::BusCall).rev().find(|(i, e)| {
            *i < trying && trying_event.sort_key().saturating_sub(e.sort_key()) <= BUS_CALL_USEC
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
}

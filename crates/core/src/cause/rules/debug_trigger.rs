//! Rule 1, debug level: the socket's traffic, the timer's or path's trigger.

use crate::events::EventTag;

use super::names::trigger_names;
use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    /// Debug level: the socket's traffic, the timer's or path's trigger.
    pub(super) fn debug_trigger(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        for (suffix, tag, cause) in [
            (".socket", EventTag::IncomingTraffic, Cause::Socket),
            (".timer", EventTag::TimerElapsed, Cause::Timer),
            (".path", EventTag::PathTriggered, Cause::Socket),
        ] {
            for trigger in trigger_names(&activation.unit, suffix) {
                let hit =
                    self.latest_before(tag, Some(&trigger), candidate.key, TRIGGER_WINDOW_USEC);
                // A trigger creates a job then, with an id above every id
                // logged before its line; a lower id was already queued (a
                // boot unit whose socket saw traffic while it was starting,
                // as journald's own does), so the trigger asked for nothing.
                let job_older =
                    |i: usize| candidate.job.is_some_and(|j| j <= self.max_job_before(i));
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
}

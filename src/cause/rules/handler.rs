//! Rule 1: OnFailure=/OnSuccess= handlers.

use crate::events::{EventKind, EventTag, TriggerKind};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::{HANDLER_WINDOW_USEC, TRIGGER_FAILED_USEC};

impl RunRules<'_> {
    /// OnFailure=/OnSuccess= handlers: the first start job created after the
    /// "Triggering" line (its id is above every id logged before it).
    pub(super) fn handler(&self, c: &Candidate) -> Option<Decision> {
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
            let failed_to_enqueue = self.of(EventTag::TriggerFailed).any(|(i, f)| {
                f.unit == t.unit && i > t_index && f.sort_key() - t_key < TRIGGER_FAILED_USEC
            });
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
}

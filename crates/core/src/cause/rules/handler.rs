//! Rule 1: OnFailure=/OnSuccess= handlers.

use crate::events::{EventKind, EventTag, TriggerKind};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::{HANDLER_WINDOW_USEC, TRIGGER_FAILED_USEC};

impl RunRules<'_> {
    /// OnFailure=/OnSuccess= handlers: the first start job created after the
    /// "Triggering" line (its id is above every id logged before it).
    pub(super) fn handler(&self, candidate: &Candidate) -> Option<Decision> {
        let job = candidate.job?;
        let lc = self.lc;
        let mut best: Option<Decision> = None;
        for (triggering_index, triggering) in self.of(EventTag::TriggeringDependencies) {
            let EventKind::TriggeringDependencies { trigger } = triggering.kind else {
                continue;
            };
            let triggering_key = triggering.sort_key();
            if candidate.key < triggering_key
                || candidate.key - triggering_key > HANDLER_WINDOW_USEC
            {
                continue;
            }
            let failed_to_enqueue = self.of(EventTag::TriggerFailed).any(|(i, f)| {
                f.unit == triggering.unit
                    && i > triggering_index
                    && f.sort_key() - triggering_key < TRIGGER_FAILED_USEC
            });
            if failed_to_enqueue {
                continue;
            }
            let max_before = self.max_job_before(triggering_index);
            if job <= max_before {
                continue;
            }
            // The handler's job is the lowest id created after the trigger.
            let lower_exists = lc.activations.iter().any(|o| {
                o.run == self.run
                    && o.start_job_id.is_some_and(|j| j > max_before && j < job)
                    && o.start_stamp()
                        .is_some_and(|s| self.key(s.event) >= triggering_key)
            });
            if lower_exists {
                continue;
            }
            let failed_unit = triggering.unit.clone().unwrap_or_default();
            let (cause, what) = match trigger {
                TriggerKind::OnFailure => (Cause::OnFailure, "failed"),
                TriggerKind::OnSuccess => (Cause::OnSuccess, "succeeded"),
            };
            let mut evidence = vec![triggering_index];
            if let Some(activation) = lc.activation_of_event(triggering_index) {
                evidence.extend(self.end_lines(self.act(activation)));
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
                .trigger(&failed_unit, lc.activation_of_event(triggering_index))
                .evidence(evidence),
            );
        }
        best
    }
}

//! Rule 1, debug level: a unit started because another upholds it.

use crate::events::{EventKind, EventTag};

use super::{Candidate, Cause, Decision, Link, LinkKind, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    /// Debug level: "Unit is started because upheld by active unit X."
    pub(super) fn upheld(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        let (i, e) = self.latest_before(
            EventTag::UpheldBy,
            Some(&activation.unit),
            candidate.key,
            TRIGGER_WINDOW_USEC,
        )?;
        let EventKind::UpheldBy { by } = &e.kind else {
            return None;
        };
        let mut decision = Decision::new(
            Cause::Dependency,
            level::SHOWN,
            format!("Started because {by} upholds it (Upholds=), as the debug line says."),
        )
        .trigger(by, None)
        .evidence([i]);
        decision.link = Some(Link {
            kind: LinkKind::DebugLines,
            anchor_job: None,
            next_job: None,
            own_block_min: None,
        });
        Some(decision)
    }
}

//! Rule 1, debug level: a unit started because another upholds it.

use crate::events::{EventKind, EventTag};

use super::{Candidate, Cause, Decision, Link, LinkKind, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    /// Debug level: "Unit is started because upheld by active unit X."
    pub(super) fn upheld(&self, c: &Candidate) -> Option<Decision> {
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
}

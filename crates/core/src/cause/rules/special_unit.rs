//! Rule 1: a special unit the manager activated itself on a signal.

use crate::events::EventTag;

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::SHUTDOWN_WINDOW_USEC;

impl RunRules<'_> {
    /// "Activating special unit X...": the manager started it itself on a
    /// signal (SIGTERM to a user manager, ctrl-alt-del, SIGRTMIN+n).
    pub(super) fn special_unit(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        let (i, _) = self.latest_before(
            EventTag::SpecialUnitRequested,
            Some(&activation.unit),
            candidate.key,
            SHUTDOWN_WINDOW_USEC,
        )?;
        Some(
            Decision::new(
                Cause::Manual,
                level::LEANING,
                format!(
                    "The manager activated the special unit {} itself because a signal asked for it (a logout or shutdown stopping a user manager, ctrl-alt-del, SIGRTMIN+n).",
                    activation.unit
                ),
            )
            .evidence([i]),
        )
    }
}

//! Rule 1: a mount started right after its automount got a request.

use crate::events::{EventKind, EventTag};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    /// A mount started right after its automount got a request (info level).
    pub(super) fn automount(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        let stem = activation.unit.strip_suffix(".mount")?;
        let trigger = format!("{stem}.automount");
        let (i, e) = self.latest_before(
            EventTag::AutomountRequest,
            Some(&trigger),
            candidate.key,
            TRIGGER_WINDOW_USEC,
        )?;
        let EventKind::AutomountRequest { path, pid, comm } = &e.kind else {
            return None;
        };
        let by = match (pid, comm) {
            (Some(pid), Some(comm)) => format!(" from PID {pid} ({comm})"),
            (Some(p), None) => format!(" from PID {p}"),
            _ => String::new(),
        };
        Some(
            Decision::new(
                Cause::Socket,
                level::SHOWN,
                format!("Mounted on demand: {trigger} got an automount request for {path}{by} just before."),
            )
            .trigger(&trigger, self.lc.activation_of_event(i))
            .evidence([i]),
        )
    }
}

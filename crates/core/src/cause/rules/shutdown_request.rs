//! Rule 1: reboot.target & co. after logind announced that shutdown.

use crate::events::{EventKind, EventTag};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::SHUTDOWN_WINDOW_USEC;

impl RunRules<'_> {
    /// reboot.target & co. after logind announced that shutdown.
    pub(super) fn shutdown_request(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        let wanted = match activation.unit.as_str() {
            "reboot.target" => "reboot",
            "poweroff.target" => "power-off",
            "halt.target" => "halt",
            "kexec.target" => "kexec",
            _ => return None,
        };
        let (i, e) = self.of(EventTag::Shutdown).rev().find(|(_, e)| {
            matches!(&e.kind, EventKind::Shutdown { kind } if kind.as_deref() == Some(wanted))
                && e.sort_key() <= candidate.key
                && candidate.key - e.sort_key() <= SHUTDOWN_WINDOW_USEC
        })?;
        let verb = if wanted == "power-off" {
            "poweroff"
        } else {
            wanted
        };
        let mut decision = Decision::new(
            Cause::Manual,
            level::SHOWN,
            format!(
                "Requested through systemd-logind, which announced \"{}\" (systemctl {verb} or the desktop's menu).",
                e.evidence.message
            ),
        )
        .evidence([i]);
        decision.range_from = Some(e.sort_key());
        Some(decision)
    }
}

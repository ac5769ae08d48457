//! Rule 1: sudo's `systemctl start` (and `systemd-run`) lines.

use crate::events::{EventKind, EventTag, parse_systemctl_command, parse_systemd_run_unit};

use super::names::short_command;
use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::SUDO_WINDOW_USEC;

impl RunRules<'_> {
    /// sudo's "COMMAND=/usr/bin/systemctl start X" shortly before.
    pub(super) fn sudo(&self, candidate: &Candidate) -> Option<Decision> {
        let (i, line) = self.sudo_line(
            candidate,
            &[
                "start",
                "enable",
                "reload-or-restart",
                "restart",
                "try-restart",
                "isolate",
            ],
        )?;
        Some(
            Decision::new(
                Cause::Manual,
                level::NAMED,
                format!("Started by hand: sudo logged `{line}` just before."),
            )
            .evidence([i]),
        )
    }

    /// The latest sudo line that ran `systemctl VERB … unit` before `candidate`, and
    /// no earlier start of the unit already answered it.
    pub(super) fn sudo_line(
        &self,
        candidate: &Candidate,
        verbs: &[&str],
    ) -> Option<(usize, String)> {
        let unit = &self.act(candidate.activation).unit;
        self.latest_sudo(candidate, |command| {
            parse_systemctl_command(command)
                .is_some_and(|(verb, units)| verbs.contains(&verb.as_str()) && units.contains(unit))
        })
    }

    /// The latest sudo line that ran `systemd-run --unit=` this unit before
    /// `candidate` (and after the unit's previous start).
    pub(super) fn sudo_systemd_run(&self, candidate: &Candidate) -> Option<(usize, String)> {
        let unit = &self.act(candidate.activation).unit;
        self.latest_sudo(candidate, |command| {
            parse_systemd_run_unit(command).as_deref() == Some(unit.as_str())
        })
    }

    /// The latest sudo line whose command `wanted` accepts, within
    /// [`SUDO_WINDOW_USEC`] before `candidate` and after the unit's previous
    /// start (a line an earlier start already answered explains nothing more).
    /// Only the system manager's units: sudo runs system commands.
    fn latest_sudo(
        &self,
        candidate: &Candidate,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<(usize, String)> {
        if !self.lc.runs[self.run].manager.is_system() {
            return None;
        }
        let prev_key = self.lc.previous(candidate.activation).map(|p| {
            let p = self.act(p);
            p.start_stamp().map(|s| self.key(s.event)).unwrap_or(0)
        });
        self.of(EventTag::Sudo)
            .rev()
            .filter(|(_, e)| {
                e.sort_key() <= candidate.key && candidate.key - e.sort_key() <= SUDO_WINDOW_USEC
            })
            .filter(|(_, e)| prev_key.is_none_or(|p| e.sort_key() > p))
            .find_map(|(i, e)| match &e.kind {
                EventKind::Sudo { user, command } if wanted(command) => {
                    Some((i, format!("{user}: {}", short_command(command))))
                }
                _ => None,
            })
    }
}

//! Rule 1: transient units (systemd-run, scopes, dbus-broker's units).

use crate::events::{EventTag, is_transient_name, looks_like_command_line};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    pub(super) fn transient(&self, c: &Candidate) -> Option<Decision> {
        let d = self.transient_unit(c)?;
        Some(self.started_by_transient_timer(c).unwrap_or(d))
    }

    /// A transient service whose namesake `.timer` was active: `systemd-run
    /// --on-active=…/--on-calendar=…` creates both, and the service runs when
    /// the timer elapses, so the timer started it.
    fn started_by_transient_timer(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        let stem = a.unit.strip_suffix(".service")?;
        let timer = format!("{stem}.timer");
        let t = self.active_at(&timer, c)?;
        let since = self
            .act(t)
            .started
            .or(self.act(t).requested)
            .map(|s| s.event);
        let elapsed = self.latest_before(
            EventTag::TimerElapsed,
            Some(&timer),
            c.key,
            TRIGGER_WINDOW_USEC,
        );
        let confidence = if elapsed.is_some() {
            level::NAMED
        } else {
            level::STRONG
        };
        Some(
            Decision::new(
                Cause::Timer,
                confidence,
                format!(
                    "Started by {timer}: systemd-run --on-active/--on-calendar creates a transient timer and a service of the same name, which runs when the timer elapses."
                ),
            )
            .trigger(&timer, Some(t))
            .evidence(since.into_iter().chain(elapsed.map(|(i, _)| i))),
        )
    }

    fn transient_unit(&self, c: &Candidate) -> Option<Decision> {
        let a = self.act(c.activation);
        if is_transient_name(&a.unit) {
            let why = if a.unit.ends_with(".scope") {
                "scope units exist only as transient units, created on request (logind, a desktop, a container manager)"
            } else if a.unit.starts_with("dbus-:") {
                "dbus-broker creates such units to activate a bus service"
            } else {
                "the name is the kind systemd-run gives the units it creates"
            };
            return Some(Decision::new(
                Cause::Transient,
                level::SHOWN,
                format!("A transient unit: {why}."),
            ));
        }
        if let Some((i, line)) = self.sudo_systemd_run(c) {
            return Some(
                Decision::new(
                    Cause::Transient,
                    level::NAMED,
                    format!(
                        "A transient unit: sudo logged `{line}` just before, which creates it."
                    ),
                )
                .evidence([i]),
            );
        }
        let started = a.started?;
        let message = &self.lc.event(started.event).evidence.message;
        if looks_like_command_line(message, &a.unit) {
            return Some(Decision::new(
                Cause::Transient,
                level::FAIR,
                "A transient unit: its description is a command line, which is what systemd-run uses when given none.".to_string(),
            ));
        }
        None
    }
}

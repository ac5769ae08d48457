//! Rule 1: transient units (systemd-run, scopes, dbus-broker's units).

use crate::events::{EventTag, is_transient_name, looks_like_command_line};

use super::{Candidate, Cause, Decision, RunRules, level};
use crate::cause::windows::TRIGGER_WINDOW_USEC;

impl RunRules<'_> {
    pub(super) fn transient(&self, candidate: &Candidate) -> Option<Decision> {
        let decision = self.transient_unit(candidate)?;
        Some(
            self.started_by_transient_timer(candidate)
                .unwrap_or(decision),
        )
    }

    /// A transient service whose namesake `.timer` was active: `systemd-run
    /// --on-active=…/--on-calendar=…` creates both, and the service runs when
    /// the timer elapses, so the timer started it.
    fn started_by_transient_timer(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        let stem = activation.unit.strip_suffix(".service")?;
        let timer = format!("{stem}.timer");
        let timer_activation = self.active_at(&timer, candidate)?;
        let since = self
            .act(timer_activation)
            .started
            .or(self.act(timer_activation).requested)
            .map(|s| s.event);
        let elapsed = self.latest_before(
            EventTag::TimerElapsed,
            Some(&timer),
            candidate.key,
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
            .trigger(&timer, Some(timer_activation))
            .evidence(since.into_iter().chain(elapsed.map(|(i, _)| i))),
        )
    }

    fn transient_unit(&self, candidate: &Candidate) -> Option<Decision> {
        let activation = self.act(candidate.activation);
        if is_transient_name(&activation.unit) {
            let why = if activation.unit.ends_with(".scope") {
                "scope units exist only as transient units, created on request (logind, a desktop, a container manager)"
            } else if activation.unit.starts_with("dbus-:") {
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
        if let Some((i, line)) = self.sudo_systemd_run(candidate) {
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
        let started = activation.started?;
        let message = &self.lc.event(started.event).evidence.message;
        if looks_like_command_line(message, &activation.unit) {
            return Some(Decision::new(
                Cause::Transient,
                level::FAIR,
                "A transient unit: its description is a command line, which is what systemd-run uses when given none.".to_string(),
            ));
        }
        None
    }
}

//! Rule 1: restarts, by systemd (Restart=) or by request (a restart job).

use crate::events::{EventKind, JobType};
use crate::lifecycle::Activation;

use super::names::describe_end;
use super::{Candidate, Cause, Decision, RunRules, level};

impl RunRules<'_> {
    /// Restarts: by systemd (Restart=) or by request (a restart job).
    pub(super) fn restart(&self, candidate: &Candidate) -> Option<Decision> {
        let lc = self.lc;
        let prev_i = lc.previous(candidate.activation)?;
        let prev = self.act(prev_i);
        let same_job = candidate.job.is_some() && prev.stop_job_id == candidate.job;
        let converted = prev.events.iter().any(|&i| {
            matches!(
                lc.event(i).kind,
                EventKind::JobConverted {
                    from: JobType::Restart,
                    ..
                }
            )
        });
        let stopping_by_request = prev.stopping.is_some()
            && (prev.stop_job_id == candidate.job || prev.stop_job_type == Some(JobType::Restart));
        // It ended by itself before the restart job's "Stopped" line.
        let ended_by_itself = match (prev.ended, prev.stopped) {
            (Some(end), Some(stop)) => end.event != stop.event,
            (Some(_), None) => true,
            _ => false,
        };
        if let Some((rs, n)) = prev.restart_scheduled
            && !stopping_by_request
        {
            // A stop by hand between the scheduled restart and this start
            // would have cancelled it.
            let stopped_by_hand = prev.stopping.is_some_and(|s| s.event > rs.event);
            if !stopped_by_hand {
                let mut evidence = vec![rs.event];
                evidence.extend(self.end_lines(prev));
                if let Some(s) = prev.stopped {
                    evidence.push(s.event);
                }
                return Some(self.auto_restart(prev, n, level::NAMED, evidence));
            }
        }
        if same_job
            && prev.stop_job_type == Some(JobType::Restart)
            && !stopping_by_request
            && ended_by_itself
        {
            // RESTART_SCHEDULED was not logged (lost, or filtered), but the
            // restart job picked up a unit that had already ended by itself.
            let mut evidence = self.end_lines(prev);
            evidence.extend(prev.stopped.map(|s| s.event));
            return Some(self.auto_restart(prev, None, level::PROBABLE, evidence));
        }
        if converted && prev.stopping.is_none() && ended_by_itself {
            let evidence: Vec<usize> = prev
                .events
                .iter()
                .copied()
                .filter(|&i| matches!(lc.event(i).kind, EventKind::JobConverted { .. }))
                .chain(self.end_lines(prev))
                .collect();
            return Some(self.auto_restart(prev, None, level::PROBABLE, evidence));
        }
        if same_job && (prev.stopping.is_some() || prev.stop_job_type == Some(JobType::Restart)) {
            let mut evidence: Vec<usize> = [prev.stopping, prev.stopped]
                .into_iter()
                .flatten()
                .map(|s| s.event)
                .collect();
            let mut confidence = level::SHOWN;
            let mut by = String::new();
            if let Some((sudo, line)) = self.sudo_line(
                candidate,
                &[
                    "restart",
                    "try-restart",
                    "reload-or-restart",
                    "try-reload-or-restart",
                    "condrestart",
                    "force-reload",
                ],
            ) {
                evidence.push(sudo);
                confidence = level::CONFIRMED;
                by = format!(" (`{line}`)");
            }
            return Some(
                Decision::new(
                    Cause::AdminRestart,
                    confidence,
                    format!(
                        "Restarted on request{by}: one restart job (job {}) stopped the running unit and started it again, with no failure or scheduled restart before it.",
                        candidate.job.unwrap_or_default()
                    ),
                )
                .evidence(evidence),
            );
        }
        None
    }

    fn auto_restart(
        &self,
        prev: &Activation,
        n: Option<u32>,
        confidence: f64,
        evidence: Vec<usize>,
    ) -> Decision {
        let counter = n
            .map(|n| format!("; restart counter {n}"))
            .unwrap_or_default();
        match self.previous_failed(prev) {
            Some(true) => Decision::new(
                Cause::FailureRestart,
                confidence,
                format!(
                    "Restarted by systemd (Restart=) after the previous run failed ({}){counter}.",
                    describe_end(prev)
                ),
            ),
            Some(false) => Decision::new(
                Cause::PolicyRestart,
                confidence,
                format!(
                    "Restarted by systemd's Restart= policy after the previous run ended cleanly ({}){counter}.",
                    describe_end(prev)
                ),
            ),
            None => Decision::new(
                Cause::FailureRestart,
                confidence.min(level::EVEN),
                format!(
                    "Restarted by systemd (Restart=){counter}, but how the previous run ended was not logged; a failure is the likelier reason."
                ),
            ),
        }
        .evidence(evidence)
    }

    /// Whether the run before a restart failed: Some(true/false), None if the
    /// log does not say.
    fn previous_failed(&self, prev: &Activation) -> Option<bool> {
        if let Some(result) = prev.result.as_deref() {
            return Some(result != "success");
        }
        if let Some(exit) = &prev.exit {
            return Some(!exit.is_clean_for_daemon());
        }
        // Debug level: v252 passes through "failed" on the way to
        // "auto-restart"; v254+ through "failed-before-auto-restart" or
        // "dead-before-auto-restart" (the run's own exit lines may be lost
        // while these survive, through the kernel log).
        let failed = |state: &str| state == "failed" || state == "failed-before-auto-restart";
        prev.events
            .iter()
            .find_map(|&i| match &self.lc.event(i).kind {
                EventKind::StateChanged { to, .. } if failed(to) => Some(true),
                EventKind::StateChanged { to, .. } if to == "dead-before-auto-restart" => {
                    Some(false)
                }
                EventKind::StateChanged { from, to } if to == "auto-restart" && !failed(from) => {
                    Some(false)
                }
                _ => None,
            })
    }

    /// The lines that tell how a run ended.
    pub(super) fn end_lines(&self, activation: &Activation) -> Vec<usize> {
        activation
            .events
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.lc.event(i).kind,
                    EventKind::ProcessExit(_)
                        | EventKind::FailureResult { .. }
                        | EventKind::Success
                )
            })
            .take(3)
            .collect()
    }
}

//! Typed lifecycle events from journal entries: the second stage.
//!
//! systemd's managers (PID 1 and each `systemd --user`) say what happens to
//! units in structured entries: a `MESSAGE_ID` for the kind of message plus
//! `UNIT=`/`USER_UNIT=`, `JOB_ID=`, `INVOCATION_ID=`, `EXIT_CODE=` and the
//! like. [`Event::from_entry`] turns such an entry into an [`Event`] keyed on
//! those fields, never on the wording, which changes with the version,
//! `StatusUnitFormat=` and the locale.
//!
//! Some messages have no ID (the watchdog, start timeouts, OnFailure=
//! triggering, every debug line) and PID 1 logs its first lines of a boot
//! through the kernel log with no fields at all. Those are recognised by text,
//! and all such text lives in one file, `text.rs`, so a new systemd wording is
//! one edit there.
//!
//! [`wanted`] gives the journal matches that select every entry this module
//! can turn into an event, so callers read only those (libsystemd answers them
//! from the files' indexes).

mod event;
pub mod ids;
mod parse;
pub mod service_log;
pub mod shutdown;
mod text;

pub use event::{
    Event, EventKind, EventTag, ExitKind, JobType, Manager, ProcessExit, ProcessRole, Resources,
    TriggerKind,
};
pub use parse::FIELDS;
pub use text::{
    is_transient_name, looks_like_command_line, parse_systemctl_command, parse_systemd_run_unit,
    unit_name,
};

use crate::journal::Match;

/// The journal matches (groups ORed, as [`crate::journal::Filter::any_of`])
/// that select every entry [`Event::from_entry`] understands: PID 1 (also its
/// kernel-log lines from early boot), user managers, systemd-coredump, failed
/// spawns (logged by the child), logind's shutdown message and sudo.
pub fn wanted() -> Vec<Vec<Match>> {
    vec![
        vec![Match::new("_PID", "1")],
        vec![
            Match::new("SYSLOG_PID", "1"),
            Match::new("_TRANSPORT", "kernel"),
        ],
        vec![Match::new("_SYSTEMD_USER_UNIT", "init.scope")],
        vec![Match::new("MESSAGE_ID", ids::COREDUMP)],
        vec![Match::new("MESSAGE_ID", ids::SPAWN_FAILED)],
        vec![Match::new("MESSAGE_ID", ids::SHUTDOWN)],
        vec![Match::new("SYSLOG_IDENTIFIER", "sudo")],
    ]
}

#[cfg(test)]
mod tests;

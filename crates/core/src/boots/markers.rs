//! The lines that mark a boot's startup and shutdown, in their two forms
//! side by side: as indexed matches ([`marker_matches`], what an indexed
//! journal is asked for) and as the reading of one entry
//! ([`Gathered::note_markers`], what a stream's every entry goes through). A line
//! one form knows and the other does not would make a boot end differently
//! read from files and from a stream; the shutdown units both name are one
//! list, [`shutdown::UNITS`].

use super::LAST_ENTRIES_KEPT;
use super::gathered::Gathered;
use super::model::{ShutdownKind, StartupFinished};
use crate::events::{ids, shutdown};
use crate::evidence::Evidence;
use crate::journal::{Entry, Match};

/// What [`Gathered::note_markers`] and the evidence it keeps read of a marker
/// entry: on a journal of many boots the marker lines are a hundred
/// thousand entries, and their other fields are most of what a read costs.
pub(super) const MARKER_FIELDS: &[&str] = &[
    "MESSAGE",
    "MESSAGE_ID",
    "SHUTDOWN",
    "_PID",
    "SYSLOG_PID",
    "SYSLOG_IDENTIFIER",
    "UNIT",
    "KERNEL_USEC",
    "INITRD_USEC",
    "USERSPACE_USEC",
    // What describes an entry without MESSAGE (evidence.rs).
    "_COMM",
    "_TRANSPORT",
];

/// The entries that mark startup and shutdown, as indexed matches: what an
/// indexed journal needs beyond entry headers to tell how each boot ended.
pub fn marker_matches() -> Vec<Vec<Match>> {
    let mut groups = vec![
        vec![Match::new("MESSAGE_ID", ids::SHUTDOWN)],
        vec![
            Match::new("MESSAGE_ID", ids::STARTUP_FINISHED),
            Match::new("_PID", "1"),
        ],
        vec![Match::new("SYSLOG_IDENTIFIER", "systemd-shutdown")],
        vec![
            Match::new("_PID", "1"),
            Match::new("MESSAGE", "Shutting down."),
        ],
        // "systemd X running in system mode" arrives through kmsg, before
        // journald runs, among a hundred other kernel-relayed lines of PID 1
        // per boot: only the two kinds note_markers reads are asked for.
        vec![
            Match::new("SYSLOG_IDENTIFIER", "systemd"),
            Match::new("_TRANSPORT", "kernel"),
            Match::starting("MESSAGE", "systemd "),
            Match::new("MESSAGE", "Shutting down."),
        ],
    ];
    let mut targets = vec![
        Match::new("MESSAGE_ID", ids::UNIT_STARTED),
        Match::new("_PID", "1"),
    ];
    for (unit, _) in shutdown::UNITS {
        targets.push(Match::new("UNIT", unit));
    }
    groups.push(targets);
    groups
}

impl Gathered {
    /// Startup and shutdown lines, as [`marker_matches`] asks for them.
    pub(super) fn note_markers(&mut self, entry: &Entry) {
        let message_id = entry.str("MESSAGE_ID");
        let from_pid1 = entry.is_from_pid1() || entry.field("SYSLOG_PID") == Some(b"1");
        match message_id {
            Some(ids::SHUTDOWN) => {
                let kind = entry.str("SHUTDOWN").and_then(ShutdownKind::from_word);
                self.remember_shutdown(entry, kind);
                return;
            }
            Some(ids::STARTUP_FINISHED) if from_pid1 => {
                self.startup_finished = Some(StartupFinished {
                    realtime_usec: entry.realtime_usec,
                    monotonic_usec: entry.monotonic_usec,
                    kernel_usec: entry.number("KERNEL_USEC"),
                    initrd_usec: entry.number("INITRD_USEC"),
                    userspace_usec: entry.number("USERSPACE_USEC"),
                    evidence: Evidence::from_entry(entry),
                });
                return;
            }
            Some(ids::UNIT_STARTED) if from_pid1 => {
                if let Some(unit) = entry.str("UNIT")
                    && shutdown::is_shutdown_unit(unit)
                {
                    self.remember_shutdown(entry, ShutdownKind::from_unit(unit));
                }
                return;
            }
            _ => {}
        }
        if !from_pid1 && entry.str("SYSLOG_IDENTIFIER") != Some("systemd-shutdown") {
            return;
        }
        // Text fallbacks: these lines carry no MESSAGE_ID in any version.
        let message = entry.message();
        if let Some(rest) = message.strip_prefix("systemd ")
            && let Some((version, _)) = rest.split_once(" running in system mode")
        {
            self.systemd_version = Some(version.to_string());
        } else if entry.str("SYSLOG_IDENTIFIER") == Some("systemd-shutdown")
            || message == "Shutting down."
        {
            self.remember_shutdown(entry, None);
        }
    }

    fn remember_shutdown(&mut self, entry: &Entry, kind: Option<ShutdownKind>) {
        if kind.is_some() && self.shutdown.is_none() {
            self.shutdown = kind;
        }
        if self.shutdown_evidence.len() < LAST_ENTRIES_KEPT {
            self.shutdown_evidence.push(Evidence::from_entry(entry));
        } else if let Some(last) = self.shutdown_evidence.last_mut() {
            *last = Evidence::from_entry(entry);
        }
    }
}

//! What is gathered of one boot while its entries are read (headers,
//! marker lines, last entries), and the boot it makes once they are.
//! `scan` gathers, `markers` reads the marker lines into it, `order` orders
//! boots by it.

use std::collections::VecDeque;

use super::coverage::Coverage;
use super::model::{Boot, BootEnd, ShutdownKind, StartupFinished};
use crate::evidence::Evidence;
use crate::journal::{BootHeaders, Id128};

pub(super) struct Gathered {
    /// Counts, ends, sequence numbers and clock jumps, from entry headers.
    pub(super) headers: BootHeaders,
    pub(super) systemd_version: Option<String>,
    pub(super) startup_finished: Option<StartupFinished>,
    pub(super) shutdown: Option<ShutdownKind>,
    pub(super) shutdown_evidence: Vec<Evidence>,
    /// The boot's last entries, oldest first.
    pub(super) tail: VecDeque<TailEntry>,
    /// Damage found in its headers, for its notes.
    pub(super) damage: Vec<String>,
    /// Entries whose header named another boot though their `_BOOT_ID`
    /// field names this one: counted here (see [`BootScanner::observe`]).
    pub(super) misnamed: u64,
}

impl Gathered {
    /// journald's "Journal stopped" ends a boot only when it is the last
    /// entry not relayed from the kernel; the one at switch-root is followed
    /// by the rest of the boot.
    pub(super) fn final_journal_stop(&self) -> Option<&Evidence> {
        self.tail
            .iter()
            .rev()
            .find(|t| !t.kernel)
            .filter(|t| t.journal_stop)
            .map(|t| &t.evidence)
    }

    pub(super) fn into_boot(
        mut self,
        boot_id: Id128,
        index: i64,
        newest: bool,
        coverage: Coverage,
    ) -> Boot {
        if let Some(stop) = self.final_journal_stop().cloned() {
            self.shutdown_evidence.push(stop);
        }
        let clean = self.shutdown.is_some() || !self.shutdown_evidence.is_empty();
        let end = if clean {
            BootEnd::Clean
        } else if newest {
            BootEnd::Running
        } else if coverage.end_judgeable() {
            BootEnd::Unclean
        } else {
            BootEnd::Unknown
        };
        let mut notes = std::mem::take(&mut self.damage);
        if self.misnamed > 0 {
            notes.push(format!(
                "{} entr{} of this boot by {} _BOOT_ID field name{} another boot in {} header: a damaged header, counted with this boot",
                self.misnamed,
                if self.misnamed == 1 { "y" } else { "ies" },
                if self.misnamed == 1 { "its" } else { "their" },
                if self.misnamed == 1 { "s" } else { "" },
                if self.misnamed == 1 { "its" } else { "their" },
            ));
        }
        if end == BootEnd::Unknown
            && let Some(reason) = coverage.reason()
        {
            notes.push(format!(
                "how this boot ended cannot be told: no shutdown was logged, but {reason}"
            ));
        }
        let h = self.headers;
        if h.impossible_times > 0 {
            notes.push(format!(
                "{} entr{} had a monotonic time that cannot be (a damaged header): left out of this boot's uptime, first and last entry",
                h.impossible_times,
                if h.impossible_times == 1 { "y" } else { "ies" }
            ));
        }
        if h.clock_jumps > 0 {
            notes.push(format!(
                "the wall clock jumped {} time(s) during this boot; wall-clock times before the jump are not comparable with later ones",
                h.clock_jumps
            ));
        }
        if clean && self.shutdown.is_none() {
            notes.push(
                "a shutdown was logged but not whether it was a reboot or a power-off".to_string(),
            );
        }
        let end_evidence = match end {
            BootEnd::Clean => self.shutdown_evidence,
            BootEnd::Unclean | BootEnd::Running | BootEnd::Unknown => {
                self.tail.into_iter().map(|t| t.evidence).collect()
            }
        };
        let duration_usec = match (h.first_mono, h.last_mono) {
            (Some(_), Some(last)) => last,
            _ => h.max_realtime.saturating_sub(h.first.realtime_usec),
        };
        Boot {
            boot_id,
            index,
            first_realtime_usec: h.first.realtime_usec,
            last_realtime_usec: h.last.realtime_usec,
            first_monotonic_usec: h.first_mono,
            last_monotonic_usec: h.last_mono,
            first_cursor: h.first.cursor,
            last_cursor: h.last.cursor,
            duration_usec,
            entries: h.entries,
            systemd_version: self.systemd_version,
            startup_finished: self.startup_finished,
            end,
            shutdown: if clean { self.shutdown } else { None },
            end_evidence,
            downtime_usec: None,
            notes,
            coverage,
        }
    }
}

/// One of a boot's last entries, with what its end is judged by.
pub(super) struct TailEntry {
    pub(super) evidence: Evidence,
    pub(super) kernel: bool,
    pub(super) journal_stop: bool,
}

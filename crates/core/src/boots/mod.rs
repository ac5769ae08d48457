//! Boots: which ones the journal holds, in what order, and how each ended.
//!
//! Boots are grouped by `_BOOT_ID` ourselves rather than asked of libsystemd:
//! journalctl 252 loses boots when the wall clock restarts at every boot (a
//! machine without an RTC). Order comes from two clues: entries of two boots
//! that share a sequence-number series are ordered by sequence number (a hard
//! fact), otherwise by each boot's newest wall-clock time (what systemd 254+
//! does). Durations use the monotonic clock, which a clock jump cannot move.
//!
//! How a boot ended is read from the shutdown sequence by `MESSAGE_ID` and
//! `UNIT=`: the shutdown/final/reboot targets, logind's `SHUTDOWN=` message,
//! systemd-shutdown's lines, and journald's final "Journal stopped" (the one at
//! switch-root is not final, because entries follow it).

pub mod coverage;
mod gathered;
mod markers;
mod model;
mod order;
mod scan;
mod select;

pub use self::coverage::{Coverage, Gap, Side, State as CoverageState};
pub use self::markers::marker_matches;
pub use self::model::{Boot, BootEnd, ShutdownKind, StartupFinished};
pub use self::order::outline_order;
pub use self::scan::{BootScanner, scan_indexed};
pub use self::select::{check_spec, position, select};
pub use crate::journal::cursor_part;

/// How many of a boot's last entries are kept to show what happened before
/// a cut, and how many shutdown lines as the evidence of a clean end.
const LAST_ENTRIES_KEPT: usize = 8;

#[cfg(test)]
mod tests;

//! The `boots` table: one row per boot, oldest first, with how it ended.
//!
//! Built from [`crate::boots::Boot`], so it agrees with `jforensics boots`;
//! the evidence lists are flattened to the last line (the one a reader checks
//! first), because nested columns do not survive CSV.

use polars::prelude::*;

use super::columns::{ColumnDoc, FrameBuilder, Kind, column, to_i64};
use crate::boots::{Boot, BootEnd};

pub const NAME: &str = "boots";

pub const ABOUT: &str = "one row per boot, oldest first, with how it ended";

pub const COLUMNS: &[ColumnDoc] = &[
    column("boot_id", Kind::Text, false, "32 lowercase hex digits"),
    column(
        "boot_index",
        Kind::Int,
        false,
        "0 for the newest boot, -1 for the one before, … (as `journalctl -b`)",
    ),
    column(
        "first_entry",
        Kind::Datetime,
        false,
        "time of the boot's first entry",
    ),
    column(
        "last_entry",
        Kind::Datetime,
        false,
        "time of the boot's last entry",
    ),
    column(
        "first_cursor",
        Kind::Text,
        false,
        "cursor of the first entry (`journalctl --cursor=…`)",
    ),
    column("last_cursor", Kind::Text, false, "cursor of the last entry"),
    column(
        "uptime_usec",
        Kind::Int,
        false,
        "uptime at the last entry (monotonic clock; the wall-clock span if the source had no monotonic times)",
    ),
    column(
        "entries",
        Kind::Int,
        false,
        "entries of this boot that were read",
    ),
    column(
        "systemd_version",
        Kind::Text,
        true,
        "from PID 1's \"systemd X running in system mode\"",
    ),
    column(
        "startup_finished",
        Kind::Datetime,
        true,
        "when systemd logged \"Startup finished\"; null if it never did",
    ),
    column(
        "startup_finished_mono_usec",
        Kind::Int,
        true,
        "the same moment on the boot's monotonic clock (time since boot)",
    ),
    column(
        "kernel_usec",
        Kind::Int,
        true,
        "kernel part of startup, from \"Startup finished\"",
    ),
    column("initrd_usec", Kind::Int, true, "initrd part of startup"),
    column(
        "userspace_usec",
        Kind::Int,
        true,
        "userspace part of startup",
    ),
    column(
        "end_state",
        Kind::Category,
        false,
        "`clean` (a shutdown was logged), `unclean` (the journal just stops and a later boot exists: power loss, crash) `running` (newest boot, no shutdown logged) or `unknown` (no shutdown logged, but entries are missing around its end: an excerpt or a cut)",
    ),
    column(
        "shutdown",
        Kind::Category,
        true,
        "`reboot`, `poweroff`, `halt` or `kexec` for clean ends whose kind was logged",
    ),
    column(
        "shutdown_began",
        Kind::Datetime,
        true,
        "first line of the logged shutdown sequence (usually logind's \"System is rebooting.\"); units stopped after it were stopped by the shutdown. Null unless end_state is clean",
    ),
    column(
        "downtime_usec",
        Kind::Int,
        true,
        "wall-clock gap to the next boot's first entry; null for the newest boot or when the next boot's clock reads earlier (no RTC)",
    ),
    column(
        "end_message",
        Kind::Text,
        true,
        "last line of the end evidence: the last shutdown line (clean) or the last entry (unclean, running)",
    ),
    column("end_cursor", Kind::Text, true, "cursor of that line"),
    column(
        "notes",
        Kind::Text,
        true,
        "why a number is missing or doubtful (clock jumps, unknown shutdown kind), joined with \"; \"",
    ),
];

pub fn frame(boots: &[Boot]) -> PolarsResult<DataFrame> {
    FrameBuilder::new(NAME, COLUMNS, boots)
        .text("boot_id", |b| Some(b.boot_id.to_string()))
        .int("boot_index", |b| Some(b.index))
        .datetime("first_entry", |b| Some(b.first_realtime_usec))
        .datetime("last_entry", |b| Some(b.last_realtime_usec))
        .text("first_cursor", |b| Some(b.first_cursor.clone()))
        .text("last_cursor", |b| Some(b.last_cursor.clone()))
        .int("uptime_usec", |b| Some(to_i64(b.duration_usec)))
        .int("entries", |b| Some(to_i64(b.entries)))
        .text("systemd_version", |b| b.systemd_version.clone())
        .datetime("startup_finished", |b| {
            b.startup_finished.as_ref().map(|s| s.realtime_usec)
        })
        .int("startup_finished_mono_usec", |b| {
            startup(b, |s| s.monotonic_usec)
        })
        .int("kernel_usec", |b| startup(b, |s| s.kernel_usec))
        .int("initrd_usec", |b| startup(b, |s| s.initrd_usec))
        .int("userspace_usec", |b| startup(b, |s| s.userspace_usec))
        .category("end_state", |b| Some(end_state(b.end)))
        .category("shutdown", |b| b.shutdown.map(|k| k.as_str()))
        .datetime("shutdown_began", |b| {
            (b.end == BootEnd::Clean)
                .then(|| b.end_evidence.first().map(|e| e.realtime_usec))
                .flatten()
        })
        .int("downtime_usec", |b| b.downtime_usec.map(to_i64))
        .text("end_message", |b| {
            b.end_evidence.last().map(|e| e.message.clone())
        })
        .text("end_cursor", |b| {
            b.end_evidence.last().map(|e| e.cursor.clone())
        })
        .text("notes", |b| {
            (!b.notes.is_empty()).then(|| b.notes.join("; "))
        })
        .finish()
}

fn startup(
    boot: &Boot,
    part: impl Fn(&crate::boots::StartupFinished) -> Option<u64>,
) -> Option<i64> {
    boot.startup_finished.as_ref().and_then(part).map(to_i64)
}

/// The words of the `boots -o json` contract.
fn end_state(end: BootEnd) -> &'static str {
    match end {
        BootEnd::Clean => "clean",
        BootEnd::Unclean => "unclean",
        BootEnd::Running => "running",
        BootEnd::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boots::BootScanner;
    use crate::journal::{Entry, Id128};

    fn entry(boot: u8, seq: u64, realtime: u64, mono: u64) -> Entry {
        let mut e = Entry::new(realtime, Id128([boot; 16]));
        e.monotonic_usec = Some(mono);
        e.seqnum = Some(seq);
        e.cursor = format!("s=aa;i={seq:x};b={};m={mono:x}", Id128([boot; 16]));
        e.push_field("MESSAGE", format!("line {seq}").as_bytes());
        e
    }

    #[test]
    fn one_row_per_boot_in_order_with_documented_columns() {
        let mut scanner = BootScanner::new();
        scanner.observe(&entry(1, 1, 1_000_000, 10));
        scanner.observe(&entry(1, 2, 2_000_000, 1_000_010));
        scanner.observe(&entry(2, 3, 9_000_000, 20));
        let df = frame(&scanner.finish()).unwrap();
        assert_eq!(df.height(), 2);
        let index: Vec<Option<i64>> = df
            .column("boot_index")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(index, vec![Some(-1), Some(0)]);
        let ends: Vec<String> = (0..2)
            .map(|i| {
                df.column("end_state")
                    .unwrap()
                    .get(i)
                    .unwrap()
                    .str_value()
                    .to_string()
            })
            .collect();
        assert_eq!(ends, vec!["unclean", "running"]);
        let uptime = df.column("uptime_usec").unwrap().i64().unwrap().get(0);
        assert_eq!(uptime, Some(1_000_010));
        let message = df.column("end_message").unwrap().str().unwrap().get(0);
        assert_eq!(message, Some("line 2"));
    }

    #[test]
    fn no_boots_make_an_empty_table_with_all_columns() {
        let df = frame(&[]).unwrap();
        assert_eq!(df.height(), 0);
        assert_eq!(df.width(), COLUMNS.len());
    }
}

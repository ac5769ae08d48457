//! `jforensics watch`: scheduled, incremental runs that report each incident
//! once, for a timer that runs every few minutes.
//!
//! A run reads the journal from the saved checkpoint, runs the ordinary
//! detectors (`crate::findings`) over the boot the checkpoint is in, the
//! later ones and the boot before it (so crash-loop windows and "lost at
//! reboot" see what they need), and decides with [`plan`] what is new and
//! what has ended. Those boots are not read whole again: the state keeps the
//! few entries of them the detectors need, and a run reads only what came
//! after ([`resume`]), proving it gets what a whole read would or reading
//! whole (`--full` always does). Before a receiver sees any record, the run's outcome — the new
//! checkpoint, the reported set — is saved with the records in the state's
//! outbox ([`state`]); then the records are delivered — the JSON lines sink
//! fsynced, the webhook answered 2xx — and the outbox is emptied by a second
//! save. A run that finds the outbox not empty (the last run died or failed
//! while delivering) sends it again, byte for byte, before anything else.
//! So the reported set never lags behind what a receiver may have seen: an
//! episode sent as going on is remembered as firing even when the run that
//! sent it was killed, and gets its `resolved` when it ends. Delivery is
//! at-least-once, and every record carries a fingerprint ([`fingerprint`])
//! so a receiver drops repeats by `(fingerprint, event)`.
//!
//! When the checkpoint's entry is gone from the journal (vacuumed, rotated
//! away) the run reports a `coverage-gap` for the time it could not read
//! instead of silently skipping it.
//!
//! For tests, `JFORENSICS_WATCH_CRASH_AT=STEP` makes the process kill itself
//! with SIGKILL at that step ([`crash_point`]), so every instant of a run can
//! be interrupted the way `kill -9` or a power cut would.

pub mod alertmanager;
pub mod fingerprint;
pub mod lock;
pub mod plan;
pub mod record;
pub mod resume;
pub mod run;
pub mod sink;
pub mod state;
pub mod textfile;
pub mod webhook;

use crate::boots::{Boot, cursor_part};
use crate::journal::{EntrySource, Id128, JournalError};
use state::Checkpoint;

/// The steps a test may kill a run at, in the order a run passes them. The
/// `*-replay` steps are passed only when a killed run left records in the
/// outbox, the `outbox-*` and `*-deliver` steps only when there is something
/// to send; `mid-*` comes after each record, so a kill there leaves one
/// sent. The `after-*` steps of a save come in both saves, prefixed
/// `outbox-` in the first.
pub const CRASH_STEPS: [&str; 12] = [
    "before-replay",
    "mid-replay",
    "after-replay",
    "outbox-after-temp-write",
    "outbox-after-prev-link",
    "outbox-after-rename",
    "before-deliver",
    "mid-deliver",
    "after-deliver",
    "after-temp-write",
    "after-prev-link",
    "after-rename",
];

/// Kills this process with SIGKILL when `JFORENSICS_WATCH_CRASH_AT` names
/// `step`: no destructor, flush or unlock runs, as with `kill -9`.
pub fn crash_point(step: &str) {
    if std::env::var("JFORENSICS_WATCH_CRASH_AT").as_deref() == Ok(step) {
        // SAFETY: signalling ourselves.
        unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    }
}

/// Do two cursors name the same entry? The same string, or — when one file
/// set was re-opened and the seqnum part differs — the same boot, monotonic
/// time, wall-clock time and content hash, which is what `sd_journal_test_cursor`
/// compares beside the seqnum.
pub fn same_entry(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    ["b", "m", "t", "x"].iter().all(|k| {
        let (pa, pb) = (cursor_part(a, k), cursor_part(b, k));
        pa.is_some() && pa == pb
    })
}

/// What the journal still holds around a saved checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CursorCheck {
    /// The checkpoint's entry is still there.
    pub found: bool,
    /// The oldest entry of the checkpoint's boot after it, if any.
    pub first_after_usec: Option<u64>,
}

/// Looks for the checkpoint's entry among `source`'s entries (the saved
/// boot's, headers only).
pub fn check_cursor(
    source: &mut dyn EntrySource,
    checkpoint: &Checkpoint,
) -> Result<CursorCheck, JournalError> {
    let mut check = CursorCheck::default();
    while let Some(entry) = source.next_entry()? {
        if same_entry(&entry.cursor, &checkpoint.cursor) {
            check.found = true;
        } else if entry.realtime_usec > checkpoint.realtime_usec {
            check.first_after_usec = Some(
                check
                    .first_after_usec
                    .map_or(entry.realtime_usec, |t| t.min(entry.realtime_usec)),
            );
        }
    }
    Ok(check)
}

/// The boots a run analyses: the checkpoint's boot and every later one;
/// without a checkpoint, the boots with entries at or after `since_usec`.
/// (`crate::findings::for_boots` adds the boot before each.)
pub fn boots_to_analyse(
    boots: &[Boot],
    checkpoint: Option<&Checkpoint>,
    since_usec: u64,
) -> Vec<Id128> {
    let from = checkpoint.and_then(|c| {
        boots
            .iter()
            .position(|b| b.boot_id.to_string() == c.boot_id)
    });
    match (from, checkpoint) {
        (Some(i), _) => boots[i..].iter().map(|b| b.boot_id).collect(),
        (None, Some(c)) => boots
            .iter()
            .filter(|b| b.last_realtime_usec >= c.realtime_usec)
            .map(|b| b.boot_id)
            .collect(),
        (None, None) => boots
            .iter()
            .filter(|b| b.last_realtime_usec >= since_usec)
            .map(|b| b.boot_id)
            .collect(),
    }
}

/// The checkpoint after reading `boots`: the newest boot's last entry.
pub fn checkpoint_of(boots: &[Boot]) -> Option<Checkpoint> {
    boots.last().map(|b| Checkpoint {
        cursor: b.last_cursor.clone(),
        realtime_usec: b.last_realtime_usec,
        monotonic_usec: b.last_monotonic_usec,
        boot_id: b.boot_id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_match_on_their_entry_parts() {
        let a = "s=aa;i=10;b=bb;m=5;t=6;x=77";
        assert!(same_entry(a, a));
        assert!(same_entry(a, "s=cc;i=99;b=bb;m=5;t=6;x=77"));
        assert!(!same_entry(a, "s=aa;i=10;b=bb;m=5;t=6;x=78"));
        assert!(!same_entry("garbage", "other garbage"));
    }
}

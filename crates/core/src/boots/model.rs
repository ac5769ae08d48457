//! What a boot is to the rest of the pipeline: its ends, order, clocks,
//! how it ended and how much of it the journal read holds.

use serde::Serialize;

use super::coverage::Coverage;
use crate::events::shutdown;
use crate::evidence::Evidence;
use crate::journal::Id128;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "lowercase")]
pub enum BootEnd {
    /// A shutdown sequence was logged.
    Clean,
    /// The journal just stops and a later boot exists: power loss or crash.
    Unclean,
    /// The newest boot, still going when the journal was read.
    Running,
    /// No shutdown was logged, but entries are missing around the boot's
    /// end (an excerpt, a cut copy, damage): whether it ended cleanly
    /// cannot be told. [`Boot::coverage`] says what is missing.
    Unknown,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(into = "&'static str")]
#[strum(serialize_all = "lowercase")]
pub enum ShutdownKind {
    Reboot,
    Poweroff,
    Halt,
    Kexec,
}

impl ShutdownKind {
    pub(super) fn from_word(word: &str) -> Option<ShutdownKind> {
        match word {
            "reboot" => Some(ShutdownKind::Reboot),
            "power-off" | "poweroff" => Some(ShutdownKind::Poweroff),
            "halt" => Some(ShutdownKind::Halt),
            "kexec" => Some(ShutdownKind::Kexec),
            _ => None,
        }
    }

    /// The target or service whose start means this kind of shutdown (see
    /// [`shutdown::UNITS`]).
    pub(super) fn from_unit(unit: &str) -> Option<ShutdownKind> {
        shutdown::kind_of(unit).and_then(ShutdownKind::from_word)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// systemd's own report that boot-up is done.
#[derive(Clone, Debug, Serialize)]
pub struct StartupFinished {
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub kernel_usec: Option<u64>,
    pub initrd_usec: Option<u64>,
    pub userspace_usec: Option<u64>,
    pub evidence: Evidence,
}

#[derive(Clone, Debug, Serialize)]
pub struct Boot {
    pub boot_id: Id128,
    /// 0 for the newest boot, −1 for the one before, as journalctl numbers them.
    pub index: i64,
    pub first_realtime_usec: u64,
    pub last_realtime_usec: u64,
    pub first_monotonic_usec: Option<u64>,
    pub last_monotonic_usec: Option<u64>,
    pub first_cursor: String,
    pub last_cursor: String,
    /// Uptime at the last entry (monotonic), or the wall-clock span if the
    /// source had no monotonic times.
    pub duration_usec: u64,
    pub entries: u64,
    /// "252.38-1~deb12u1", from PID 1's "systemd X running in system mode".
    pub systemd_version: Option<String>,
    pub startup_finished: Option<StartupFinished>,
    pub end: BootEnd,
    pub shutdown: Option<ShutdownKind>,
    /// The lines that show the shutdown sequence (clean) or the last lines
    /// before the journal stops (unclean, running).
    pub end_evidence: Vec<Evidence>,
    /// Wall-clock gap until the next boot's first entry; None for the newest
    /// boot or when the clock makes it meaningless.
    pub downtime_usec: Option<u64>,
    /// Why a number above is missing or doubtful, for people.
    pub notes: Vec<String>,
    /// How much of the boot the journal read holds, by sequence numbers.
    pub coverage: Coverage,
}

impl Boot {
    pub fn is_newest(&self) -> bool {
        self.index == 0
    }
}

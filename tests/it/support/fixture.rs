//! The recorded fixtures: real journals written by systemd 252 (Debian 12) and
//! 257 (Debian 13) as PID 1, each with the truth manifest the recorder wrote
//! from its own actions (tests/fixtures/record/README.md).

use std::path::PathBuf;

use serde::Deserialize;

use super::repo;

pub const FIXTURES: [&str; 2] = ["debian12", "debian13"];

/// Recorded for start causes only (issue #15): hand starts 0-200 ms after a
/// timer's or socket's start, a debug boot, transient timers with and
/// without sudo, a timer enabled for timers.target.
pub const RACE_FIXTURES: [&str; 2] = ["debian12-races", "debian13-races"];

/// Recorded for crash-loop stories (issue #25, the recorder's loops plan): a
/// dependency that flaps twice within a boot, a poweroff right after the
/// dependant recovered, a debug boot whose kernel buffer (`log_buf_len=4k`)
/// lost PID 1's early lines, a boot under CPU load. Their truth covers every
/// detector, but no boot of theirs is cut, so they are not [`FIXTURES`].
pub const LOOP_FIXTURES: [&str; 2] = ["debian12-loops", "debian13-loops"];

/// Recorded for dependencies (issue #24, the recorder's deps plan): undeclared
/// TCP, unix-socket and HTTP dependencies exercised by stopping their server
/// by hand, a `Requires=` without `After=`, a declared `Wants=` never
/// exercised, a timer's `Wants=` resurrecting a unit stopped by hand, a
/// never-enabled database across a reboot and a power cut, and decoys. Their
/// truth holds a manifest of every dependency edge ([`Truth::dependencies`]).
pub const DEPS_FIXTURES: [&str; 2] = ["debian12-deps", "debian13-deps"];

pub struct Fixture {
    pub name: &'static str,
    /// The directory of compressed journal files; `-D` reads it directly.
    pub journal: PathBuf,
    pub truth: Truth,
}

impl Fixture {
    pub fn load(name: &'static str) -> Fixture {
        let dir = repo().join("tests/fixtures").join(name);
        let text = std::fs::read_to_string(dir.join("truth.json"))
            .unwrap_or_else(|e| panic!("{name}: truth.json: {e}"));
        let truth: Truth =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: truth.json: {e}"));
        Fixture {
            name,
            journal: dir.join("journal"),
            truth,
        }
    }

    /// The scenario fixtures every detector is checked against.
    pub fn all() -> Vec<Fixture> {
        FIXTURES.iter().map(|n| Fixture::load(n)).collect()
    }

    /// The fixtures whose truth lists every crash loop and start: the
    /// scenario ones and the loops recordings.
    pub fn with_loops() -> Vec<Fixture> {
        FIXTURES
            .iter()
            .chain(LOOP_FIXTURES.iter())
            .map(|n| Fixture::load(n))
            .collect()
    }

    /// Every recorded fixture: the scenario ones, the races and the loops.
    pub fn every() -> Vec<Fixture> {
        FIXTURES
            .iter()
            .chain(RACE_FIXTURES.iter())
            .chain(LOOP_FIXTURES.iter())
            .map(|n| Fixture::load(n))
            .collect()
    }

    pub fn dir_arg(&self) -> &str {
        self.journal.to_str().unwrap()
    }

    /// Whether journalctl finds PID 1's "Startup finished" line
    /// (`MESSAGE_ID=b07a249cd024414a82dd00cd181378ff`) in boot `boot_id`. A
    /// debug boot with a small kernel buffer can lose it (it went to the
    /// kernel log while journald was flooded); then no startup time is
    /// known, and none may be made up.
    pub fn startup_line_logged(&self, boot_id: &str) -> bool {
        let dir = super::unpacked(&self.journal, &format!("{}-unpacked", self.name));
        let out = super::run_tool(
            "journalctl",
            &[
                "-D",
                dir.to_str().unwrap(),
                "-b",
                boot_id,
                "_PID=1",
                "MESSAGE_ID=b07a249cd024414a82dd00cd181378ff",
                "-o",
                "cat",
                "-q",
            ],
        );
        !out.is_empty()
    }

    /// The truth boot at `order` (0 = first recorded).
    pub fn boot(&self, order: usize) -> &TruthBoot {
        self.truth.boots.iter().find(|b| b.order == order).unwrap()
    }
}

#[derive(Deserialize, Debug)]
pub struct Truth {
    pub fixture: String,
    pub systemd_version: u32,
    pub boots: Vec<TruthBoot>,
    pub starts: Vec<TruthStart>,
    pub stops: Vec<TruthStop>,
    pub crash_loops: Vec<TruthCrashLoop>,
    pub lost_at_reboot: Vec<TruthLost>,
    pub not_lost_at_reboot: Vec<TruthNotLost>,
    pub non_service_processes: Vec<TruthProcess>,
    pub readiness: Vec<TruthReadiness>,
    pub kills: Vec<TruthKill>,
    pub actions: Vec<TruthAction>,
    /// The deps recordings only: every dependency edge between their units.
    #[serde(default)]
    pub dependencies: Vec<TruthDependency>,
    /// The deps recordings only: units no dependency edge may touch.
    #[serde(default)]
    pub decoys: Vec<String>,
}

/// One dependency of the deps plan, written by make-truth.py from the table
/// the unit files were generated from and from what the driver did.
#[derive(Deserialize, Debug, Clone)]
pub struct TruthDependency {
    pub dependant: String,
    pub dependency: String,
    /// The directives on the dependant's side (`Requires`, `After`, …;
    /// `TriggeredBy` for its timer or socket), empty when nothing declares it.
    pub declared: Vec<String>,
    /// Whether a pulling directive (or a trigger) declares it.
    pub declared_need: bool,
    pub ordered: bool,
    /// `tcp`, `unix` or `http` for a client reaching its server; None for
    /// systemd's own relations.
    pub reached_by: Option<String>,
    pub endpoint: Option<String>,
    /// `pull`, `trigger`, `fate`, `named`, or `never`.
    pub exercised: Vec<String>,
    /// Failures of the dependant before the dependency listened (a
    /// `Requires=` without `After=`).
    pub failed_before_ready: u32,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthBoot {
    pub order: usize,
    pub boot_id: String,
    pub log_level: String,
    pub end: String,
    pub shutdown: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthStart {
    pub unit: String,
    pub boot_id: String,
    pub invocation_id: Option<String>,
    pub realtime_usec: u64,
    pub cause: String,
    pub trigger: Option<String>,
    pub via: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthStop {
    pub unit: String,
    pub boot_id: String,
    pub realtime_usec: u64,
    pub how: String,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthCrashLoop {
    pub unit: String,
    pub boot_id: String,
    pub start_realtime_usec: u64,
    pub end_realtime_usec: u64,
    pub restarts: u32,
    pub outcome: String,
    pub first_start_cause: String,
    pub root_cause_unit: Option<String>,
    /// A later episode of the same unit in the boot: the dependency whose
    /// stop began it (the loops recordings; absent before them).
    #[serde(default)]
    pub begun_by_stop_of: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthLost {
    pub unit: String,
    pub previous_boot_id: String,
    pub boot_id: String,
    pub how_started_before: String,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthNotLost {
    pub unit: String,
    pub previous_boot_id: String,
    pub boot_id: String,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthProcess {
    pub name: String,
    pub boot_id: String,
    pub scope: Option<String>,
    pub gone_in_boot_id: String,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthReadiness {
    pub unit: String,
    pub boot_id: String,
    #[serde(rename = "type")]
    pub service_type: String,
    pub invocation_id: Option<String>,
    pub start_realtime_usec: u64,
    pub ready_realtime_usec: u64,
    pub expected_gap: bool,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthKill {
    pub kind: String,
    pub unit: String,
    pub boot_id: String,
    pub realtime_usec: u64,
}

#[derive(Deserialize, Debug, Clone)]
pub struct TruthAction {
    pub boot_id: String,
    pub realtime_usec: u64,
    pub action: String,
    pub unit: Option<String>,
}

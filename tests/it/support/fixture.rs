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

    /// Every recorded fixture: the scenario ones and the races.
    pub fn every() -> Vec<Fixture> {
        FIXTURES
            .iter()
            .chain(RACE_FIXTURES.iter())
            .map(|n| Fixture::load(n))
            .collect()
    }

    pub fn dir_arg(&self) -> &str {
        self.journal.to_str().unwrap()
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

//! Findings: what went wrong, said the way a postmortem says it.
//!
//! The earlier stages describe what happened — boots, activations, why each
//! unit started. Findings judge it: this unit crash-looped, that one did not
//! come back after the reboot, this one runs now only because someone
//! started it by hand. Each detector is one file and reads only those stages
//! (boots, lifecycles, classified starts, typed events); none reads journal
//! entries or message text. Every finding carries the journal lines it rests
//! on, a one-sentence fix, and, where the conclusion is inferred rather than
//! logged, a confidence.
//!
//! [`detect`] runs every detector over boots that were read with
//! [`read_boot`]; [`for_boots`] does both for a selection of a journal's boots.

mod at_risk;
mod crash_loop;
mod facts;
pub mod impact;
mod kills;
mod loop_cause;
#[cfg(test)]
mod loop_tests;
mod lost_at_reboot;
mod readiness_gap;
mod resurrection;
#[cfg(test)]
pub(crate) mod tests;
mod unclean_shutdown;

use serde::Serialize;

use crate::boots::Boot;
use crate::cause::{self, BootAnalysis};
use crate::events;
use crate::events::service_log::{self, BootServiceLog, ReadyPattern, ServiceLogScanner};
use crate::evidence::{self, Evidence};
use crate::journal::{Entry, EntrySource, Fields, Filter, Id128, JournalError};
use crate::lifecycle;
use crate::present::time::Zone;

pub use crash_loop::LoopOutcome;

crate::vocab::words! {
    "kebab-case",
    /// What kind of problem a finding reports. Serialized as the kebab-case word.
    pub enum Kind {
        CrashLoop,
        LostAtReboot,
        AtRiskManual,
        UncleanShutdown,
        ReadinessGap,
        Resurrection,
        OomKill,
        Watchdog,
        CoreDump,
        StartTimeout,
        StartLimitHit,
        SpawnFailed,
        UndeclaredDependency,
        MissingOrdering,
        UnitNotEnabledButNeeded,
    }
}

impl Kind {
    pub fn parse(word: &str) -> Option<Kind> {
        word.parse().ok()
    }
}

crate::vocab::words! {
    "lowercase",
    /// How bad it is, in order: `info < warning < error < critical` (so
    /// `--fail-on warning` can compare).
    ///
    /// - `critical`: a service is down at the end of the evidence and stays down
    ///   until someone acts (a crash loop still going, a start limit hit and
    ///   never cleared).
    /// - `error`: an outage or a failure happened (a crash loop, a unit lost at a
    ///   reboot, a kill, a power cut).
    /// - `warning`: a risk or a degradation (will not survive the next reboot,
    ///   served errors while starting, came back after being stopped).
    /// - `info`: context worth knowing, no harm shown.
    pub enum Severity {
        Info,
        Warning,
        Error,
        Critical,
    }
}

impl Severity {
    pub fn parse(word: &str) -> Option<Severity> {
        word.parse().ok()
    }
}

/// One problem, explained.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable across runs on the same journal: the kind and a hash of kind,
    /// unit, boot and start time ("crash-loop-3f0c…", see `crate::stable_id`).
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    /// The unit concerned; for a process outside any service, the scope it
    /// logged from; None for boot-wide findings (unclean shutdown).
    pub unit: Option<String>,
    /// "system", or "user:UID" for a user manager's unit.
    pub manager: String,
    pub boot_id: Id128,
    pub start_realtime_usec: u64,
    pub end_realtime_usec: u64,
    /// One line, for someone who was not there.
    pub summary: String,
    /// The fix, in one sentence.
    pub hint: String,
    /// 0..1 where the finding rests on an inference (a cause, a coincidence
    /// in time); None where it is logged as such.
    pub confidence: Option<f64>,
    /// The journal lines it rests on (`journalctl --cursor=…`).
    pub evidence: Vec<Evidence>,
    /// Kind-specific facts.
    pub details: Details,
}

impl Finding {
    /// Orders most severe first, then by time.
    pub fn severity_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        b.severity
            .cmp(&a.severity)
            .then(a.start_realtime_usec.cmp(&b.start_realtime_usec))
            .then(a.id.cmp(&b.id))
    }
}

/// The stable id (`crate::stable_id`): the kind, then 16 hex digits of a
/// fixed hash of kind, subject (the unit), boot and start time.
pub fn finding_id(kind: Kind, subject: &str, boot_id: Id128, start_realtime_usec: u64) -> String {
    crate::stable_id::finding_id(kind.as_str(), subject, boot_id, start_realtime_usec)
}

/// Kind-specific facts; serialized as a plain object.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Details {
    CrashLoop(CrashLoopDetails),
    LostAtReboot(LostDetails),
    AtRisk(AtRiskDetails),
    UncleanShutdown(UncleanDetails),
    ReadinessGap(ReadinessDetails),
    Resurrection(ResurrectionDetails),
    Kill(KillDetails),
    Dependency(impact::DependencyDetails),
}

#[derive(Clone, Debug, Serialize)]
pub struct CrashLoopDetails {
    /// Automatic restarts that ran (runs in the episode − 1).
    pub restarts: u32,
    pub outcome: LoopOutcome,
    /// The unit whose start ended the loop (recovered episodes), else the
    /// unit whose stop began it.
    pub root_cause_unit: Option<String>,
    /// How that unit was started ("manual", …).
    pub root_cause_cause: Option<String>,
    /// Whether that unit was started at boot in this boot.
    pub root_cause_started_at_boot: Option<bool>,
    /// Median time between consecutive starts.
    pub median_interval_usec: u64,
    /// How the runs ended, as logged: "status=1", "signal=9 (core dumped)".
    pub exit_statuses: Vec<String>,
    /// The results systemd gave the runs: "exit-code", "success", "signal".
    pub results: Vec<String>,
    /// Why the first run of the episode started.
    pub first_start_cause: String,
    pub first_start_trigger: Option<String>,
    /// `failure` (Restart= after failures), `policy` (Restart=always after
    /// clean exits) or `mixed`.
    pub restart_kind: String,
    /// "Scheduled restart job" lines seen; fewer than `restarts` when the
    /// journal lost some of PID 1's lines.
    pub scheduled_restarts_logged: u32,
    /// For an episode begun by the failure of a run that had stayed up: the
    /// unit stopped just before that failure (its database stopped by hand),
    /// and when. For an episode that did not recover it is also the root
    /// cause.
    pub begun_by_stop_of: Option<String>,
    pub begun_by_stop_realtime_usec: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LostDetails {
    pub previous_boot_id: Id128,
    /// How it was started in the previous boot (a cause word), or
    /// `outside-service` for a process that logged from a scope.
    pub how_started_before: String,
    /// The unit that started it there (socket, timer, puller), if any.
    pub trigger_before: Option<String>,
    /// When it was last seen active in the previous boot.
    pub last_seen_realtime_usec: u64,
    /// When it was finally started in this boot, by what, if it was.
    pub started_later_realtime_usec: Option<u64>,
    pub started_later_cause: Option<String>,
    /// The program name, for processes outside any service.
    pub process: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AtRiskDetails {
    pub how_started: String,
    pub trigger: Option<String>,
    pub started_realtime_usec: u64,
    /// The boot ended (cleanly) after it; false while the boot still runs.
    pub boot_ended: bool,
    pub process: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UncleanDetails {
    pub last_entry_realtime_usec: u64,
    pub next_boot_id: Option<Id128>,
    pub downtime_usec: Option<u64>,
    /// Units (services, sockets, timers) still running when the log stops.
    pub running_units: Vec<String>,
    /// Activations that were mid-start (no "Started" yet) at the cut.
    pub starting_units: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReadinessDetails {
    pub started_realtime_usec: u64,
    pub ready_realtime_usec: u64,
    pub gap_usec: u64,
    /// The readiness pattern that matched.
    pub ready_pattern: String,
    /// Ports the readiness line names.
    pub ports: Vec<u16>,
    /// Upstream errors other units logged during the gap (about these ports
    /// when the lines name ports).
    pub errors_in_gap: u32,
    pub error_units: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResurrectionDetails {
    pub stopped_realtime_usec: u64,
    pub restarted_realtime_usec: u64,
    /// Why it started again (a cause word).
    pub cause: String,
    /// Who brought it back (socket, timer, the unit that pulled it).
    pub trigger: Option<String>,
    /// How that trigger had been started.
    pub trigger_cause: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KillDetails {
    /// systemd's result for the run ("oom-kill", "watchdog", "timeout", …).
    pub result: Option<String>,
    /// The main process's end: "signal=6 (core dumped)", "status=203".
    pub exit: Option<String>,
    pub signal: Option<u32>,
    pub coredump_exe: Option<String>,
    pub coredump_comm: Option<String>,
    pub coredump_pid: Option<u32>,
    /// The executable a failed spawn was for.
    pub executable: Option<String>,
    /// The operation that timed out ("start", "start-pre", …).
    pub operation: Option<String>,
    /// How long the run lasted before it was killed or failed.
    pub ran_usec: Option<u64>,
}

/// A crash loop by default: this many automatic restarts …
pub const DEFAULT_LOOP_RESTARTS: u32 = 3;
/// … within ten minutes. systemd's own start limit (StartLimitBurst=5 in
/// StartLimitIntervalSec=10s) stops only fast loops; a unit with a
/// `RestartSec=` of seconds or more loops below it for as long as it fails,
/// so the window is wide enough to see a few of its cycles.
pub const DEFAULT_LOOP_WINDOW_USEC: u64 = 10 * 60 * 1_000_000;
/// A run that lasts this long after a loop counts as recovered whatever the
/// loop's own runs were (see `crash_loop::chains` for the relative test).
pub const DEFAULT_RECOVERED_AFTER_USEC: u64 = 2 * 60 * 1_000_000;
/// Readiness gaps shorter than this are normal start-up work, not reported.
pub const DEFAULT_MIN_READINESS_GAP_USEC: u64 = 2 * 1_000_000;

/// Thresholds and extra knowledge for the detectors; the defaults are the
/// `DEFAULT_*` constants above (and the CLI's `--loop-restarts`,
/// `--loop-window` and `--ready-gap` defaults, `cli/findings.rs`, say the
/// same).
#[derive(Clone, Debug)]
pub struct Options {
    /// A crash loop is at least this many automatic restarts …
    pub loop_restarts: u32,
    /// … within this window (µs).
    pub loop_window_usec: u64,
    /// A run that lasts this long after a loop means the unit recovered.
    pub recovered_after_usec: u64,
    /// Gaps between "Started" and the readiness line shorter than this are
    /// normal start-up and not reported.
    pub min_readiness_gap_usec: u64,
    /// `--ready-pattern UNIT=REGEX`, tried before the built-in patterns.
    pub ready_patterns: Vec<ReadyPattern>,
    /// The zone summaries print times in.
    pub zone: Zone,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            loop_restarts: DEFAULT_LOOP_RESTARTS,
            loop_window_usec: DEFAULT_LOOP_WINDOW_USEC,
            recovered_after_usec: DEFAULT_RECOVERED_AFTER_USEC,
            min_readiness_gap_usec: DEFAULT_MIN_READINESS_GAP_USEC,
            ready_patterns: Vec::new(),
            zone: Zone::Utc,
        }
    }
}

/// One boot with everything the detectors read about it.
#[derive(Clone, Debug)]
pub struct BootData {
    pub analysis: BootAnalysis,
    pub service_log: BootServiceLog,
}

/// What [`read_boot`] needs of the journal: every entry of the boot, and of
/// each entry only the fields the events, the service log and the evidence
/// read. The others (command lines, cgroups, code locations, security
/// contexts) are most of an entry's bytes, and nothing here reads them.
pub fn boot_filter(boot_id: Id128) -> Filter {
    let mut names: Vec<String> = Vec::new();
    for name in events::FIELDS
        .iter()
        .chain(service_log::FIELDS)
        .chain(evidence::FIELDS)
    {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Filter {
        fields: Fields::Named(names),
        ..Filter::all()
    }
    .boot(boot_id)
}

/// Reads one boot's entries (all of them: service output matters here, not
/// only the managers' lines) into lifecycles, classified starts and service
/// log events, in one pass.
pub fn read_boot(
    boot: &Boot,
    source: &mut dyn EntrySource,
    options: &Options,
) -> Result<BootData, JournalError> {
    let mut reader = BootReader::new(boot.boot_id, options);
    while let Some(entry) = source.next_entry()? {
        reader.observe(&entry);
    }
    Ok(reader.finish(boot))
}

/// [`read_boot`] an entry at a time, for readers that keep some of them.
pub struct BootReader {
    builder: lifecycle::Builder,
    scanner: ServiceLogScanner,
}

impl BootReader {
    pub fn new(boot_id: Id128, options: &Options) -> BootReader {
        BootReader {
            builder: lifecycle::Builder::new(boot_id),
            scanner: ServiceLogScanner::new(boot_id, &options.ready_patterns),
        }
    }

    /// Reads one entry; true when it changed what is known of the boot.
    /// Replaying only the entries that returned true, in the same order,
    /// gives the same [`BootData`] as reading them all.
    pub fn observe(&mut self, entry: &Entry) -> bool {
        let event = self.builder.observe(entry);
        let said = self.scanner.observe(entry);
        event || said
    }

    pub fn finish(self, boot: &Boot) -> BootData {
        let lifecycles = self.builder.finish();
        let starts = cause::classify_boot(boot, &lifecycles);
        BootData {
            analysis: BootAnalysis {
                boot: boot.clone(),
                lifecycles,
                starts,
            },
            service_log: self.scanner.finish(),
        }
    }
}

/// What a detector reads about one boot.
pub struct Context<'a> {
    pub facts: &'a facts::BootFacts<'a>,
    /// The boot before it, when that was read and is adjacent in the journal.
    pub previous: Option<&'a facts::BootFacts<'a>>,
    /// The boot after it, when adjacent.
    pub next_boot: Option<&'a Boot>,
    /// What the detectors before this one in [`DETECTORS`] found in this boot.
    pub earlier: &'a [Finding],
}

/// A detector: one file, one function of this type.
type Detector = fn(&Context) -> Vec<Finding>;

/// Every detector, in the order they run: a new one is one file and one
/// line here. `at_risk` reads the crash loops found before it.
const DETECTORS: &[Detector] = &[
    crash_loop::detect,
    kills::detect,
    readiness_gap::detect,
    resurrection::detect,
    unclean_shutdown::detect,
    lost_at_reboot::detect,
    at_risk::detect,
];

/// Runs every detector. `boots` are in journal order, oldest first; a
/// boot's predecessor is only compared with it when both are present and
/// adjacent in the journal (their `index` differs by one). Findings come
/// out in time order per boot.
pub fn detect(boots: &[BootData], options: &Options) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, data) in boots.iter().enumerate() {
        let previous = i
            .checked_sub(1)
            .map(|p| &boots[p])
            .filter(|p| p.analysis.boot.index + 1 == data.analysis.boot.index);
        let next_boot = boots
            .get(i + 1)
            .map(|n| &n.analysis.boot)
            .filter(|n| n.index == data.analysis.boot.index + 1);
        let facts = facts::BootFacts::new(data, options);
        let before = previous.map(|p| facts::BootFacts::new(p, options));
        let mut found = Vec::new();
        for detector in DETECTORS {
            let cx = Context {
                facts: &facts,
                previous: before.as_ref(),
                next_boot,
                earlier: &found,
            };
            let new = detector(&cx);
            found.extend(new);
        }
        out.extend(found);
    }
    let order: Vec<Id128> = boots.iter().map(|b| b.analysis.boot.boot_id).collect();
    out.sort_by(|a, b| {
        let pos = |f: &Finding| order.iter().position(|id| *id == f.boot_id);
        pos(a)
            .cmp(&pos(b))
            .then(a.start_realtime_usec.cmp(&b.start_realtime_usec))
            .then(a.kind.cmp(&b.kind))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// The boots to read for findings about `selected` (boot ids) of `all` (every
/// boot of the journal, oldest first): each selected boot and the boot before
/// it, which "lost at reboot" compares with, in journal order.
pub fn with_predecessors<'a>(all: &'a [Boot], selected: &[Id128]) -> Vec<&'a Boot> {
    let mut wanted = vec![false; all.len()];
    for (i, boot) in all.iter().enumerate() {
        if selected.contains(&boot.boot_id) {
            wanted[i] = true;
            if i > 0 {
                wanted[i - 1] = true;
            }
        }
    }
    all.iter()
        .zip(&wanted)
        .filter(|(_, w)| **w)
        .map(|(b, _)| b)
        .collect()
}

/// Findings about the boots in `selected` (boot ids) of `all` (every boot of
/// the journal, oldest first). The boots [`with_predecessors`] names are
/// read with `open`.
pub fn for_boots<E>(
    all: &[Boot],
    selected: &[Id128],
    options: &Options,
    mut open: impl FnMut(&Boot) -> Result<Box<dyn EntrySource>, E>,
) -> Result<Vec<Finding>, E>
where
    E: From<JournalError>,
{
    let mut data = Vec::new();
    for boot in with_predecessors(all, selected) {
        let mut source = open(boot)?;
        data.push(read_boot(boot, source.as_mut(), options)?);
    }
    let mut findings = detect(&data, options);
    findings.retain(|f| selected.contains(&f.boot_id));
    Ok(findings)
}

/// Sorts most severe first (then by time): the order `since-boot` prints.
pub fn sort_by_severity(findings: &mut [Finding]) {
    findings.sort_by(Finding::severity_order);
}

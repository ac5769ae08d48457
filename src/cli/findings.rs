//! Flags of `jforensics findings`, and the detector thresholds other
//! commands (`since-boot`) can flatten in.

use clap::{Args, ValueEnum};

pub const FINDINGS_HELP: &str = "\
Examples:
  jforensics findings                        every boot of this machine's journal
  jforensics findings -b -1 --sort severity  the boot before the current one, worst first
  jforensics findings -D /mnt/var/log/journal -o json
  jforensics findings --loop-restarts 5 --loop-window 2min
  jforensics findings --ready-pattern api=\"Listening on port\"

Kinds: crash-loop, lost-at-reboot, at-risk-manual, unclean-shutdown,
readiness-gap, resurrection, oom-kill, watchdog, core-dump, start-timeout,
start-limit-hit, spawn-failed; and, only when unit files are read (--units DIR,
or --root ROOT), undeclared-dependency, missing-ordering and
unit-not-enabled-but-needed (see `jforensics impact --help`). Severities: info < warning < error < critical.
Each finding carries its journal lines (`journalctl --cursor=…` finds them),
a one-sentence fix, and a confidence where it is inferred.";

#[derive(Args, Debug)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub boot: super::BootArg,
    /// Only findings of these kinds (repeatable)
    #[arg(long = "kind", value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(jforensics::findings::Kind::ALL.map(|k| k.as_str())))]
    pub kinds: Vec<String>,
    /// Only findings at least this severe
    #[arg(long = "min-severity", value_name = "SEVERITY", value_parser = super::severity_parser())]
    pub min_severity: Option<jforensics::findings::Severity>,
    /// Order: by time within each boot (a timeline), or most severe first
    #[arg(long, value_enum, default_value_t = FindingsSort::Time)]
    pub sort: FindingsSort,
    #[command(flatten)]
    pub fail_on: super::FailOnArg,
    #[command(flatten)]
    pub detectors: DetectorArgs,
    /// Compare dependencies with the unit files in DIR (like /etc/systemd/system); --root ROOT reads its tree's
    #[arg(long, value_name = "DIR")]
    pub units: Option<std::path::PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingsSort {
    /// Boot by boot, in time order
    Time,
    /// Most severe first
    Severity,
}

/// Detector thresholds, shared by the commands that report findings.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Detectors")]
pub struct DetectorArgs {
    /// Count as a crash loop N or more automatic restarts within --loop-window
    #[arg(long = "loop-restarts", value_name = "N", default_value_t = jforensics::findings::DEFAULT_LOOP_RESTARTS, value_parser = clap::value_parser!(u32).range(1..))]
    pub loop_restarts: u32,
    /// The window of --loop-restarts (30s, 10min, 1h)
    #[arg(long = "loop-window", value_name = "DURATION", default_value = "10min", value_parser = super::duration::parse)]
    pub loop_window_usec: u64,
    /// A line that means UNIT serves (repeatable; added to the built-in patterns)
    #[arg(long = "ready-pattern", value_name = "UNIT=REGEX", value_parser = parse_ready_pattern)]
    pub ready_patterns: Vec<jforensics::events::service_log::ReadyPattern>,
    /// Report readiness gaps from this long on
    #[arg(long = "ready-gap", value_name = "DURATION", default_value = "2s", value_parser = super::duration::parse)]
    pub min_readiness_gap_usec: u64,
}

fn parse_ready_pattern(
    text: &str,
) -> Result<jforensics::events::service_log::ReadyPattern, String> {
    jforensics::events::service_log::ReadyPattern::parse(text)
}

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
start-limit-hit, spawn-failed. Severities: info < warning < error < critical.
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
    #[arg(long = "loop-restarts", value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub loop_restarts: u32,
    /// The window of --loop-restarts (30s, 10min, 1h)
    #[arg(long = "loop-window", value_name = "DURATION", default_value = "10min", value_parser = parse_duration)]
    pub loop_window_usec: u64,
    /// A line that means UNIT serves (repeatable; added to the built-in patterns)
    #[arg(long = "ready-pattern", value_name = "UNIT=REGEX", value_parser = parse_ready_pattern)]
    pub ready_patterns: Vec<jforensics::events::service_log::ReadyPattern>,
    /// Report readiness gaps from this long on
    #[arg(long = "ready-gap", value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub min_readiness_gap_usec: u64,
}

fn parse_ready_pattern(
    text: &str,
) -> Result<jforensics::events::service_log::ReadyPattern, String> {
    jforensics::events::service_log::ReadyPattern::parse(text)
}

/// "90", "90s", "1.5s", "500ms", "10min", "2h", "1h 30min" → µs (systemd's
/// time span words; a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<u64, String> {
    const UNITS: [(&str, f64); 17] = [
        ("us", 1.0),
        ("usec", 1.0),
        ("ms", 1e3),
        ("msec", 1e3),
        ("s", 1e6),
        ("sec", 1e6),
        ("second", 1e6),
        ("seconds", 1e6),
        ("m", 60e6),
        ("min", 60e6),
        ("minutes", 60e6),
        ("h", 3600e6),
        ("hour", 3600e6),
        ("hours", 3600e6),
        ("d", 86400e6),
        ("day", 86400e6),
        ("days", 86400e6),
    ];
    let bad = || format!("'{text}' is not a duration: write e.g. 30s, 10min, 1h, 1h 30min or 7d");
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return Err(bad());
    }
    let mut total = 0.0;
    let mut rest = compact.as_str();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let word = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..word] {
            "" => 1e6,
            w => UNITS
                .iter()
                .find(|(u, _)| *u == w)
                .map(|(_, f)| *f)
                .ok_or_else(bad)?,
        };
        rest = &rest[word..];
        total += number * factor;
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_read_like_systemds() {
        assert_eq!(parse_duration("90"), Ok(90_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration("500ms"), Ok(500_000));
        assert_eq!(parse_duration("10min"), Ok(600_000_000));
        assert_eq!(parse_duration("1h 30min"), Ok(5_400_000_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000_000));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }
}

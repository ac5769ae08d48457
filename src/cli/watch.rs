//! Flags of `jforensics watch`.

use std::path::PathBuf;

use clap::Args;

use super::duration::parse as parse_duration;
use super::findings::DetectorArgs;

pub const WATCH_HELP: &str = "\
Examples:
  jforensics watch --jsonl /var/log/jforensics/findings.jsonl
  jforensics watch --webhook http://127.0.0.1:9000/alerts --fail-on error
  jforensics watch --alertmanager http://127.0.0.1:9093 --textfile /run/jforensics-metrics/jforensics.prom
  jforensics watch -D /srv/host1/journal --state /var/lib/jforensics/host1 -o json

Each run reads the journal from the checkpoint the last run saved and reports
only what is new: a finding once as `new`, and an ongoing one (a crash loop
still looping, a hand-started unit at risk in the running boot) once more as
`resolved` when it ends. The records are saved in the state's outbox first,
then delivered (JSON lines appended and fsynced, each webhook POST answered
2xx), then the outbox is emptied; a run that finds it not empty (the last run
was killed or failed) sends it again first. Delivery is at-least-once, and
receivers drop repeats by (fingerprint, event).
--alertmanager turns records into Alertmanager alerts (labels alertname = the
finding kind, severity, unit, instance, machine_id, fingerprint): an ongoing
finding is sent again by every run with endsAt one --alert-hold ahead, so it
stays active while it goes on, and ends when it is resolved; a past event is
shown for one --alert-hold. --textfile writes metrics for node_exporter's
textfile collector after every run, failed or not.
When the saved checkpoint is no longer in the journal, a `coverage-gap` record
names the time that was lost. The state keeps the few entries of the current
boot (and the one before) that the detectors need, so a run reads only the
entries logged since the last one; --full reads those boots whole instead
(the records are the same). contrib/jforensics-watch.timer runs it every
5 minutes.

Exit status: 0 the run completed (new findings or not); 3 a new finding is
at or above --fail-on; 75 another run holds the lock (the timer retries);
1 an error (what was not delivered stays in the outbox; the next run sends
it again); 2 wrong usage.";

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Where the state lives ($STATE_DIRECTORY under systemd)
    #[arg(
        long,
        value_name = "DIR",
        env = "STATE_DIRECTORY",
        default_value = "/var/lib/jforensics"
    )]
    pub state: PathBuf,
    /// Append each record as a JSON line to FILE (fsynced before the outbox is emptied)
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,
    /// POST each record as JSON to this http:// URL; it must answer 2xx
    #[arg(long, value_name = "URL", value_parser = jforensics::watch::webhook::Url::parse)]
    pub webhook: Option<jforensics::watch::webhook::Url>,
    /// POST alerts to this Alertmanager (http://host:9093; repeat for each of an HA pair)
    #[arg(long, value_name = "URL", value_parser = jforensics::watch::webhook::Url::parse)]
    pub alertmanager: Vec<jforensics::watch::webhook::Url>,
    /// How long an alert stays active unless a later run sends it again (longer than the timer's period)
    #[arg(long = "alert-hold", value_name = "DURATION", default_value = "30min", value_parser = parse_hold)]
    pub alert_hold_usec: u64,
    /// Write metrics for node_exporter's textfile collector to FILE (ending in .prom), atomically
    #[arg(long, value_name = "FILE")]
    pub textfile: Option<PathBuf>,
    /// Without a usable state, look back this far from the journal's newest entry
    #[arg(long = "initial-lookback", value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub initial_lookback_usec: u64,
    /// Forget a reported finding this long after it was last seen (at least 24h)
    #[arg(long = "ttl", value_name = "DURATION", default_value = "7d", value_parser = parse_ttl)]
    pub ttl_usec: u64,
    /// When another run holds the lock, wait for it instead of exiting with 75
    #[arg(long)]
    pub wait: bool,
    /// Read the boots in scope whole instead of only what came after the entries the state keeps (same records, slower)
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub fail_on: super::FailOnArg,
    #[command(flatten)]
    pub detectors: DetectorArgs,
}

const MIN_ALERT_HOLD_USEC: u64 = 60 * 1_000_000;
const MIN_TTL_USEC: u64 = 24 * 3_600 * 1_000_000;

/// A hold shorter than a minute would let alerts expire between two runs of
/// any sensible timer.
fn parse_hold(text: &str) -> Result<u64, String> {
    let usec = parse_duration(text)?;
    if usec < MIN_ALERT_HOLD_USEC {
        return Err(format!(
            "'{text}' is shorter than 1min; make it longer than the timer's period"
        ));
    }
    Ok(usec)
}

/// A TTL under a day would forget findings between two runs of a daily timer.
fn parse_ttl(text: &str) -> Result<u64, String> {
    let usec = parse_duration(text)?;
    if usec < MIN_TTL_USEC {
        return Err(format!(
            "'{text}' is shorter than 24h, the least a reported finding is remembered"
        ));
    }
    Ok(usec)
}

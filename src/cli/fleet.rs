//! Flags of `jforensics fleet`: many hosts' journals in one run.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::duration::parse as parse_duration;
use super::findings::DetectorArgs;

pub const FLEET_HELP: &str = "\
Examples:
  jforensics fleet findings /var/log/journal/remote        every host a log server collected
  jforensics fleet findings dumps/a dumps/b -o json        several directories, one document
  jforensics fleet findings /srv/logs --wave-gap 2min --details

A host is a _MACHINE_ID (hostnames get reused). Each host is analysed on its
own, as `jforensics -M HOST findings` would, several at a time; progress goes
to stderr. The summary names what several hosts share: the same unit failing,
and reboot waves (boot starts of at least --wave-min-hosts hosts, each within
--wave-gap of the one before).";

#[derive(Args, Debug)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
}

#[derive(Subcommand, Debug)]
pub enum FleetCommand {
    /// Findings of every host in the directories, and what hosts share
    #[command(after_help = FLEET_HELP)]
    Findings(FleetFindingsArgs),
}

#[derive(Args, Debug)]
pub struct FleetFindingsArgs {
    /// Journal directories (each may hold many machines' files)
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// A new reboot wave begins when no boot started within this long before
    #[arg(long = "wave-gap", value_name = "DURATION", default_value = "5min", value_parser = parse_duration)]
    pub wave_gap_usec: u64,
    /// Call it a wave from this many hosts on
    #[arg(long = "wave-min-hosts", value_name = "N", default_value_t = jforensics::fleet::DEFAULT_WAVE_MIN_HOSTS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    pub wave_min_hosts: u32,
    /// List a shared finding from this many hosts on
    #[arg(long = "min-hosts", value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_hosts: u32,
    /// Hosts analysed at once [default: $JFORENSICS_THREADS, else the number of CPUs]
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Print every host's findings in full, not only the counts
    #[arg(long)]
    pub details: bool,
    #[command(flatten)]
    pub fail_on: super::FailOnArg,
    #[command(flatten)]
    pub detectors: DetectorArgs,
}

//! `jforensics fleet findings DIR...`: every host of the directories,
//! analysed several at a time (`jforensics::session::fleet`), then what the
//! hosts share.

use super::Exit;

use jforensics::fleet;
use jforensics::report::{json, terminal};
use jforensics::session::fleet::{analyse, host_views};

use super::{Context, Error, Result};
use crate::cli::fleet::{FleetArgs, FleetCommand, FleetFindingsArgs};
use crate::cli::{Format, OutputArgs, SourceArgs};

pub fn run(source: &SourceArgs, output: &OutputArgs, args: &FleetArgs) -> Result<Exit> {
    match &args.command {
        FleetCommand::Findings(a) => findings(source, output, a),
    }
}

fn findings(source: &SourceArgs, output: &OutputArgs, args: &FleetFindingsArgs) -> Result<Exit> {
    if source.directory.is_some()
        || !source.files.is_empty()
        || source.root.is_some()
        || source.input.is_some()
    {
        return Err(Error::Usage(
            "fleet findings reads the directories given after it: drop -D/--file/--root/--input"
                .to_string(),
        ));
    }
    let jobs = args
        .jobs
        .map(|n| n as usize)
        .unwrap_or_else(jforensics::session::threads);
    let base = Context::new(
        &SourceArgs {
            machine: None,
            ..source.clone()
        },
        output,
    )?;
    let base = base.wrap(base.session.with_spec(base.spec.clone()).quiet());
    let views = host_views(&base, &args.dirs, source.machine.as_deref(), jobs)?;
    let hosts = analyse(
        &views,
        &super::findings::options(&base, &args.detectors),
        jobs,
    )?;
    let summary = fleet::summarize(
        &hosts,
        args.wave_gap_usec,
        args.wave_min_hosts as usize,
        args.min_hosts as usize,
    );
    match output.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json::fleet::document(&hosts, &summary))?
        ),
        Format::Short => print!(
            "{}",
            terminal::fleet::terminal(&hosts, &summary, &base.style(), args.details)
        ),
    }
    let all: Vec<_> = hosts.iter().flat_map(|h| h.findings.clone()).collect();
    Ok(super::fail_on(&args.fail_on, &all))
}

//! `jforensics fleet findings DIR...`: every host of the directories,
//! analysed several at a time, then what the hosts share.
//!
//! Each host runs the single-host pipeline on a view of its own boots, so a
//! host's findings are exactly what `jforensics -D DIR -M HOST findings`
//! prints. Memory stays bounded: a worker holds one host's boots while it
//! reads them and keeps only boots and findings afterwards.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use jforensics::fleet::{self, Host};
use jforensics::report::fleet as render;

use super::{Context, Result};
use crate::cli::fleet::{FleetArgs, FleetCommand, FleetFindingsArgs};
use crate::cli::{Format, OutputArgs, SourceArgs};

pub fn run(source: &SourceArgs, output: &OutputArgs, args: &FleetArgs) -> Result<ExitCode> {
    match &args.command {
        FleetCommand::Findings(a) => findings(source, output, a),
    }
}

fn findings(
    source: &SourceArgs,
    output: &OutputArgs,
    args: &FleetFindingsArgs,
) -> Result<ExitCode> {
    if source.directory.is_some()
        || !source.files.is_empty()
        || source.root.is_some()
        || source.input.is_some()
    {
        return Err(super::UsageError(
            "fleet findings reads the directories given after it: drop -D/--file/--root/--input"
                .to_string(),
        )
        .into());
    }
    let mut views: Vec<Context> = Vec::new();
    for dir in &args.dirs {
        let dir_source = SourceArgs {
            directory: Some(dir.clone()),
            machine: None,
            ..source.clone()
        };
        let ctx = Context::new(&dir_source, output)?;
        let machines = ctx.machines()?;
        let wanted = match &source.machine {
            Some(spec) => match jforensics::machines::resolve(&machines, spec) {
                Ok(m) => vec![m.clone()],
                Err(_) => continue,
            },
            None => machines,
        };
        views.extend(wanted.iter().map(|m| ctx.view(m).quiet()));
    }
    if views.is_empty() {
        return Err(format!(
            "no machine '{}' in {}",
            source.machine.as_deref().unwrap_or(""),
            args.dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into());
    }
    let hosts = analyse(&views, args)?;
    let summary = fleet::summarize(
        &hosts,
        args.wave_gap_usec,
        args.wave_min_hosts as usize,
        args.min_hosts as usize,
    );
    let first = views.first().ok_or("no host")?;
    match output.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&render::document(&hosts, &summary))?
        ),
        Format::Short => print!(
            "{}",
            render::terminal(&hosts, &summary, &first.style(), args.details)
        ),
    }
    let all: Vec<_> = hosts.iter().flat_map(|h| h.findings.clone()).collect();
    Ok(super::fail_on(&args.fail_on, &all))
}

/// Every view on `jobs` threads; results in the views' order. A host that
/// cannot be read is reported on stderr and left out, not fatal to the rest.
fn analyse(views: &[Context], args: &FleetFindingsArgs) -> Result<Vec<Host>> {
    let jobs = args
        .jobs
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(views.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::result::Result<Host, String>>>> =
        Mutex::new(vec![None; views.len()]);
    let progress = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(view) = views.get(i) else { break };
                    let result = host(view, args).map_err(|e| e.to_string());
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\rfleet: {n}/{} hosts analysed", views.len());
                        let _ = err.flush();
                    }
                }
            });
        }
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    let mut hosts = Vec::new();
    for (view, result) in views
        .iter()
        .zip(results.into_inner().unwrap_or_else(|p| p.into_inner()))
    {
        let label = view.machine().map(|m| m.label()).unwrap_or_default();
        match result {
            Some(Ok(h)) => hosts.push(h),
            Some(Err(e)) => eprintln!("jforensics: warning: host {label} left out: {e}"),
            None => eprintln!("jforensics: warning: host {label} was not analysed"),
        }
    }
    if hosts.is_empty() {
        return Err("no host could be analysed; the warnings above say why".into());
    }
    Ok(hosts)
}

fn host(view: &Context, args: &FleetFindingsArgs) -> Result<Host> {
    let boots = view.boots()?;
    let selected: Vec<_> = boots.iter().map(|b| b.boot_id).collect();
    let findings = super::findings::detect(view, &boots, &selected, &args.detectors)?;
    Ok(Host {
        machine: view
            .machine()
            .cloned()
            .ok_or("a fleet view has a machine")?,
        source: view.spec.describe(),
        boots,
        findings,
    })
}

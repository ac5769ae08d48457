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

use std::path::PathBuf;

use jforensics::fleet::{self, Host};
use jforensics::journal::{SourceSpec, libsystemd};
use jforensics::machines::{self, Machine};
use jforensics::report::{json, terminal};

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
    let jobs = args.jobs.map(|n| n as usize).unwrap_or_else(super::threads);
    let views = host_views(source, output, args, jobs)?;
    let hosts = analyse(&views, args, jobs)?;
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
            serde_json::to_string_pretty(&json::fleet::document(&hosts, &summary))?
        ),
        Format::Short => print!(
            "{}",
            terminal::fleet::terminal(&hosts, &summary, &first.style(), args.details)
        ),
    }
    let all: Vec<_> = hosts.iter().flat_map(|h| h.findings.clone()).collect();
    Ok(super::fail_on(&args.fail_on, &all))
}

/// A view per machine of the directories, each over only the files that
/// hold that machine: libsystemd steps through every open file for each
/// entry, so reading one host with all hosts' files open would make a fleet
/// cost grow with hosts × files. Which machines a file holds is read once
/// per file, in parallel.
fn host_views(
    source: &SourceArgs,
    output: &OutputArgs,
    args: &FleetFindingsArgs,
    jobs: usize,
) -> Result<Vec<Context>> {
    let base = Context::new(
        &SourceArgs {
            machine: None,
            ..source.clone()
        },
        output,
    )?
    .quiet();
    let mut files = Vec::new();
    for dir in &args.dirs {
        let what = SourceSpec::Directory(dir.clone()).describe();
        files.extend(libsystemd::journal_files_in(dir, &what)?);
    }
    let listed = parallel(&files, jobs, "files listed", |file| {
        base.with_spec(SourceSpec::Files(vec![file.clone()]))
            .machines()
    });
    // Each machine with its boots and the files holding them, in file order.
    let mut machines: Vec<(Machine, Vec<PathBuf>)> = Vec::new();
    for (file, result) in files.iter().zip(listed) {
        let found = match result {
            Ok(found) => found,
            Err(e) => {
                eprintln!("jforensics: warning: {} left out: {e}", file.display());
                continue;
            }
        };
        for m in found {
            match machines.iter_mut().find(|(known, _)| known.id == m.id) {
                Some((known, paths)) => {
                    for b in &m.boots {
                        if !known.boots.contains(b) {
                            known.boots.push(*b);
                        }
                    }
                    if m.hostname.is_some() {
                        known.hostname = m.hostname.clone();
                    }
                    paths.push(file.clone());
                }
                None => machines.push((m, vec![file.clone()])),
            }
        }
    }
    // By machine id, the machine without one last, as `machines::Owners::group`
    // orders them: data only, never file names or which file was read first.
    machines.sort_by_key(|(m, _)| (m.id.is_none(), m.id));
    if let Some(spec) = &source.machine {
        let all: Vec<Machine> = machines.iter().map(|(m, _)| m.clone()).collect();
        let wanted = machines::resolve(&all, spec)?.id;
        machines.retain(|(m, _)| m.id == wanted);
    }
    if machines.is_empty() {
        return Err("no journal entries in the directories: check the paths".into());
    }
    Ok(machines
        .into_iter()
        .map(|(m, paths)| base.with_spec(SourceSpec::Files(paths)).view(&m))
        .collect())
}

/// Every view on `jobs` threads; results in the views' order. A host that
/// cannot be read is reported on stderr and left out, not fatal to the rest.
fn analyse(views: &[Context], args: &FleetFindingsArgs, jobs: usize) -> Result<Vec<Host>> {
    let results = parallel(views, jobs, "hosts analysed", |view| host(view, args));
    let mut hosts = Vec::new();
    for (view, result) in views.iter().zip(results) {
        let label = view.machine().map(|m| m.label()).unwrap_or_default();
        match result {
            Ok(h) => hosts.push(h),
            Err(e) => eprintln!("jforensics: warning: host {label} left out: {e}"),
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

/// `work` over `items` on up to `jobs` threads, each taking the next item
/// when done, so one slow host does not hold the others up; results in the
/// items' order, errors as text. Progress on stderr when it is a terminal.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    what: &str,
    work: impl Fn(&T) -> Result<R> + Sync,
) -> Vec<std::result::Result<R, String>> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::result::Result<R, String>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    let progress = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item).map_err(|e| e.to_string());
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\rfleet: {n}/{} {what}\x1b[K", items.len());
                        let _ = err.flush();
                    }
                }
            });
        }
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not analysed".to_string())))
        .collect()
}

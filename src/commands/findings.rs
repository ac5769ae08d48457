//! `jforensics findings`: every detector over the selected boots.

use std::process::ExitCode;

use jforensics::boots;
use jforensics::cause::BootAnalysis;
use jforensics::findings::{self, Finding, Kind, Options, Severity};
use jforensics::journal::Id128;
use jforensics::report::{json, terminal};

use super::{Context, Hosts, Result, print_diagnostics};
use crate::cli::Format;
use crate::cli::findings::{DetectorArgs, FindingsArgs, FindingsSort};

pub fn run(ctx: &Context, args: &FindingsArgs) -> Result<ExitCode> {
    let views = match ctx.hosts()? {
        Hosts::One => return run_one(ctx, args),
        Hosts::Many(views) => views,
    };
    // Many hosts: each host's findings under its heading; in JSON one
    // document whose findings name their machine.
    let mut every: Vec<Finding> = Vec::new();
    let mut hosts: Vec<serde_json::Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut read: Vec<boots::Boot> = Vec::new();
    // Each view is dropped once read, and its reader processes with it.
    for (i, view) in views.into_iter().enumerate() {
        let (boots_read, selected, list) = host_findings(&view, args)?;
        read.extend(boots_read);
        match ctx.output.format {
            Format::Json => {
                ids.extend(selected.iter().map(Id128::to_string));
                hosts.extend(
                    list.iter()
                        .map(|_| super::name_host(serde_json::json!({}), &view)),
                );
            }
            Format::Short => {
                if i > 0 {
                    println!();
                }
                print!(
                    "{}{}",
                    super::host_heading(&view),
                    text(&list, selected.len(), &view)
                );
            }
        }
        every.extend(list);
    }
    if ctx.output.format == Format::Json {
        let mut doc = json::findings::document(&every, &ids);
        doc["coverage"] = json::coverage(&read, &ctx.damage()?);
        if let Some(list) = doc["findings"].as_array_mut() {
            for (f, host) in list.iter_mut().zip(hosts) {
                if let (Some(f), serde_json::Value::Object(h)) = (f.as_object_mut(), host) {
                    f.extend(h);
                }
            }
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    Ok(super::fail_on(&args.fail_on, &every))
}

/// One host's selected boots and its findings, narrowed and sorted as asked.
/// Also the boots the findings rest on, for the document's `coverage`.
pub fn host_findings(
    ctx: &Context,
    args: &FindingsArgs,
) -> Result<(Vec<boots::Boot>, Vec<Id128>, Vec<Finding>)> {
    // One boot's findings need it and the boot before (see `detect`).
    let (all, selected) = match args.boot.spec() {
        Some(_) => {
            let (near, at) = ctx.boot_with_neighbours(&args.boot)?;
            let id = near[at].boot_id;
            (near, vec![id])
        }
        None => {
            let all = ctx.boots()?;
            let ids = all.iter().map(|b| b.boot_id).collect();
            (all, ids)
        }
    };
    let mut list = detect(ctx, &all, &selected, &args.detectors)?;
    // Findings from the absence of a declaration need the declarations:
    // only with unit files read offline (never guessed, never asked of the
    // host a copied journal came from).
    if let Some(tree) = super::impact::offline_tree(ctx, args.units.as_deref()) {
        let options = options(ctx, &args.detectors);
        let chosen: Vec<boots::Boot> = all
            .iter()
            .filter(|b| selected.contains(&b.boot_id))
            .cloned()
            .collect();
        let data = super::impact::read(ctx, &chosen, &options)?;
        let mut edges = findings::impact::observe(&data, &options);
        let tree = tree.with(
            edges
                .iter()
                .flat_map(|e| [e.dependant.clone(), e.dependency.clone()]),
        );
        for p in &tree.problems {
            eprintln!("jforensics: warning: unit files: {p}");
        }
        findings::impact::declare(&mut edges, &tree);
        let mut more = findings::impact::findings(&edges, &tree);
        more.retain(|f| selected.contains(&f.boot_id));
        list.extend(more);
        // In place among the others: the order `findings::detect` gives.
        let pos = |f: &Finding| all.iter().position(|b| b.boot_id == f.boot_id);
        list.sort_by(|a, b| {
            pos(a)
                .cmp(&pos(b))
                .then(a.start_realtime_usec.cmp(&b.start_realtime_usec))
                .then(a.kind.cmp(&b.kind))
                .then(a.id.cmp(&b.id))
        });
    }
    list.retain(|f| {
        args.min_severity.is_none_or(|m| f.severity >= m)
            && (args.kinds.is_empty() || args.kinds.iter().any(|k| Kind::parse(k) == Some(f.kind)))
    });
    if args.sort == FindingsSort::Severity {
        findings::sort_by_severity(&mut list);
    }
    // The findings rest on the selected boots and the boot before each.
    let read = findings::with_predecessors(&all, &selected)
        .into_iter()
        .cloned()
        .collect();
    Ok((read, selected, list))
}

fn run_one(ctx: &Context, args: &FindingsArgs) -> Result<ExitCode> {
    let (read, selected, list) = host_findings(ctx, args)?;
    match ctx.output.format {
        Format::Json => {
            let ids: Vec<String> = selected.iter().map(Id128::to_string).collect();
            let mut doc = json::findings::document(&list, &ids);
            doc["coverage"] = json::coverage(&read, &ctx.damage()?);
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Short => print!("{}", text(&list, selected.len(), ctx)),
    }
    Ok(super::fail_on(&args.fail_on, &list))
}

/// Reads the selected boots (and the boot before each) and runs the detectors.
pub fn detect(
    ctx: &Context,
    all: &[boots::Boot],
    selected: &[Id128],
    detectors: &DetectorArgs,
) -> Result<Vec<Finding>> {
    detect_with(all, selected, &options(ctx, detectors), |chunk, options| {
        Ok(ctx
            .read_boots(chunk, options)?
            .into_iter()
            .map(|(d, _)| d)
            .collect())
    })
}

/// The detectors' options as the flags set them.
pub fn options(ctx: &Context, detectors: &DetectorArgs) -> Options {
    Options {
        loop_restarts: detectors.loop_restarts,
        loop_window_usec: detectors.loop_window_usec,
        min_readiness_gap_usec: detectors.min_readiness_gap_usec,
        ready_patterns: detectors.ready_patterns.clone(),
        zone: ctx.style().zone,
        ..Options::default()
    }
}

/// [`detect`] with the boots read by `read` (a window of boots at a time,
/// returned in the order given).
pub fn detect_with(
    all: &[boots::Boot],
    selected: &[Id128],
    options: &Options,
    mut read: impl FnMut(&[&boots::Boot], &Options) -> Result<Vec<findings::BootData>>,
) -> Result<Vec<Finding>> {
    // A boot's findings need only it, the boot before and the one after:
    // boots are read a window at a time, several at once, and only the
    // window's last two stay for the next, so memory does not grow with the
    // journal. Findings come out in journal order, as in one detect().
    let wanted = findings::with_predecessors(all, selected);
    let window = 2 * super::threads();
    let mut list = Vec::new();
    let mut ready: Vec<findings::BootData> = Vec::new();
    let mut judged = 0;
    for (n, chunk) in wanted.chunks(window).enumerate() {
        ready.extend(read(chunk, options)?);
        let last = (n + 1) * window >= wanted.len();
        // The newest boot read waits for its successor, unless none is left.
        let judge_to = if last { ready.len() } else { ready.len() - 1 };
        let judge: Vec<Id128> = ready[judged..judge_to]
            .iter()
            .map(|d| d.analysis.boot.boot_id)
            .filter(|id| selected.contains(id))
            .collect();
        let mut found = findings::detect(&ready, options);
        found.retain(|f| judge.contains(&f.boot_id));
        list.extend(found);
        ready.drain(..ready.len().saturating_sub(2));
        judged = ready.len().min(1);
    }
    Ok(list)
}

/// One boot read in full, with the default thresholds: its analysis and its
/// findings, most severe first (what `since-boot` and `report` show). The
/// boot before is read too, as "lost at reboot" compares the two; each boot
/// is read once, for lifecycles and detectors alike.
pub fn one_boot(
    ctx: &Context,
    all: &[boots::Boot],
    boot: &boots::Boot,
) -> Result<(BootAnalysis, Vec<Finding>)> {
    let options = Options {
        zone: ctx.style().zone,
        ..Options::default()
    };
    let mut data = Vec::new();
    let both = findings::with_predecessors(all, &[boot.boot_id]);
    for (read, diagnostics) in ctx.read_boots(&both, &options)? {
        data.push(read);
        print_diagnostics(&diagnostics);
    }
    let mut found = findings::detect(&data, &options);
    found.retain(|f| f.boot_id == boot.boot_id);
    findings::sort_by_severity(&mut found);
    let analysis = data.pop().ok_or("no boot was read")?.analysis;
    Ok((analysis, found))
}

pub fn text(list: &[Finding], boots: usize, ctx: &Context) -> String {
    let style = ctx.style();
    let in_boots = if boots == 1 {
        "1 boot".to_string()
    } else {
        format!("{boots} boots")
    };
    if list.is_empty() {
        return format!("No findings in {in_boots}.\n");
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s, list.iter().filter(|f| f.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    format!(
        "{} finding{} in {in_boots} ({}):\n\n{}",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        counts.join(", "),
        terminal::findings::terminal(list, &style)
    )
}

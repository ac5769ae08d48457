//! `jforensics findings`: every detector over the selected boots.

use super::Exit;

use jforensics::boots;
use jforensics::findings::{self, Finding, Kind, Options, Severity};
use jforensics::journal::Id128;
use jforensics::report::{json, terminal};
use jforensics::session::Selection;

use super::{Context, Hosts, Result};
use crate::cli::Format;
use crate::cli::findings::{DetectorArgs, FindingsArgs, FindingsSort};

pub fn run(ctx: &Context, args: &FindingsArgs) -> Result<Exit> {
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
    let Selection {
        read,
        selected,
        findings: mut list,
    } = ctx.findings(args.boot.spec(), &options(ctx, &args.detectors))?;
    // Findings from the absence of a declaration need the declarations:
    // only with unit files read offline (never guessed, never asked of the
    // host a copied journal came from).
    if let Some(tree) = super::impact::offline_tree(ctx, args.units.as_deref()) {
        let options = options(ctx, &args.detectors);
        let all = ctx.boots()?;
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
    Ok((read, selected, list))
}

fn run_one(ctx: &Context, args: &FindingsArgs) -> Result<Exit> {
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

/// The detectors' options as the flags set them.
pub fn options(ctx: &Context, detectors: &DetectorArgs) -> Options {
    Options {
        loop_restarts: detectors.loop_restarts,
        loop_window_usec: detectors.loop_window_usec,
        min_readiness_gap_usec: detectors.min_readiness_gap_usec,
        ready_patterns: detectors.ready_patterns.clone(),
        ..zoned(ctx)
    }
}

/// The default thresholds, with times in the zone the output is in (what
/// `since-boot` and `report` run with).
pub fn zoned(ctx: &Context) -> Options {
    Options {
        zone: ctx.style().zone,
        ..Options::default()
    }
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

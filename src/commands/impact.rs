//! `jforensics impact UNIT` / `impact --all`: the dependency edges the
//! record shows, compared with the unit files when they can be read.

use jforensics::cause;
use jforensics::events::unit_name;
use jforensics::findings::{self, BootData, Options, impact};
use jforensics::journal::{Filter, SourceSpec};
use jforensics::report::chart;
use jforensics::units::UnitTree;

use super::error::{Error, Exit};
use super::{Context, Result};
use crate::cli::{Format, GraphFormat, ImpactArgs};

pub fn run(ctx: &Context, args: &ImpactArgs) -> Result<Exit> {
    let selected: Vec<_> = if args.all_boots {
        ctx.boots()?
    } else {
        let (mut near, at) = ctx.boot_with_neighbours(args.boot.spec())?;
        vec![near.swap_remove(at)]
    };
    let options = Options {
        zone: ctx.style().zone,
        ..Options::default()
    };
    let boots = read(ctx, &selected, &options)?;
    let mut edges = impact::observe(&boots, &options);
    let tree = declarations(ctx, args, &edges);
    if let Some(t) = &tree {
        for p in &t.problems {
            eprintln!("jforensics: warning: unit files: {p}");
        }
        impact::declare(&mut edges, t);
    }
    let found = tree
        .as_ref()
        .map(|t| impact::findings(&edges, t))
        .unwrap_or_default();
    let ids: Vec<String> = selected.iter().map(|b| b.boot_id.to_string()).collect();
    let zone = ctx.style().zone;
    if args.all {
        if let Some(path) = &args.chart {
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("png") => chart::ImageFormat::Png,
                Some("svg") => chart::ImageFormat::Svg,
                _ => {
                    return Err(Error::Usage(format!(
                        "{}: the chart is written as .svg or .png",
                        path.display()
                    )));
                }
            };
            let graph = chart::graph::DependencyGraph::new(&edges);
            std::fs::write(path, chart::render(&graph, format)?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        match (args.graph_format, ctx.output.format) {
            (GraphFormat::Dot, _) => print!("{}", jforensics::report::impact::dot(&edges)),
            (GraphFormat::Text, Format::Json) => println!(
                "{}",
                serde_json::to_string_pretty(&jforensics::report::impact::graph_json(
                    &edges,
                    tree.as_ref(),
                    &found,
                    &ids,
                    jforensics::report::json::coverage(&selected, &ctx.damage()?)
                ))?
            ),
            (GraphFormat::Text, Format::Short) => print!("{}", graph_text(&edges, tree.as_ref())),
        }
        return Ok(Exit::Success);
    }
    let unit = unit_name(args.unit.as_deref().unwrap_or_default());
    let imp = impact::impact(&unit, &edges, tree.as_ref(), &found);
    let seen = boots.iter().any(|b| {
        b.analysis
            .lifecycles
            .activations
            .iter()
            .any(|a| a.unit == unit)
    });
    if !seen {
        eprintln!("jforensics: note: {unit} does not appear in the boots read");
    }
    match ctx.output.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&jforensics::report::impact::json(
                &imp,
                tree.as_ref(),
                &ids,
                jforensics::report::json::coverage(&selected, &ctx.damage()?)
            ))?
        ),
        Format::Short => print!(
            "{}",
            jforensics::report::impact::text(&imp, tree.as_ref(), boots.len(), zone)
        ),
    }
    Ok(Exit::Success)
}

/// Each boot read through the index, the managers' lines only (the
/// matches `cause` needs) with the fields the detectors read, two boots at
/// once: edges come from job ids, triggers, failures and loops, never from
/// the services' own lines.
pub fn read(
    ctx: &Context,
    selected: &[jforensics::boots::Boot],
    options: &Options,
) -> Result<Vec<BootData>> {
    let managers = |boot| Filter {
        fields: findings::boot_filter(boot).fields,
        ..cause::filter_for_boot(boot)
    };
    let refs: Vec<&jforensics::boots::Boot> = selected.iter().collect();
    let mut boots: Vec<BootData> = Vec::with_capacity(selected.len());
    for (data, diagnostics) in ctx.read_boots_through(&refs, options, managers)? {
        ctx.say_diagnostics(&diagnostics);
        boots.push(data);
    }
    Ok(boots)
}

/// The unit files read offline: `--units DIR`, else the tree of `--root`.
/// None when they hold no unit at all (a tree of a copied journal only):
/// then every observed edge would be "undeclared", an accusation from an
/// absence that is the reader's, not the host's; what was missing is said.
pub fn offline_tree(ctx: &Context, units: Option<&std::path::Path>) -> Option<UnitTree> {
    let tree = match (units, &ctx.spec) {
        (Some(dir), _) => UnitTree::load_dir(dir),
        (None, SourceSpec::Root(root)) => UnitTree::load_root(root),
        _ => return None,
    };
    if tree.units.is_empty() {
        let mut why = tree.problems.clone();
        if why.is_empty() {
            let place = units.map_or_else(|| "the tree".to_string(), |d| d.display().to_string());
            why.push(format!(
                "{place} holds no unit file (--units wants a directory like /etc/systemd/system, --root the tree above /etc)"
            ));
        }
        for p in &why {
            eprintln!(
                "jforensics: note: unit files: {p}: no dependency is compared with a declaration"
            );
        }
        return None;
    }
    Some(tree)
}

/// The unit files to compare with: `--units DIR`, else the tree of
/// `--root ROOT`, else on the local journal the running manager. Reading a
/// copied journal without them, there is nothing to compare with, and the
/// note says so.
fn declarations(ctx: &Context, args: &ImpactArgs, edges: &[impact::Edge]) -> Option<UnitTree> {
    let named: Vec<String> = edges
        .iter()
        .flat_map(|e| [e.dependant.clone(), e.dependency.clone()])
        .chain(args.unit.as_deref().map(unit_name))
        .collect();
    if let Some(tree) = offline_tree(ctx, args.units.as_deref()) {
        return Some(tree.with(named));
    }
    if args.units.is_some() || matches!(ctx.spec, SourceSpec::Root(_)) {
        // Given, and empty: `offline_tree` said so.
        return None;
    }
    match &ctx.spec {
        SourceSpec::Local => match jforensics::units::from_systemctl(&named) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("jforensics: note: no declarations to compare with: {e}");
                None
            }
        },
        _ => {
            eprintln!(
                "jforensics: note: no unit files given (--units DIR or --root ROOT): edges are listed, declarations are not compared"
            );
            None
        }
    }
}

fn graph_text(edges: &[impact::Edge], tree: Option<&UnitTree>) -> String {
    let mut out = format!(
        "{} edges; declarations: {}\n",
        edges.len(),
        jforensics::report::impact::declarations_source(tree)
    );
    let node = jforensics::report::impact::node_name;
    let w = edges
        .iter()
        .map(|e| node(&e.dependant, &e.manager).len())
        .max()
        .unwrap_or(0);
    for e in edges {
        let declared = match &e.declared {
            None => "?".to_string(),
            Some(d) if d.is_empty() => "UNDECLARED".to_string(),
            Some(d) => d.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
        };
        out.push_str(&format!(
            "  {:<w$}  -> {:<30} {:<17} {:>3}x  conf {:.2}  declared: {}\n",
            node(&e.dependant, &e.manager),
            node(&e.dependency, &e.manager),
            e.kind.as_str(),
            e.count,
            e.confidence,
            declared
        ));
    }
    out
}

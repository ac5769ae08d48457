//! `jforensics unit UNIT`: one unit's activations — why each started, how it
//! ended and how long it ran — in one boot or all of them.

use super::Exit;

use jforensics::cause;
use jforensics::report::{json, terminal};

use super::{Context, Result};
use crate::cli::{Format, UnitArgs};
use jforensics::events::unit_name;

pub fn run(ctx: &Context, args: &UnitArgs) -> Result<Exit> {
    let selected: Vec<_> = if args.all_boots {
        ctx.boots()?
    } else {
        let (mut near, at) = ctx.boot_with_neighbours(args.boot.spec())?;
        vec![near.swap_remove(at)]
    };
    let unit = unit_name(&args.unit);
    // Each boot is read on its own (indexed _BOOT_ID match), so only one
    // boot's events are in memory while reading; classifying a start needs
    // the whole boot's job ids, not just this unit's lines.
    let mut analyses = Vec::with_capacity(selected.len());
    for b in &selected {
        let mut source = ctx.open(cause::filter_for_boot(b.boot_id))?;
        analyses.push(cause::analyze_source(b, source.as_mut())?);
        ctx.say_diagnostics(source.diagnostics());
    }
    let seen = analyses
        .iter()
        .any(|a| a.lifecycles.activations.iter().any(|x| x.unit == unit));
    if !seen {
        eprintln!("jforensics: note: {}", not_seen(&unit, &analyses));
    }
    match ctx.output.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json::starts::unit_json(
                &unit,
                &analyses,
                &ctx.damage()?
            ))?
        ),
        Format::Short => print!("{}", terminal::starts::unit(&unit, &analyses, &ctx.style())),
    }
    Ok(Exit::Success)
}

/// A shorter name than this would make every unit a suggestion.
const SHORTEST_STEM: usize = 2;
/// Suggestions beyond these are noise.
const MOST_SUGGESTED: usize = 5;

/// For a unit with no activation at all, which is most often a typo: say so,
/// and name the units whose names come close.
fn not_seen(unit: &str, analyses: &[cause::BootAnalysis]) -> String {
    let stem = unit
        .rsplit_once('.')
        .map_or(unit, |(s, _)| s)
        .to_lowercase();
    let mut close: Vec<&str> = analyses
        .iter()
        .flat_map(|a| a.lifecycles.activations.iter().map(|x| x.unit.as_str()))
        .filter(|u| stem.len() >= SHORTEST_STEM && u.to_lowercase().contains(&stem))
        .collect();
    close.sort_unstable();
    close.dedup();
    let where_ = if analyses.len() == 1 {
        "this boot"
    } else {
        "these boots"
    };
    match close.as_slice() {
        [] => format!(
            "{unit} does not appear in {where_}; `jforensics since-boot --all` lists the units that do"
        ),
        some => format!(
            "{unit} does not appear in {where_}; did you mean {}?",
            some.iter()
                .take(MOST_SUGGESTED)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

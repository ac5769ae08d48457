//! `jforensics findings`: every detector over the selected boots.

use std::process::ExitCode;

use jforensics::boots;
use jforensics::findings::{self, Finding, Kind, Options, Severity};
use jforensics::journal::{Filter, Id128};
use jforensics::report::findings as render;

use super::{Context, Result};
use crate::cli::Format;
use crate::cli::findings::{DetectorArgs, FindingsArgs, FindingsSort};

pub fn run(ctx: &Context, args: &FindingsArgs) -> Result<ExitCode> {
    let all = ctx.boots()?;
    let selected: Vec<Id128> = match &args.boot {
        Some(spec) => vec![boots::select(&all, spec)?.boot_id],
        None => all.iter().map(|b| b.boot_id).collect(),
    };
    let mut list = detect(ctx, &all, &selected, &args.detectors)?;
    let min = args.min_severity.as_deref().and_then(Severity::parse);
    list.retain(|f| {
        min.is_none_or(|m| f.severity >= m)
            && (args.kinds.is_empty() || args.kinds.iter().any(|k| Kind::parse(k) == Some(f.kind)))
    });
    if args.sort == FindingsSort::Severity {
        findings::sort_by_severity(&mut list);
    }
    match ctx.output.format {
        Format::Json => {
            let ids: Vec<String> = selected.iter().map(Id128::to_string).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&render::document(&list, &ids))?
            );
        }
        Format::Short => print!("{}", text(&list, selected.len(), ctx)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the selected boots (and the boot before each) and runs the detectors.
pub fn detect(
    ctx: &Context,
    all: &[boots::Boot],
    selected: &[Id128],
    detectors: &DetectorArgs,
) -> Result<Vec<Finding>> {
    let options = Options {
        loop_restarts: detectors.loop_restarts,
        loop_window_usec: detectors.loop_window_usec,
        min_readiness_gap_usec: detectors.min_readiness_gap_usec,
        ready_patterns: detectors.ready_patterns.clone(),
        zone: ctx.style().zone,
        ..Options::default()
    };
    let list = findings::for_boots(all, selected, &options, |boot| {
        let source = ctx.open(Filter::all().boot(boot.boot_id))?;
        Ok::<_, Box<dyn std::error::Error>>(source)
    })?;
    Ok(list)
}

/// The findings of one boot with the default thresholds, most severe first:
/// what `since-boot` prints before the starts.
pub fn for_boot(ctx: &Context, all: &[boots::Boot], boot: Id128) -> Result<Vec<Finding>> {
    let defaults = Options::default();
    let detectors = DetectorArgs {
        loop_restarts: defaults.loop_restarts,
        loop_window_usec: defaults.loop_window_usec,
        ready_patterns: Vec::new(),
        min_readiness_gap_usec: defaults.min_readiness_gap_usec,
    };
    let mut list = detect(ctx, all, &[boot], &detectors)?;
    findings::sort_by_severity(&mut list);
    Ok(list)
}

fn text(list: &[Finding], boots: usize, ctx: &Context) -> String {
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
        render::terminal(list, &style)
    )
}

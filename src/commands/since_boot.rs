//! `jforensics since-boot`: one boot's story — the boot line, then every
//! start that was not part of boot, grouped by cause, then the failures.

use std::process::ExitCode;

use jforensics::boots;
use jforensics::cause;
use jforensics::report::{findings, starts};

use super::{Context, Result, report_diagnostics};
use crate::cli::{Format, SinceBootArgs};

pub fn run(ctx: &Context, args: &SinceBootArgs) -> Result<ExitCode> {
    let all = ctx.boots()?;
    let boot = match &args.boot {
        Some(spec) => boots::select(&all, spec)?,
        None => all
            .last()
            .ok_or("the journal holds no boot; check the source with `jforensics boots`")?,
    };
    let mut source = ctx.open(cause::filter_for_boot(boot.boot_id))?;
    let analysis = cause::analyze_source(boot, source.as_mut())?;
    report_diagnostics(source.as_ref());
    let units: Vec<String> = args.units.iter().map(|u| unit_name(u)).collect();
    let mut found = super::findings::for_boot(ctx, &all, boot.boot_id)?;
    found.retain(|f| units.is_empty() || f.unit.as_ref().is_some_and(|u| units.contains(u)));
    match ctx.output.format {
        Format::Json => {
            let mut doc = starts::since_boot_json(&analysis, &units);
            doc["findings"] = findings::findings(&found);
            println!("{}", serde_json::to_string_pretty(&doc)?)
        }
        Format::Short => print!(
            "{}{}",
            findings::section(&found, &ctx.style()),
            starts::since_boot(&analysis, &units, args.all, &ctx.style())
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// "nginx" → "nginx.service", as systemctl and journalctl -u do.
pub fn unit_name(given: &str) -> String {
    const SUFFIXES: [&str; 11] = [
        ".service",
        ".socket",
        ".target",
        ".mount",
        ".automount",
        ".swap",
        ".timer",
        ".path",
        ".slice",
        ".scope",
        ".device",
    ];
    if SUFFIXES.iter().any(|s| given.ends_with(s)) {
        given.to_string()
    } else {
        format!("{given}.service")
    }
}

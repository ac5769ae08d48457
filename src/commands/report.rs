//! `jforensics report`: a postmortem bundle for one boot, written to a folder.

use std::process::ExitCode;

use jforensics::boots;
use jforensics::findings::{self, Options, Severity};
use jforensics::journal::Filter;
use jforensics::report::bundle::{self, DocFormat, ReportInput};

use super::{Context, Result, report_diagnostics};
use crate::cli::{ReportArgs, ReportFormat};

/// Exit status when `--fail-on` is met (README, "Exit codes").
pub const FINDINGS_AT_OR_ABOVE: u8 = 3;

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<ExitCode> {
    let all = ctx.boots()?;
    let boot = boots::select(&all, &args.boot)?;
    let position = all
        .iter()
        .position(|b| b.boot_id == boot.boot_id)
        .unwrap_or(0);
    let options = Options {
        zone: ctx.style().zone,
        ..Options::default()
    };
    // The boot before is read too: "lost at reboot" compares the two.
    let mut data = Vec::new();
    for b in &all[position.saturating_sub(1)..=position] {
        let mut source = ctx.open(Filter {
            boots: vec![b.boot_id],
            ..Filter::all()
        })?;
        data.push(findings::read_boot(b, source.as_mut(), &options)?);
        report_diagnostics(source.as_ref());
    }
    let mut found = findings::detect(&data, &options);
    found.retain(|f| f.boot_id == boot.boot_id);
    findings::sort_by_severity(&mut found);
    let analysis = &data.last().ok_or("no boot was read")?.analysis;
    let input = ReportInput {
        boots: &all,
        boot,
        zone: ctx.style().zone,
        generator: format!("jforensics {}", env!("CARGO_PKG_VERSION")),
        analysis: Some(analysis),
        findings: &found,
    };
    let format = match args.format {
        ReportFormat::Md => DocFormat::Markdown,
        ReportFormat::Html => DocFormat::Html,
    };
    let bundle = bundle::build(&input, format)?;
    bundle
        .write(&args.out)
        .map_err(|e| format!("writing the report into {}: {e}", args.out.display()))?;
    for (name, _) in &bundle.files {
        eprintln!("wrote {}", args.out.join(name).display());
    }
    Ok(fail_on(args.fail_on, &found))
}

/// `--fail-on SEVERITY`: exit 3 when a finding is at or above it.
fn fail_on(threshold: Option<Severity>, found: &[findings::Finding]) -> ExitCode {
    match threshold {
        Some(t) if found.iter().any(|f| f.severity >= t) => {
            eprintln!(
                "jforensics: findings at or above {t}: {}",
                found.iter().filter(|f| f.severity >= t).count()
            );
            ExitCode::from(FINDINGS_AT_OR_ABOVE)
        }
        _ => ExitCode::SUCCESS,
    }
}

//! `jforensics report`: a postmortem bundle for one boot, written to a folder.

use super::Exit;

use jforensics::report::bundle::{self, DocFormat};
use jforensics::report::input::ReportInput;

use super::{Context, Result};
use crate::cli::{ReportArgs, ReportFormat};

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<Exit> {
    let all = ctx.boots()?;
    let boot = jforensics::session::pick(&all, args.boot.spec())?;
    let (analysis, found) = ctx.one_boot(&all, boot, &super::findings::zoned(ctx))?;
    let analysis = &analysis;
    let input = ReportInput {
        boots: &all,
        boot,
        zone: ctx.style().zone,
        generator: format!("jforensics {}", env!("CARGO_PKG_VERSION")),
        analysis: Some(analysis),
        findings: &found,
        damage: &ctx.damage()?,
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
    Ok(super::fail_on(&args.fail_on, &found))
}

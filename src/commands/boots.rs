//! `jforensics boots`

use std::process::ExitCode;

use jforensics::boots;
use jforensics::report::{json, terminal};

use super::{Context, Result};
use crate::cli::{BootsArgs, Format};

pub fn run(ctx: &Context, args: &BootsArgs) -> Result<ExitCode> {
    let all = ctx.boots()?;
    let selected: Vec<_> = match args.boot.spec() {
        Some(spec) => vec![boots::select(&all, spec)?.clone()],
        None => all,
    };
    match ctx.output.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&json::boots(&selected))?),
        Format::Short => print!("{}", terminal::boots(&selected, &ctx.style())),
    }
    Ok(ExitCode::SUCCESS)
}

//! `jforensics boots`

use super::Exit;

use jforensics::boots;
use jforensics::report::{json, terminal};

use serde_json::Value;

use super::{Context, Hosts, Result};
use crate::cli::{BootsArgs, Format};

pub fn run(ctx: &Context, args: &BootsArgs) -> Result<Exit> {
    // Both branches below read every boot (the one host's table, or the
    // machine listing): scanning first lets the listing reuse its last entries.
    ctx.boots()?;
    let views = match ctx.hosts()? {
        Hosts::One => {
            let selected = selected(ctx, args)?;
            match ctx.output.format {
                Format::Json => {
                    println!("{}", serde_json::to_string_pretty(&json::boots(&selected))?)
                }
                Format::Short => print!("{}", terminal::boots(&selected, &ctx.style())),
            }
            return Ok(Exit::Success);
        }
        Hosts::Many(views) => views,
    };
    // Many hosts: one array, each boot naming its machine; one table per host.
    // Each view is dropped once printed, and its reader processes with it.
    let mut all = Vec::new();
    for (i, view) in views.into_iter().enumerate() {
        let selected = selected(&view, args)?;
        match ctx.output.format {
            Format::Json => {
                let Value::Array(list) = json::boots(&selected) else {
                    continue;
                };
                all.extend(list.into_iter().map(|b| super::name_host(b, &view)));
            }
            Format::Short => {
                if i > 0 {
                    println!();
                }
                print!(
                    "{}{}",
                    super::host_heading(&view),
                    terminal::boots(&selected, &ctx.style())
                );
            }
        }
    }
    if ctx.output.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(all))?);
    }
    Ok(Exit::Success)
}

fn selected(ctx: &Context, args: &BootsArgs) -> Result<Vec<boots::Boot>> {
    let all = ctx.boots()?;
    Ok(match args.boot.spec() {
        Some(spec) => vec![boots::select(&all, spec)?.clone()],
        None => all,
    })
}

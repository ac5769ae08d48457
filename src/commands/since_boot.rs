//! `jforensics since-boot`: one boot's story — the boot line, then every
//! start that was not part of boot, grouped by cause, then the failures.

use super::Exit;

use jforensics::events::unit_name;
use jforensics::report::{json, terminal};

use super::{Context, Result};
use crate::cli::{Format, SinceBootArgs};

pub fn run(ctx: &Context, args: &SinceBootArgs) -> Result<Exit> {
    let (near, at) = ctx.boot_with_neighbours(args.boot.spec())?;
    let (analysis, mut found) = ctx.one_boot(&near, &near[at], &super::findings::zoned(ctx))?;
    let units: Vec<String> = args.units.iter().map(|u| unit_name(u)).collect();
    found.retain(|f| units.is_empty() || f.unit.as_ref().is_some_and(|u| units.contains(u)));
    match ctx.output.format {
        Format::Json => {
            let mut doc = json::starts::since_boot_json(&analysis, &units, &ctx.damage()?);
            doc["findings"] = json::findings::findings(&found);
            println!("{}", serde_json::to_string_pretty(&doc)?)
        }
        Format::Short => print!(
            "{}{}",
            terminal::findings::section(&found, &ctx.style()),
            terminal::starts::since_boot(&analysis, &units, args.all, &ctx.style())
        ),
    }
    Ok(super::fail_on(&args.fail_on, &found))
}

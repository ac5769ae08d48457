//! `jforensics watch`: one scheduled run (`jforensics::watch::run`), its
//! flags turned into settings and its end into an exit status.

use super::Exit;

use jforensics::watch::run::{Ran, Settings, run_once};

use super::{Context, Result};
use crate::cli::Format;
use crate::cli::watch::WatchArgs;

pub fn run(ctx: &Context, args: &WatchArgs) -> Result<Exit> {
    let settings = Settings {
        state: args.state.clone(),
        jsonl: args.jsonl.clone(),
        webhook: args.webhook.clone(),
        alertmanager: args.alertmanager.clone(),
        alert_hold_usec: args.alert_hold_usec,
        textfile: args.textfile.clone(),
        initial_lookback_usec: args.initial_lookback_usec,
        ttl_usec: args.ttl_usec,
        wait: args.wait,
        full: args.full,
        fail_on: args.fail_on.fail_on,
        options: super::findings::options(ctx, &args.detectors),
        print_records: ctx.output.format == Format::Json,
        print_summary: ctx.output.format == Format::Short,
    };
    Ok(match run_once(ctx, &settings, &|text| print!("{text}"))? {
        Ran::Busy => Exit::LockBusy,
        Ran::Done { new_at_or_above: 0 } => Exit::Success,
        Ran::Done { .. } => Exit::FindingsAtOrAbove,
    })
}

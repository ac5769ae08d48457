//! `jforensics watch`: one scheduled run (`jforensics::watch::run`), its
//! flags turned into settings and its end into an exit status.

use std::process::ExitCode;

use jforensics::watch::run::{Ran, Settings, run_once};

use super::{Context, FINDINGS_AT_OR_ABOVE, Result};
use crate::cli::Format;
use crate::cli::watch::WatchArgs;

/// Exit status when another run holds the lock (EX_TEMPFAIL of sysexits.h).
pub const LOCK_BUSY: u8 = 75;

pub fn run(ctx: &Context, args: &WatchArgs) -> Result<ExitCode> {
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
        Ran::Busy => ExitCode::from(LOCK_BUSY),
        Ran::Done { new_at_or_above: 0 } => ExitCode::SUCCESS,
        Ran::Done { .. } => ExitCode::from(FINDINGS_AT_OR_ABOVE),
    })
}

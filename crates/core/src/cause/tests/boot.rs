//! The boot transaction: which starts belong to it by job id, and where it
//! ends.

use super::*;

#[test]
fn the_default_targets_transaction_is_boot_and_a_later_own_transaction_is_manual() {
    let mut log = Log::debian_boot();
    log.started(34_560, "db.service", 334);
    let starts = log.classify();
    for unit in [
        "echo.socket",
        "keeper.service",
        "worker.service",
        "graphical.target",
    ] {
        let s = start(&starts, unit, 0);
        assert_eq!(s.cause, Cause::Boot, "{unit}: {}", s.explanation);
        assert!(s.confidence >= 0.9);
    }
    let kmod = start(&starts, "kmod-static-nodes.service", 0);
    assert_eq!(kmod.cause, Cause::Boot, "kernel-log start during boot");
    assert!(kmod.job_id.is_none() && kmod.confidence < 0.9);
    let db = start(&starts, "db.service", 0);
    assert_eq!(db.cause, Cause::Manual);
    assert!(db.confidence <= 0.5, "no caller is logged at info level");
    assert!(db.explanation.contains("look alike"));
    assert!(!db.evidence.is_empty() && db.evidence[0].message.starts_with("Started db.service"));
}

/// debian12-loops, boot 1 (debug, `log_buf_len=4k`): journald, flooded,
/// read PID 1's "Started" line of a boot unit 24 s after PID 1 sent it, past
/// startup finished. Placed where it was sent, its job id lies in the boot
/// transaction's block: `boot`, not a request of its own.
#[test]
fn a_boot_units_line_that_journald_read_late_is_still_boot() {
    let sent = (1_795_244_000_000_000u64 + 16_500_000).to_string();
    let boot_with = |source: Option<&str>| {
        let mut log = Log::debian_boot();
        let mut fields = vec![
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("JOB_ID", "73"),
            ("JOB_TYPE", "start"),
            ("MESSAGE", "Started clearing-api.service - Backend."),
        ];
        if let Some(s) = source {
            fields.push(("_SOURCE_REALTIME_TIMESTAMP", s));
        }
        let inv = log.inv();
        log.pid1(40_500, "clearing-api.service", &inv, &fields);
        log.classify()
    };
    let s = boot_with(Some(&sent));
    let api = start(&s, "clearing-api.service", 0);
    assert_eq!(api.cause, Cause::Boot, "{}", api.explanation);
    let s = boot_with(None);
    let api = start(&s, "clearing-api.service", 0);
    assert_ne!(
        api.cause,
        Cause::Boot,
        "read late, timed late: {}",
        api.explanation
    );
}

#[test]
fn an_own_transaction_before_startup_finished_is_unknown_not_manual() {
    let mut log = Log::debian_boot();
    // Its id is past the boot transaction (a unit there already, keeper, has a
    // second job) but it was logged before startup finished.
    log.started(20_000, "keeper.service", 99);
    log.started(24_000, "geoclue.service", 160);
    let starts = log.classify();
    assert_eq!(start(&starts, "geoclue.service", 0).cause, Cause::Unknown);
}

//! Starts asked for by someone: sudo's commands and transient units.

use super::*;

#[test]
fn sudo_names_a_start_by_hand() {
    let mut log = Log::debian_boot();
    log.raw(
        114_400,
        &[
            ("SYSLOG_IDENTIFIER", "sudo"),
            ("_UID", "1000"),
            (
                "MESSAGE",
                "  jfuser : PWD=/ ; USER=root ; COMMAND=/usr/bin/systemctl start adhoc.service",
            ),
        ],
    );
    log.started(114_520, "adhoc.service", 1268);
    log.started(130_000, "other.service", 1500);
    let starts = log.classify();
    let s = start(&starts, "adhoc.service", 0);
    assert_eq!(s.cause, Cause::Manual);
    assert!(s.confidence > 0.9 && s.explanation.contains("systemctl start adhoc.service"));
    assert!(start(&starts, "other.service", 0).confidence <= 0.5);
}

#[test]
fn transient_units_are_known_by_their_names_and_descriptions() {
    let mut log = Log::debian_boot();
    log.started(50_000, "run-u12.service", 700);
    log.started(52_000, "session-3.scope", 760);
    let inv = log.inv();
    log.pid1(
        54_000,
        "export.service",
        &inv,
        &[
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("JOB_ID", "800"),
            ("JOB_TYPE", "start"),
            (
                "MESSAGE",
                "Started export.service - /usr/bin/python3 /opt/export.py.",
            ),
        ],
    );
    log.started(56_000, "nightly.service", 860);
    let starts = log.classify();
    for unit in ["run-u12.service", "session-3.scope", "export.service"] {
        assert_eq!(start(&starts, unit, 0).cause, Cause::Transient, "{unit}");
    }
    assert_eq!(start(&starts, "nightly.service", 0).cause, Cause::Manual);
}

#[test]
fn sudo_systemd_run_names_a_transient_unit_that_looks_like_a_start_by_hand() {
    let mut log = Log::debian_boot();
    log.raw(
        114_400,
        &[
            ("SYSLOG_IDENTIFIER", "sudo"),
            ("_UID", "1000"),
            (
                "MESSAGE",
                "  jfuser : PWD=/ ; USER=root ; COMMAND=/usr/bin/systemd-run --unit=nightly-export --description=Nightly export /opt/export.sh",
            ),
        ],
    );
    log.started(114_520, "nightly-export.service", 1268);
    log.started(130_000, "other.service", 1500);
    let starts = log.classify();
    let s = start(&starts, "nightly-export.service", 0);
    assert_eq!(s.cause, Cause::Transient, "{}", s.explanation);
    assert!(s.confidence > 0.9 && s.explanation.contains("systemd-run --unit=nightly-export"));
    assert_eq!(start(&starts, "other.service", 0).cause, Cause::Manual);
}

//! Every cause word, as the JSON report writes it, from the rule that gives it.

use super::*;

/// One boot in which each rule gives its answer once, read back as the JSON
/// report writes it (`cause` is the contract's word, docs/json.md). A rule
/// that answers wrongly, or a word that drifts from the contract, fails
/// here; so does a new cause no rule below gives, since every word of the
/// vocabulary must be met.
#[test]
fn every_cause_word_is_the_answer_of_the_rule_that_gives_it() {
    let mut log = Log::debian_boot();
    // failure-restart: backend fails and systemd restarts it.
    let backend = log.started(15_751, "backend.service", 90);
    log.exit(20_529, "backend.service", &backend, "1");
    log.auto_restart(22_630, "backend.service", &backend, 102, true);
    // unknown: worker's second job ends the boot transaction; geoclue's own
    // request, before startup finished, names nobody.
    log.started(20_000, "worker.service", 99);
    log.started(24_000, "geoclue.service", 160);
    // manual: a request of its own after startup, at info level.
    log.started(34_560, "db.service", 334);
    // transient: systemd-run's name.
    log.started(50_000, "run-u12.service", 700);
    // on-failure and on-success: the first job after "Triggering …".
    let fragile = log.started(74_064, "fragile.service", 812);
    log.exit(75_501, "fragile.service", &fragile, "1");
    log.text(
        75_509,
        "fragile.service",
        &fragile,
        "fragile.service: Triggering OnFailure= dependencies.",
    );
    log.starting(75_560, "fragile-alert.service", 870);
    // admin-restart: one restart job stops keeper (running since boot, the
    // second invocation of the boot) and starts it again.
    let keeper = format!("{:032x}", 2);
    for (ms, id, kind, job_type, text) in [
        (
            76_394,
            ids::UNIT_STOPPING,
            "928",
            "stop",
            "Stopping keeper.service...",
        ),
        (
            76_408,
            ids::UNIT_STOPPED,
            "928",
            "restart",
            "Stopped keeper.service.",
        ),
    ] {
        log.pid1(
            ms,
            "keeper.service",
            &keeper,
            &[
                ("MESSAGE_ID", id),
                ("JOB_ID", kind),
                ("JOB_TYPE", job_type),
                ("MESSAGE", text),
            ],
        );
    }
    log.started(76_460, "keeper.service", 928);
    let happy = log.started(80_000, "happy.service", 940);
    log.exit(81_000, "happy.service", &happy, "0");
    log.text(
        81_005,
        "happy.service",
        &happy,
        "happy.service: Triggering OnSuccess= dependencies.",
    );
    log.starting(81_050, "happy-report.service", 945);
    // policy-restart: looper exits cleanly and Restart=always starts it again.
    let looper = log.started(96_488, "looper.service", 950);
    log.exit(98_631, "looper.service", &looper, "0");
    log.auto_restart(99_671, "looper.service", &looper, 990, true);
    // socket: echo.socket has listened since boot.
    log.started(106_901, "echo.service", 1031);
    // timer and dependency: tick.service's transaction pulls in reporter,
    // the last id of its block before the next request's.
    log.started(110_661, "tick.timer", 1151);
    log.starting(112_733, "tick.service", 1209);
    log.started(112_787, "reporter.service", 1267);
    log.started(115_000, "adhoc.service", 1268);
    let starts = log.classify();

    let expected = [
        ("graphical.target", 0, "boot"),
        ("backend.service", 1, "failure-restart"),
        ("looper.service", 1, "policy-restart"),
        ("echo.service", 0, "socket"),
        ("reporter.service", 0, "dependency"),
        ("tick.service", 0, "timer"),
        ("fragile-alert.service", 0, "on-failure"),
        ("happy-report.service", 0, "on-success"),
        ("keeper.service", 1, "admin-restart"),
        ("db.service", 0, "manual"),
        ("run-u12.service", 0, "transient"),
        ("geoclue.service", 0, "unknown"),
    ];
    for (unit, nth, word) in expected {
        let json = serde_json::to_value(start(&starts, unit, nth)).unwrap();
        assert_eq!(
            json["cause"], word,
            "{unit} #{nth}: {}",
            json["explanation"]
        );
    }
    for cause in Cause::ALL {
        assert!(
            expected.iter().any(|(_, _, word)| *word == cause.as_str()),
            "no start here is classified {}: add the rule's case",
            cause.as_str()
        );
    }
}

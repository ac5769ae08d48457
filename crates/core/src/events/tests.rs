//! Entries shaped like real ones (fields as journalctl -o json shows them for
//! Debian 12's systemd 252 and the Fedora 251 sample).

use super::*;
use crate::journal::{Entry, Id128};
use crate::testkit::TestBoot;

const BOOT: TestBoot = TestBoot {
    id: Id128([7; 16]),
    epoch_usec: 990,
};

fn entry(fields: &[(&str, &str)]) -> Entry {
    BOOT.entry(10, fields)
}

fn pid1(fields: &[(&str, &str)]) -> Entry {
    BOOT.pid1(10, fields)
}

#[test]
fn started_and_condition_skips_share_an_id_but_not_a_kind() {
    let started = Event::from_entry(&pid1(&[
        ("MESSAGE_ID", ids::UNIT_STARTED),
        ("UNIT", "worker.service"),
        ("JOB_ID", "1267"),
        ("JOB_TYPE", "start"),
        ("JOB_RESULT", "done"),
        ("INVOCATION_ID", "3d1a473dd6754bc2bf73224271bd47d6"),
        (
            "MESSAGE",
            "Started worker.service - Long-running worker the periodic job needs.",
        ),
    ]))
    .unwrap();
    assert_eq!(started.kind, EventKind::Started);
    assert_eq!(started.unit.as_deref(), Some("worker.service"));
    assert_eq!(started.job_id, Some(1267));
    assert_eq!(started.job_type, Some(JobType::Start));
    assert_eq!(started.manager, Manager::System);
    assert_eq!(
        started.invocation_id.unwrap().to_string(),
        "3d1a473dd6754bc2bf73224271bd47d6"
    );
    for text in [
        "ldconfig.service - Rebuild Dynamic Linker Cache was skipped because all trigger condition checks failed.",
        "systemd-firstboot.service - First Boot Wizard was skipped because of an unmet condition check (ConditionFirstBoot=yes).",
        "Condition check resulted in dev-ttyS1.device - /dev/ttyS1 being skipped.",
        "foo.service - Foo skipped, unmet condition check ConditionPathExists=/x",
    ] {
        let skip = Event::from_entry(&pid1(&[
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("UNIT", "x.service"),
            ("JOB_ID", "169"),
            ("INVOCATION_ID", ""),
            ("MESSAGE", text),
        ]))
        .unwrap();
        assert_eq!(skip.kind, EventKind::ConditionSkipped, "{text}");
        assert_eq!(skip.invocation_id, None, "an empty INVOCATION_ID is no id");
    }
}

#[test]
fn exits_failures_and_restarts_come_from_fields() {
    let exit = Event::from_entry(&pid1(&[
        ("MESSAGE_ID", ids::UNIT_PROCESS_EXIT),
        ("UNIT", "segv.service"),
        ("EXIT_CODE", "dumped"),
        ("EXIT_STATUS", "11"),
        ("COMMAND", "ExecStart"),
        (
            "MESSAGE",
            "segv.service: Main process exited, code=dumped, status=11/SEGV",
        ),
    ]))
    .unwrap();
    let EventKind::ProcessExit(p) = &exit.kind else {
        panic!("{:?}", exit.kind)
    };
    assert_eq!(p.role, ProcessRole::Main);
    assert_eq!(p.kind, ExitKind::Dumped);
    assert_eq!(p.status.as_deref(), Some("11"));
    assert!(!p.is_success());

    let failure = Event::from_entry(&pid1(&[
        ("MESSAGE_ID", ids::UNIT_FAILURE_RESULT),
        ("UNIT", "memhog.service"),
        ("UNIT_RESULT", "oom-kill"),
        ("MESSAGE", "memhog.service: Failed with result 'oom-kill'."),
    ]))
    .unwrap();
    assert_eq!(
        failure.kind,
        EventKind::FailureResult {
            result: "oom-kill".into()
        }
    );

    let restart = Event::from_entry(&pid1(&[
        ("MESSAGE_ID", ids::UNIT_RESTART_SCHEDULED),
        ("UNIT", "backend.service"),
        ("N_RESTARTS", "3"),
        (
            "MESSAGE",
            "backend.service: Scheduled restart job, restart counter is at 3.",
        ),
    ]))
    .unwrap();
    assert_eq!(
        restart.kind,
        EventKind::RestartScheduled {
            n_restarts: Some(3)
        }
    );

    let stopped = Event::from_entry(&pid1(&[
        ("MESSAGE_ID", ids::UNIT_STOPPED),
        ("UNIT", "backend.service"),
        ("JOB_ID", "102"),
        ("JOB_TYPE", "restart"),
        ("MESSAGE", "Stopped backend.service - Backend."),
    ]))
    .unwrap();
    assert_eq!(stopped.kind, EventKind::Stopped);
    assert_eq!(stopped.job_type, Some(JobType::Restart));
}

#[test]
fn messages_without_an_id_are_read_from_their_text() {
    let cases: Vec<(&str, &str, EventKind)> = vec![
        (
            "flappy.service",
            "flappy.service: Start request repeated too quickly.",
            EventKind::StartLimitHit,
        ),
        (
            "wdog.service",
            "wdog.service: Watchdog timeout (limit 3s)!",
            EventKind::WatchdogTimeout,
        ),
        (
            "slowstart.service",
            "slowstart.service: start operation timed out. Terminating.",
            EventKind::OperationTimeout {
                operation: "start".into(),
                action: "Terminating".into(),
            },
        ),
        (
            "gdm.service",
            "gdm.service: Triggering OnFailure= dependencies.",
            EventKind::TriggeringDependencies {
                trigger: TriggerKind::OnFailure,
            },
        ),
        (
            "gdm.service",
            "gdm.service: Failed to enqueue OnFailure= job, ignoring: Transaction for plymouth-quit.service/start is destructive",
            EventKind::TriggerFailed {
                trigger: TriggerKind::OnFailure,
            },
        ),
        (
            "proc-sys-fs-binfmt_misc.automount",
            "proc-sys-fs-binfmt_misc.automount: Got automount request for /proc/sys/fs/binfmt_misc, triggered by 183 (systemd-binfmt)",
            EventKind::AutomountRequest {
                path: "/proc/sys/fs/binfmt_misc".into(),
                pid: Some(183),
                comm: Some("systemd-binfmt".into()),
            },
        ),
        (
            "echo.socket",
            "echo.socket: Incoming traffic",
            EventKind::IncomingTraffic,
        ),
        (
            "tick.timer",
            "tick.timer: Timer elapsed.",
            EventKind::TimerElapsed,
        ),
        (
            "backend.service",
            "backend.service: Converting job backend.service/restart -> backend.service/start",
            EventKind::JobConverted {
                from: JobType::Restart,
                to: JobType::Start,
            },
        ),
        (
            "backend.service",
            "backend.service: Changed running -> failed",
            EventKind::StateChanged {
                from: "running".into(),
                to: "failed".into(),
            },
        ),
        (
            "db.service",
            "db.service: Forked /usr/bin/python3 as 394",
            EventKind::Spawned { pid: Some(394) },
        ),
        (
            "backend.service",
            "backend.service: Service RestartSec=2s expired, scheduling restart.",
            EventKind::RestartDue,
        ),
    ];
    for (unit, message, kind) in cases {
        let e = Event::from_entry(&pid1(&[("UNIT", unit), ("MESSAGE", message)])).unwrap();
        assert_eq!(e.kind, kind, "{message}");
        assert!(e.from_text);
    }
    let installed = Event::from_entry(&pid1(&[
        ("UNIT", "db.service"),
        ("PRIORITY", "7"),
        (
            "MESSAGE",
            "db.service: Installed new job db.service/start as 566",
        ),
    ]))
    .unwrap();
    assert_eq!(
        installed.kind,
        EventKind::JobInstalled {
            job_type: JobType::Start
        }
    );
    assert_eq!(installed.job_id, Some(566));
    let finished = Event::from_entry(&pid1(&[
        ("UNIT", "db.service"),
        (
            "MESSAGE",
            "db.service: Job 566 db.service/start finished, result=done",
        ),
    ]))
    .unwrap();
    assert_eq!(finished.job_id, Some(566));
    let bus = Event::from_entry(&pid1(&[(
        "MESSAGE",
        "Got message type=method_call sender=n/a destination=org.freedesktop.systemd1 path=/org/freedesktop/systemd1 interface=org.freedesktop.systemd1.Manager member=StartUnit cookie=1 reply_cookie=0 signature=ss error-name=n/a error-message=n/a",
    )]))
    .unwrap();
    assert_eq!(
        bus.kind,
        EventKind::BusCall {
            member: "StartUnit".into(),
            sender: None
        }
    );
    assert!(
        Event::from_entry(&pid1(&[
            ("UNIT", "x.service"),
            ("MESSAGE", "x.service: something else")
        ]))
        .is_none()
    );
}

#[test]
fn kernel_log_lines_from_early_boot_yield_units_from_text() {
    let kernel = |message: &str| {
        entry(&[
            ("_TRANSPORT", "kernel"),
            ("SYSLOG_PID", "1"),
            ("SYSLOG_IDENTIFIER", "systemd"),
            ("MESSAGE", message),
        ])
    };
    let cases = [
        (
            "Starting systemd-journald.service - Journal Service...",
            EventKind::Starting,
            "systemd-journald.service",
        ),
        (
            "Finished kmod-static-nodes.service - Create List of Static Device Nodes.",
            EventKind::Started,
            "kmod-static-nodes.service",
        ),
        (
            "Listening on dbus.socket - D-Bus System Message Bus Socket.",
            EventKind::Started,
            "dbus.socket",
        ),
        (
            "Reached target rpc_pipefs.target.",
            EventKind::Started,
            "rpc_pipefs.target",
        ),
        (
            "Stopped target initrd-fs.target - Initrd File Systems.",
            EventKind::Stopped,
            "initrd-fs.target",
        ),
        (
            "modprobe@drm.service: Deactivated successfully.",
            EventKind::Success,
            "modprobe@drm.service",
        ),
        (
            "systemd-journald.service: Scheduled restart job, restart counter is at 1.",
            EventKind::RestartScheduled {
                n_restarts: Some(1),
            },
            "systemd-journald.service",
        ),
        (
            "auth-rpcgss-module.service - Kernel Module supporting RPCSEC_GSS was skipped because of a failed condition check (ConditionPathExists=/etc/krb5.keytab).",
            EventKind::ConditionSkipped,
            "auth-rpcgss-module.service",
        ),
    ];
    for (message, kind, unit) in cases {
        let e = Event::from_entry(&kernel(message)).unwrap();
        assert_eq!((e.kind, e.unit.as_deref()), (kind, Some(unit)), "{message}");
        assert_eq!(e.manager, Manager::System);
        assert_eq!(e.job_id, None);
    }
    let queued = Event::from_entry(&kernel(
        "Queued start job for default target graphical.target.",
    ))
    .unwrap();
    assert_eq!(
        queued.kind,
        EventKind::DefaultTargetQueued {
            target: "graphical.target".into()
        }
    );
    // StatusUnitFormat=description leaves no unit name: nothing is invented.
    assert!(Event::from_entry(&kernel("Started Journal Service.")).is_none());
    assert!(Event::from_entry(&kernel("Detected architecture arm64.")).is_none());
}

#[test]
fn user_managers_use_user_fields_and_their_own_pid() {
    let e = Event::from_entry(&entry(&[
        ("_PID", "1509"),
        ("_SYSTEMD_UNIT", "user@1000.service"),
        ("_SYSTEMD_USER_UNIT", "init.scope"),
        ("MESSAGE_ID", ids::UNIT_STARTED),
        ("USER_UNIT", "pipewire.service"),
        ("USER_INVOCATION_ID", "0123456789abcdef0123456789abcdef"),
        ("JOB_ID", "48"),
        ("JOB_TYPE", "start"),
        (
            "MESSAGE",
            "Started pipewire.service - PipeWire Multimedia Service.",
        ),
    ]))
    .unwrap();
    assert_eq!(e.manager, Manager::User(1000));
    assert_eq!(e.manager_pid, Some(1509));
    assert_eq!(e.unit.as_deref(), Some("pipewire.service"));
    assert!(e.invocation_id.is_some());
    assert_eq!(e.manager.to_string(), "user:1000");
}

#[test]
fn audit_records_of_pid1_are_not_events() {
    assert!(
        Event::from_entry(&entry(&[
            ("_PID", "1"),
            ("_TRANSPORT", "audit"),
            (
                "MESSAGE",
                "SERVICE_START pid=1 uid=0 msg='unit=systemd-sysctl res=success'"
            ),
        ]))
        .is_none()
    );
}

#[test]
fn systemd_run_command_lines_name_the_unit_they_create() {
    use super::text::parse_systemd_run_unit as unit;
    assert_eq!(
        unit("/usr/bin/systemd-run --unit=export --description=Nightly /opt/x.sh"),
        Some("export.service".to_string())
    );
    assert_eq!(
        unit("/usr/bin/systemd-run -u export.service /opt/x.sh --unit=other"),
        Some("export.service".to_string())
    );
    assert_eq!(
        unit("systemd-run --scope --unit build make -j4"),
        Some("build.scope".to_string())
    );
    assert_eq!(unit("/usr/bin/systemd-run /opt/x.sh"), None);
    assert_eq!(unit("/usr/bin/systemctl start export.service"), None);
}

#[test]
fn coredumps_sudo_and_spawn_failures_name_their_unit() {
    let core = Event::from_entry(&entry(&[
        ("_PID", "451"),
        ("MESSAGE_ID", ids::COREDUMP),
        ("COREDUMP_UNIT", "wdog.service"),
        ("COREDUMP_UID", "0"),
        ("COREDUMP_PID", "407"),
        ("COREDUMP_SIGNAL", "6"),
        ("COREDUMP_EXE", "/usr/bin/python3.11"),
        ("MESSAGE", "Process 407 (python3) of user 0 dumped core."),
    ]))
    .unwrap();
    assert_eq!(core.unit.as_deref(), Some("wdog.service"));
    assert_eq!(core.manager, Manager::System);
    assert!(matches!(
        core.kind,
        EventKind::Coredump {
            signal: Some(6),
            pid: Some(407),
            ..
        }
    ));

    let user_core = Event::from_entry(&entry(&[
        ("MESSAGE_ID", ids::COREDUMP),
        ("COREDUMP_UNIT", "user@1000.service"),
        ("COREDUMP_USER_UNIT", "gnome-shell.service"),
        ("COREDUMP_UID", "1000"),
    ]))
    .unwrap();
    assert_eq!(user_core.manager, Manager::User(1000));
    assert_eq!(user_core.unit.as_deref(), Some("gnome-shell.service"));

    let sudo = Event::from_entry(&entry(&[
        ("SYSLOG_IDENTIFIER", "sudo"),
        ("_UID", "1000"),
        (
            "MESSAGE",
            "  jfuser : PWD=/ ; USER=root ; COMMAND=/usr/bin/systemctl start adhoc.service",
        ),
    ]))
    .unwrap();
    let EventKind::Sudo { user, command } = &sudo.kind else {
        panic!()
    };
    assert_eq!(user, "jfuser");
    assert_eq!(
        parse_systemctl_command(command),
        Some(("start".to_string(), vec!["adhoc.service".to_string()]))
    );
    assert!(
        Event::from_entry(&entry(&[
            ("SYSLOG_IDENTIFIER", "sudo"),
            (
                "MESSAGE",
                "pam_unix(sudo:session): session opened for user root(uid=0) by (uid=1000)"
            ),
        ]))
        .is_none()
    );
}

#[test]
fn transient_names_and_command_line_descriptions() {
    for name in [
        "run-u42.service",
        "run-r0123456789abcdef0123456789abcdef.service",
        "session-3.scope",
        "dbus-:1.16-org.freedesktop.problems@0.service",
    ] {
        assert!(is_transient_name(name), "{name}");
    }
    for name in [
        "run-user-1000.mount",
        "runner.service",
        "nightly-export.service",
    ] {
        assert!(!is_transient_name(name), "{name}");
    }
    assert!(looks_like_command_line(
        "Started run-u7.service - /usr/bin/sleep 60.",
        "run-u7.service"
    ));
    // v256+: systemd-run prefixes its default description.
    assert!(looks_like_command_line(
        "Started deferred-purge-0.timer - [systemd-run] /usr/bin/python3 /x.py.",
        "deferred-purge-0.timer"
    ));
    assert!(!looks_like_command_line(
        "Started notes.service - [systemd-run] notes.",
        "notes.service"
    ));
    assert!(!looks_like_command_line(
        "Started jf-transient.service - Transient export job.",
        "jf-transient.service"
    ));
    assert_eq!(
        parse_systemctl_command("/usr/bin/systemctl --no-block restart nginx"),
        Some(("restart".to_string(), vec!["nginx.service".to_string()]))
    );
    assert_eq!(parse_systemctl_command("/usr/bin/su -"), None);
}

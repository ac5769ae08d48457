//! Kills and limits: runs that systemd or the kernel ended by force, or that
//! never got going — OOM kills, watchdog timeouts, core dumps, start
//! timeouts, the start limit, failed spawns.
//!
//! All of these are logged as such (a result, a MESSAGE_ID, a coredump
//! record), so these findings carry no confidence. One run can yield several:
//! a watchdog kill with SIGABRT also dumps core. A spawn failure is told by
//! systemd's own exit statuses (200–243: EXIT_CHDIR, EXIT_EXEC, EXIT_USER …)
//! or the SPAWN_FAILED record; a core dump by the coredump record or
//! `code=dumped`. Coredump and spawn records that belong to no unit run
//! (a crash in a login session) are reported on their own.

use crate::events::{EventKind, ExitKind};
use crate::evidence::Evidence;

use super::facts::{BootFacts, duration, signal_name};
use super::{Context, Details, Finding, KillDetails, Kind, Severity, finding_id};

/// systemd's own exit statuses for failures before or at exec
/// (`src/basic/exit-status.h`: EXIT_CHDIR = 200 … EXIT_CREDENTIALS = 243).
const SPAWN_STATUSES: std::ops::RangeInclusive<u32> = 200..=243;

pub fn detect(cx: &Context) -> Vec<Finding> {
    let f = cx.facts;
    let mut out = Vec::new();
    for i in 0..f.lc.activations.len() {
        out.extend(for_run(f, i));
    }
    out.extend(unattached(f));
    out
}

struct Kill {
    kind: Kind,
    /// The event that shows it.
    event: Option<usize>,
    summary: String,
    hint: String,
}

fn for_run(f: &BootFacts, i: usize) -> Vec<Finding> {
    let a = f.act(i);
    let unit = &a.unit;
    let result = a.result.as_deref();
    let ran = a.ran_usec();
    let ran_words = ran
        .map(|r| format!(" after running {}", duration(r)))
        .unwrap_or_default();
    let mut kills: Vec<Kill> = Vec::new();

    if a.oom_killed || result == Some("oom-kill") {
        let event = f.find_event(i, |k| {
            matches!(k, EventKind::OutOfMemory | EventKind::OomdKill)
        });
        let by = match event.map(|e| &f.lc.event(e).kind) {
            Some(EventKind::OomdKill) => "systemd-oomd",
            _ => "the kernel's OOM killer",
        };
        let peak = a
            .resources
            .memory_peak_bytes
            .map(|b| format!(", memory peak {} MiB", b / (1024 * 1024)))
            .unwrap_or_default();
        kills.push(Kill {
            kind: Kind::OomKill,
            event,
            summary: format!(
                "{unit} was killed by {by} at {}{ran_words}{peak}: it ran out of memory (its own MemoryMax= or the machine's).",
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "Raise `MemoryMax=`/`MemoryHigh=` for {unit} (or the machine's memory) if the usage is legitimate, otherwise find the leak; `journalctl -k` has the kernel's OOM report."
            ),
        });
    }
    if a.watchdog_timeout || result == Some("watchdog") {
        let event = f.find_event(i, |k| matches!(k, EventKind::WatchdogTimeout));
        let how = a
            .exit
            .as_ref()
            .filter(|x| x.kind != ExitKind::Exited)
            .map(|x| format!("; it was killed with {}", describe_exit(&x.describe())))
            .unwrap_or_default();
        kills.push(Kill {
            kind: Kind::Watchdog,
            event,
            summary: format!(
                "{unit} stopped answering its watchdog: systemd declared it hung at {}{ran_words} (WatchdogSec= expired){how}.",
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "Its main loop stalled or stopped sending WATCHDOG=1: look at what {unit} logged just before (a core dump shows where it hung); raise `WatchdogSec=` only if the work legitimately takes longer."
            ),
        });
    }
    let dumped = a.exit.as_ref().is_some_and(|x| x.kind == ExitKind::Dumped);
    if a.coredump.is_some() || dumped || result == Some("core-dump") {
        let event = a.coredump.map(|s| s.event).or_else(|| {
            f.find_event(
                i,
                |k| matches!(k, EventKind::ProcessExit(x) if x.kind == ExitKind::Dumped),
            )
        });
        let (signal, exe, pid) = coredump_facts(f, a.coredump.map(|s| s.event));
        let signal = signal.or_else(|| {
            a.exit
                .as_ref()
                .filter(|x| x.kind == ExitKind::Dumped)
                .and_then(|x| x.status.as_deref()?.parse().ok())
        });
        let what = exe
            .as_deref()
            .map(|e| {
                format!(
                    " ({e}{})",
                    pid.map(|p| format!(", pid {p}")).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        kills.push(Kill {
            kind: Kind::CoreDump,
            event,
            summary: format!(
                "{unit} crashed with {} and dumped core at {}{what}{ran_words}.",
                signal_words(signal),
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "`coredumpctl info {}` shows the backtrace (`coredumpctl debug` opens it in gdb); fix the crash, `Restart=on-failure` only hides it.",
                pid.map(|p| p.to_string()).unwrap_or_else(|| format!("COREDUMP_UNIT={unit}"))
            ),
        });
    }
    let start_timeout = a
        .timed_out
        .as_deref()
        .is_some_and(|op| op.starts_with("start"))
        || (result == Some("timeout") && a.started.is_none());
    if start_timeout {
        let event = f.find_event(i, |k| matches!(k, EventKind::OperationTimeout { .. }));
        let since = f
            .start_stamp(i)
            .zip(event.map(|e| crate::lifecycle::Stamp {
                event: e,
                realtime_usec: f.lc.event(e).realtime_usec,
                monotonic_usec: f.lc.event(e).monotonic_usec,
            }))
            .map(|(s, e)| format!(", {} after its start", duration(s.until(&e))))
            .unwrap_or_default();
        kills.push(Kill {
            kind: Kind::StartTimeout,
            event,
            summary: format!(
                "{unit} did not finish starting in time: systemd gave up on it at {}{since} (TimeoutStartSec= expired) and it failed without ever serving.",
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "If {unit} is Type=notify, make it send READY=1 once it serves (or use the right Type=); if it is just slow, raise `TimeoutStartSec=`."
            ),
        });
    }
    if a.start_limit_hit {
        let event = f
            .find_event(i, |k| matches!(k, EventKind::StartLimitHit))
            .or_else(|| f.find_event(i, |k| matches!(k, EventKind::FailureResult { result } if result == "start-limit-hit")));
        let restarts = a.restart_scheduled.and_then(|(_, n)| n);
        let after = restarts
            .map(|n| format!(" after {n} restarts"))
            .unwrap_or_default();
        let stays = if f.lc.next(i).is_none() {
            "; it stayed failed for the rest of the boot"
        } else {
            ""
        };
        kills.push(Kill {
            kind: Kind::StartLimitHit,
            event,
            summary: format!(
                "{unit} hit its start limit at {}{after}: systemd refused to start it again (\"Start request repeated too quickly\"){stays}.",
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "Fix why it keeps failing (`journalctl -u {unit}`), then `systemctl reset-failed {unit}` and start it; `StartLimitIntervalSec=`/`StartLimitBurst=` set how soon systemd gives up."
            ),
        });
    }
    let spawn_event = f.find_event(i, |k| matches!(k, EventKind::SpawnFailed { .. }));
    let spawn_status = a
        .exit
        .as_ref()
        .filter(|x| x.kind == ExitKind::Exited)
        .and_then(|x| x.status.as_deref()?.parse::<u32>().ok())
        .filter(|s| SPAWN_STATUSES.contains(s));
    if spawn_event.is_some() || spawn_status.is_some() {
        let executable = spawn_event.and_then(|e| match &f.lc.event(e).kind {
            EventKind::SpawnFailed { executable } => executable.clone(),
            _ => None,
        });
        let event =
            spawn_event.or_else(|| f.find_event(i, |k| matches!(k, EventKind::ProcessExit(_))));
        let what = executable
            .as_deref()
            .map(|x| format!(" {x}"))
            .unwrap_or_default();
        let status = spawn_status
            .map(|s| format!(" (exit status {s})"))
            .unwrap_or_default();
        kills.push(Kill {
            kind: Kind::SpawnFailed,
            event,
            summary: format!(
                "{unit} never ran: systemd could not execute{what} at {}{status}.",
                f.clock(when(f, i, event))
            ),
            hint: format!(
                "Check `ExecStart=` of {unit} (path, User=, WorkingDirectory=, permissions); `systemctl status {unit}` names the step that failed."
            ),
        });
    }

    kills
        .into_iter()
        .map(|k| {
            let at = when(f, i, k.event);
            let mut evidence: Vec<Evidence> = Vec::new();
            for e in [
                f.stamp_evidence(f.start_stamp(i)),
                k.event.map(|e| f.evidence(e)),
            ]
            .into_iter()
            .flatten()
            .chain(result_line(f, i))
            {
                if !evidence
                    .iter()
                    .any(|x| x.cursor == e.cursor && x.message == e.message)
                {
                    evidence.push(e);
                }
            }
            evidence.sort_by_key(|e| e.realtime_usec);
            let (signal, exe, pid) = coredump_facts(f, a.coredump.map(|s| s.event));
            let details = KillDetails {
                result: a.result.clone(),
                exit: a.exit.as_ref().map(|x| x.describe()),
                signal: signal.or_else(|| {
                    a.exit
                        .as_ref()
                        .filter(|x| x.kind != ExitKind::Exited)
                        .and_then(|x| x.status.as_deref()?.parse().ok())
                }),
                coredump_exe: exe,
                coredump_comm: a.coredump.and_then(|s| match &f.lc.event(s.event).kind {
                    EventKind::Coredump { comm, .. } => comm.clone(),
                    _ => None,
                }),
                coredump_pid: pid,
                executable: spawn_event.and_then(|e| match &f.lc.event(e).kind {
                    EventKind::SpawnFailed { executable } => executable.clone(),
                    _ => None,
                }),
                operation: a.timed_out.clone(),
                ran_usec: ran,
            };
            let boot_id = f.boot().boot_id;
            Finding {
                id: finding_id(k.kind, unit, boot_id, at),
                kind: k.kind,
                severity: if k.kind == Kind::StartLimitHit && f.lc.next(i).is_none() {
                    Severity::Critical
                } else {
                    Severity::Error
                },
                unit: Some(unit.clone()),
                manager: a.manager.to_string(),
                boot_id,
                start_realtime_usec: at,
                end_realtime_usec: a.ended.map(|s| s.realtime_usec).unwrap_or(at).max(at),
                summary: k.summary,
                hint: k.hint,
                confidence: None,
                evidence,
                details: Details::Kill(details),
            }
        })
        .collect()
}

/// When it happened: the event's time, else the end of the run, else its start.
fn when(f: &BootFacts, i: usize, event: Option<usize>) -> u64 {
    event
        .map(|e| f.lc.event(e).realtime_usec)
        .or(f.act(i).ended.map(|s| s.realtime_usec))
        .unwrap_or_else(|| f.start_realtime(i))
}

/// The "Failed with result" line of run `i`.
fn result_line(f: &BootFacts, i: usize) -> Option<Evidence> {
    f.find_event(i, |k| matches!(k, EventKind::FailureResult { .. }))
        .map(|e| f.evidence(e))
}

/// Signal, executable and PID from a coredump record.
fn coredump_facts(
    f: &BootFacts,
    event: Option<usize>,
) -> (Option<u32>, Option<String>, Option<u32>) {
    match event.map(|e| &f.lc.event(e).kind) {
        Some(EventKind::Coredump {
            signal, exe, pid, ..
        }) => (*signal, exe.clone(), *pid),
        _ => (None, None, None),
    }
}

fn signal_words(signal: Option<u32>) -> String {
    match signal {
        Some(n) => match signal_name(n) {
            Some(name) => format!("signal {n} (SIG{name})"),
            None => format!("signal {n}"),
        },
        None => "a signal".to_string(),
    }
}

/// "signal=6 (core dumped)" → "signal 6 (SIGABRT), core dumped".
fn describe_exit(text: &str) -> String {
    let Some(rest) = text.strip_prefix("signal=") else {
        return text.to_string();
    };
    let (num, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let words = signal_words(num.parse().ok());
    if tail.contains("core dumped") {
        format!("{words}, and it dumped core")
    } else {
        words
    }
}

/// Coredump and spawn-failure records that belong to no unit run.
fn unattached(f: &BootFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for (e, event) in f.lc.events.iter().enumerate() {
        if f.lc.activation_of_event(e).is_some() {
            continue;
        }
        let (kind, summary, hint, details) = match &event.kind {
            EventKind::Coredump {
                pid,
                signal,
                exe,
                comm,
            } => {
                let who = exe
                    .clone()
                    .or_else(|| comm.clone())
                    .unwrap_or_else(|| "a process".to_string());
                let place = event
                    .unit
                    .as_deref()
                    .map(|u| format!(" in {u}"))
                    .unwrap_or_default();
                (
                    Kind::CoreDump,
                    format!(
                        "{who}{} crashed with {} and dumped core at {}{place}.",
                        pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                        signal_words(*signal),
                        f.clock(event.realtime_usec)
                    ),
                    format!(
                        "`coredumpctl info {}` shows the backtrace.",
                        pid.map(|p| p.to_string()).unwrap_or_else(|| who.clone())
                    ),
                    KillDetails {
                        result: None,
                        exit: None,
                        signal: *signal,
                        coredump_exe: exe.clone(),
                        coredump_comm: comm.clone(),
                        coredump_pid: *pid,
                        executable: None,
                        operation: None,
                        ran_usec: None,
                    },
                )
            }
            EventKind::SpawnFailed { executable } => {
                let unit = event.unit.as_deref().unwrap_or("a unit");
                (
                    Kind::SpawnFailed,
                    format!(
                        "{unit} could not execute {} at {}.",
                        executable.as_deref().unwrap_or("its command"),
                        f.clock(event.realtime_usec)
                    ),
                    format!(
                        "Check `ExecStart=` of {unit} (path, User=, WorkingDirectory=, permissions)."
                    ),
                    KillDetails {
                        result: None,
                        exit: None,
                        signal: None,
                        coredump_exe: None,
                        coredump_comm: None,
                        coredump_pid: None,
                        executable: executable.clone(),
                        operation: None,
                        ran_usec: None,
                    },
                )
            }
            _ => continue,
        };
        let subject = event
            .unit
            .clone()
            .unwrap_or_else(|| details.coredump_exe.clone().unwrap_or_default());
        let boot_id = f.boot().boot_id;
        out.push(Finding {
            id: finding_id(kind, &subject, boot_id, event.realtime_usec),
            kind,
            severity: Severity::Error,
            unit: event.unit.clone(),
            manager: event.manager.to_string(),
            boot_id,
            start_realtime_usec: event.realtime_usec,
            end_realtime_usec: event.realtime_usec,
            summary,
            hint,
            confidence: None,
            evidence: vec![event.evidence.clone()],
            details: Details::Kill(details),
        });
    }
    out
}

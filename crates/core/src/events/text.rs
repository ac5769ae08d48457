//! Every piece of message text jforensics relies on, in one place.
//!
//! Structured fields come first everywhere else; text is only read where
//! systemd gives nothing better: messages that have no MESSAGE_ID in any
//! version (timeouts, the watchdog, OnFailure= triggering, the debug lines),
//! the few places where one MESSAGE_ID covers two meanings (condition skips
//! share UNIT_STARTED), PID 1's kernel-log lines from before journald ran,
//! which carry no fields at all, and other programs' lines (sudo). Wordings
//! are those of systemd 251–257 (`src/core/*.c`); when a version rewords a
//! message, add the new form here.

use super::event::{EventKind, JobType, TriggerKind};

/// Unit type suffixes, to tell a unit name from other words in a message.
const UNIT_SUFFIXES: [&str; 11] = [
    ".service",
    ".socket",
    ".target",
    ".mount",
    ".automount",
    ".swap",
    ".timer",
    ".path",
    ".slice",
    ".scope",
    ".device",
];

/// Whether `word` has the shape of a unit name ("foo@bar.service").
pub fn is_unit_name(word: &str) -> bool {
    !word.is_empty()
        && !word.contains(char::is_whitespace)
        && UNIT_SUFFIXES
            .iter()
            .any(|s| word.len() > s.len() && word.ends_with(s))
}

/// The unit a name given by a person means: "nginx" → "nginx.service",
/// "nginx.service" and "foo.socket" as given. The one rule for every place
/// that takes a unit name (`-u`-style arguments, `--ready-pattern`, the unit
/// names in logged systemctl and systemd-run command lines). It is
/// systemctl's (`unit_name_mangle_with_suffix` in systemd's
/// src/basic/unit-name.c): a name that already ends in a unit type suffix is
/// kept, anything else gets ".service". Looking for any dot instead would
/// take "app.v2" for a complete name, while systemctl starts
/// "app.v2.service".
pub fn unit_name(given: &str) -> String {
    if is_unit_name(given) {
        given.to_string()
    } else {
        format!("{given}.service")
    }
}

/// The message without the "unit: " prefix `log_unit_*()` puts in front.
pub fn strip_unit_prefix<'a>(message: &'a str, unit: &str) -> &'a str {
    message
        .strip_prefix(unit)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
}

/// A UNIT_STARTED message that reports a condition skip rather than a start:
/// "… was skipped because of a failed condition check (…)" (v250–251),
/// "… was skipped because of an unmet condition check (…)" and "… because no
/// trigger condition checks were met" (v252–256), "… skipped, unmet condition
/// check …" (v257), and the fallback "Condition check resulted in … being skipped."
pub fn is_condition_skip(message: &str) -> bool {
    message.contains(" was skipped because ")
        || message.contains(" skipped, unmet condition check")
        || (message.starts_with("Condition check resulted in ")
            && message.ends_with(" being skipped."))
}

/// Unit messages without a MESSAGE_ID. `body` is the message with the unit
/// prefix removed. Returns the event and, for the job lines, the job id.
pub fn unit_message(body: &str) -> Option<(EventKind, Option<u32>)> {
    let kind = if body == "Start request repeated too quickly." {
        EventKind::StartLimitHit
    } else if body.starts_with("Watchdog timeout (limit ") {
        EventKind::WatchdogTimeout
    } else if let Some((operation, action)) = body.split_once(" operation timed out. ") {
        EventKind::OperationTimeout {
            operation: operation.to_string(),
            action: action.trim_end_matches('.').to_string(),
        }
    } else if let Some(trigger) = body
        .strip_prefix("Triggering ")
        .and_then(|r| r.strip_suffix(" dependencies."))
        .and_then(trigger_kind)
    {
        EventKind::TriggeringDependencies { trigger }
    } else if let Some(trigger) = body
        .strip_prefix("Failed to enqueue ")
        .and_then(|r| r.split_once(" job"))
        .and_then(|(setting, _)| trigger_kind(setting))
    {
        EventKind::TriggerFailed { trigger }
    } else if let Some(rest) = body.strip_prefix("Got automount request for ") {
        let (path, by) = rest.split_once(", triggered by ").unwrap_or((rest, ""));
        let (pid, comm) = by.split_once(' ').unwrap_or((by, ""));
        EventKind::AutomountRequest {
            path: path.to_string(),
            pid: pid.parse().ok(),
            comm: comm
                .strip_prefix('(')
                .and_then(|c| c.strip_suffix(')'))
                .map(str::to_string),
        }
    } else if body == "Incoming traffic" {
        EventKind::IncomingTraffic
    } else if body == "Timer elapsed." {
        EventKind::TimerElapsed
    } else if body == "Got triggered." || body.starts_with("Got triggered by ") {
        EventKind::PathTriggered
    } else if let Some(by) = body
        .strip_prefix("Unit is started because upheld by active unit ")
        .and_then(|r| r.strip_suffix('.'))
    {
        EventKind::UpheldBy { by: by.to_string() }
    } else if let Some(rest) = body.strip_prefix("Trying to enqueue job ") {
        let mut parts = rest.rsplitn(3, '/');
        let mode = parts.next()?.to_string();
        let job_type = JobType::parse(parts.next()?);
        EventKind::TryingToEnqueue { job_type, mode }
    } else if let Some(rest) = body.strip_prefix("Installed new job ") {
        let (job_type, id) = job_as(rest)?;
        return Some((EventKind::JobInstalled { job_type }, Some(id)));
    } else if let Some(rest) = body.strip_prefix("Enqueued job ") {
        let (job_type, id) = job_as(rest)?;
        return Some((EventKind::JobEnqueued { job_type }, Some(id)));
    } else if let Some(rest) = body.strip_prefix("Job ") {
        // "Job 566 db.service/start finished, result=done"
        let (id, rest) = rest.split_once(' ')?;
        let (job, result) = rest.split_once(" finished, result=")?;
        let job_type = JobType::parse(job.rsplit_once('/')?.1);
        let kind = EventKind::JobFinished {
            job_type,
            result: result.to_string(),
        };
        return Some((kind, id.parse().ok()));
    } else if let Some(rest) = body.strip_prefix("Converting job ") {
        let (from, to) = rest.split_once(" -> ")?;
        EventKind::JobConverted {
            from: JobType::parse(from.rsplit_once('/')?.1),
            to: JobType::parse(to.rsplit_once('/')?.1),
        }
    } else if let Some(rest) = body.strip_prefix("Changed ") {
        let (from, to) = rest.split_once(" -> ")?;
        if from.contains(' ') || to.contains(' ') {
            return None;
        }
        EventKind::StateChanged {
            from: from.to_string(),
            to: to.to_string(),
        }
    } else if let Some(rest) = body.strip_prefix("Forked ") {
        // "Forked /usr/bin/python3 as 394" (v256 adds " (with CLONE_INTO_CGROUP)")
        let (_, pid) = rest.rsplit_once(" as ")?;
        EventKind::Spawned {
            pid: pid.split(' ').next().and_then(|p| p.parse().ok()),
        }
    } else if body.starts_with("About to execute ") || body.starts_with("Will spawn child ") {
        // The steps just before the fork; they already carry the new run's id.
        EventKind::Spawned { pid: None }
    } else if body.ends_with(", scheduling restart.") {
        EventKind::RestartDue
    } else {
        return None;
    };
    Some((kind, None))
}

fn trigger_kind(setting: &str) -> Option<TriggerKind> {
    match setting {
        "OnFailure=" => Some(TriggerKind::OnFailure),
        "OnSuccess=" => Some(TriggerKind::OnSuccess),
        _ => None,
    }
}

/// "db.service/start as 566" → (start, 566).
fn job_as(rest: &str) -> Option<(JobType, u32)> {
    let (job, id) = rest.rsplit_once(" as ")?;
    Some((
        JobType::parse(job.rsplit_once('/')?.1),
        id.trim().parse().ok()?,
    ))
}

/// Manager-wide messages without a MESSAGE_ID, with the unit they name.
pub fn manager_message(message: &str) -> Option<(EventKind, Option<String>)> {
    if let Some(target) = message
        .strip_prefix("Queued start job for default target ")
        .map(|t| t.trim_end_matches('.'))
    {
        // "graphical.target - Graphical Interface" in StatusUnitFormat=combined.
        let target = target.split(" - ").next().unwrap_or(target);
        return Some((
            EventKind::DefaultTargetQueued {
                target: target.to_string(),
            },
            None,
        ));
    }
    if message == "Switching root." {
        return Some((EventKind::SwitchingRoot, None));
    }
    if let Some(unit) = message
        .strip_prefix("Activating special unit ")
        .map(|u| u.trim_end_matches("...").trim_end_matches('…'))
        .filter(|u| is_unit_name(u))
    {
        return Some((EventKind::SpecialUnitRequested, Some(unit.to_string())));
    }
    if let Some(rest) = message.strip_prefix("Got message type=method_call ") {
        let field = |name: &str| {
            rest.split(' ')
                .find_map(|w| w.strip_prefix(name))
                .map(str::to_string)
        };
        let member = field("member=")?;
        let sender = field("sender=").filter(|s| s != "n/a");
        return Some((EventKind::BusCall { member, sender }, None));
    }
    None
}

/// A PID-1 line that reached the journal through the kernel log (before
/// journald ran): no MESSAGE_ID, no UNIT=, only text. The unit name is only
/// in the text when StatusUnitFormat= is `name` or `combined` (Fedora,
/// Debian); with `description` nothing can be recovered and None is returned.
pub fn kernel_line(message: &str) -> Option<(EventKind, String)> {
    if let Some((unit, body)) = message.split_once(": ")
        && is_unit_name(unit)
    {
        let kind = if body == "Deactivated successfully." || body == "Succeeded." {
            EventKind::Success
        } else if body.starts_with("Scheduled restart job") {
            EventKind::RestartScheduled {
                n_restarts: body
                    .rsplit(' ')
                    .next()
                    .and_then(|n| n.trim_end_matches('.').parse().ok()),
            }
        } else if let Some(result) = body
            .strip_prefix("Failed with result '")
            .and_then(|r| r.strip_suffix("'."))
        {
            EventKind::FailureResult {
                result: result.to_string(),
            }
        } else {
            return None;
        };
        return Some((kind, unit.to_string()));
    }
    if is_condition_skip(message) {
        let name = message
            .strip_prefix("Condition check resulted in ")
            .unwrap_or(message);
        return first_unit_word(name).map(|u| (EventKind::ConditionSkipped, u));
    }
    const STARTING: [&str; 4] = [
        "Starting ",
        "Mounting ",
        "Activating swap ",
        "Expecting device ",
    ];
    const STARTED: [&str; 9] = [
        "Started ",
        "Finished ",
        "Reached target ",
        "Listening on ",
        "Mounted ",
        "Created slice ",
        "Found device ",
        "Set up automount ",
        "Activated swap ",
    ];
    const STOPPING: [&str; 3] = ["Stopping ", "Unmounting ", "Deactivating swap "];
    const STOPPED: [&str; 8] = [
        "Stopped target ",
        "Stopped (with error) ",
        "Stopped ",
        "Closed ",
        "Unmounted ",
        "Removed slice ",
        "Deactivated swap ",
        "Unset automount ",
    ];
    let groups: [(&[&str], EventKind); 4] = [
        (&STARTING, EventKind::Starting),
        (&STARTED, EventKind::Started),
        (&STOPPING, EventKind::Stopping),
        (&STOPPED, EventKind::Stopped),
    ];
    for (verbs, kind) in groups {
        for verb in verbs {
            if let Some(rest) = message.strip_prefix(verb)
                && let Some(unit) = first_unit_word(rest)
            {
                return Some((kind, unit));
            }
        }
    }
    None
}

/// The unit name at the start of "foo.service - Description." or "foo.service.".
fn first_unit_word(rest: &str) -> Option<String> {
    let word = rest.split(' ').next()?;
    let word = word.trim_end_matches("...").trim_end_matches('…');
    let word = if is_unit_name(word) {
        word
    } else {
        word.strip_suffix('.')?
    };
    is_unit_name(word).then(|| word.to_string())
}

/// sudo's log line: "  alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;
/// COMMAND=/usr/bin/systemctl start foo" → ("alice", "/usr/bin/systemctl start foo").
pub fn sudo_command(message: &str) -> Option<(String, String)> {
    let (user, rest) = message.split_once(" : ")?;
    let command = rest.split(" ; ").find_map(|p| p.strip_prefix("COMMAND="))?;
    Some((user.trim().to_string(), command.trim().to_string()))
}

/// What a `systemctl` command line does: ("start", ["adhoc.service"]).
/// Unit names without a type get ".service", as systemctl does.
pub fn parse_systemctl_command(command: &str) -> Option<(String, Vec<String>)> {
    let mut words = command.split_whitespace();
    let program = words.next()?;
    if program.rsplit('/').next() != Some("systemctl") {
        return None;
    }
    let mut verb: Option<String> = None;
    let mut units = Vec::new();
    for word in words {
        if word.starts_with('-') {
            continue;
        }
        match &verb {
            None => verb = Some(word.to_string()),
            Some(_) => units.push(unit_name(word)),
        }
    }
    Some((verb?, units))
}

/// The unit a `systemd-run` command line creates, when it names one
/// (`--unit=NAME`, `--unit NAME`, `-u NAME`); `.service` is added to a bare
/// name, `.scope` with `--scope`. A nameless run gets a `run-u*` name, which
/// [`is_transient_name`] already knows.
pub fn parse_systemd_run_unit(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    if words.next()?.rsplit('/').next() != Some("systemd-run") {
        return None;
    }
    let mut name = None;
    let mut scope = false;
    while let Some(word) = words.next() {
        match word {
            "--scope" => scope = true,
            "--unit" | "-u" => name = words.next().map(str::to_string),
            w if w.starts_with("--unit=") => name = Some(w["--unit=".len()..].to_string()),
            w if w.starts_with("-u") && w.len() > 2 && !w.starts_with("--") => {
                name = Some(w[2..].to_string())
            }
            // The command to run begins: its flags are not systemd-run's.
            w if !w.starts_with('-') && !w.contains('=') => break,
            _ => {}
        }
    }
    let name = name?;
    Some(if scope && !is_unit_name(&name) {
        format!("{name}.scope")
    } else {
        unit_name(&name)
    })
}

/// Names systemd-run and friends give transient units: `run-u123.service`,
/// `run-r<hex>.service`, `run-p<pid>-i<id>.service` (v256+), and the units
/// dbus-broker creates to activate bus services (`dbus-:1.16-org.x@0.service`).
/// Scope units exist only transiently.
pub fn is_transient_name(unit: &str) -> bool {
    if unit.ends_with(".scope") {
        return true;
    }
    if unit.starts_with("dbus-:") {
        return true;
    }
    let Some(stem) = unit.strip_prefix("run-") else {
        return false;
    };
    let stem = stem.split('.').next().unwrap_or(stem);
    let rest = &stem[1.min(stem.len())..];
    match stem.chars().next() {
        Some('u') => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
        Some('r') => rest.len() >= 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()),
        Some('p') => rest.contains("-i") && rest.bytes().next().is_some_and(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// systemd-run's default description is the command line it runs, so a
/// "Started" line like "Started run-u7.service - /usr/bin/sleep 60." or
/// "Started /usr/bin/sleep 60." names a transient unit. Since v256 the
/// default is prefixed "[systemd-run] " ("Started x.timer - [systemd-run]
/// /usr/bin/touch /tmp/x.").
pub fn looks_like_command_line(started_message: &str, unit: &str) -> bool {
    let Some(rest) = started_message
        .strip_prefix("Started ")
        .or_else(|| started_message.strip_prefix("Finished "))
    else {
        return false;
    };
    let description = rest
        .strip_prefix(unit)
        .map(|r| r.strip_prefix(" - ").unwrap_or(r))
        .unwrap_or(rest);
    let description = description
        .strip_prefix("[systemd-run] ")
        .unwrap_or(description);
    description.starts_with('/') && description.len() > 1
}

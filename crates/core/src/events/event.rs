//! The event types. Plain data: parsing is in `parse.rs` and `text.rs`.

use std::fmt;

use serde::Serialize;

use crate::evidence::Evidence;
use crate::journal::Id128;

/// Which systemd instance logged an event. Job ids and unit names are only
/// meaningful within one manager: the system manager's `foo.service` and a
/// user's `foo.service` are different units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Manager {
    /// PID 1.
    System,
    /// `systemd --user` of this UID (`user@UID.service`).
    User(u32),
}

impl Manager {
    pub fn is_system(&self) -> bool {
        matches!(self, Manager::System)
    }
}

impl fmt::Display for Manager {
    /// "system" or "user:1000", the form JSON documents use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Manager::System => write!(f, "system"),
            Manager::User(uid) => write!(f, "user:{uid}"),
        }
    }
}

impl Serialize for Manager {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `JOB_TYPE=` (job.c `job_type_table`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobType {
    Start,
    VerifyActive,
    Stop,
    Reload,
    ReloadOrStart,
    Restart,
    TryRestart,
    TryReload,
    Nop,
    Other,
}

impl JobType {
    pub fn parse(word: &str) -> JobType {
        match word {
            "start" => JobType::Start,
            "verify-active" => JobType::VerifyActive,
            "stop" => JobType::Stop,
            "reload" => JobType::Reload,
            "reload-or-start" => JobType::ReloadOrStart,
            "restart" => JobType::Restart,
            "try-restart" => JobType::TryRestart,
            "try-reload" => JobType::TryReload,
            "nop" => JobType::Nop,
            _ => JobType::Other,
        }
    }
}

crate::vocab::words! {
    "lowercase",
    /// `EXIT_CODE=`: how a process ended (`sigchld_code_to_string`).
    pub enum ExitKind {
        /// It called exit(); `status` is the exit status.
        Exited,
        /// A signal ended it; `status` is the signal number.
        Killed,
        /// A signal ended it and it dumped core.
        Dumped,
        /// Trapped or stopped (ptrace); rare.
        Other,
    }
}

impl ExitKind {
    /// systemd's `EXIT_CODE` word; anything else is [`ExitKind::Other`].
    pub fn parse(word: &str) -> ExitKind {
        word.parse().unwrap_or(ExitKind::Other)
    }
}

/// Which of a unit's processes exited ("Main process exited" …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcessRole {
    Main,
    Control,
    ConditionCheck,
    /// Mount, swap and other helper processes.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessExit {
    pub role: ProcessRole,
    pub kind: ExitKind,
    /// `EXIT_STATUS=`: the exit status or the signal number, as logged.
    pub status: Option<String>,
    /// `COMMAND=`: the slot (`ExecStart`, `ExecStop`), not the command line.
    pub command: Option<String>,
}

impl ProcessExit {
    /// A clean end in systemd's plain sense: exit status 0. (systemd also
    /// counts SIGTERM etc. as clean for daemons; callers that care ask
    /// [`ProcessExit::is_clean_for_daemon`].)
    pub fn is_success(&self) -> bool {
        self.kind == ExitKind::Exited && self.status.as_deref() == Some("0")
    }

    /// `is_clean_exit()` for services: exit 0, or killed by SIGHUP, SIGINT,
    /// SIGTERM or SIGPIPE (numbers 1, 2, 15, 13 on every Linux architecture).
    pub fn is_clean_for_daemon(&self) -> bool {
        self.is_success()
            || (self.kind == ExitKind::Killed
                && matches!(self.status.as_deref(), Some("1" | "2" | "13" | "15")))
    }

    /// "status=1", "signal=9 (core dumped)": short words for reports.
    pub fn describe(&self) -> String {
        let status = self.status.as_deref().unwrap_or("?");
        match self.kind {
            ExitKind::Exited => format!("status={status}"),
            ExitKind::Killed => format!("signal={status}"),
            ExitKind::Dumped => format!("signal={status} (core dumped)"),
            ExitKind::Other => format!("code=other status={status}"),
        }
    }
}

/// `UNIT_RESOURCES`: what one run of a unit consumed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub cpu_usage_nsec: Option<u64>,
    pub memory_peak_bytes: Option<u64>,
    pub io_read_bytes: Option<u64>,
    pub io_write_bytes: Option<u64>,
}

/// OnFailure= or OnSuccess=.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TriggerKind {
    OnFailure,
    OnSuccess,
}

impl TriggerKind {
    pub fn setting(self) -> &'static str {
        match self {
            TriggerKind::OnFailure => "OnFailure=",
            TriggerKind::OnSuccess => "OnSuccess=",
        }
    }
}

/// What happened. Unit-level variants concern [`Event::unit`].
///
/// [`EventTag`] is the variant without its data: the name tables and rules
/// look events up by. Serde's tag spells the same kebab-case words.
#[derive(Clone, Debug, PartialEq, Serialize, strum::EnumDiscriminants)]
#[serde(tag = "name", rename_all = "kebab-case")]
#[strum_discriminants(
    name(EventTag),
    derive(Hash, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "kebab-case")
)]
pub enum EventKind {
    // --- jobs (UNIT_STARTING … UNIT_STOPPED), keyed by JOB_ID ---
    /// "Starting X…", "Mounting…": a start job began running.
    Starting,
    /// "Started", "Finished" (oneshot), "Reached target", "Listening on", …
    Started,
    /// UNIT_STARTED logged for a start job whose conditions failed: nothing ran.
    ConditionSkipped,
    /// UNIT_FAILED: a start job ended badly (`JOB_RESULT` failed, dependency, timeout, …).
    StartFailed {
        result: String,
    },
    /// "Stopping X…".
    Stopping,
    /// "Stopped", "Closed", "Unmounted", … (`JOB_TYPE` stop *or* restart).
    Stopped,

    // --- one run of a unit, keyed by INVOCATION_ID ---
    ProcessExit(ProcessExit),
    /// UNIT_FAILURE_RESULT: "Failed with result 'X'."
    FailureResult {
        result: String,
    },
    /// UNIT_SKIPPED: ExecCondition= said no.
    ExecConditionSkipped {
        result: String,
    },
    /// UNIT_SUCCESS: "Deactivated successfully."
    Success,
    Resources(Resources),
    /// UNIT_RESTART_SCHEDULED; carries the old run's INVOCATION_ID.
    RestartScheduled {
        n_restarts: Option<u32>,
    },
    /// The kernel's OOM killer killed a process of the unit.
    OutOfMemory,
    /// systemd-oomd killed the unit.
    OomdKill,
    /// "Start request repeated too quickly." (text).
    StartLimitHit,
    /// "Watchdog timeout (limit …)!" (text).
    WatchdogTimeout,
    /// "start operation timed out. Terminating." and friends (text).
    OperationTimeout {
        operation: String,
        action: String,
    },
    /// "Triggering OnFailure= dependencies." (text).
    TriggeringDependencies {
        trigger: TriggerKind,
    },
    /// "Failed to enqueue OnFailure= job, ignoring: …" (text): the trigger
    /// above started nothing.
    TriggerFailed {
        trigger: TriggerKind,
    },
    /// "Got automount request for PATH, triggered by PID (COMM)" (text, info).
    AutomountRequest {
        path: String,
        pid: Option<u32>,
        comm: Option<String>,
    },

    // --- the manager as a whole ---
    /// "Queued start job for default target X." (text): the boot transaction.
    DefaultTargetQueued {
        target: String,
    },
    /// STARTUP_FINISHED / USER_STARTUP_FINISHED.
    StartupFinished,
    /// "Switching root." (text).
    SwitchingRoot,
    /// "Activating special unit X..." (text): the manager itself started a
    /// special target (exit.target, reboot.target, ctrl-alt-del.target, …)
    /// because a signal asked for it.
    SpecialUnitRequested,
    /// logind's SHUTDOWN message (`SHUTDOWN=reboot` …).
    Shutdown {
        kind: Option<String>,
    },

    // --- other processes ---
    /// SPAWN_FAILED, logged by the forked child.
    SpawnFailed {
        executable: Option<String>,
    },
    /// systemd-coredump; the unit comes from COREDUMP_UNIT/COREDUMP_USER_UNIT.
    Coredump {
        pid: Option<u32>,
        signal: Option<u32>,
        exe: Option<String>,
        comm: Option<String>,
    },
    /// sudo's "USER : … ; COMMAND=…" line.
    Sudo {
        user: String,
        command: String,
    },

    // --- debug level only (text) ---
    /// "X.socket: Incoming traffic".
    IncomingTraffic,
    /// "X.timer: Timer elapsed."
    TimerElapsed,
    /// "X.path: Got triggered."
    PathTriggered,
    /// "Unit is started because upheld by active unit X."
    UpheldBy {
        by: String,
    },
    /// sd-bus "Got message type=method_call … member=StartUnit …".
    BusCall {
        member: String,
        sender: Option<String>,
    },
    /// "Trying to enqueue job U/TYPE/MODE": a transaction for U begins.
    TryingToEnqueue {
        job_type: JobType,
        mode: String,
    },
    /// "Installed new job U/TYPE as N": one job of the transaction under way.
    JobInstalled {
        job_type: JobType,
    },
    /// "Enqueued job U/TYPE as N": the transaction is done; N is its anchor.
    JobEnqueued {
        job_type: JobType,
    },
    /// "Job N U/TYPE finished, result=R".
    JobFinished {
        job_type: JobType,
        result: String,
    },
    /// "Converting job U/restart -> U/start".
    JobConverted {
        from: JobType,
        to: JobType,
    },
    /// "Changed OLD -> NEW" (unit state).
    StateChanged {
        from: String,
        to: String,
    },
    /// "Forked /usr/bin/x as PID".
    Spawned {
        pid: Option<u32>,
    },
    /// "Service RestartSec=… expired, scheduling restart."
    RestartDue,
}

impl EventKind {
    /// The kebab-case name used in JSON (`"name": "process-exit"`).
    pub fn name(&self) -> &'static str {
        self.tag().into()
    }

    pub fn tag(&self) -> EventTag {
        self.into()
    }

    /// Messages a start job logs when it begins or ends running the unit.
    pub fn is_start_job_message(&self) -> bool {
        matches!(
            self,
            EventKind::Starting
                | EventKind::Started
                | EventKind::ConditionSkipped
                | EventKind::StartFailed { .. }
        )
    }
}

/// One thing a systemd manager (or a helper about a unit) logged.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub kind: EventKind,
    /// The unit it concerns (`UNIT=`, `USER_UNIT=`, `COREDUMP_UNIT=`, or the
    /// name in the text); None for manager-wide events.
    pub unit: Option<String>,
    pub manager: Manager,
    /// The PID of the manager that logged it. Job ids count per manager
    /// process: a user manager that restarts within a boot starts again at 1.
    /// None for entries from other processes (coredump, sudo, spawn failures).
    pub manager_pid: Option<u32>,
    pub boot_id: Id128,
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub job_id: Option<u32>,
    pub job_type: Option<JobType>,
    pub invocation_id: Option<Id128>,
    /// syslog priority (7 = debug): tells what the log level let through.
    pub priority: Option<u8>,
    /// Recognised from the message text alone (kernel-log lines before
    /// journald ran, or messages without a MESSAGE_ID).
    pub from_text: bool,
    pub evidence: Evidence,
}

impl Event {
    pub fn is_debug(&self) -> bool {
        self.priority == Some(7)
    }

    /// A time that orders events within one boot: monotonic where known.
    pub fn sort_key(&self) -> u64 {
        self.monotonic_usec.unwrap_or(self.realtime_usec)
    }
}

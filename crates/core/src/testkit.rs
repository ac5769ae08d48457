//! Test data shared by the unit tests of several stages: journal entries
//! shaped like the ones journald writes (for events, lifecycle, cause and
//! findings) and a finding (for the report forms).

use crate::findings::{Details, Finding, KillDetails, Kind, Severity, finding_id};
use crate::journal::{Entry, Id128};

/// One boot's entries, placed by uptime: the wall clock is `epoch_usec`
/// plus the uptime, as for a boot whose clock was not changed.
#[derive(Clone, Copy, Debug)]
pub struct TestBoot {
    pub id: Id128,
    /// Wall clock (µs) at uptime 0.
    pub epoch_usec: u64,
}

impl TestBoot {
    /// An entry at `uptime_usec` with `fields`, and a cursor naming the boot
    /// and the time (unique per time, as cursors are).
    pub fn entry(&self, uptime_usec: u64, fields: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(self.epoch_usec + uptime_usec, self.id);
        e.monotonic_usec = Some(uptime_usec);
        e.cursor = format!("s=1;i={uptime_usec:x};b={}", self.id);
        for (n, v) in fields {
            e.push_field(n, v.as_bytes());
        }
        e
    }

    /// A line of the system manager (PID 1 through the journal socket, at
    /// info level unless `fields` give a PRIORITY).
    pub fn pid1(&self, uptime_usec: u64, fields: &[(&str, &str)]) -> Entry {
        let mut all = vec![("_PID", "1"), ("_TRANSPORT", "journal")];
        if !fields.iter().any(|(n, _)| *n == "PRIORITY") {
            all.push(("PRIORITY", "6"));
        }
        all.extend_from_slice(fields);
        self.entry(uptime_usec, &all)
    }
}

/// One finding with every field set, as the OOM-kill detector words it.
pub fn sample_finding() -> Finding {
    let boot = Id128([9; 16]);
    Finding {
        id: finding_id(Kind::OomKill, "memhog.service", boot, 1_795_244_775_880_377),
        kind: Kind::OomKill,
        severity: Severity::Error,
        unit: Some("memhog.service".to_string()),
        manager: "system".to_string(),
        boot_id: boot,
        start_realtime_usec: 1_795_244_775_880_377,
        end_realtime_usec: 1_795_244_775_891_083,
        summary:
            "memhog.service was killed by the kernel's OOM killer at 07:06:15 after running 1.6s."
                .to_string(),
        hint: "Raise `MemoryMax=`.".to_string(),
        confidence: None,
        evidence: Vec::new(),
        details: Details::Kill(KillDetails {
            result: Some("oom-kill".to_string()),
            exit: Some("signal=9".to_string()),
            signal: Some(9),
            coredump_exe: None,
            coredump_comm: None,
            coredump_pid: None,
            executable: None,
            operation: None,
            ran_usec: Some(1_598_773),
        }),
    }
}

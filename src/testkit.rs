//! Test data shared by the unit tests of several stages.

use crate::findings::{Details, Finding, KillDetails, Kind, Severity, finding_id};
use crate::journal::Id128;

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

//! Start causes on systemd's no-RTC sample (Fedora 37, systemd 251, a
//! Raspberry Pi with GNOME): an initrd, user managers, D-Bus activation and a
//! clock that restarts at every boot. There is no truth manifest, so these
//! tests assert what can be read off the journal by hand, and report how many
//! starts stay unknown and why.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::*;

const BOOTS: [&str; 4] = ["-3", "-2", "-1", "0"];

fn since_boot(boot: &str) -> Value {
    let dir = no_rtc_dir();
    jforensics_json(&[
        "since-boot",
        "-D",
        dir.to_str().unwrap(),
        "-b",
        boot,
        "-o",
        "json",
    ])
}

fn starts_of<'a>(doc: &'a Value, unit: &str, manager: &str) -> Vec<&'a Value> {
    doc["starts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["unit"] == unit && s["manager"] == manager)
        .collect()
}

/// The kinds of unknown start, by the first words of their explanation.
const UNKNOWN_KINDS: [(&str, &str); 4] = [
    (
        "Requested in a transaction of its own (job",
        "while the system was still starting",
    ),
    ("Requested in a transaction of its own (job", "user manager"),
    ("The start line carries no job id", ""),
    ("The start of this run was not logged", ""),
];

#[test]
fn unknown_starts_per_boot_are_counted_and_each_kind_is_explained() {
    for boot in BOOTS {
        let doc = since_boot(boot);
        let starts = doc["starts"].as_array().unwrap();
        let mut kinds: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for s in starts.iter().filter(|s| s["cause"] == "unknown") {
            let why = s["explanation"].as_str().unwrap();
            let kind = UNKNOWN_KINDS
                .iter()
                .find(|(start, part)| why.starts_with(start) && why.contains(part))
                .map(|(_, part)| *part)
                .unwrap_or_else(|| panic!("unknown start with an unexplained kind: {s}"));
            kinds.entry(kind).or_default().push(format!(
                "{} {}",
                s["manager"].as_str().unwrap(),
                s["unit"].as_str().unwrap()
            ));
        }
        let unknown: usize = kinds.values().map(Vec::len).sum();
        println!(
            "boot {} ({boot}): {} starts, {unknown} unknown",
            &doc["boot"]["boot_id"].as_str().unwrap()[..8],
            starts.len()
        );
        for (kind, units) in &kinds {
            println!("  {:>3} {kind}: {}", units.len(), units.join(", "));
        }
        // PID 1's own starts are mostly explained; a user manager's are
        // requested by the desktop session and D-Bus activation, which info
        // level never names.
        let system = starts.iter().filter(|s| s["manager"] == "system").count();
        let system_unknown = starts
            .iter()
            .filter(|s| s["manager"] == "system" && s["cause"] == "unknown")
            .count();
        assert!(
            system_unknown * 10 < system,
            "boot {boot}: {system_unknown} of {system} system starts unknown"
        );
    }
}

#[test]
fn every_boot_starts_its_default_target_initrd_and_user_managers_as_boot() {
    for boot in BOOTS {
        let doc = since_boot(boot);
        for (unit, manager) in [
            ("graphical.target", "system"),
            ("NetworkManager.service", "system"),
            // In the initrd, before switch-root (job ids 1–139).
            ("dracut-cmdline.service", "system"),
            // The first lines, from the kernel log, with no job id.
            ("kmod-static-nodes.service", "system"),
            // UID 1000's user manager starting its default.target.
            ("basic.target", "user:1000"),
        ] {
            let s = starts_of(&doc, unit, manager);
            assert!(!s.is_empty(), "boot {boot}: no start of {manager} {unit}");
            assert_eq!(
                s[0]["cause"], "boot",
                "boot {boot}: {manager} {unit}: {}",
                s[0]
            );
        }
        let boots = doc["starts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["cause"] == "boot")
            .count();
        assert!(boots > 200, "boot {boot}: only {boots} boot starts");
    }
}

#[test]
fn gdm_exits_with_status_1_and_its_onfailure_handler_is_never_started() {
    let dir = no_rtc_dir();
    for boot in ["-3", "-2"] {
        let doc = jforensics_json(&[
            "unit",
            "gdm",
            "-D",
            dir.to_str().unwrap(),
            "-b",
            boot,
            "-o",
            "json",
        ]);
        let acts = doc["boots"][0]["activations"].as_array().unwrap();
        assert_eq!(acts.len(), 1, "boot {boot}");
        let gdm = &acts[0];
        assert_eq!(gdm["cause"], "boot");
        assert_eq!(gdm["outcome"]["end_state"], "failed");
        assert_eq!(gdm["outcome"]["result"], "exit-code");
        assert_eq!(gdm["outcome"]["exit_code"], "exited");
        assert_eq!(gdm["outcome"]["exit_status"], "1");
        let lines: Vec<&str> = gdm["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert!(
            lines.contains(&"gdm.service: Triggering OnFailure= dependencies."),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("gdm.service: Failed to enqueue OnFailure= job"))
        );
        // The enqueue failed, so nothing may be called its handler.
        let all = since_boot(boot);
        assert!(
            !all["starts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["cause"] == "on-failure" && s["trigger"] == "gdm.service"),
            "boot {boot}"
        );
        let failures = all["failures"].as_array().unwrap();
        assert!(failures.iter().any(|f| f["unit"] == "gdm.service"));
    }
}

#[test]
fn udisks2_dumps_core_in_the_two_clean_boots() {
    let dir = no_rtc_dir();
    let doc = jforensics_json(&[
        "unit",
        "udisks2",
        "-D",
        dir.to_str().unwrap(),
        "--all-boots",
        "-o",
        "json",
    ]);
    let boots = doc["boots"].as_array().unwrap();
    assert_eq!(boots.len(), 4);
    for b in &boots[..2] {
        let a = &b["activations"][0];
        assert_eq!(a["outcome"]["result"], "core-dump", "{a}");
        assert_eq!(a["outcome"]["exit_code"], "dumped");
        assert_eq!(a["outcome"]["exit_status"], "6");
        assert_eq!(a["outcome"]["core_dumped"], true);
        assert!(a["outcome"]["ran_usec"].as_u64().unwrap() > 60_000_000);
    }
    for b in &boots[2..] {
        assert_eq!(b["activations"][0]["outcome"]["end_state"], "running");
    }
}

#[test]
fn the_clean_reboots_were_asked_for_through_logind() {
    for boot in ["-3", "-2"] {
        let doc = since_boot(boot);
        let reboot = starts_of(&doc, "reboot.target", "system");
        assert_eq!(reboot.len(), 1);
        assert_eq!(reboot[0]["cause"], "manual");
        assert!(
            reboot[0]["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["message"] == "System is rebooting.")
        );
        let final_target = starts_of(&doc, "final.target", "system");
        assert_eq!(final_target[0]["cause"], "dependency");
        assert_eq!(final_target[0]["trigger"], "reboot.target");
        assert_eq!(final_target[0]["trigger_cause"], "manual");
    }
}

#[test]
fn since_boot_fits_a_100_column_terminal() {
    let dir = no_rtc_dir();
    for args in [vec!["since-boot"], vec!["since-boot", "--all", "-b", "-3"]] {
        let mut all = args.clone();
        all.extend(["-D", dir.to_str().unwrap(), "--utc"]);
        let out = jforensics(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("35e85011") || text.contains("5ea5fc4f"),
            "{text}"
        );
        for line in text.lines() {
            assert!(
                line.chars().count() <= 100,
                "{} columns: {line}",
                line.chars().count()
            );
        }
    }
}

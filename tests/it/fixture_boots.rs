//! Boots of the recorded fixtures against their truth manifests: the order
//! the recorder booted them in and how it ended each (reboot, power cut,
//! poweroff), on systemd 252 and 257.

use crate::support::fixture::Fixture;
use crate::support::*;

#[test]
fn fixture_boots_are_in_recorded_order_and_end_as_the_recorder_ended_them() {
    for fixture in Fixture::with_loops() {
        let boots = jforensics_json(&["boots", "-D", fixture.dir_arg(), "-o", "json"]);
        let boots = boots.as_array().unwrap();
        let mut truth = fixture.truth.boots.clone();
        truth.sort_by_key(|b| b.order);
        let seen: Vec<(String, String, Option<String>)> = boots
            .iter()
            .map(|b| {
                (
                    b["boot_id"].as_str().unwrap().to_string(),
                    b["end"].as_str().unwrap().to_string(),
                    b["shutdown"].as_str().map(str::to_string),
                )
            })
            .collect();
        let expected: Vec<(String, String, Option<String>)> = truth
            .iter()
            .map(|b| (b.boot_id.clone(), b.end.clone(), b.shutdown.clone()))
            .collect();
        assert_eq!(seen, expected, "{}", fixture.name);
    }
}

#[test]
fn fixture_boots_name_their_systemd_version_and_startup_time() {
    for fixture in Fixture::with_loops() {
        let boots = jforensics_json(&["boots", "-D", fixture.dir_arg(), "-o", "json"]);
        for b in boots.as_array().unwrap() {
            let version = b["systemd_version"].as_str().unwrap_or_default();
            assert!(
                version.starts_with(&fixture.truth.systemd_version.to_string()),
                "{}: boot {} reports systemd {version:?}",
                fixture.name,
                b["boot_id"]
            );
            let boot_id = b["boot_id"].as_str().unwrap();
            assert_eq!(
                b["startup_finished_usec"].as_u64().is_some(),
                fixture.startup_line_logged(boot_id),
                "{}: {boot_id}: a startup time exactly where the journal logged one",
                fixture.name,
            );
        }
    }
}

#[test]
fn the_power_cut_boot_shows_what_was_logged_last_and_the_downtime_after_it() {
    for fixture in Fixture::all() {
        let cut = fixture
            .truth
            .boots
            .iter()
            .find(|b| b.end == "unclean")
            .expect("the recorder cuts power once");
        let boots = jforensics_json(&[
            "boots",
            "-D",
            fixture.dir_arg(),
            "-o",
            "json",
            "-b",
            &cut.boot_id,
        ]);
        let boot = &boots[0];
        let last = boot["end_evidence"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            last["realtime_usec"], boot["last_realtime_usec"],
            "{}",
            fixture.name
        );
        let downtime = boot["downtime_usec"]
            .as_u64()
            .expect("the guest clock is an RTC: downtime is known");
        assert!(
            downtime > 0 && downtime < 3_600_000_000,
            "{}: {downtime}",
            fixture.name
        );
    }
}

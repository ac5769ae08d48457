//! "Dependency failed for" has no recorded fixture yet (no scenario makes a
//! required unit fail), so its rule is pinned down here on lines shaped as
//! systemd 252 logs them (src/core/job.c: the dependency's "Failed to
//! start" and the dependant's "Dependency failed for", both UNIT_FAILED,
//! in the same call). The other edge kinds are tested on the recorded
//! journals (tests/it/impact.rs).

use super::*;
use crate::events::ids;
use crate::findings::tests::{SimBoot, read_all};

fn starting(b: &mut SimBoot, at: f64, unit: &str, job: &str) {
    b.line(
        at,
        &[
            ("MESSAGE_ID", ids::UNIT_STARTING),
            ("UNIT", unit),
            ("JOB_ID", job),
            ("JOB_TYPE", "start"),
            ("MESSAGE", &format!("Starting {unit}...")),
        ],
    );
}

fn failed(b: &mut SimBoot, at: f64, unit: &str, job: &str, result: &str) {
    let text = if result == "dependency" {
        format!("Dependency failed for {unit}.")
    } else {
        format!("Failed to start {unit}.")
    };
    b.line(
        at,
        &[
            ("MESSAGE_ID", ids::UNIT_FAILED),
            ("UNIT", unit),
            ("JOB_ID", job),
            ("JOB_TYPE", "start"),
            ("JOB_RESULT", result),
            ("PRIORITY", "3"),
            ("MESSAGE", &text),
        ],
    );
}

fn edges_of(b: SimBoot) -> Vec<Edge> {
    let options = Options::default();
    observe(&read_all(vec![b], &options), &options)
}

#[test]
fn dependency_failed_names_the_failed_start_logged_with_it() {
    let mut b = SimBoot::new(1);
    starting(&mut b, 2.0, "app.service", "40");
    starting(&mut b, 2.0, "db.service", "41");
    failed(&mut b, 3.0, "db.service", "41", "failed");
    failed(&mut b, 3.0, "app.service", "40", "dependency");
    let edges = edges_of(b);
    let e: Vec<&Edge> = edges
        .iter()
        .filter(|e| e.kind == EdgeKind::DependencyFailed)
        .collect();
    assert_eq!(e.len(), 1, "{edges:#?}");
    assert_eq!(
        (e[0].dependant.as_str(), e[0].dependency.as_str()),
        ("app.service", "db.service")
    );
    assert_eq!(e[0].evidence.len(), 2);
    assert!(e[0].evidence.iter().all(|ev| !ev.cursor.is_empty()));
}

#[test]
fn a_failure_long_before_is_not_the_dependency() {
    let mut b = SimBoot::new(1);
    starting(&mut b, 2.0, "other.service", "30");
    failed(&mut b, 3.0, "other.service", "30", "failed");
    starting(&mut b, 9.0, "app.service", "40");
    failed(&mut b, 10.0, "app.service", "40", "dependency");
    let edges = edges_of(b);
    assert!(
        edges.iter().all(|e| e.kind != EdgeKind::DependencyFailed),
        "{edges:#?}"
    );
}

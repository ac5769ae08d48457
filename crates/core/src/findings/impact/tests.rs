//! "Dependency failed for" has no recorded fixture yet (no scenario makes a
//! required unit fail), so its rule is pinned down here on lines shaped as
//! systemd 252 logs them (src/core/job.c: the dependency's "Failed to
//! start" and the dependant's "Dependency failed for", both UNIT_FAILED,
//! in the same call). The other edge kinds are tested on the recorded
//! journals (tests/it/impact.rs).

use super::*;
use crate::events::ids;
use crate::findings::Kind;
use crate::findings::tests::{SimBoot, read_all};
use crate::units::UnitTree;

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

/// A fate edge as the crash-loop detector makes it, from `dependant` to `dependency`.
fn fate_edge(dependant: &str, dependency: &str) -> Edge {
    let ev = crate::evidence::Evidence {
        cursor: "s=1;i=1".to_string(),
        realtime_usec: 1,
        message: format!("Started {dependant}."),
    };
    Edge {
        dependant: dependant.to_string(),
        dependency: dependency.to_string(),
        kind: EdgeKind::Fate,
        manager: "system".to_string(),
        count: 2,
        boots: vec![crate::journal::Id128([1; 16])],
        first_realtime_usec: 1,
        last_realtime_usec: 2,
        confidence: 0.75,
        explanation: "loop".to_string(),
        evidence: vec![ev],
        declared: None,
        fate: Some(FateCounts {
            before_start: 4,
            after_stop: 0,
        }),
    }
}

/// The three rules of `diff.rs` on one directory of unit files, each once
/// where it must speak and once where it must not.
#[test]
fn the_declarations_decide_which_finding() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("db.service", "[Service]\nExecStart=/bin/db\n");
    w("store.service", "[Service]\nExecStart=/bin/store\n");
    w(
        "cache.service",
        "[Service]\nExecStart=/bin/cache\n[Install]\nWantedBy=multi-user.target\n",
    );
    w(
        "app.service",
        "[Unit]\nRequires=db.service\n[Service]\nExecStart=/bin/app\n",
    );
    w(
        "ordered.service",
        "[Unit]\nWants=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/o\n",
    );
    w("client.service", "[Service]\nExecStart=/bin/client\n");
    w("reader.service", "[Service]\nExecStart=/bin/reader\n");
    std::fs::create_dir(dir.path().join("multi-user.target.wants")).unwrap();
    for u in [
        "app.service",
        "ordered.service",
        "client.service",
        "reader.service",
        "cache.service",
    ] {
        std::os::unix::fs::symlink(
            format!("/etc/systemd/system/{u}"),
            dir.path().join("multi-user.target.wants").join(u),
        )
        .unwrap();
    }
    let tree = UnitTree::load_dir(dir.path());
    let mut edges = vec![
        // Requires= without After=: missing ordering; db is pulled at boot by app.
        fate_edge("app.service", "db.service"),
        // Declared with its ordering: nothing.
        fate_edge("ordered.service", "db.service"),
        // Undeclared, and nothing starts store at boot.
        fate_edge("client.service", "store.service"),
        // Undeclared; cache is enabled.
        fate_edge("reader.service", "cache.service"),
    ];
    declare(&mut edges, &tree);
    let found = findings(&edges, &tree);
    let mut kinds: Vec<(Kind, &str)> = found
        .iter()
        .map(|f| (f.kind, f.unit.as_deref().unwrap()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            (Kind::UndeclaredDependency, "client.service"),
            (Kind::UndeclaredDependency, "reader.service"),
            (Kind::MissingOrdering, "app.service"),
            (Kind::UnitNotEnabledButNeeded, "store.service"),
        ]
    );
    assert!(
        found
            .iter()
            .all(|f| !f.evidence.is_empty() && f.confidence.is_some())
    );
}

//! `--root` answers the same through the index reader and through
//! libsystemd, on every recorded fixture.
//!
//! Each fixture is laid out as an OS tree (`ROOT/var/log/journal/<machine
//! id>/`), with decoys libsystemd does not open (a namespaced directory, a
//! directory not named by an id, a name that is not a journal's) and, in one
//! tree, another machine's runtime journal, which it does open. jforensics
//! lists the files itself; `JFORENSICS_BACKEND=libsystemd` makes libsystemd
//! open the tree by its own rules (`SD_JOURNAL_OS_ROOT`). Any difference in
//! the file set, or in what either reader makes of the files, shows as a
//! difference in the answers.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{no_rtc_dir, repo, unpack_into};

const MACHINE: &str = "6a1c2e0f3b4d4e5f8a9b0c1d2e3f4a5b";
const OTHER: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// The fixture `packed` as an OS tree, built once per build.
fn tree(name: &str, packed: &Path, other_machine: bool) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("root-both-ways-{name}"));
    if root.join(".complete").exists() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    let var = root.join("var/log/journal");
    unpack_into(packed, &var.join(MACHINE));
    // Decoys: a journal file in each place libsystemd does not look.
    let decoy = repo().join("tests/fixtures/debian13-races/journal");
    for dir in [var.join(format!("{MACHINE}.blue")), var.join("notes")] {
        unpack_into(&decoy, &dir);
    }
    std::fs::copy(
        var.join(MACHINE).join("user-1000.journal"),
        var.join(MACHINE).join("user-1000.journal.bak"),
    )
    .unwrap();
    std::fs::create_dir_all(var.join(MACHINE).join("nested")).unwrap();
    std::fs::copy(
        var.join(MACHINE).join("user-1000.journal"),
        var.join(MACHINE).join("nested/user-1000.journal"),
    )
    .unwrap();
    if other_machine {
        // Not the local machine's: `--root` reads every machine's files.
        let run = root.join("run/log/journal").join(OTHER);
        std::fs::create_dir_all(&run).unwrap();
        let user = decoy.join("user-1000.journal.zst");
        let mut out = std::fs::File::create(run.join("user-1000.journal")).unwrap();
        std::io::copy(
            &mut zstd::Decoder::new(std::fs::File::open(user).unwrap()).unwrap(),
            &mut out,
        )
        .unwrap();
    }
    std::fs::write(root.join(".complete"), b"").unwrap();
    root
}

struct Run {
    stdout: Vec<u8>,
    stderr: String,
}

fn run(root: &Path, args: &[&str], libsystemd: bool) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jforensics"));
    cmd.arg("--root")
        .arg(root)
        .arg("--utc")
        .args(args)
        .env("JFORENSICS_TRACE", "1");
    if libsystemd {
        cmd.env("JFORENSICS_BACKEND", "libsystemd");
    } else {
        cmd.env_remove("JFORENSICS_BACKEND");
    }
    let out = cmd.output().expect("run jforensics");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "jforensics --root {} {args:?} (libsystemd: {libsystemd}) failed: {stderr}",
        root.display()
    );
    Run {
        stdout: out.stdout,
        stderr,
    }
}

/// stderr without the trace, which differs by design.
fn said(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("jforensics: trace:"))
        .collect()
}

fn compare(name: &str, root: &Path, args: &[&str]) -> usize {
    let index = run(root, args, false);
    let reference = run(root, args, true);
    assert!(
        !reference.stderr.contains(": index reader:"),
        "{name} {args:?}: JFORENSICS_BACKEND=libsystemd still used the index reader"
    );
    assert!(
        index.stdout == reference.stdout,
        "{name} {args:?}: the index reader and libsystemd disagree:\n--- index reader\n{}\n--- libsystemd\n{}",
        String::from_utf8_lossy(&index.stdout),
        String::from_utf8_lossy(&reference.stdout)
    );
    assert_eq!(
        said(&index.stderr),
        said(&reference.stderr),
        "{name} {args:?}: different warnings"
    );
    index.stderr.matches(": index reader:").count()
}

#[test]
fn every_fixture_through_root_answers_the_same_with_either_reader() {
    let mut fixtures: Vec<(String, PathBuf, bool)> =
        ["debian12", "debian13", "debian12-races", "debian13-races"]
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    repo().join("tests/fixtures").join(f).join("journal"),
                    false,
                )
            })
            .collect();
    fixtures.push(("no-rtc".to_string(), no_rtc_dir(), false));
    fixtures.push((
        "debian12-and-another-machine".to_string(),
        repo().join("tests/fixtures/debian12/journal"),
        true,
    ));
    for (name, packed, other) in &fixtures {
        let root = tree(name, packed, *other);
        let mut by_index = 0;
        // Two machines: one-boot questions need one of them named.
        let one: &[&str] = if *other { &["-M", "jf-bookworm"] } else { &[] };
        for args in [
            &["boots", "-o", "json"][..],
            &["findings", "-o", "json"],
            &[one, &["since-boot", "-o", "json"]].concat(),
            &[one, &["since-boot", "-b", "1", "-o", "json"]].concat(),
            &[one, &["unit", "systemd-journald.service", "-o", "json"]].concat(),
        ] {
            by_index += compare(name, &root, args);
        }
        assert!(
            by_index > 0,
            "{name}: the index reader answered no read through --root"
        );
    }
}

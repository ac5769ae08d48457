//! Every command's output, byte for byte, on every recorded journal.
//!
//! Speed work (reading through the index, parallel boots) and clean-ups must
//! not change a single byte of what users see. This test runs a fixed list of
//! command lines on the two recorded scenario fixtures, the loops recording
//! (issue #25: crash-loop episodes, a lossy debug boot) and systemd's no-RTC
//! journal, and compares stdout and the exit status with
//! `tests/golden/<journal>/<case>.out` (`.out.zst` only above a megabyte, so
//! that a change reviews as a diff).
//!
//! When an output is meant to change, regenerate the files with
//! `scripts/bless.sh` and review `git diff tests/golden`. Blessing is an
//! explicit act: it is refused under `CI=true`, it deletes the goldens of
//! cases that no longer exist, and it lists what it rewrote.

use std::path::{Path, PathBuf};
use std::process::Command;

use jforensics::tables::queries::LIBRARY;

use crate::support::{blessing, no_rtc_dir, repo};

/// A journal directory and the units worth a `unit` page there.
struct Journal {
    name: &'static str,
    dir: PathBuf,
    boots: usize,
    units: &'static [&'static str],
}

fn journals() -> Vec<Journal> {
    vec![
        Journal {
            name: "debian12",
            dir: repo().join("tests/fixtures/debian12/journal"),
            boots: 4,
            units: &["backend.service", "worker.service", "echo.socket"],
        },
        Journal {
            name: "debian13",
            dir: repo().join("tests/fixtures/debian13/journal"),
            boots: 4,
            units: &["orders-api.service", "cache-warmer.service", "rollup.timer"],
        },
        Journal {
            name: "debian12-loops",
            dir: repo().join("tests/fixtures/debian12-loops/journal"),
            boots: 3,
            units: &["clearing-api.service", "txn-store.service"],
        },
        Journal {
            name: "debian13-loops",
            dir: repo().join("tests/fixtures/debian13-loops/journal"),
            boots: 3,
            units: &["stream-auth.service", "catalog-db.service"],
        },
        Journal {
            name: "no-rtc",
            dir: no_rtc_dir(),
            boots: 4,
            units: &["NetworkManager.service", "user@1000.service"],
        },
    ]
}

const TABLES: &[&str] = &["boots", "events", "activations", "starts", "findings"];

/// (file name, arguments after `-D DIR --utc`).
fn cases(journal: &Journal) -> Vec<(String, Vec<String>)> {
    let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    let mut out = vec![
        ("boots".to_string(), words("boots")),
        ("boots.json".to_string(), words("boots -o json")),
        ("findings".to_string(), words("findings")),
        ("findings.json".to_string(), words("findings -o json")),
        (
            "findings-severity".to_string(),
            words("findings --sort severity"),
        ),
    ];
    for boot in 1..=journal.boots {
        out.push((
            format!("since-boot-b{boot}"),
            words(&format!("since-boot -b {boot}")),
        ));
        out.push((
            format!("since-boot-b{boot}.json"),
            words(&format!("since-boot -b {boot} -o json")),
        ));
    }
    for unit in journal.units {
        out.push((format!("unit-{unit}"), words(&format!("unit {unit}"))));
        out.push((
            format!("unit-{unit}.json"),
            words(&format!("unit {unit} -o json")),
        ));
    }
    for unit in journal.units {
        out.push((
            format!("impact-{unit}"),
            words(&format!("impact {unit} --all-boots")),
        ));
        out.push((
            format!("impact-{unit}.json"),
            words(&format!("impact {unit} --all-boots -o json")),
        ));
    }
    out.push((
        "impact-all.dot".to_string(),
        words("impact --all --all-boots --format dot"),
    ));
    out.push((
        "impact-all.json".to_string(),
        words("impact --all --all-boots -o json"),
    ));
    for query in LIBRARY.iter().map(|q| q.name) {
        out.push((format!("query-{query}"), words(&format!("query {query}"))));
    }
    for table in TABLES {
        out.push((
            format!("export-{table}.ndjson"),
            words(&format!("export --table {table} --format ndjson --out -")),
        ));
    }
    out
}

fn run(dir: &Path, args: &[String]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .arg("-D")
        .arg(dir)
        .arg("--utc")
        .args(args)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .output()
        .expect("run jforensics");
    let mut bytes = format!("exit: {}\n", out.status.code().unwrap_or(-1)).into_bytes();
    // Damage lines name the journal directory as given, which is where this
    // checkout happens to be: the golden says `<journal>` instead.
    let text = String::from_utf8_lossy(&out.stdout);
    bytes.extend_from_slice(
        text.replace(&*dir.to_string_lossy(), "<journal>")
            .as_bytes(),
    );
    bytes
}

/// Outputs larger than this are kept zstd-compressed (`.out.zst`): the
/// events tables run to megabytes, which no one reviews line by line;
/// everything smaller stays plain text, so a change shows in `git diff`.
const COMPRESS_ABOVE: usize = 1024 * 1024;

/// The golden file's bytes, from `case.out` or `case.out.zst`.
fn read_golden(plain: &Path) -> Option<Vec<u8>> {
    if let Ok(bytes) = std::fs::read(plain) {
        return Some(bytes);
    }
    let packed = std::fs::read(plain.with_extension("out.zst")).ok()?;
    Some(zstd::decode_all(&packed[..]).expect("golden .zst file unpacks"))
}

fn write_golden(plain: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    let packed = plain.with_extension("out.zst");
    let _ = std::fs::remove_file(plain);
    let _ = std::fs::remove_file(&packed);
    if bytes.len() > COMPRESS_ABOVE {
        std::fs::write(packed, zstd::encode_all(bytes, 19).unwrap()).unwrap();
    } else {
        std::fs::write(plain, bytes).unwrap();
    }
}

/// Golden files of cases no longer in the list, under each journal's folder.
fn orphans(expected: &[PathBuf]) -> Vec<PathBuf> {
    let expected: std::collections::BTreeSet<PathBuf> = expected
        .iter()
        .flat_map(|f| [f.clone(), f.with_extension("out.zst")])
        .collect();
    journals()
        .iter()
        .flat_map(|j| std::fs::read_dir(repo().join("tests/golden").join(j.name)).into_iter())
        .flatten()
        .flatten()
        .map(|item| item.path())
        .filter(|path| !expected.contains(path))
        .collect()
}

#[test]
fn golden_outputs_are_unchanged() {
    let bless = blessing();
    // Where a differing output is written, so that it can be diffed.
    let seen = Path::new(env!("CARGO_TARGET_TMPDIR")).join("golden");
    let jobs: Vec<(PathBuf, PathBuf, Vec<String>)> = journals()
        .iter()
        .flat_map(|j| {
            let folder = repo().join("tests/golden").join(j.name);
            cases(j)
                .into_iter()
                .map(move |(name, args)| (folder.join(format!("{name}.out")), args))
                .map(|(file, args)| (j.dir.clone(), file, args))
                .collect::<Vec<_>>()
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<_> = jobs.chunks(jobs.len().div_ceil(threads)).collect();
    let stale: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let seen = &seen;
                s.spawn(move || {
                    let mut stale = Vec::new();
                    for (dir, file, args) in chunk.iter() {
                        let got = run(dir, args);
                        if read_golden(file).as_deref() == Some(&got[..]) {
                            if bless {
                                // Same bytes; only the packing may change.
                                write_golden(file, &got);
                            }
                            continue;
                        }
                        let relative = file.strip_prefix(repo().join("tests/golden")).unwrap();
                        let copy = seen.join(relative);
                        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
                        std::fs::write(&copy, &got).unwrap();
                        if bless {
                            write_golden(file, &got);
                        }
                        stale.push(format!(
                            "tests/golden/{} (jforensics -D {} --utc {}); now: {}",
                            relative.display(),
                            dir.display(),
                            args.join(" "),
                            copy.display()
                        ));
                    }
                    stale
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let orphans = orphans(&jobs.iter().map(|(_, f, _)| f.clone()).collect::<Vec<_>>());
    if bless {
        for orphan in &orphans {
            std::fs::remove_file(orphan).unwrap();
        }
        eprintln!(
            "blessed: {} golden(s) rewritten, {} orphan(s) deleted; review `git diff tests/golden`:\n  {}",
            stale.len(),
            orphans.len(),
            stale
                .iter()
                .chain(
                    &orphans
                        .iter()
                        .map(|o| o.display().to_string())
                        .collect::<Vec<_>>()
                )
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
        return;
    }
    assert!(
        stale.is_empty() && orphans.is_empty(),
        "{} outputs differ from tests/golden/ and {} golden(s) belong to no case (if the change \
         is meant, run `scripts/bless.sh` and review the diff):\n  {}\n  orphans: {:?}",
        stale.len(),
        orphans.len(),
        stale.join("\n  "),
        orphans
    );
}

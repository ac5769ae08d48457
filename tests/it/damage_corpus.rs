//! Damaged copies of the recorded journals, made the ways a crash, a power
//! cut or a bad disk damages files (issue #23): jforensics must never panic
//! or hang on them, and never give an answer that differs from the intact
//! journal's without a warning naming the damaged file.
//!
//! Each copy damages one file of a recorded journal (a directory of two or
//! three files, or of one) with one recipe and a seed of its own, and runs
//! `boots`, `findings` and `since-boot` on it through `-D` (`since-boot`
//! without `-b` on half of the copies, with a `-b` the seed picks on the
//! other half: a debug build on two cores has time for three runs a copy). "The answer" of a command is what a reader acts on:
//!
//! - `boots`: per boot, in order, its id, entry count, end, shutdown kind,
//!   uptime and first and last wall-clock time;
//! - `findings`: the set of (kind, unit, boot);
//! - `since-boot`: the boot it analyses and its (unit, cause) starts.
//!
//! A difference is "said" when a line on stderr, or the JSON document's
//! `coverage.damage`, names the damaged file. Beyond that, whatever is said:
//! a flipped byte in one entry's boot id makes no boot, an `unclean-shutdown`
//! the intact journal lacks needs a warning that names the file and that
//! boot, and the three commands choose the same boots.
//!
//! `JFORENSICS_DAMAGE_COPY=N` runs copy N alone and keeps it on disk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::timed::{Run, run_with_timeout};
use crate::support::{entry_objects, repo, unpacked};

const COPIES_PER_RECIPE: usize = 20;
/// Far beyond a run's few seconds, even on a loaded machine.
const LIMIT: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Recipe {
    Flip1,
    Flip10,
    Flip100,
    Truncate,
    ZeroPage,
    HeaderField,
    Garbage,
    Empty,
    /// One byte of one entry's boot id.
    BootIdByte,
    /// One bit of one entry's sequence number, wall-clock or monotonic time.
    EntryHeaderBit,
}

const RECIPES: [Recipe; 10] = [
    Recipe::Flip1,
    Recipe::Flip10,
    Recipe::Flip100,
    Recipe::Truncate,
    Recipe::ZeroPage,
    Recipe::HeaderField,
    Recipe::Garbage,
    Recipe::Empty,
    Recipe::BootIdByte,
    Recipe::EntryHeaderBit,
];

/// splitmix64: a seeded sequence, the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A journal as the tests read it: some of one fixture's files.
struct JournalSet {
    name: &'static str,
    plain: PathBuf,
    files: Vec<String>,
}

fn journal_sets() -> Vec<JournalSet> {
    let fixture = |name: &'static str| {
        unpacked(
            &repo().join("tests/fixtures").join(name).join("journal"),
            &format!("{name}-unpacked"),
        )
    };
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|i| i.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".journal"))
            .collect();
        v.sort();
        v
    };
    let mut sets = Vec::new();
    for name in ["debian12", "debian13", "debian12-races", "debian13-races"] {
        let plain = fixture(name);
        let files = names(&plain);
        sets.push(JournalSet { name, plain, files });
    }
    // Journals of one file: an archived system journal, a live one.
    let d12 = fixture("debian12");
    let archived = names(&d12)
        .into_iter()
        .find(|n| n.starts_with("system@"))
        .unwrap();
    sets.push(JournalSet {
        name: "debian12 archived file alone",
        plain: d12,
        files: vec![archived],
    });
    sets.push(JournalSet {
        name: "debian13-races system.journal alone",
        plain: fixture("debian13-races"),
        files: vec!["system.journal".to_string()],
    });
    sets
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// The bytes of a journal file in use (header and arena): damage past them
/// would fall into space journald allocated and never wrote.
fn used(b: &[u8]) -> usize {
    ((le64(b, 88) + le64(b, 96)) as usize).min(b.len())
}

/// The header fields after the signature (journal-def.h), as (offset, length).
const HEADER_FIELDS: &[(usize, usize, &str)] = &[
    (8, 4, "compatible_flags"),
    (12, 4, "incompatible_flags"),
    (16, 1, "state"),
    (24, 16, "file_id"),
    (40, 16, "machine_id"),
    (56, 16, "tail_entry_boot_id"),
    (72, 16, "seqnum_id"),
    (88, 8, "header_size"),
    (96, 8, "arena_size"),
    (104, 8, "data_hash_table_offset"),
    (112, 8, "data_hash_table_size"),
    (120, 8, "field_hash_table_offset"),
    (128, 8, "field_hash_table_size"),
    (136, 8, "tail_object_offset"),
    (144, 8, "n_objects"),
    (152, 8, "n_entries"),
    (160, 8, "tail_entry_seqnum"),
    (168, 8, "head_entry_seqnum"),
    (176, 8, "entry_array_offset"),
    (184, 8, "head_entry_realtime"),
    (192, 8, "tail_entry_realtime"),
    (200, 8, "tail_entry_monotonic"),
    (208, 8, "n_data"),
    (216, 8, "n_fields"),
    (224, 8, "n_tags"),
    (232, 8, "n_entry_arrays"),
    (240, 8, "data_hash_chain_depth"),
    (248, 8, "field_hash_chain_depth"),
    (256, 4, "tail_entry_array_offset"),
    (260, 4, "tail_entry_array_n_entries"),
];

/// Damages `bytes` by `recipe`; says what was done, for the failure list.
fn damage(recipe: Recipe, bytes: &mut Vec<u8>, rng: &mut Rng) -> String {
    let span = used(bytes);
    let flip = |bytes: &mut Vec<u8>, rng: &mut Rng, n: usize| {
        let mut at = Vec::new();
        for _ in 0..n {
            let i = rng.below(span);
            bytes[i] ^= 1 + rng.below(255) as u8;
            at.push(i);
        }
        format!("flipped bytes at {:?}", &at[..at.len().min(5)])
    };
    match recipe {
        Recipe::Flip1 => flip(bytes, rng, 1),
        Recipe::Flip10 => flip(bytes, rng, 10),
        Recipe::Flip100 => flip(bytes, rng, 100),
        Recipe::Truncate => {
            let at = rng.below(span);
            bytes.truncate(at);
            format!("cut at {at}")
        }
        Recipe::ZeroPage => {
            let page = rng.below(span.div_ceil(4096)) * 4096;
            let end = (page + 4096).min(bytes.len());
            bytes[page..end].fill(0);
            format!("zeroed page at {page}")
        }
        Recipe::HeaderField => {
            let (at, len, name) = HEADER_FIELDS[rng.below(HEADER_FIELDS.len())];
            let how = match rng.below(3) {
                0 => {
                    bytes[at..at + len].fill(0);
                    "zeroed"
                }
                1 => {
                    let bit = rng.below(len * 8);
                    bytes[at + bit / 8] ^= 1 << (bit % 8);
                    "one bit flipped"
                }
                _ => {
                    for b in &mut bytes[at..at + len] {
                        *b = rng.next() as u8;
                    }
                    "random"
                }
            };
            format!("header field {name} {how}")
        }
        Recipe::Garbage => {
            let len = 4096 + rng.below(span);
            *bytes = (0..len).map(|_| rng.next() as u8).collect();
            format!("{len} bytes of garbage")
        }
        Recipe::Empty => {
            bytes.clear();
            "emptied".to_string()
        }
        Recipe::BootIdByte | Recipe::EntryHeaderBit => {
            let entries = entry_objects(bytes);
            let e = entries[rng.below(entries.len())];
            if recipe == Recipe::BootIdByte {
                let at = e + 40 + rng.below(16);
                bytes[at] ^= 1 + rng.below(255) as u8;
                format!("entry at {e}: boot id byte {}", at - e - 40)
            } else {
                let (field, name) =
                    [(16, "seqnum"), (24, "realtime"), (32, "monotonic")][rng.below(3)];
                let bit = rng.below(64);
                bytes[e + field + bit / 8] ^= 1 << (bit % 8);
                format!("entry at {e}: {name} bit {bit}")
            }
        }
    }
}

/// What a reader acts on, of each command's answer (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Answer {
    boots: Vec<String>,
    boot_ids: Vec<String>,
    findings: BTreeSet<(String, String, String)>,
    since: String,
}

fn json(run: &Run) -> Option<Value> {
    (run.code == Some(0))
        .then(|| serde_json::from_slice(&run.stdout).ok())
        .flatten()
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

fn boots_of(v: &Value) -> (Vec<String>, Vec<String>) {
    let list = v.as_array().cloned().unwrap_or_default();
    let rows = list
        .iter()
        .map(|b| {
            format!(
                "{} entries={} end={} shutdown={} uptime={} first={} last={}",
                s(&b["boot_id"]),
                s(&b["entries"]),
                s(&b["end"]),
                s(&b["shutdown"]),
                s(&b["duration_usec"]),
                s(&b["first_realtime_usec"]),
                s(&b["last_realtime_usec"]),
            )
        })
        .collect();
    let ids = list.iter().map(|b| s(&b["boot_id"])).collect();
    (rows, ids)
}

fn findings_of(v: &Value) -> BTreeSet<(String, String, String)> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (s(&f["kind"]), s(&f["unit"]), s(&f["boot_id"])))
        .collect()
}

fn since_of(v: &Value) -> String {
    let mut starts: Vec<String> = v["starts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|st| format!("{}:{}", s(&st["unit"]), s(&st["cause"])))
        .collect();
    starts.sort();
    format!(
        "boot {} starts [{}]",
        s(&v["boot"]["boot_id"]),
        starts.join(" ")
    )
}

/// The four runs on one journal directory.
struct Runs {
    boots: Run,
    findings: Run,
    since: Run,
}

fn run_all(dir: &Path, boot: Option<&str>) -> Runs {
    let d = dir.to_str().unwrap();
    let run = |args: &[&str]| run_with_timeout(&[&["-D", d][..], args].concat(), LIMIT);
    Runs {
        boots: run(&["boots", "-o", "json"]),
        findings: run(&["findings", "-o", "json"]),
        since: run(&since_args(boot)),
    }
}

fn since_args(boot: Option<&str>) -> Vec<&str> {
    match boot {
        Some(b) => vec!["since-boot", "-b", b, "-o", "json"],
        None => vec!["since-boot", "-o", "json"],
    }
}

impl Runs {
    fn each(&self) -> [(&'static str, &Run); 3] {
        [
            ("boots", &self.boots),
            ("findings", &self.findings),
            ("since-boot", &self.since),
        ]
    }

    fn answer(&self) -> Answer {
        let (boots, boot_ids) = json(&self.boots).map(|v| boots_of(&v)).unwrap_or_default();
        Answer {
            boots,
            boot_ids,
            findings: json(&self.findings)
                .map(|v| findings_of(&v))
                .unwrap_or_default(),
            since: json(&self.since).map(|v| since_of(&v)).unwrap_or_default(),
        }
    }

    /// Whether a run names `file`: on stderr, or in its document's
    /// `coverage.damage`.
    fn names(run: &Run, file: &str) -> bool {
        run.stderr.contains(file)
            || json(run).is_some_and(|v| v["coverage"]["damage"].to_string().contains(file))
    }
}

#[derive(Default, Clone)]
struct Tally {
    copies: usize,
    same: usize,
    said: usize,
    failures: BTreeMap<&'static str, usize>,
}

/// The failure kinds, in the table's order.
const KINDS: [&str; 8] = [
    "panic",
    "hang",
    "silent boots",
    "silent findings",
    "silent since-boot",
    "phantom boot",
    "new unclean",
    "disagree",
];

struct Copy {
    number: usize,
    recipe: Recipe,
    set: usize,
}

fn copies() -> Vec<Copy> {
    let sets = 6;
    (0..RECIPES.len() * COPIES_PER_RECIPE)
        .map(|number| Copy {
            number,
            recipe: RECIPES[number % RECIPES.len()],
            set: (number / RECIPES.len()) % sets,
        })
        .collect()
}

/// The `-b` a copy's `since-boot` names, if any: a boot before the
/// newest, counted from either end, as its seed picks.
fn boot_arg(rng: &mut Rng, boots: usize) -> Option<String> {
    if boots < 2 || rng.below(2) == 0 {
        return None;
    }
    Some(match rng.below(2) {
        0 => format!("-{}", 1 + rng.below(boots - 1)),
        _ => format!("{}", 1 + rng.below(boots - 1)),
    })
}

/// The position of boot `arg` among `ids` (oldest first), as `-b` counts.
fn position(arg: &str, ids: &[String]) -> Option<usize> {
    let n: i64 = arg.parse().ok()?;
    let len = ids.len() as i64;
    let at = if n <= 0 { len - 1 + n } else { n - 1 };
    (0..len).contains(&at).then_some(at as usize)
}

/// Checks one damaged copy against the intact answer; the failure kinds
/// found, each with a line that explains it.
fn check(
    runs: &Runs,
    intact: &Answer,
    file: &str,
    recipe: Recipe,
    boot: Option<&str>,
) -> (Vec<(&'static str, String)>, bool) {
    let mut failures = Vec::new();
    for (command, run) in runs.each() {
        if let Some(why) = run.broken() {
            let kind = if run.timed_out { "hang" } else { "panic" };
            failures.push((kind, format!("{command}: {why}")));
        }
    }
    if !failures.is_empty() {
        return (failures, false);
    }
    let got = runs.answer();
    let said = runs.each().iter().any(|(_, r)| Runs::names(r, file));
    // A run that fails must say why, naming the file: that is the answer.
    for (command, run) in runs.each() {
        if run.code != Some(0) && !Runs::names(run, file) {
            failures.push((
                "disagree",
                format!(
                    "{command} failed without naming {file}: {}",
                    run.stderr.trim()
                ),
            ));
        }
    }
    let differs = [
        (
            "silent boots",
            got.boots != intact.boots,
            diff(&intact.boots, &got.boots),
        ),
        (
            "silent findings",
            got.findings != intact.findings,
            format!(
                "lost {:?} added {:?}",
                intact
                    .findings
                    .difference(&got.findings)
                    .collect::<Vec<_>>(),
                got.findings
                    .difference(&intact.findings)
                    .collect::<Vec<_>>()
            ),
        ),
        (
            "silent since-boot",
            got.since != intact.since,
            brief_diff(&intact.since, &got.since),
        ),
    ];
    for (kind, differs, how) in differs {
        if differs && !said {
            failures.push((kind, how));
        }
    }
    if recipe == Recipe::BootIdByte && got.boot_ids != intact.boot_ids && runs.boots.code == Some(0)
    {
        failures.push((
            "phantom boot",
            format!("boots {:?}, intact {:?}", got.boot_ids, intact.boot_ids),
        ));
    }
    for (kind, unit, boot_id) in got.findings.difference(&intact.findings) {
        if kind != "unclean-shutdown" {
            continue;
        }
        let short = &boot_id[..8.min(boot_id.len())];
        let warned = runs
            .each()
            .iter()
            .flat_map(|(_, r)| r.stderr.lines())
            .any(|l| l.contains(file) && l.contains(short));
        if !warned {
            failures.push(("new unclean", format!("{kind} {unit} in boot {short}")));
        }
    }
    // The commands choose boots alike, damaged or not.
    if runs.boots.code == Some(0) {
        let ids = &got.boot_ids;
        let chosen = json(&runs.since).map(|v| s(&v["boot"]["boot_id"]));
        let want = match boot {
            None => ids.last().cloned(),
            Some(b) => position(b, ids).map(|i| ids[i].clone()),
        };
        if runs.since.code == Some(0) && chosen != want {
            failures.push((
                "disagree",
                format!("since-boot -b {boot:?} analyses {chosen:?}, boots lists {want:?} there"),
            ));
        }
        if let Some(v) = json(&runs.findings) {
            let read: Vec<String> = v["coverage"]["boots"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| s(&b["boot_id"]))
                .collect();
            if &read != ids {
                failures.push((
                    "disagree",
                    format!("findings read boots {read:?}, boots lists {ids:?}"),
                ));
            }
        }
    }
    (failures, got == *intact)
}

fn diff(want: &[String], got: &[String]) -> String {
    let lost: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
    let added: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
    format!("intact {lost:?} became {added:?}")
}

fn brief_diff(want: &str, got: &str) -> String {
    if want == got {
        return "same".to_string();
    }
    let cut = |s: &str| s.chars().take(60).collect::<String>();
    format!("{} -> {}", cut(want), cut(got))
}

#[test]
fn damaged_copies_of_the_recorded_journals_say_what_changed() {
    let began = Instant::now();
    let sets = journal_sets();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("damage-corpus");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let link_set = |set: &JournalSet, dir: &Path| {
        std::fs::create_dir_all(dir).unwrap();
        for f in &set.files {
            std::fs::hard_link(set.plain.join(f), dir.join(f)).unwrap();
        }
    };
    let only: Option<usize> = std::env::var("JFORENSICS_DAMAGE_COPY")
        .ok()
        .and_then(|n| n.parse().ok());
    let all = copies();
    let todo: Vec<&Copy> = all
        .iter()
        .filter(|c| only.is_none_or(|n| c.number == n))
        .collect();
    // The intact answers, with `-b` of every position: each copy asks one.
    let intact: Vec<(Answer, Vec<String>)> = sets
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let dir = scratch.join(format!("intact-{i}"));
            link_set(set, &dir);
            let runs = run_all(&dir, None);
            for (command, run) in runs.each() {
                assert_eq!(run.code, Some(0), "{} {command}: {}", set.name, run.stderr);
                // A journal of one file lacks the other files' entries:
                // an excerpt, noted; nothing is damaged.
                assert!(
                    !run.stderr.contains("warning") && !run.stderr.contains("error"),
                    "{} {command}: an intact journal warns of nothing: {}",
                    set.name,
                    run.stderr
                );
            }
            let answer = runs.answer();
            let ids = answer.boot_ids.clone();
            (answer, ids)
        })
        .collect();
    let intact_since = Mutex::new(BTreeMap::<(usize, Option<String>), String>::new());
    let tallies = Mutex::new(BTreeMap::<Recipe, Tally>::new());
    let lines = Mutex::new(Vec::<String>::new());
    let next = AtomicUsize::new(0);
    let threads = 2;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(copy) = todo.get(i) else { break };
                    let set = &sets[copy.set];
                    let mut rng =
                        Rng(0x6a66_6f72_656e_7369
                            ^ (copy.number as u64).wrapping_mul(0x1000_0000_01b3));
                    let file = set.files[rng.below(set.files.len())].clone();
                    let (base, ids) = &intact[copy.set];
                    let boot = boot_arg(&mut rng, ids.len());
                    // The intact answer of this copy's -b, read once per set.
                    let want_since = {
                        let key = (copy.set, boot.clone());
                        let known = intact_since.lock().unwrap().get(&key).cloned();
                        known.unwrap_or_else(|| {
                            let d = scratch.join(format!("intact-{}", copy.set));
                            let args = [
                                &["-D", d.to_str().unwrap()][..],
                                &since_args(boot.as_deref()),
                            ]
                            .concat();
                            let run = run_with_timeout(&args, LIMIT);
                            let got = json(&run).map(|v| since_of(&v)).unwrap_or_default();
                            intact_since.lock().unwrap().insert(key, got.clone());
                            got
                        })
                    };
                    let want = Answer {
                        since: want_since,
                        ..base.clone()
                    };
                    let dir = scratch.join(format!("copy-{}", copy.number));
                    let _ = std::fs::remove_dir_all(&dir);
                    link_set(set, &dir);
                    let mut bytes = std::fs::read(set.plain.join(&file)).unwrap();
                    let what = damage(copy.recipe, &mut bytes, &mut rng);
                    // Replaced, not written through: the link shares the intact copy.
                    std::fs::remove_file(dir.join(&file)).unwrap();
                    std::fs::write(dir.join(&file), &bytes).unwrap();
                    drop(bytes);
                    let runs = run_all(&dir, boot.as_deref());
                    let (failures, same) = check(&runs, &want, &file, copy.recipe, boot.as_deref());
                    let said = runs.each().iter().any(|(_, r)| Runs::names(r, &file));
                    {
                        let mut tallies = tallies.lock().unwrap();
                        let t = tallies.entry(copy.recipe).or_default();
                        t.copies += 1;
                        if same {
                            t.same += 1;
                        } else if said {
                            t.said += 1;
                        }
                        let kinds: BTreeSet<&str> = failures.iter().map(|(k, _)| *k).collect();
                        for k in kinds {
                            *t.failures.entry(k).or_default() += 1;
                        }
                    }
                    if !failures.is_empty() {
                        let mut lines = lines.lock().unwrap();
                        for (kind, how) in &failures {
                            lines.push(format!(
                                "copy {} ({:?}, {}, {file}: {what}, -b {boot:?}): {kind}: {how}",
                                copy.number, copy.recipe, set.name
                            ));
                        }
                    }
                    if only.is_none() {
                        let _ = std::fs::remove_dir_all(&dir);
                    } else {
                        for (command, run) in runs.each() {
                            eprintln!("--- {command} (exit {:?})\n{}", run.code, run.stderr);
                        }
                        eprintln!("kept {}", dir.display());
                    }
                }
            });
        }
    });
    let tallies = tallies.into_inner().unwrap();
    let mut table = format!(
        "{:<15} {:>6} {:>5} {:>5}",
        "recipe", "copies", "same", "said"
    );
    for k in KINDS {
        table += &format!(" {k:>width$}", width = k.len());
    }
    let mut total = 0;
    let mut failed = 0;
    for (recipe, t) in &tallies {
        table += &format!(
            "\n{:<15} {:>6} {:>5} {:>5}",
            format!("{recipe:?}"),
            t.copies,
            t.same,
            t.said
        );
        for k in KINDS {
            let n = t.failures.get(k).copied().unwrap_or(0);
            failed += n;
            table += &format!(" {n:>width$}", width = k.len());
        }
        total += t.copies;
    }
    eprintln!(
        "damage corpus: {total} copies in {:.0?}; \"same\": the intact answer, \"said\": a different answer with the damaged file named\n{table}",
        began.elapsed()
    );
    let lines = lines.into_inner().unwrap();
    assert!(
        lines.is_empty(),
        "{failed} failures:\n{table}\n\n{}",
        lines.join("\n")
    );
    if only.is_none() {
        assert!(total >= 200, "{total} copies");
        let _ = std::fs::remove_dir_all(&scratch);
    }
}

//! The library's import graph: data flows one way through the pipeline
//! (journal → events → boots/lifecycles → cause → findings → report/tables),
//! and no module reaches a later stage or takes part in a cycle.
//!
//! Read from the `use crate::…`/`super::…` paths in `src/` and in the
//! workspace's crates (the front end, `main.rs`, `cli/` and `commands/`,
//! may use everything), and from the paths one crate names another by
//! (`jforensics_core::…`). Each crate's modules keep the names they have in
//! the one library the top crate re-exports (`crates/journal/src/files` is
//! `journal::files`), so the ranks below hold across crates. A path to a
//! module counts as an import of that module; a path to an item, of the
//! module that holds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

use crate::support::repo;

/// Pipeline order: a stage may import its own and lower ranks only. Rank 0
/// are leaves every stage may use (presentation helpers, the enum-word
/// helper); they import nothing of the crate but themselves.
const RANKS: &[(&str, u32)] = &[
    ("present", 0),
    ("vocab", 0),
    ("journal", 1),
    // Unit files: the declarations, read as `journal` reads the record.
    ("units", 1),
    ("evidence", 2),
    ("stable_id", 2),
    ("events", 3),
    ("boots", 4),
    ("lifecycle", 4),
    ("cause", 5),
    // Which machine each boot belongs to: boots grouped by `_MACHINE_ID`.
    ("machines", 5),
    ("findings", 6),
    // What hosts share (reboot waves, the same finding on many hosts): it
    // reads each host's findings, and reports present it.
    ("fleet", 7),
    ("report", 8),
    ("tables", 8),
    // Read planning: which boots, neighbours and windows to read, on one
    // thread pool; it runs the detectors and fleet's per-host analysis.
    ("session", 8),
    // `jforensics watch`: it reads through a session, runs the detectors and
    // sends their JSON, so it comes after session and report.
    ("watch", 9),
];

/// Modules outside the pipeline: test-only data and the front end.
const OUTSIDE: &[&str] = &["testkit", "main", "cli", "commands", "lib"];

/// Where the library's modules live: each source root with the module
/// path its files are under and the name other crates use for it. The top
/// crate (`src/`) and `jforensics-core` put their modules at the top, as
/// the top crate re-exports core's.
const ROOTS: &[(&str, &str, &str)] = &[
    ("src", "", "jforensics"),
    ("crates/core/src", "", "jforensics_core"),
    ("crates/journal/src", "journal", "jforensics_journal"),
    ("crates/present/src", "present", "jforensics_present"),
];

fn module_path(prefix: &str) -> Vec<String> {
    prefix
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A library file: its module path ("report::json::findings"), the module
/// path its crate's `crate::` stands for, and its text.
type Source = (Vec<String>, Vec<String>, String);

/// Every library file of every root.
fn sources() -> Vec<Source> {
    let mut out = Vec::new();
    for (root, prefix, _) in ROOTS {
        let src = repo().join(root);
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(&src).unwrap().with_extension("");
                    let mut module = module_path(prefix);
                    module.extend(
                        rel.components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
                    );
                    if module.last().is_some_and(|m| m == "mod")
                        || (*root != "src" && module.last().is_some_and(|m| m == "lib"))
                    {
                        module.pop();
                    }
                    // A crate root that only re-exports (crates/core/src/lib.rs).
                    if module.is_empty() || OUTSIDE.contains(&module[0].as_str()) {
                        continue;
                    }
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((module, module_path(prefix), text));
                }
            }
        }
    }
    out.sort();
    out
}

/// The longest prefix of `path` that names a module (`is_module`).
fn module_of(is_module: &dyn Fn(&[String]) -> bool, path: &[String]) -> Vec<String> {
    for n in (1..=path.len()).rev() {
        if is_module(&path[..n]) {
            return path[..n].to_vec();
        }
    }
    path[..1].to_vec()
}

/// Whether `path` names a module file or directory under one of the roots.
fn is_source_module(repo: &Path, path: &[String]) -> bool {
    ROOTS.iter().any(|(root, prefix, _)| {
        let prefix = module_path(prefix);
        let Some(rest) = path.strip_prefix(prefix.as_slice()) else {
            return false;
        };
        if rest.is_empty() {
            return !prefix.is_empty();
        }
        let base = repo.join(root).join(rest.join("/"));
        base.with_extension("rs").is_file() || base.is_dir()
    })
}

type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

/// Every module each library module imports (by `crate::`, `super::` or
/// another crate's paths in code, not in comments).
fn imports() -> Graph {
    let repo = repo();
    graph_of(sources(), &|p: &[String]| is_source_module(&repo, p))
}

/// The import graph of `sources` (module path, text), where `is_module`
/// tells which paths name a module.
fn graph_of(sources: Vec<Source>, is_module: &dyn Fn(&[String]) -> bool) -> Graph {
    let crates: Vec<&str> = ROOTS.iter().map(|(_, _, name)| *name).collect();
    let path = Regex::new(&format!(
        r"\b(crate|super|{})((?:::[A-Za-z_][A-Za-z0-9_]*)+)",
        crates.join("|")
    ))
    .unwrap();
    let mut graph = BTreeMap::new();
    for (module, crate_root, text) in sources {
        let mut targets = BTreeSet::new();
        // Inline test modules are left out: their `super` is the file itself.
        let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for m in path.captures_iter(code) {
                let mut names: Vec<String> = m[2]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let mut full = match &m[1] {
                    "crate" => crate_root.clone(),
                    // `super` of a file module is its parent directory's module.
                    "super" => module[..module.len().saturating_sub(1)].to_vec(),
                    name => ROOTS
                        .iter()
                        .find(|(_, _, n)| *n == name)
                        .map(|(_, prefix, _)| module_path(prefix))
                        .unwrap_or_default(),
                };
                while names.first().is_some_and(|n| n == "super") {
                    names.remove(0);
                    full.pop();
                }
                full.extend(names);
                if full.is_empty() || full[0] == "testkit" {
                    continue;
                }
                // `use crate::report::{html, json}` names its modules in braces.
                let tail = &code[m.get(0).map_or(0, |w| w.end())..];
                if let Some(list) = tail.strip_prefix("::{") {
                    for item in list.split(['}', ',']).take_while(|s| !s.contains(';')) {
                        let item = item.trim().split(' ').next().unwrap_or("");
                        if item.is_empty() || item == "self" {
                            continue;
                        }
                        let mut p = full.clone();
                        p.extend(item.split("::").map(str::to_string));
                        targets.insert(module_of(is_module, &p));
                    }
                }
                targets.insert(module_of(is_module, &full));
            }
        }
        targets.remove(&module);
        graph.insert(module, targets);
    }
    graph
}

fn rank(module: &[String]) -> u32 {
    RANKS
        .iter()
        .find(|(name, _)| *name == module[0])
        .map(|(_, r)| *r)
        .unwrap_or_else(|| {
            panic!(
                "module {} has no place in RANKS (tests/it/layers.rs)",
                module[0]
            )
        })
}

/// Every import against the pipeline order, as "from -> to".
fn against_the_order(graph: &Graph) -> Vec<String> {
    let mut wrong = Vec::new();
    for (module, targets) in graph {
        for target in targets {
            let leaf_breach = rank(module) == 0 && target[0] != module[0];
            let peer_breach = module[0] != target[0] && rank(module) == rank(target);
            if rank(target) > rank(module) || leaf_breach || peer_breach {
                wrong.push(format!("{} -> {}", module.join("::"), target.join("::")));
            }
        }
    }
    wrong
}

#[test]
fn no_stage_imports_a_later_one() {
    let wrong = against_the_order(&imports());
    assert!(
        wrong.is_empty(),
        "imports against the pipeline order:\n{}",
        wrong.join("\n")
    );
}

/// Every import cycle between modules of which neither contains the
/// other, as "a -> b -> a".
fn cycles(graph: &Graph) -> Vec<String> {
    // Parent and child modules may name each other (a `mod.rs` declares its
    // children); cycles are looked for between modules of which neither
    // contains the other.
    let related = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a way back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if related(&at, next) {
                    continue;
                }
                if next == start {
                    let names: Vec<String> = trail.iter().map(|m| m.join("::")).collect();
                    cycles.push(format!("{} -> {}", names.join(" -> "), start.join("::")));
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    cycles
}

#[test]
fn no_module_takes_part_in_an_import_cycle() {
    let cycles = cycles(&imports());
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_import_reader_sees_imports() {
    // Guards the two tests above against passing on an empty graph.
    let graph = imports();
    let of = |m: &str| graph.get(&m.split("::").map(str::to_string).collect::<Vec<_>>());
    let findings = of("findings").expect("crates/core/src/findings/mod.rs read");
    assert!(
        findings.contains(&vec!["cause".to_string()]),
        "{findings:?}"
    );
    let run = of("watch::run").expect("src/watch/run.rs read");
    assert!(run.contains(&vec!["session".to_string()]), "{run:?}");
    // A crate's own paths and another crate's, resolved to the modules of
    // the one library.
    let walk = of("cause::rules::walk").expect("crates/core/src/cause/rules/walk.rs read");
    assert!(
        walk.contains(&vec!["cause".to_string(), "windows".to_string()])
            && walk.contains(&vec!["cause".to_string(), "jobs".to_string()]),
        "{walk:?}"
    );
    let verify = of("journal::files::verify").expect("crates/journal/src/files/verify.rs read");
    assert!(
        verify.contains(&vec!["present".to_string(), "time".to_string()])
            && verify.contains(&vec!["journal".to_string(), "files".to_string()]),
        "{verify:?}"
    );
    let markers = of("boots::markers").expect("crates/core/src/boots/markers.rs read");
    assert!(
        markers.contains(&vec!["events".to_string(), "shutdown".to_string()]),
        "{markers:?}"
    );
    let bundle = of("report::bundle").expect("src/report/bundle.rs read");
    assert!(
        bundle.contains(&vec!["report".to_string(), "json".to_string()]),
        "{bundle:?}"
    );
}

/// A synthetic library: each (module, text) as if read from src/ (or, for
/// `journal::…`, from crates/journal/src), where every module named is a
/// file.
fn synthetic(files: &[(&str, &str)]) -> Graph {
    let sources = files
        .iter()
        .map(|(m, t)| {
            let module: Vec<String> = m.split("::").map(str::to_string).collect();
            let crate_root = if module[0] == "journal" {
                vec!["journal".to_string()]
            } else {
                Vec::new()
            };
            (module, crate_root, t.to_string())
        })
        .collect();
    let known: Vec<Vec<String>> = files
        .iter()
        .map(|(m, _)| m.split("::").map(str::to_string).collect())
        .collect();
    graph_of(sources, &|p: &[String]| known.iter().any(|k| k == p))
}

#[test]
fn the_checkers_fail_on_an_upward_import_and_on_a_cycle() {
    // Guards the checkers themselves: the same code that passes on src/
    // must fail on a library that breaks each rule once.
    let upward = synthetic(&[
        // The journal crate can name the top crate only by its name …
        ("journal::files", "use jforensics::session::Session;\n"),
        // … and a core stage a later one by `crate::`.
        ("lifecycle", "use crate::cause::Start;\n"),
        ("session", "use crate::journal::Journal;\n"),
        ("boots::scan", "use super::markers::marker_matches;\n"),
        ("boots::markers", "use super::scan::Gathered;\n"),
        // Comments are not imports.
        (
            "events",
            "// see crate::report::json\nuse crate::journal::Entry;\n",
        ),
    ]);
    assert_eq!(
        against_the_order(&upward),
        vec!["journal::files -> session", "lifecycle -> cause"]
    );
    let found = cycles(&upward);
    assert!(
        found
            .iter()
            .any(|c| c == "boots::markers -> boots::scan -> boots::markers"),
        "{found:?}"
    );
    assert!(
        found.iter().all(|c| c.starts_with("boots::")),
        "only the sibling cycle: {found:?}"
    );
    // Across crates: the journal crate naming core, or its own `crate::`
    // reaching a module core re-exports, is as upward as it was in one crate.
    let across = synthetic(&[
        (
            "journal::files",
            "use jforensics_core::findings::Finding;\n",
        ),
        ("journal::stream", "use crate::files::Outcome;\n"),
        ("findings", ""),
    ]);
    assert_eq!(
        against_the_order(&across),
        vec!["journal::files -> findings"]
    );
    assert!(
        graph_has(&across, "journal::stream", "journal::files"),
        "{across:?}"
    );
    // Two peers of one rank may not import each other either way.
    let peers = synthetic(&[("report", "use crate::session::detect;\n"), ("session", "")]);
    assert_eq!(against_the_order(&peers), vec!["report -> session"]);
}

#[test]
fn commands_plan_no_reads() {
    // The front end parses, calls and prints: threads, caches and locks
    // belong to `session`, where read planning lives.
    let dir = repo().join("src/commands");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in [
                "std::thread",
                "thread::scope",
                "OnceLock",
                "Mutex",
                "Atomic",
                "chunks(",
            ] {
                if code.contains(word) {
                    found.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "read planning in commands/:\n{}",
        found.join("\n")
    );
}

fn graph_has(graph: &Graph, from: &str, to: &str) -> bool {
    let path = |m: &str| m.split("::").map(str::to_string).collect::<Vec<_>>();
    graph
        .get(&path(from))
        .is_some_and(|t| t.contains(&path(to)))
}

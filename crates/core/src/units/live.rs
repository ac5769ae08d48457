//! Declarations on a live host, from the running manager: `systemctl show`
//! answers with the dependencies systemd itself computed (drop-ins,
//! generators, default dependencies and all), so nothing is re-derived here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use super::{DeclaredUnit, DepKind, Origin, UnitTree};

/// Properties asked for; the dependency ones are named as [`DepKind`].
const PROPERTIES: &str = "Id,Names,LoadState,FragmentPath,DropInPaths,UnitFileState,Listen,Wants,Requires,Requisite,BindsTo,PartOf,Upholds,After,Before,TriggeredBy,Triggers,OnFailure,OnSuccess";

/// Rounds of `default.target`'s dependencies followed to find what starts at
/// boot; systemd's own trees are a handful of levels deep.
const MAX_BOOT_DEPTH: usize = 32;

/// The declarations of `names` (and, to know what boot starts, of every
/// unit `default.target` pulls in) from the running system manager.
pub fn from_systemctl(names: &[String]) -> Result<UnitTree, String> {
    let mut tree = UnitTree {
        origin: Origin::Live,
        units: BTreeMap::new(),
        aliases: BTreeMap::new(),
        problems: Vec::new(),
        templates: BTreeMap::new(),
        root: PathBuf::from("/"),
        dropin_dirs: BTreeMap::new(),
        boot_set: BTreeSet::new(),
    };
    let wanted: Vec<String> = names.to_vec();
    for u in show(&wanted)? {
        tree.insert(u);
    }
    let mut frontier = vec!["default.target".to_string()];
    let mut boot = BTreeSet::new();
    for _ in 0..MAX_BOOT_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let ask: Vec<String> = frontier
            .iter()
            .filter(|n| !tree.units.contains_key(&tree.canonical(n)))
            .cloned()
            .collect();
        if !ask.is_empty() {
            for u in show(&ask)? {
                tree.insert(u);
            }
        }
        let mut next = Vec::new();
        for n in frontier {
            let c = tree.canonical(&n);
            if !boot.insert(c.clone()) {
                continue;
            }
            if let Some(u) = tree.units.get(&c) {
                for (kind, others) in &u.deps {
                    if kind.pulls() || *kind == DepKind::Triggers {
                        next.extend(others.iter().cloned());
                    }
                }
            }
        }
        frontier = next;
    }
    tree.boot_set = boot;
    Ok(tree)
}

impl UnitTree {
    fn insert(&mut self, u: DeclaredUnit) {
        for a in &u.aliases {
            self.aliases.insert(a.clone(), u.name.clone());
        }
        self.units.insert(u.name.clone(), u);
    }
}

fn show(names: &[String]) -> Result<Vec<DeclaredUnit>, String> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let out = Command::new("systemctl")
        .args(["show", "--no-pager", "-p", PROPERTIES, "--"])
        .args(names)
        .output()
        .map_err(|e| format!("could not run systemctl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "systemctl show failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(parse_show(&String::from_utf8_lossy(&out.stdout)))
}

/// `systemctl show` output: one block of `Key=value` lines per unit,
/// blocks separated by an empty line.
pub(super) fn parse_show(text: &str) -> Vec<DeclaredUnit> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut u = DeclaredUnit::default();
        let mut loaded = true;
        for line in block.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let words = || value.split_whitespace().map(str::to_string);
            match key {
                "Id" => u.name = value.to_string(),
                "Names" => u.aliases = words().collect(),
                "LoadState" => loaded = value != "not-found",
                "FragmentPath" if !value.is_empty() => u.fragment = Some(value.to_string()),
                "DropInPaths" => u.dropins = words().collect(),
                "UnitFileState" => {
                    u.installable = !matches!(value, "static" | "");
                    u.masked = value.starts_with("masked");
                    if value.starts_with("enabled") {
                        u.enabled_by.insert("(systemctl is-enabled)".to_string());
                    }
                }
                "Listen" if !value.is_empty() => u.listen.push(value.to_string()),
                _ => {
                    if let Some(kind) = DepKind::ALL.into_iter().find(|k| k.as_str() == key) {
                        u.deps.entry(kind).or_default().extend(words());
                    }
                }
            }
        }
        u.aliases.retain(|a| *a != u.name);
        if !u.name.is_empty() && loaded {
            out.push(u);
        }
    }
    out
}

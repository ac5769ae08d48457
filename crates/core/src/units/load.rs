//! Reading an OS tree's unit files as systemd does (the rules are listed
//! in the module docs of `units`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::parse;
use super::{DeclaredUnit, DepKind, Origin, UnitTree, instance_of, is_template, is_unit_name};

/// A unit's files: fragment (as a path inside the tree and on disk) and drop-ins.
#[derive(Clone, Debug, Default)]
pub(super) struct Sources {
    fragment: Option<(String, PathBuf)>,
    masked: bool,
    dropins: Vec<(String, PathBuf)>,
}

/// A name found in a search directory.
#[derive(Clone, Debug)]
pub(super) struct Found {
    dir: usize,
    path: PathBuf,
    link: Option<PathBuf>,
}

impl UnitTree {
    pub(super) fn load(origin: Origin, root: &Path, dirs: &[(String, PathBuf)]) -> UnitTree {
        let mut tree = UnitTree {
            origin,
            units: BTreeMap::new(),
            aliases: BTreeMap::new(),
            problems: Vec::new(),
            templates: BTreeMap::new(),
            root: root.to_path_buf(),
            dropin_dirs: BTreeMap::new(),
            boot_set: BTreeSet::new(),
        };
        let mut found: BTreeMap<String, Found> = BTreeMap::new();
        // name.d → file name → (display path, disk path); first dir wins a file name.
        let mut dropin_dirs: BTreeMap<String, BTreeMap<String, (String, PathBuf)>> =
            BTreeMap::new();
        // (from, kind, to, under /etc)
        let mut links: Vec<(String, DepKind, String, bool)> = Vec::new();
        for (i, (shown, dir)) in dirs.iter().enumerate() {
            let mut entries = match std::fs::read_dir(dir) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .collect::<Vec<_>>(),
                Err(e) => {
                    tree.problems.push(format!("{shown}: {e}"));
                    continue;
                }
            };
            entries.sort();
            let in_etc = shown.starts_with("/etc/") || matches!(tree.origin, Origin::Dir(_));
            for path in entries {
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                if path.is_dir() {
                    if let Some(unit) = name.strip_suffix(".d") {
                        let files = dropin_dirs.entry(unit.to_string()).or_default();
                        for conf in sorted_files(&path) {
                            let Some(f) = conf.file_name().and_then(|n| n.to_str()) else {
                                continue;
                            };
                            if f.ends_with(".conf") && !files.contains_key(f) {
                                files.insert(
                                    f.to_string(),
                                    (format!("{shown}/{name}/{f}"), conf.clone()),
                                );
                            }
                        }
                        continue;
                    }
                    for (ext, kind) in [
                        (".wants", DepKind::Wants),
                        (".requires", DepKind::Requires),
                        (".upholds", DepKind::Upholds),
                    ] {
                        if let Some(from) = name.strip_suffix(ext) {
                            for link in sorted_files(&path) {
                                if let Some(to) = link.file_name().and_then(|n| n.to_str())
                                    && is_unit_name(to)
                                {
                                    links.push((from.to_string(), kind, to.to_string(), in_etc));
                                }
                            }
                        }
                    }
                    continue;
                }
                if !is_unit_name(&name) || found.contains_key(&name) {
                    continue;
                }
                let link = std::fs::read_link(&path).ok();
                found.insert(name, Found { dir: i, path, link });
            }
        }

        // Resolve every name: alias, mask or file.
        let mut sources: BTreeMap<String, Sources> = BTreeMap::new();
        for (name, f) in &found {
            match tree.resolve(name, f, dirs) {
                Resolved::Alias(target) => {
                    tree.aliases.insert(name.clone(), target);
                }
                Resolved::Masked => {
                    sources.insert(
                        name.clone(),
                        Sources {
                            masked: true,
                            ..Sources::default()
                        },
                    );
                }
                Resolved::File(shown, disk) => {
                    sources.insert(
                        name.clone(),
                        Sources {
                            fragment: Some((shown, disk)),
                            ..Sources::default()
                        },
                    );
                }
                Resolved::Broken(why) => tree.problems.push(why),
                Resolved::Instance => {}
            }
        }
        for (name, src) in sources.iter_mut() {
            src.dropins = dropins_for(name, &dropin_dirs);
        }
        tree.dropin_dirs = dropin_dirs;
        for (name, src) in sources {
            if is_template(&name) {
                tree.templates.insert(name, src);
            } else {
                let unit = tree.read_unit(&name, &src);
                tree.units.insert(name, unit);
            }
        }
        for (alias, target) in tree.aliases.clone() {
            if let Some(u) = tree.units.get_mut(&target) {
                u.aliases.push(alias);
            }
        }
        for (from, kind, to, in_etc) in links {
            let from = tree.canonical(&from);
            let to = tree.canonical(&to);
            tree.ensure(&to);
            if in_etc && let Some(u) = tree.units.get_mut(&to) {
                u.enabled_by.insert(from.clone());
            }
            tree.ensure(&from);
            // A target of the system's own tree (multi-user.target) that a
            // copy of /etc alone does not hold still wants what is linked.
            let u = tree
                .units
                .entry(from.clone())
                .or_insert_with(|| DeclaredUnit {
                    name: from.clone(),
                    ..DeclaredUnit::default()
                });
            u.deps.entry(kind).or_default().insert(to);
        }
        // Instances named in dependency lists (getty@tty1.service).
        let named: BTreeSet<String> = tree
            .units
            .values()
            .flat_map(|u| u.deps.values().flatten().cloned())
            .collect();
        for n in named {
            tree.ensure(&n);
        }
        tree.add_implicit();
        tree.boot_set = tree.reachable_from(&tree.boot_roots());
        tree
    }

    pub(super) fn resolve(&self, name: &str, f: &Found, dirs: &[(String, PathBuf)]) -> Resolved {
        let shown = format!("{}/{name}", dirs[f.dir].0);
        let Some(target) = &f.link else {
            return Resolved::File(shown, f.path.clone());
        };
        if target == Path::new("/dev/null") {
            return Resolved::Masked;
        }
        let target_name = target.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if target_name != name && is_unit_name(target_name) {
            // An alias, unless an instance links to its template (enable
            // of `getty@tty1.service` makes such links): then it is the
            // template's file, read as that instance.
            if instance_of(name).as_deref() == Some(target_name) {
                return Resolved::Instance;
            }
            return Resolved::Alias(target_name.to_string());
        }
        // A linked unit file: the symlink's target, read inside the tree.
        let disk = if target.is_absolute() {
            self.root.join(target.strip_prefix("/").unwrap_or(target))
        } else {
            f.path.parent().unwrap_or(Path::new("")).join(target)
        };
        if disk.is_file() {
            Resolved::File(shown, disk)
        } else {
            Resolved::Broken(format!(
                "{shown} links to {}, which is not in the tree",
                target.display()
            ))
        }
    }

    /// Reads a unit's fragment and drop-ins as `name` (an instance's name
    /// for a template's files).
    pub(super) fn read_unit(&mut self, name: &str, src: &Sources) -> DeclaredUnit {
        let mut unit = DeclaredUnit {
            name: name.to_string(),
            masked: src.masked,
            ..DeclaredUnit::default()
        };
        let mut sections = parse::Sections::default();
        let expand = |v: &str| parse::expand_specifiers(name, v);
        for (shown, disk) in src.fragment.iter().chain(src.dropins.iter()) {
            match std::fs::read(disk) {
                Ok(bytes) => sections.apply(&String::from_utf8_lossy(&bytes), &expand),
                Err(e) => self.problems.push(format!("{shown}: {e}")),
            }
        }
        unit.fragment = src.fragment.as_ref().map(|(s, _)| s.clone());
        unit.dropins = src.dropins.iter().map(|(s, _)| s.clone()).collect();
        for ((section, key), values) in &sections.values {
            if section == "Unit"
                && let Some(kind) = DepKind::setting(key)
            {
                unit.deps
                    .entry(kind)
                    .or_default()
                    .extend(values.iter().filter(|v| is_unit_name(v)).cloned());
            }
            if section == "Install" {
                unit.installable = true;
            }
        }
        let kind = name.rsplit_once('.').map_or("", |(_, k)| k);
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        match kind {
            "socket" => {
                for key in ["ListenStream", "ListenDatagram", "ListenSequentialPacket"] {
                    unit.listen
                        .extend(sections.get("Socket", key).iter().cloned());
                }
                let accept = matches!(
                    sections.last("Socket", "Accept"),
                    Some("yes" | "true" | "1" | "on")
                );
                let service = sections
                    .last("Socket", "Service")
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        if accept {
                            format!("{stem}@.service")
                        } else {
                            format!("{stem}.service")
                        }
                    });
                unit.deps
                    .entry(DepKind::Triggers)
                    .or_default()
                    .insert(service);
            }
            "timer" | "path" => {
                let section = if kind == "timer" { "Timer" } else { "Path" };
                let target = sections
                    .last(section, "Unit")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{stem}.service"));
                unit.deps
                    .entry(DepKind::Triggers)
                    .or_default()
                    .insert(target);
            }
            "service" => {
                for s in sections.get("Service", "Sockets") {
                    unit.deps
                        .entry(DepKind::TriggeredBy)
                        .or_default()
                        .insert(s.clone());
                }
            }
            _ => {}
        }
        unit
    }

    /// Makes sure an instance named `name` is read from its template.
    pub(super) fn ensure(&mut self, name: &str) {
        if self.units.contains_key(name) {
            return;
        }
        let Some(template) = instance_of(name) else {
            return;
        };
        let Some(mut src) = self.templates.get(&template).cloned() else {
            return;
        };
        src.dropins = dropins_for(name, &self.dropin_dirs);
        let unit = self.read_unit(name, &src);
        self.units.insert(name.to_string(), unit);
    }

    /// What systemd adds on its own between a trigger and what it activates.
    pub(super) fn add_implicit(&mut self) {
        let mut reverse: Vec<(String, DepKind, String)> = Vec::new();
        for u in self.units.values() {
            for t in u.deps.get(&DepKind::Triggers).into_iter().flatten() {
                reverse.push((t.clone(), DepKind::TriggeredBy, u.name.clone()));
                reverse.push((u.name.clone(), DepKind::Before, t.clone()));
                reverse.push((t.clone(), DepKind::After, u.name.clone()));
            }
            for t in u.deps.get(&DepKind::TriggeredBy).into_iter().flatten() {
                reverse.push((t.clone(), DepKind::Triggers, u.name.clone()));
            }
            // Before= on one side is After= on the other: store both so a
            // lookup of either unit sees the ordering.
            for t in u.deps.get(&DepKind::Before).into_iter().flatten() {
                reverse.push((t.clone(), DepKind::After, u.name.clone()));
            }
            for t in u.deps.get(&DepKind::After).into_iter().flatten() {
                reverse.push((t.clone(), DepKind::Before, u.name.clone()));
            }
        }
        for (from, kind, to) in reverse {
            let from = self.canonical(&from);
            let to = self.canonical(&to);
            self.ensure(&from);
            if let Some(u) = self.units.get_mut(&from) {
                u.deps.entry(kind).or_default().insert(to);
            }
        }
    }
}

pub(super) enum Resolved {
    Alias(String),
    /// An instance's name linked to its own template.
    Instance,
    Masked,
    File(String, PathBuf),
    Broken(String),
}

pub(super) fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The drop-ins that apply to `name`, in the order systemd applies them
/// (by file name across all the directories that apply).
pub(super) fn dropins_for(
    name: &str,
    dirs: &BTreeMap<String, BTreeMap<String, (String, PathBuf)>>,
) -> Vec<(String, PathBuf)> {
    let Some((stem, suffix)) = name.rsplit_once('.') else {
        return Vec::new();
    };
    let mut keys = vec![suffix.to_string()];
    // Dash prefixes: "a-b-c.service" → "a-.service", "a-b-.service".
    let base = stem.split_once('@').map_or(stem, |(p, _)| p);
    for (i, _) in base.match_indices('-') {
        keys.push(format!("{}-.{suffix}", &base[..i]));
    }
    if let Some(t) = instance_of(name) {
        keys.push(t);
    }
    keys.push(name.to_string());
    let mut merged: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    // Later keys are more specific: their file of a name replaces a broader one.
    for k in keys {
        if let Some(files) = dirs.get(&k) {
            for (f, p) in files {
                merged.insert(f.clone(), p.clone());
            }
        }
    }
    merged.into_values().collect()
}

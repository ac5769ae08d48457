//! Declared dependencies: what the unit files say each unit needs.
//!
//! The journal shows which units actually depended on which; the unit files
//! say which dependencies were declared. Comparing the two needs the
//! declarations read as systemd reads them, or the comparison accuses a
//! unit of an undeclared dependency that a drop-in or an alias declares.
//! So this module follows systemd's own rules (systemd.unit(5),
//! `src/shared/unit-file.c`, `src/core/load-dropin.c`) for an OS tree read
//! offline (`--root`, or one directory of unit files with `--units`), and
//! asks the running manager (`systemctl show`) on a live host.
//!
//! Covered, offline:
//! * the system search path under the root, highest priority first
//!   ([`SEARCH_PATH`]); the first directory holding a name wins;
//! * aliases (a symlink to another unit's name), masks (a symlink to
//!   `/dev/null`), linked unit files (a symlink of the same name elsewhere);
//! * templates: `foo@x.service` read from `foo@.service` with `%i %I %n
//!   %N %p %j` expanded;
//! * drop-ins `NAME.d/*.conf`, the template's `foo@.service.d/`, the type's
//!   `service.d/` and the dash prefixes (`foo-.service.d/`), merged by file
//!   name with the higher-priority directory winning a name;
//! * `NAME.wants/`, `NAME.requires/`, `NAME.upholds/` directories;
//! * the dependencies systemd adds itself between a `.socket`, `.timer` or
//!   `.path` unit and the unit it activates (`Triggers=`/`TriggeredBy=`
//!   with `Before=`/`After=`).
//!
//! Not covered: generators (their output lives in `/run`, which an offline
//! copy rarely has), the default dependencies on targets
//! (`DefaultDependencies=`; they never link two services), `Conflicts=`
//! semantics, and user managers' trees. What could not be read is listed in
//! [`UnitTree::problems`], never skipped in silence.

mod live;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use live::from_systemctl;
pub use parse::expand_specifiers;

/// The system manager's unit search path (`systemd-analyze unit-paths` on
/// Debian 12 and 13, without the per-boot `/run` generator output), highest
/// priority first.
pub const SEARCH_PATH: &[&str] = &[
    "etc/systemd/system.control",
    "run/systemd/system.control",
    "run/systemd/transient",
    "run/systemd/generator.early",
    "etc/systemd/system",
    "etc/systemd/system.attached",
    "run/systemd/system",
    "run/systemd/system.attached",
    "run/systemd/generator",
    "usr/local/lib/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
    "run/systemd/generator.late",
];

/// Unit types (`unit_type_table`).
const SUFFIXES: &[&str] = &[
    "service",
    "socket",
    "target",
    "device",
    "mount",
    "automount",
    "swap",
    "timer",
    "path",
    "slice",
    "scope",
];

crate::vocab::words! {
    "PascalCase",
    /// A declared relation from one unit to another, named as the setting
    /// that declares it.
    pub enum DepKind {
        Wants,
        Requires,
        Requisite,
        BindsTo,
        PartOf,
        Upholds,
        After,
        Before,
        Triggers,
        TriggeredBy,
        OnFailure,
        OnSuccess,
    }
}

impl DepKind {
    /// Kinds that make the other unit start (or require it to run).
    pub fn pulls(self) -> bool {
        matches!(
            self,
            DepKind::Wants
                | DepKind::Requires
                | DepKind::Requisite
                | DepKind::BindsTo
                | DepKind::Upholds
        )
    }

    fn setting(key: &str) -> Option<DepKind> {
        DepKind::ALL.into_iter().find(|k| k.as_str() == key)
    }
}

/// One unit as declared.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeclaredUnit {
    pub name: String,
    /// Other names (aliases) that lead to the same file.
    pub aliases: Vec<String>,
    /// The file read, as a path inside the tree ("/etc/systemd/system/x.service").
    pub fragment: Option<String>,
    pub dropins: Vec<String>,
    pub masked: bool,
    /// Declared relations, by kind, to other units' names.
    pub deps: BTreeMap<DepKind, BTreeSet<String>>,
    /// Units whose `.wants/`/`.requires/`/`.upholds/` directory under
    /// `/etc` links this one: what `systemctl enable` made.
    pub enabled_by: BTreeSet<String>,
    /// The unit has an `[Install]` section (it can be enabled at all).
    pub installable: bool,
    /// `ListenStream=`/`ListenDatagram=`/`ListenSequentialPacket=` of a socket.
    pub listen: Vec<String>,
}

impl DeclaredUnit {
    pub fn declares(&self, kind: DepKind, other: &str) -> bool {
        self.deps.get(&kind).is_some_and(|s| s.contains(other))
    }
}

/// Where the declarations came from.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Origin {
    /// An OS tree: its search path was read.
    Root(PathBuf),
    /// One directory of unit files.
    Dir(PathBuf),
    /// The running system manager (`systemctl show`).
    Live,
}

/// Every unit a tree declares.
#[derive(Clone, Debug, Serialize)]
pub struct UnitTree {
    pub origin: Origin,
    /// By canonical name.
    pub units: BTreeMap<String, DeclaredUnit>,
    /// Alias → canonical name.
    pub aliases: BTreeMap<String, String>,
    /// What could not be read, one sentence each.
    pub problems: Vec<String>,
    /// Template name → its file and drop-ins (read again per instance).
    #[serde(skip)]
    templates: BTreeMap<String, Sources>,
    /// The root files are read under ("/" for a live tree).
    #[serde(skip)]
    root: PathBuf,
    /// NAME.d → file name → (path shown, path on disk), for instances read later.
    #[serde(skip)]
    dropin_dirs: BTreeMap<String, BTreeMap<String, (String, PathBuf)>>,
    /// Names started at boot: reachable from `default.target` through
    /// pulling relations and triggers. Computed on load.
    pub boot_set: BTreeSet<String>,
}

/// A unit's files: fragment (as a path inside the tree and on disk) and drop-ins.
#[derive(Clone, Debug, Default)]
struct Sources {
    fragment: Option<(String, PathBuf)>,
    masked: bool,
    dropins: Vec<(String, PathBuf)>,
}

/// A name found in a search directory.
#[derive(Clone, Debug)]
struct Found {
    dir: usize,
    path: PathBuf,
    link: Option<PathBuf>,
}

impl UnitTree {
    /// The unit files of the OS tree at `root`.
    pub fn load_root(root: &Path) -> UnitTree {
        let dirs: Vec<(String, PathBuf)> = SEARCH_PATH
            .iter()
            .map(|d| (format!("/{d}"), root.join(d)))
            .filter(|(_, p)| p.is_dir())
            .collect();
        let mut tree = Self::load(Origin::Root(root.to_path_buf()), root, &dirs);
        if dirs.is_empty() {
            tree.problems.push(format!(
                "{} holds none of systemd's unit directories (etc/systemd/system, lib/systemd/system, …)",
                root.display()
            ));
        }
        tree
    }

    /// The unit files of one directory (like `/etc/systemd/system` alone).
    pub fn load_dir(dir: &Path) -> UnitTree {
        let dirs = vec![(dir.display().to_string(), dir.to_path_buf())];
        let mut tree = Self::load(Origin::Dir(dir.to_path_buf()), dir, &dirs);
        if !dir.is_dir() {
            tree.problems
                .push(format!("{} is not a directory", dir.display()));
        }
        tree
    }

    fn load(origin: Origin, root: &Path, dirs: &[(String, PathBuf)]) -> UnitTree {
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

    fn resolve(&self, name: &str, f: &Found, dirs: &[(String, PathBuf)]) -> Resolved {
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
    fn read_unit(&mut self, name: &str, src: &Sources) -> DeclaredUnit {
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
    fn ensure(&mut self, name: &str) {
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
    fn add_implicit(&mut self) {
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

    /// What boot starts from: `default.target`, and the targets
    /// `basic.target` pulls on every system (special.7), which a tree of
    /// `/etc` alone does not hold. Without a `default.target` in the tree,
    /// `multi-user.target` stands for it: the default of upstream's and
    /// Debian's installs, and where `WantedBy=` of services points.
    fn boot_roots(&self) -> Vec<String> {
        let mut roots: Vec<String> = [
            "default.target",
            "basic.target",
            "sysinit.target",
            "sockets.target",
            "timers.target",
            "paths.target",
        ]
        .map(str::to_string)
        .to_vec();
        if !self.knows("default.target") {
            roots.push("multi-user.target".to_string());
        }
        roots
    }

    /// Names reachable from `starts` through pulling relations and triggers.
    fn reachable_from(&self, starts: &[String]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<String> = starts.iter().map(|s| self.canonical(s)).collect();
        while let Some(n) = queue.pop_front() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let Some(u) = self.units.get(&n) else {
                continue;
            };
            for (kind, others) in &u.deps {
                if kind.pulls() || *kind == DepKind::Triggers {
                    queue.extend(others.iter().map(|o| self.canonical(o)));
                }
            }
        }
        seen
    }

    /// The canonical name of `name` (an alias's target; itself otherwise).
    pub fn canonical(&self, name: &str) -> String {
        let mut n = name.to_string();
        for _ in 0..8 {
            if let Some(t) = self.aliases.get(&n) {
                n = t.clone();
                continue;
            }
            // An instance of an aliased template is that instance of the
            // target template (autovt@tty2.service is getty@tty2.service).
            if let Some(template) = instance_of(&n)
                && let Some(target) = self.aliases.get(&template)
                && let (Some((_, inst)), Some((prefix, suffix))) = (
                    n.rsplit_once('.').and_then(|(s, _)| s.split_once('@')),
                    target.split_once("@."),
                )
            {
                n = format!("{prefix}@{inst}.{suffix}");
                continue;
            }
            break;
        }
        n
    }

    /// The unit as declared, by any of its names; instances of templates
    /// not named anywhere in the tree are read on demand by [`UnitTree::with`].
    pub fn get(&self, name: &str) -> Option<&DeclaredUnit> {
        self.units.get(&self.canonical(name))
    }

    /// Reads the instances among `names` from their templates.
    pub fn with(mut self, names: impl IntoIterator<Item = String>) -> UnitTree {
        for n in names {
            let c = self.canonical(&n);
            self.ensure(&c);
        }
        self
    }

    /// The kinds by which `from` declares a relation to `to`, from either
    /// side (a `Before=` on `to` orders `from` after it as well).
    pub fn declared(&self, from: &str, to: &str) -> BTreeSet<DepKind> {
        let to = self.canonical(to);
        let Some(u) = self.get(from) else {
            return BTreeSet::new();
        };
        let names: Vec<&String> = std::iter::once(&to)
            .chain(
                self.get(&to)
                    .map(|t| t.aliases.iter())
                    .into_iter()
                    .flatten(),
            )
            .collect();
        u.deps
            .iter()
            .filter(|(_, set)| names.iter().any(|n| set.contains(*n)))
            .map(|(k, _)| *k)
            .collect()
    }

    /// Whether anything starts `name` at boot (default.target pulls it, or a
    /// socket, timer or path unit it pulls activates it).
    pub fn started_at_boot(&self, name: &str) -> bool {
        self.boot_set.contains(&self.canonical(name))
    }

    /// Whether the tree knows `name` at all (a file, an alias or an instance).
    pub fn knows(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|u| u.fragment.is_some() || u.masked)
    }
}

enum Resolved {
    Alias(String),
    /// An instance's name linked to its own template.
    Instance,
    Masked,
    File(String, PathBuf),
    Broken(String),
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// "foo.service", "getty@tty1.service", "foo@.service": a name with a unit suffix.
pub fn is_unit_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, suffix)| !stem.is_empty() && SUFFIXES.contains(&suffix))
}

fn is_template(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, _)| stem.ends_with('@'))
}

/// "foo@x.service" → "foo@.service".
fn instance_of(name: &str) -> Option<String> {
    let (stem, suffix) = name.rsplit_once('.')?;
    let (prefix, instance) = stem.split_once('@')?;
    (!instance.is_empty()).then(|| format!("{prefix}@.{suffix}"))
}

/// The drop-ins that apply to `name`, in the order systemd applies them
/// (by file name across all the directories that apply).
fn dropins_for(
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

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
mod load;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use serde::Serialize;

use load::Sources;

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

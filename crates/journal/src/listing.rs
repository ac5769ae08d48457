//! Which journal files a source holds: libsystemd's rules, in one place.
//!
//! The index reader (`files/`) must read exactly the files libsystemd would
//! open for the same request, or the two backends give different answers
//! and nobody notices. So the rules of systemd 252's `sd-journal.c` are
//! redone here once, and every listing goes through them:
//!
//! - A *root* directory (`-D DIR`, or each search path of the local journal
//!   and of `--root`) contributes its journal files and the files of its
//!   subdirectories named by a 128-bit id (`directory_enumerate`,
//!   `dirent_is_journal_subdir`). Subdirectories are not descended further.
//! - A subdirectory whose name carries a namespace suffix (`<id>.<ns>`) is
//!   left out: jforensics, like plain journalctl, reads the default
//!   namespace (`add_directory`, `dirname_has_namespace(dirname, NULL)`).
//! - A journal file is a name ending in `.journal` or `.journal~` whose
//!   directory entry is a file or a symlink (`dirent_is_journal_file`), and
//!   which opens as a regular file (`add_any_file`).
//! - The local journal (`sd_journal_open(SD_JOURNAL_LOCAL_ONLY)`) searches
//!   `/run/log/journal` then `/var/log/journal` and keeps only subdirectories
//!   named by this machine's id (`/etc/machine-id`), except under `/run`,
//!   which is local by definition (`add_search_paths`, `add_directory`).
//! - An OS tree (`--root`, `sd_journal_open_directory(SD_JOURNAL_OS_ROOT)`)
//!   searches the same paths below the tree and `var/log/journal/remote`,
//!   with every machine's subdirectory (journalctl does not ask for
//!   `SD_JOURNAL_LOCAL_ONLY` there).
//!
//! Files come in libsystemd's order (search path, then `readdir()` order,
//! a subdirectory's files where it is listed), which decides ties in the
//! merge, and each path once. `-D` also lists compressed journal files
//! (`.zst`, `.xz`, `.gz`), which jforensics unpacks before reading.

use std::path::{Path, PathBuf};

use super::Id128;

/// Where to look, in journalctl's terms.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// `-D DIR`: one root directory; compressed files count too.
    Directory(&'a Path),
    /// No flag: this machine's journal.
    Local,
    /// `--root ROOT`: the journal of an OS tree.
    Root(&'a Path),
}

/// The search paths of the local journal, in libsystemd's order.
const SEARCH_PATHS: [&str; 2] = ["/run/log/journal", "/var/log/journal"];

/// The journal files of `scope`, in the order libsystemd opens them.
pub fn journal_files(scope: Scope) -> Vec<PathBuf> {
    let mut out = Vec::new();
    match scope {
        Scope::Directory(dir) => enumerate_root(dir, None, true, &mut out),
        Scope::Local => {
            let machine = local_machine_id();
            for root in SEARCH_PATHS {
                enumerate_root(Path::new(root), Some(machine), false, &mut out);
            }
        }
        Scope::Root(root) => {
            for path in SEARCH_PATHS
                .iter()
                .copied()
                .chain(["/var/log/journal/remote"])
            {
                let below = root.join(path.trim_start_matches('/'));
                enumerate_root(&below, None, false, &mut out);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out
}

/// Whether libsystemd would open a file of this name (`*.journal`,
/// `*.journal~`).
pub fn is_journal_name(name: &str) -> bool {
    name.ends_with(".journal") || name.ends_with(".journal~")
}

/// A journal file name, maybe with a compression suffix jforensics
/// unpacks first (`system.journal~.zst`).
pub fn is_packed_journal_name(name: &str) -> bool {
    let base = [".zst", ".xz", ".gz"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    is_journal_name(base)
}

/// This machine's id, as `sd_id128_get_machine()` reads it; `None` when
/// `/etc/machine-id` is missing or malformed, and then (as for libsystemd)
/// no machine's subdirectory of `/var/log/journal` is local.
fn local_machine_id() -> Option<Id128> {
    let text = std::fs::read_to_string("/etc/machine-id").ok()?;
    let text = text.trim();
    (text.len() == 32).then(|| Id128::parse(text)).flatten()
}

/// `sd_id128_from_string()`: 32 hex digits, or the 36-character UUID form.
fn parse_id128(name: &str) -> Option<Id128> {
    let b = name.as_bytes();
    let ok = match b.len() {
        32 => b.iter().all(u8::is_ascii_hexdigit),
        36 => b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        }),
        _ => false,
    };
    ok.then(|| Id128::parse(name)).flatten()
}

/// One root directory: its journal files, and those of its machine-id
/// subdirectories (only `local`'s, when given, except under `/run`). A
/// directory that cannot be read adds nothing, as libsystemd ignores it.
fn enumerate_root(dir: &Path, local: Option<Option<Id128>>, packed: bool, out: &mut Vec<PathBuf>) {
    let Ok(items) = std::fs::read_dir(dir) else {
        return;
    };
    for item in items.flatten() {
        let Ok(kind) = item.file_type() else {
            continue;
        };
        let name = item.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if is_file_entry(name, kind, packed) {
            push_regular(item.path(), out);
        }
        if !(kind.is_dir() || kind.is_symlink()) {
            continue;
        }
        // Namespaced directories (`<id>.<ns>`) are not the default namespace.
        let Some(id) = parse_id128(name) else {
            continue;
        };
        if let Some(machine) = local {
            let under_run = dir.starts_with("/run");
            if !under_run && machine != Some(id) {
                continue;
            }
        }
        let Ok(sub) = std::fs::read_dir(item.path()) else {
            continue;
        };
        for file in sub.flatten() {
            let (Ok(kind), Some(name)) = (
                file.file_type(),
                file.file_name().to_str().map(str::to_owned),
            ) else {
                continue;
            };
            if is_file_entry(&name, kind, packed) {
                push_regular(file.path(), out);
            }
        }
    }
}

fn is_file_entry(name: &str, kind: std::fs::FileType, packed: bool) -> bool {
    let named = if packed {
        is_packed_journal_name(name)
    } else {
        is_journal_name(name)
    };
    named && (kind.is_file() || kind.is_symlink())
}

/// libsystemd opens the path and refuses what is not a regular file.
fn push_regular(path: PathBuf, out: &mut Vec<PathBuf>) {
    if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_names_include_dirty_and_compressed_files() {
        assert!(is_journal_name("system.journal"));
        assert!(is_journal_name("system@x-y.journal~"));
        assert!(!is_journal_name("system@x-y.journal~.zst"));
        assert!(is_packed_journal_name("system@x-y.journal~.zst"));
        assert!(is_packed_journal_name("user-1000.journal.xz"));
        assert!(!is_packed_journal_name("notes.txt"));
        assert!(!is_packed_journal_name("notes.zst"));
        assert!(!is_journal_name("system.journal.bak"));
    }

    #[test]
    fn machine_directories_are_ids_without_a_namespace() {
        let id = "0123456789abcdef0123456789abcdef";
        assert!(parse_id128(id).is_some());
        assert!(parse_id128("01234567-89ab-cdef-0123-456789abcdef").is_some());
        assert!(parse_id128(&format!("{id}.ns")).is_none());
        assert!(parse_id128("remote").is_none());
        assert!(parse_id128("0123456789abcdef0123456789abcdeg").is_none());
    }

    #[test]
    fn a_tree_lists_what_libsystemd_opens() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let id = "0123456789abcdef0123456789abcdef";
        let var = root.join("var/log/journal");
        for d in [
            var.join(id),
            var.join(format!("{id}.ns")),
            var.join("notes"),
            var.join(id).join(id),
            var.join("remote"),
            root.join("run/log/journal").join(id),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        for f in [
            var.join(id).join("system.journal"),
            var.join(id).join("system.journal.bak"),
            var.join(id).join(id).join("deep.journal"),
            var.join(format!("{id}.ns")).join("system.journal"),
            var.join("notes").join("system.journal"),
            var.join("top.journal~"),
            var.join("remote").join("remote-a.journal"),
            root.join("run/log/journal").join(id).join("system.journal"),
        ] {
            std::fs::write(f, b"").unwrap();
        }
        std::fs::create_dir_all(var.join("dir.journal")).unwrap();
        let mut got: Vec<String> = journal_files(Scope::Root(root))
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                format!("run/log/journal/{id}/system.journal"),
                "var/log/journal/0123456789abcdef0123456789abcdef/system.journal".to_string(),
                "var/log/journal/remote/remote-a.journal".to_string(),
                "var/log/journal/top.journal~".to_string(),
            ]
        );
    }
}

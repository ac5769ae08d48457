//! The library of ready-made queries (`queries/*.sql`), built into the binary.
//!
//! The files stay in `queries/` so people can read, copy and change them; the
//! binary carries them (`include_str!`) so `jforensics query NAME` and
//! `--list` work after `cargo install`, far from the source tree. A unit test
//! keeps this list and the directory in step.
//!
//! A query file starts with a `--` comment whose first line says what the
//! query answers; that line is what `--list` shows.

/// One query of the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedQuery {
    /// The file name without `.sql`: what `jforensics query NAME` takes.
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! library {
    ($($name:literal),* $(,)?) => {
        &[$(NamedQuery {
            name: $name,
            sql: include_str!(concat!("../../queries/", $name, ".sql")),
        }),*]
    };
}

/// Every query in `queries/`, in the order `--list` shows them.
pub const LIBRARY: &[NamedQuery] = library![
    "findings",
    "starts-by-cause",
    "top-restarters",
    "top-restarters-per-boot",
    "crash-loops",
    "manual-not-at-boot",
    "lost-at-reboot",
    "dependency-pulls",
    "readiness",
    "failures-by-exit",
    "unclean-shutdowns",
    "startup-times",
];

impl NamedQuery {
    /// The first line of the leading comment: what the query answers.
    pub fn summary(&self) -> &'static str {
        self.sql
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("--"))
            .map(str::trim)
            .unwrap_or("")
    }
}

/// The library query called `name`.
pub fn find(name: &str) -> Option<&'static NamedQuery> {
    LIBRARY.iter().find(|q| q.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_holds_exactly_the_files_in_queries() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".sql").map(str::to_string))
            .collect();
        files.sort();
        let mut names: Vec<String> = LIBRARY.iter().map(|q| q.name.to_string()).collect();
        names.sort();
        assert_eq!(files, names, "add new files in queries/ to LIBRARY");
    }

    #[test]
    fn every_query_says_what_it_answers() {
        for q in LIBRARY {
            assert!(
                q.sql.starts_with("-- "),
                "{} must start with a comment",
                q.name
            );
            assert!(q.summary().len() > 20, "{}: summary too short", q.name);
        }
    }

    #[test]
    fn names_find_their_query() {
        assert_eq!(
            find("unclean-shutdowns").map(|q| q.name),
            Some("unclean-shutdowns")
        );
        assert_eq!(find("nope"), None);
    }
}

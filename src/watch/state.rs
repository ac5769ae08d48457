//! What `jforensics watch` remembers between runs, and how it is written so
//! that a crash or `kill -9` at any instant leaves a usable file.
//!
//! One versioned JSON file per scope (the source and the detector settings;
//! the machine id is stored inside, so that a state file meeting another
//! machine's journal is caught rather than silently replaced). It holds the
//! checkpoint — the last entry read — and every fingerprint reported, with
//! a TTL refreshed whenever the finding is seen again, and the outbox: the
//! records a run is about to send. A run saves its outcome (checkpoint,
//! reported set) with the outbox before delivering and empties the outbox
//! after, so a run killed while delivering leaves a state that already
//! counts its records as reported and still holds them in the outbox; the
//! next run sends them again before anything else (see the `watch` module).
//!
//! It also holds, for the boots the next run reads, the entries that run
//! does not need to read again ([`crate::watch::resume`]).
//!
//! Version 1 had no outbox, version 2 no saved boots; such a file is read
//! as one with an empty outbox and no saved boots (the next run reads its
//! boots whole, as before) and written back as the current version by the
//! next commit.
//!
//! Writes are durable and atomic: the new state goes to a temporary file in
//! the same directory, is fsynced, the current file is hard-linked to
//! `NAME.prev`, the temporary file is renamed over the current one and the
//! directory is fsynced. Whatever instant the process dies at, the current
//! name points to a complete old or new state, and `.prev` to the one before.
//! A file that is nonetheless unreadable (torn by a filesystem that lost
//! unflushed blocks, zero-filled, garbage) falls back to `.prev`; if both are
//! bad the run says so and starts afresh from a bounded look-back.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::resume::BootSoFar;

/// The state format written; version 2 added the outbox, version 3 the
/// saved boots.
pub const VERSION: u32 = 3;

/// The oldest format still read (and migrated); older or newer ones are not
/// guessed at.
const OLDEST: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub scope: Scope,
    /// None until a run has read an entry.
    pub checkpoint: Option<Checkpoint>,
    /// Fingerprint → what was reported.
    pub reported: BTreeMap<String, Reported>,
    /// Records saved before delivery and not yet known to be delivered:
    /// empty once a run has finished. Absent in version 1.
    #[serde(default)]
    pub outbox: Vec<Pending>,
    /// What the boots the next run reads were read so far; absent before
    /// version 3.
    #[serde(default)]
    pub boots: Vec<BootSoFar>,
    pub committed_at_usec: u64,
    /// `new` records saved for delivery, by kind and severity: the
    /// counters of `--textfile`. Saved with the outbox, so they count what
    /// receivers are told. Absent in files written before it (read as
    /// empty, with no version change: an older jforensics drops it, and
    /// the counters restart, which Prometheus reads as a reset).
    #[serde(default)]
    pub totals: BTreeMap<String, BTreeMap<String, u64>>,
}

impl State {
    /// Counts this run's `new` records into `totals`.
    pub fn count_new<'a>(&mut self, new: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (kind, severity) in new {
            *self
                .totals
                .entry(kind.to_string())
                .or_default()
                .entry(severity.to_string())
                .or_insert(0) += 1;
        }
    }
}

/// One record of the outbox: what it says, for people reading the file and
/// for `--fail-on`, and its exact text, sent again byte for byte so that a
/// receiver sees an exact repeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// "new" or "resolved".
    pub event: String,
    pub fingerprint: String,
    pub kind: String,
    pub severity: String,
    pub unit: Option<String>,
    pub boot_id: String,
    pub ongoing: bool,
    /// The record as one JSON line, without its newline.
    pub record: String,
}

/// Which journal and settings the state belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// `_MACHINE_ID` of the journal's newest entry (32 hex digits).
    pub machine_id: String,
    /// The source, as `Scope::key` names it.
    pub source: String,
    /// The detector settings that change what is found.
    pub settings: String,
}

impl Scope {
    /// The file name of this scope's state: the source and settings hashed.
    /// The machine id is left out on purpose (see the module docs).
    pub fn file_name(&self) -> String {
        format!(
            "{}.json",
            crate::stable_id::stable_id("watch", &[&self.source, &self.settings])
        )
    }
}

/// The last entry a run read: the next run starts after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub cursor: String,
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub boot_id: String,
}

/// `firing` while the episode goes on (see `plan`), `resolved` once it has
/// ended or was a past event when first reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reported {
    pub finding_id: String,
    pub kind: String,
    /// The severity it was reported with ("error").
    pub severity: String,
    pub unit: Option<String>,
    pub boot_id: String,
    pub first_reported_usec: u64,
    pub last_seen_usec: u64,
    pub state: Status,
    pub expires_at_usec: u64,
}

/// Where the state lives and what loading it found.
pub struct Store {
    dir: PathBuf,
    name: String,
}

/// The outcome of [`Store::load`]: the state to start from (None: none
/// usable) and what people should be told about it.
pub struct Loaded {
    pub state: Option<State>,
    pub notes: Vec<String>,
    /// Both files existed and neither could be read.
    pub both_bad: bool,
}

impl Store {
    pub fn new(dir: &Path, scope: &Scope) -> Store {
        Store {
            dir: dir.to_path_buf(),
            name: scope.file_name(),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    fn previous(&self) -> PathBuf {
        self.dir.join(format!("{}.prev", self.name))
    }

    fn temporary(&self) -> PathBuf {
        self.dir.join(format!(".{}.tmp", self.name))
    }

    /// Reads the current file, else the previous one. A missing current file
    /// with no previous one is a first run, not a problem.
    pub fn load(&self) -> Loaded {
        let mut notes = Vec::new();
        let current = read(&self.path());
        let current_problem = match current {
            Read::Good(state) => {
                return Loaded {
                    state: Some(*state),
                    notes,
                    both_bad: false,
                };
            }
            Read::Missing => None,
            Read::Bad(why) => Some(why),
        };
        match (read(&self.previous()), current_problem) {
            (Read::Good(state), problem) => {
                let state = *state;
                notes.push(match problem {
                    Some(why) => format!(
                        "state file {} is unusable ({why}); using the previous one, {} (findings since it may be sent again; receivers drop repeats by fingerprint)",
                        self.path().display(),
                        self.previous().display()
                    ),
                    None => format!(
                        "state file {} is missing; using the previous one, {}",
                        self.path().display(),
                        self.previous().display()
                    ),
                });
                Loaded {
                    state: Some(state),
                    notes,
                    both_bad: false,
                }
            }
            (Read::Missing, None) => Loaded {
                state: None,
                notes,
                both_bad: false,
            },
            (previous, problem) => {
                let prev_why = match previous {
                    Read::Bad(why) => why,
                    _ => "missing".to_string(),
                };
                notes.push(format!(
                    "state file {} is unusable ({}) and so is {} ({prev_why})",
                    self.path().display(),
                    problem.unwrap_or_else(|| "missing".to_string()),
                    self.previous().display()
                ));
                Loaded {
                    state: None,
                    notes,
                    both_bad: true,
                }
            }
        }
    }

    /// Writes `state` durably (see the module docs); `crash` is called at
    /// each step so tests can kill the process there.
    pub fn commit(&self, state: &State, crash: impl Fn(&str)) -> std::io::Result<()> {
        let what = |e: std::io::Error, doing: &str, path: &Path| {
            std::io::Error::new(e.kind(), format!("{doing} {}: {e}", path.display()))
        };
        let tmp = self.temporary();
        let mut text = serde_json::to_vec(state)
            .map_err(|e| std::io::Error::other(format!("state does not serialize: {e}")))?;
        text.push(b'\n');
        {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .map_err(|e| what(e, "cannot create", &tmp))?;
            file.write_all(&text)
                .and_then(|()| file.sync_all())
                .map_err(|e| what(e, "cannot write", &tmp))?;
        }
        crash("after-temp-write");
        let current = self.path();
        if current.exists() {
            // A hard link, not a rename: the current name must never be
            // missing, and the old state survives as `.prev`.
            let prev_tmp = self.dir.join(format!(".{}.prev.tmp", self.name));
            let _ = fs::remove_file(&prev_tmp);
            fs::hard_link(&current, &prev_tmp).map_err(|e| what(e, "cannot link", &prev_tmp))?;
            fs::rename(&prev_tmp, self.previous())
                .map_err(|e| what(e, "cannot rename", &prev_tmp))?;
            crash("after-prev-link");
        }
        fs::rename(&tmp, &current).map_err(|e| what(e, "cannot rename", &tmp))?;
        crash("after-rename");
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| what(e, "cannot sync", &self.dir))?;
        Ok(())
    }
}

enum Read {
    Good(Box<State>),
    Missing,
    Bad(String),
}

fn read(path: &Path) -> Read {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Bad(format!("cannot read it: {e}")),
    };
    match parse(&bytes) {
        Ok(state) => Read::Good(Box::new(state)),
        Err(why) => Read::Bad(why),
    }
}

/// Parses a state file, naming what is wrong with a bad one.
pub fn parse(bytes: &[u8]) -> Result<State, String> {
    if bytes.is_empty() {
        return Err("empty".to_string());
    }
    if bytes.iter().all(|b| *b == 0) {
        return Err("only NUL bytes: a write that never reached the disk".to_string());
    }
    if bytes.contains(&0) {
        return Err("NUL bytes inside: torn by a crash".to_string());
    }
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned =
        serde_json::from_slice(bytes).map_err(|e| format!("not a state file: {e}"))?;
    if !(OLDEST..=VERSION).contains(&v.version) {
        return Err(format!(
            "state version {} is not one this jforensics reads ({OLDEST} to {VERSION}){}",
            v.version,
            if v.version > VERSION {
                "; a newer jforensics wrote it"
            } else {
                ""
            }
        ));
    }
    let mut state: State =
        serde_json::from_slice(bytes).map_err(|e| format!("not a state file: {e}"))?;
    // Migrated: the next commit writes the current format.
    state.version = VERSION;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let mut reported = BTreeMap::new();
        reported.insert(
            "fp-0011223344556677".to_string(),
            Reported {
                finding_id: "crash-loop-0011223344556677".to_string(),
                kind: "crash-loop".to_string(),
                severity: "critical".to_string(),
                unit: Some("a.service".to_string()),
                boot_id: "0".repeat(32),
                first_reported_usec: 1,
                last_seen_usec: 2,
                state: Status::Firing,
                expires_at_usec: 3,
            },
        );
        State {
            version: VERSION,
            scope: Scope {
                machine_id: "1".repeat(32),
                source: "directory /x".to_string(),
                settings: "s".to_string(),
            },
            checkpoint: Some(Checkpoint {
                cursor: "s=1;i=2".to_string(),
                realtime_usec: 5,
                monotonic_usec: Some(6),
                boot_id: "0".repeat(32),
            }),
            reported,
            outbox: vec![Pending {
                event: "new".to_string(),
                fingerprint: "fp-0011223344556677".to_string(),
                kind: "crash-loop".to_string(),
                severity: "critical".to_string(),
                unit: Some("a.service".to_string()),
                boot_id: "0".repeat(32),
                ongoing: true,
                record: "{\"event\":\"new\"}".to_string(),
            }],
            boots: vec![BootSoFar {
                boot_id: "0".repeat(32),
                first_cursor: "s=1;i=1".to_string(),
                entries: 2,
                through: "s=1;i=2".to_string(),
                through_realtime_usec: 5,
                kept: Vec::new(),
            }],
            committed_at_usec: 7,
            totals: BTreeMap::new(),
        }
    }

    #[test]
    fn commit_keeps_the_previous_state_and_bad_files_fall_back_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = state();
        let store = Store::new(dir.path(), &first.scope);
        assert!(store.load().state.is_none(), "a first run has no state");
        store.commit(&first, |_| {}).unwrap();
        let mut second = first.clone();
        second.committed_at_usec = 8;
        store.commit(&second, |_| {}).unwrap();
        assert_eq!(store.load().state, Some(second.clone()));
        for bad in [
            Vec::new(),
            vec![0u8; 300],
            b"{\"version\": 1, \"scope\"".to_vec(),
        ] {
            fs::write(store.path(), &bad).unwrap();
            let loaded = store.load();
            assert_eq!(loaded.state, Some(first.clone()), "{bad:?}");
            assert_eq!(loaded.notes.len(), 1);
        }
        fs::write(store.previous(), b"garbage").unwrap();
        let loaded = store.load();
        assert!(loaded.state.is_none() && loaded.both_bad);
    }

    #[test]
    fn a_newer_or_unknown_version_is_refused() {
        for (version, said) in [(4, "a newer jforensics"), (0, "1 to 3")] {
            let mut s = serde_json::to_value(state()).unwrap();
            s["version"] = version.into();
            let err = parse(&serde_json::to_vec(&s).unwrap()).unwrap_err();
            assert!(
                err.contains(&format!("version {version}")) && err.contains(said),
                "{err}"
            );
        }
    }

    /// A file as jforensics wrote it before the outbox (version 1).
    const VERSION_1: &str = r#"{
  "version": 1,
  "scope": {"machine_id": "11111111111111111111111111111111", "source": "directory /x", "settings": "s"},
  "checkpoint": {"cursor": "s=1;i=2", "realtime_usec": 5, "monotonic_usec": 6, "boot_id": "00000000000000000000000000000000"},
  "reported": {
    "fp-0011223344556677": {"finding_id": "crash-loop-0011223344556677", "kind": "crash-loop", "severity": "critical",
      "unit": "a.service", "boot_id": "00000000000000000000000000000000", "first_reported_usec": 1,
      "last_seen_usec": 2, "state": "firing", "expires_at_usec": 3}
  },
  "committed_at_usec": 7
}"#;

    #[test]
    fn a_version_1_file_is_read_with_an_empty_outbox_and_written_back_as_the_current_version() {
        let mut expected = state();
        expected.outbox.clear();
        expected.boots.clear();
        let read = parse(VERSION_1.as_bytes()).unwrap();
        assert_eq!(read, expected);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), &read.scope);
        fs::write(store.path(), VERSION_1).unwrap();
        let loaded = store.load();
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        store.commit(&loaded.state.unwrap(), |_| {}).unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(written["version"], VERSION);
        assert_eq!(written["outbox"], serde_json::json!([]));
        assert_eq!(
            fs::read_to_string(store.previous()).unwrap(),
            VERSION_1,
            "the old file is kept as it was"
        );
    }

    #[test]
    fn a_version_2_file_is_read_with_no_saved_boots_so_the_next_run_reads_them_whole() {
        let mut v2: serde_json::Value = serde_json::from_str(VERSION_1).unwrap();
        v2["version"] = 2.into();
        v2["outbox"] = serde_json::to_value(&state().outbox).unwrap();
        let read = parse(&serde_json::to_vec(&v2).unwrap()).unwrap();
        let mut expected = state();
        expected.boots.clear();
        assert_eq!(read, expected);
        assert_eq!(read.version, VERSION);
    }
}

//! One host's files out of a journal of many hosts.
//!
//! A directory collected from many machines holds each machine's files
//! (`<machine-id>/system.journal`, or `remote-HOST.journal` from
//! `systemd-journal-remote`). A host is read as its boots (see
//! `machines.rs`), and a boot match over the whole directory makes libsystemd
//! (and the direct reader) look the boot up in every file and step through
//! every open file for each entry: reading each of N hosts that way costs
//! N × files, so the time per host grows with the fleet. Reading a host
//! through only the files that hold its boots keeps it flat.
//!
//! Which boots a file holds comes from its index, a few hash lookups per
//! file (`files::boots_in`), asked once per journal. Neither the directory
//! layout nor the header's machine id is trusted for it: a journal-remote
//! file's header names the receiver, and files get copied around. A file
//! whose index cannot say is given to every host, so a host never misses
//! an entry it would have read from the whole journal; a file libsystemd
//! refuses is given to none, and stays said once, by the whole journal.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::files::{self, Paths};
use super::isolated::Readers;
use super::libsystemd::Prepared;
use super::{
    BootHeaders, Diagnostics, Entry, EntrySource, Filter, Id128, Journal, JournalError, Ready,
    Strictness,
};

/// What a journal needs to be narrowed to some of its files.
#[derive(Default)]
pub(super) struct Files {
    /// The files as libsystemd is asked to read them (unpacked copies where
    /// the source was packed); None for the local journal and OS trees.
    paths: Option<Paths>,
    /// The source's description, kept by a narrowed journal so that its
    /// messages name what the user gave.
    what: String,
    /// Each file the journal reads, with the boots it holds, and how many
    /// machine ids all of them name.
    held: OnceLock<Option<Held>>,
    /// On a narrowed journal, the whole one: it owns the unpacked copies.
    _whole: Option<Arc<Readers>>,
}

/// A file and the boots it holds (None: it cannot say, so any).
type FileBoots = (PathBuf, Option<Vec<Id128>>);

struct Held {
    files: Vec<FileBoots>,
    machines: usize,
}

impl Files {
    pub(super) fn of(prepared: &Prepared) -> Files {
        Files {
            paths: prepared.paths(),
            what: prepared.what.clone(),
            ..Files::default()
        }
    }

    fn held(&self) -> Option<&[FileBoots]> {
        self.held_and_machines().map(|held| held.files.as_slice())
    }

    fn held_and_machines(&self) -> Option<&Held> {
        let paths = self.paths.as_ref()?;
        self.held
            .get_or_init(|| Some(held_boots(paths.each())))
            .as_ref()
    }
}

/// Each file with the boots it holds, and how many machine ids the files
/// name; a file libsystemd refuses holds none it could give.
fn held_boots(files: Vec<(PathBuf, PathBuf, files::Access)>) -> Held {
    let mut machines = std::collections::HashSet::new();
    let held = files
        .into_iter()
        .map(|(f, open, access)| {
            let boots = if files::refusal(&open).is_some() {
                Some(Vec::new())
            } else {
                files::boots_in(&open, access).map(|(boots, named)| {
                    machines.extend(named);
                    boots
                })
            };
            (f, boots)
        })
        .collect();
    Held {
        files: held,
        machines: machines.len(),
    }
}

impl Journal {
    /// The files of this journal that hold any of `boots` (or may: see the
    /// module doc), in the journal's order. None when narrowing would not
    /// help: the journal is not a set of files listed here, its index is
    /// distrusted (then it cannot say which file holds what either), or
    /// every file may hold them.
    pub fn files_holding(&self, boots: &[Id128]) -> Option<Vec<PathBuf>> {
        if self.index_is_distrusted() {
            return None;
        }
        let held = self.files.held()?;
        let wanted: Vec<PathBuf> = held
            .iter()
            .filter(|(_, has)| {
                has.as_ref()
                    .is_none_or(|h| h.iter().any(|b| boots.contains(b)))
            })
            .map(|(f, _)| f.clone())
            .collect();
        let readable = held
            .iter()
            .filter(|(_, has)| has.as_ref().is_none_or(|h| !h.is_empty()))
            .count();
        (!wanted.is_empty() && wanted.len() < readable).then_some(wanted)
    }

    /// This journal read through `files` only (from
    /// [`Journal::files_holding`]): same description in messages, and the
    /// whole journal kept alive, as it owns unpacked copies of packed files.
    pub fn narrowed(&self, files: Vec<PathBuf>) -> Result<Journal, JournalError> {
        self.narrowing()?.journal(files)
    }

    fn narrowing(&self) -> Result<Narrowing, JournalError> {
        match &self.ready {
            Ready::Libsystemd(whole) => Ok(Narrowing {
                whole: whole.clone(),
                distrusted: self.index_is_distrusted(),
            }),
            Ready::Stream { .. } => Err(JournalError::NoJournalFiles {
                what: self.files.what.clone(),
            }),
        }
    }
}

/// What a journal over some of a whole journal's files is made from.
#[derive(Clone)]
struct Narrowing {
    whole: Arc<Readers>,
    distrusted: bool,
}

impl Narrowing {
    fn journal(&self, files: Vec<PathBuf>) -> Result<Journal, JournalError> {
        let prepared = self.whole.prepared().subset(&files);
        let narrowed = Files {
            _whole: Some(self.whole.clone()),
            ..Files::of(&prepared)
        };
        Ok(Journal {
            ready: Ready::Libsystemd(Arc::new(Readers::new(prepared))),
            index_distrusted: self.distrusted.into(),
            files: narrowed,
        })
    }
}

/// A journal of several hosts as parts that share no boot, each read
/// through its own files (see [`Journal::parts`]).
pub struct Parts {
    narrowing: Narrowing,
    /// Each part's files and the boots they hold.
    parts: Vec<(Vec<PathBuf>, Vec<Id128>)>,
}

impl Journal {
    /// This journal cut into parts whose files share no boot (files linked
    /// by a boot they both hold stay together), for the reads whose answer
    /// is per boot: every boot's header sums, its marker lines, its last
    /// entries. Over one part's files, libsystemd steps through that part's
    /// files only; over the whole, through every file for each entry, which
    /// makes a scan of N hosts cost N². None when the files name one
    /// machine, when there is one part, or when a file cannot say which
    /// boots it holds (it might link any two).
    pub fn parts(&self) -> Option<Parts> {
        if self.index_is_distrusted() {
            return None;
        }
        let Held {
            files: held,
            machines,
        } = self.files.held_and_machines()?;
        // One machine's journal is read as it always was, whole.
        if *machines < 2 {
            return None;
        }
        // Union-find over files, joined through the boots they hold.
        let mut parent: Vec<usize> = (0..held.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut first_holder: HashMap<Id128, usize> = HashMap::new();
        for (i, (_, boots)) in held.iter().enumerate() {
            for boot in boots.as_ref()? {
                let j = *first_holder.entry(*boot).or_insert(i);
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
        // Parts in the order of their first file; files without a boot
        // (empty, or refused) belong to none.
        let mut at: HashMap<usize, usize> = HashMap::new();
        let mut parts: Vec<(Vec<PathBuf>, Vec<Id128>)> = Vec::new();
        for (i, (file, boots)) in held.iter().enumerate() {
            let boots = boots.as_deref().unwrap_or_default();
            if boots.is_empty() {
                continue;
            }
            let r = root(&mut parent, i);
            let k = *at.entry(r).or_insert_with(|| {
                parts.push((Vec::new(), Vec::new()));
                parts.len() - 1
            });
            let (files, held_boots) = &mut parts[k];
            files.push(file.clone());
            for b in boots {
                if !held_boots.contains(b) {
                    held_boots.push(*b);
                }
            }
        }
        if parts.len() < 2 {
            return None;
        }
        Some(Parts {
            narrowing: self.narrowing().ok()?,
            parts,
        })
    }
}

impl Parts {
    /// The parts holding any of `filter`'s boots (all when it names none),
    /// each with the filter narrowed to its own boots.
    fn reading(&self, filter: &Filter) -> VecDeque<(Vec<PathBuf>, Filter)> {
        (self.parts.iter())
            .filter_map(|(files, boots)| {
                if filter.boots.is_empty() {
                    return Some((files.clone(), filter.clone()));
                }
                let mine: Vec<Id128> = (filter.boots.iter())
                    .filter(|b| boots.contains(b))
                    .copied()
                    .collect();
                let narrowed = Filter {
                    boots: mine,
                    ..filter.clone()
                };
                (!narrowed.boots.is_empty()).then_some((files.clone(), narrowed))
            })
            .collect()
    }

    /// Every boot's header sums under `filter`, as [`Journal::boot_headers`]
    /// gives them for the whole journal (sorted by boot id).
    pub fn boot_headers(
        &self,
        filter: &Filter,
        strictness: Strictness,
    ) -> Result<(Vec<BootHeaders>, Diagnostics), JournalError> {
        let mut all = Vec::new();
        let mut noticed = Diagnostics::default();
        for (files, filter) in self.reading(filter) {
            let (sums, d) = self
                .narrowing
                .journal(files)?
                .boot_headers(&filter, strictness)?;
            all.extend(sums);
            add(&mut noticed, d);
        }
        all.sort_by_key(|b| b.boot_id);
        Ok((all, noticed))
    }

    /// `filter`'s entries, one part after the other: each boot's entries in
    /// the journal's order, but the boots of different parts not
    /// interleaved as the whole journal would give them. Only for reads
    /// whose answer is per boot.
    pub fn open(&self, filter: &Filter, strictness: Strictness) -> Box<dyn EntrySource> {
        Box::new(Chain {
            narrowing: self.narrowing.clone(),
            strictness,
            pending: self.reading(filter),
            current: None,
            noticed: Diagnostics::default(),
        })
    }
}

/// The parts' sources, one after the other. Each part's journal is made
/// when its turn comes and dropped when it is read, and its reader process
/// with it: one runs at a time, however many parts.
struct Chain {
    narrowing: Narrowing,
    strictness: Strictness,
    pending: VecDeque<(Vec<PathBuf>, Filter)>,
    current: Option<(Box<dyn EntrySource>, Journal)>,
    /// What the finished sources noticed.
    noticed: Diagnostics,
}

impl EntrySource for Chain {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        loop {
            if let Some((source, _)) = &mut self.current {
                if let Some(entry) = source.next_entry()? {
                    return Ok(Some(entry));
                }
                if let Some((done, _journal)) = self.current.take() {
                    add(&mut self.noticed, done.diagnostics().clone());
                }
            }
            let Some((files, filter)) = self.pending.pop_front() else {
                return Ok(None);
            };
            let journal = self.narrowing.journal(files)?;
            let source = journal.open(&filter, self.strictness)?;
            self.current = Some((source, journal));
        }
    }

    fn diagnostics(&self) -> &Diagnostics {
        &self.noticed
    }
}

/// `more` added to `into`, as one read would have noticed both.
fn add(into: &mut Diagnostics, more: Diagnostics) {
    into.entries_read += more.entries_read;
    into.skipped += more.skipped;
    for w in more.warnings {
        into.warn(w);
    }
}

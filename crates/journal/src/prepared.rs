//! A journal source made ready to read: paths checked, compressed files
//! unpacked, the files listed by libsystemd's rules (`listing.rs`) and
//! those being written snapshotted (`files/snapshot.rs`), so that every
//! user error is found before a reader is involved, and both readers — the
//! index reader and libsystemd — get their files from one place.
//!
//! Journal files that come zstd/xz/gzip-compressed (as attachments and our
//! test fixtures do) are unpacked into a private temporary directory first;
//! the originals are only ever read.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Id128, JournalError, SourceSpec, wire};

/// A journal source checked and made ready: paths verified, compressed
/// files unpacked, the files listed as libsystemd lists them and those
/// being written snapshotted for the index reader. Opening happens
/// separately so that it can be done in a child process (see `isolated/`).
pub struct Prepared {
    /// What libsystemd opens, by its own rules.
    pub(super) target: Target,
    /// What the index reader (`files/`) maps: the same files, listed by
    /// `listing.rs`; `None` when they could not be made safe to map.
    index: Option<super::files::Paths>,
    pub what: String,
    _unpacked: Option<tempfile::TempDir>,
    _snapshots: Option<tempfile::TempDir>,
    /// Files libsystemd will leave out, one line each for people: which,
    /// why, and what they held (see [`super::files::refusal`]).
    pub refused: Vec<String>,
}

#[derive(Clone)]
pub(super) enum Target {
    Local,
    Directory(PathBuf),
    Root(PathBuf),
    Files(Vec<PathBuf>),
}

/// Checks the paths of `spec`, unpacks compressed journal files and lists
/// the files to read, so that every user error is found before any reader
/// is involved.
pub fn prepare(spec: &SourceSpec) -> Result<Prepared, JournalError> {
    use super::listing::{Scope, journal_files};
    let what = spec.describe();
    let found = match spec {
        SourceSpec::Local => journal_files(Scope::Local),
        SourceSpec::Directory(dir) => {
            let sorted = journal_files_in(dir, &what)?;
            if sorted.iter().any(|f| compression_of(f).is_some()) {
                // Unpacked copies, opened as files in this order.
                sorted
            } else {
                journal_files(Scope::Directory(dir))
            }
        }
        SourceSpec::Root(root) => {
            if !root.is_dir() {
                return Err(JournalError::Unreadable {
                    path: root.clone(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
                });
            }
            let files = journal_files(Scope::Root(root));
            if files.is_empty() {
                return Err(JournalError::NoJournalFiles {
                    what: format!("{}/var/log/journal or /run/log/journal", root.display()),
                });
            }
            files
        }
        SourceSpec::Files(files) => {
            for f in files {
                std::fs::metadata(f).map_err(|source| JournalError::Unreadable {
                    path: f.clone(),
                    source,
                })?;
            }
            if files.is_empty() {
                return Err(JournalError::NoJournalFiles { what });
            }
            files.clone()
        }
        SourceSpec::Stream(_) => unreachable!("streams are read by journal::stream"),
    };
    let mut prepared = Prepared {
        target: match spec {
            SourceSpec::Local => Target::Local,
            SourceSpec::Directory(dir) => Target::Directory(dir.clone()),
            SourceSpec::Root(root) => Target::Root(root.clone()),
            _ => Target::Files(found.clone()),
        },
        index: None,
        what,
        _unpacked: None,
        _snapshots: None,
        refused: Vec::new(),
    };
    if found.iter().any(|f| compression_of(f).is_some()) {
        let (tmp, paths) = unpack_all(&found, &prepared.what)?;
        prepared.refused = refused_files(&found, &paths);
        prepared.target = Target::Files(paths.clone());
        prepared._unpacked = Some(tmp);
        let readable = readable_ones(&paths);
        prepared.index = Some(super::files::Paths::Files(readable));
    } else {
        prepared.refused = refused_files(&found, &found);
        prepared.index = prepared.settle(&found);
    }
    if !prepared.refused.is_empty() && prepared.refused.len() == found.len() {
        // Nothing left to read: the reasons are the error.
        return Err(JournalError::NoneReadable {
            why: prepared.refused,
        });
    }
    Ok(prepared)
}

/// The files of `paths` libsystemd does not refuse outright: the index
/// reader leaves out what libsystemd leaves out, instead of declining all.
fn readable_ones(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| super::files::refusal(p).is_none())
        .cloned()
        .collect()
}

impl Prepared {
    /// The files as found, made safe to map: archived files as they are,
    /// a private snapshot of every other one (see `files/snapshot.rs`).
    /// `None`, said in the trace, when one of them cannot be read or copied.
    fn settle(&mut self, found: &[PathBuf]) -> Option<super::files::Paths> {
        use super::files::{Found, State};
        let mut out = Vec::new();
        let mut copied = 0u64;
        let started = std::time::Instant::now();
        for (i, path) in readable_ones(found).into_iter().enumerate() {
            let fail = |e: std::io::Error| {
                super::trace::say(&format!(
                    "{}: libsystemd reads every file: {} cannot be snapshotted ({e})",
                    self.what,
                    path.display()
                ));
            };
            let state = std::fs::File::open(&path).and_then(|mut f| super::files::state(&mut f));
            match state {
                Err(e) => {
                    fail(e);
                    return None;
                }
                Ok(State::Settled | State::NotJournal) => out.push(Found {
                    found_at: path.clone(),
                    path,
                    snapshot: false,
                }),
                Ok(State::Live) => {
                    if self._snapshots.is_none() {
                        match super::scratch::dir() {
                            Ok(d) => self._snapshots = Some(d),
                            Err(e) => {
                                fail(e);
                                return None;
                            }
                        }
                    }
                    let dir = self._snapshots.as_ref()?.path();
                    match super::files::take_snapshot(&path, dir, i) {
                        Ok((copy, bytes)) => {
                            copied += bytes;
                            out.push(Found {
                                path: copy,
                                snapshot: true,
                                found_at: path.clone(),
                            });
                        }
                        Err(e) => {
                            fail(e);
                            return None;
                        }
                    }
                }
            }
        }
        if copied > 0 {
            super::trace::say(&format!(
                "{}: snapshotted the files being written: {} MiB in {} ms",
                self.what,
                copied >> 20,
                started.elapsed().as_millis()
            ));
        }
        Some(super::files::Paths::Found(out))
    }
}

/// What libsystemd will leave out of `read` (the files as opened; `named`,
/// the same files as the user named them, maybe compressed): the lines
/// that say so, naming each file and what it held.
fn refused_files(named: &[PathBuf], read: &[PathBuf]) -> Vec<String> {
    use jforensics_present::time::rfc3339;
    named
        .iter()
        .zip(read)
        .filter_map(|(name, path)| {
            let refusal = super::files::refusal(path)?;
            let lost = match refusal.held {
                Some(h) => format!(
                    "its header says it held {} entries from {} to {} (sequence numbers {} to {}; its last boot {})",
                    h.entries,
                    rfc3339(h.first_realtime_usec),
                    rfc3339(h.last_realtime_usec),
                    h.first_seqnum,
                    h.last_seqnum,
                    h.last_boot.short()
                ),
                None => "what it held is unknown".to_string(),
            };
            Some(format!(
                "journal file {} is {}: left out, as journalctl leaves it out; {lost}",
                name.display(),
                refusal.reason
            ))
        })
        .collect()
}

impl Prepared {
    /// The files the index reader maps (`files/`), listed as libsystemd
    /// lists them; `None` when they could not be made safe to map.
    pub fn paths(&self) -> Option<super::files::Paths> {
        self.index.clone()
    }

    /// The part of this source in `files` (as [`Prepared::paths`] found
    /// them), for reading one host of many: the index reader gets those
    /// files as this source made them ready (unpacked copies, snapshots), so
    /// nothing is unpacked or copied again, and libsystemd the same files.
    /// The owner of this source must outlive it (it holds the copies), and
    /// says the refused files itself.
    pub fn subset(&self, files: &[PathBuf]) -> Prepared {
        use super::files::Paths;
        let index = self.index.as_ref().map(|paths| match paths {
            Paths::Files(all) => {
                Paths::Files(all.iter().filter(|f| files.contains(f)).cloned().collect())
            }
            Paths::Found(all) => Paths::Found(
                all.iter()
                    .filter(|f| files.contains(&f.found_at))
                    .cloned()
                    .collect(),
            ),
        });
        Prepared {
            target: Target::Files(files.to_vec()),
            index,
            what: self.what.clone(),
            _unpacked: None,
            _snapshots: None,
            refused: Vec::new(),
        }
    }

    /// The same source for a reader that must not delete the unpacked copies
    /// their owner still holds.
    pub fn copy_for_child(&self) -> Prepared {
        Prepared {
            target: self.target.clone(),
            index: self.index.clone(),
            what: self.what.clone(),
            _unpacked: None,
            _snapshots: None,
            refused: Vec::new(),
        }
    }

    /// What a reader process needs to open the same files (see
    /// [`Prepared::decode`]); unpacked copies stay owned here.
    pub fn encode(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let (kind, paths): (u8, Vec<&Path>) = match &self.target {
            Target::Local => (0, vec![]),
            Target::Directory(d) => (1, vec![d]),
            Target::Root(r) => (2, vec![r]),
            Target::Files(f) => (3, f.iter().map(PathBuf::as_path).collect()),
        };
        out.write_all(&[kind])?;
        wire::write_bytes(out, self.what.as_bytes())?;
        wire::write_u64(out, paths.len() as u64)?;
        for p in paths {
            wire::write_bytes(out, p.as_os_str().as_bytes())?;
        }
        // The index reader's files: none (u64::MAX), private, or found.
        let (kind, files): (u64, Vec<(&Path, bool)>) = match &self.index {
            None => (u64::MAX, vec![]),
            Some(super::files::Paths::Files(f)) => {
                (0, f.iter().map(|p| (p.as_path(), false)).collect())
            }
            Some(super::files::Paths::Found(f)) => (
                1,
                f.iter().map(|f| (f.path.as_path(), f.snapshot)).collect(),
            ),
        };
        wire::write_u64(out, kind)?;
        wire::write_u64(out, files.len() as u64)?;
        for (p, snapshot) in files {
            out.write_all(&[u8::from(snapshot)])?;
            wire::write_bytes(out, p.as_os_str().as_bytes())?;
        }
        Ok(())
    }

    pub fn decode(r: &mut impl Read) -> std::io::Result<Prepared> {
        use std::os::unix::ffi::OsStringExt;
        let kind = wire::read_u8(r)?;
        let what = wire::read_string(r)?;
        let mut paths = Vec::new();
        for _ in 0..wire::read_u64(r)? {
            paths.push(PathBuf::from(std::ffi::OsString::from_vec(
                wire::read_bytes(r)?,
            )));
        }
        let one = |paths: &mut Vec<PathBuf>| {
            paths
                .pop()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidData))
        };
        let target = match kind {
            0 => Target::Local,
            1 => Target::Directory(one(&mut paths)?),
            2 => Target::Root(one(&mut paths)?),
            3 => Target::Files(paths),
            _ => return Err(std::io::ErrorKind::InvalidData.into()),
        };
        let index_kind = wire::read_u64(r)?;
        let mut found = Vec::new();
        for _ in 0..wire::read_u64(r)? {
            let snapshot = wire::read_u8(r)? != 0;
            let path = PathBuf::from(std::ffi::OsString::from_vec(wire::read_bytes(r)?));
            found.push(super::files::Found {
                found_at: path.clone(),
                path,
                snapshot,
            });
        }
        let index = match index_kind {
            u64::MAX => None,
            0 => Some(super::files::Paths::Files(
                found.into_iter().map(|f| f.path).collect(),
            )),
            1 => Some(super::files::Paths::Found(found)),
            _ => return Err(std::io::ErrorKind::InvalidData.into()),
        };
        Ok(Prepared {
            target,
            index,
            what,
            _unpacked: None,
            _snapshots: None,
            refused: Vec::new(),
        })
    }
}

#[derive(Clone, Copy)]
enum Compression {
    Zstd,
    Xz,
    Gzip,
}

fn compression_of(path: &Path) -> Option<Compression> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("zst") => Some(Compression::Zstd),
        Some("xz") => Some(Compression::Xz),
        Some("gz") => Some(Compression::Gzip),
        _ => None,
    }
}

/// Journal files in `dir` and in its machine-id subdirectories, as
/// `sd_journal_open_directory()` finds them (and compressed ones), sorted
/// by path; an error when there are none. See `listing.rs`.
pub fn journal_files_in(dir: &Path, what: &str) -> Result<Vec<PathBuf>, JournalError> {
    std::fs::read_dir(dir).map_err(|source| JournalError::Unreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = super::listing::journal_files(super::listing::Scope::Directory(dir));
    if files.is_empty() {
        return Err(JournalError::NoJournalFiles {
            what: what.to_string(),
        });
    }
    files.sort();
    Ok(files)
}

/// The machine id in a journal file's header (a compressed file's first
/// bytes are unpacked), or None when the file is not a journal file or its
/// header names none. It is the machine that wrote the file: for a file of
/// `systemd-journal-remote`, the receiver, not the hosts in its entries.
pub fn header_machine_id(path: &Path) -> Option<Id128> {
    const SIGNATURE: &[u8] = b"LPKSHHRH";
    const MACHINE_ID: std::ops::Range<usize> = 40..56;
    let input = std::fs::File::open(path).ok()?;
    let reader: Box<dyn Read> = match compression_of(path) {
        Some(Compression::Zstd) => Box::new(zstd::Decoder::new(input).ok()?),
        Some(Compression::Xz) => Box::new(xz2::read::XzDecoder::new(input)),
        Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(input)),
        None => Box::new(input),
    };
    let mut head = Vec::with_capacity(MACHINE_ID.end);
    reader
        .take(MACHINE_ID.end as u64)
        .read_to_end(&mut head)
        .ok()?;
    if head.len() < MACHINE_ID.end || !head.starts_with(SIGNATURE) {
        return None;
    }
    Some(Id128(head[MACHINE_ID].try_into().ok()?)).filter(|id| !id.is_null())
}

/// Copies every file into a fresh temporary directory, decompressing those
/// with a compression suffix, so libsystemd can open them read-only.
fn unpack_all(
    files: &[PathBuf],
    what: &str,
) -> Result<(tempfile::TempDir, Vec<PathBuf>), JournalError> {
    let io_err = |source| JournalError::Io {
        what: what.to_string(),
        source,
    };
    let tmp = super::scratch::dir().map_err(io_err)?;
    let limit = UNPACK_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
    let mut unpacked = 0u64;
    let mut out = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let unreadable = |source| JournalError::Unreadable {
            path: file.clone(),
            source,
        };
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let (target_name, compression) = match compression_of(file) {
            Some(c) => (
                name.rsplit_once('.').map(|(b, _)| b).unwrap_or(name),
                Some(c),
            ),
            None => (name, None),
        };
        // A prefix keeps names unique when two directories hold the same name.
        let target = tmp.path().join(format!("{i:04}-{target_name}"));
        let input = std::fs::File::open(file).map_err(unreadable)?;
        let reader: Box<dyn Read> = match compression {
            Some(Compression::Zstd) => Box::new(zstd::Decoder::new(input).map_err(unreadable)?),
            Some(Compression::Xz) => Box::new(xz2::read::XzDecoder::new(input)),
            Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(input)),
            None => Box::new(input),
        };
        let mut output = std::fs::File::create(&target).map_err(io_err)?;
        // One byte past what is left tells "too large" from "just fits".
        let left = limit.saturating_sub(unpacked);
        let copied =
            std::io::copy(&mut reader.take(left.saturating_add(1)), &mut output).map_err(|e| {
                JournalError::Io {
                    what: format!("{} (decompressing)", file.display()),
                    source: e,
                }
            })?;
        if copied > left {
            return Err(JournalError::Io {
                what: format!("{} (decompressing)", file.display()),
                source: std::io::Error::other(format!(
                    "it unpacks to more than the {} bytes left of --max-unpacked ({} bytes for all files of a run): stopped and removed; give a larger --max-unpacked if the journal is really that large",
                    left, limit
                )),
            });
        }
        unpacked += copied;
        out.push(target);
    }
    Ok((tmp, out))
}

/// How many bytes all compressed journal files of a run may unpack to
/// (`--max-unpacked`): a small file can unpack to gigabytes of scratch.
static UNPACK_LIMIT: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_UNPACK_LIMIT);

/// 4 GiB: far beyond any journal directory's size (journald's default cap
/// is 4 GiB of disk), far below a full disk.
pub const DEFAULT_UNPACK_LIMIT: u64 = 4 << 30;

/// Sets the unpacking limit of this run (see [`UNPACK_LIMIT`]).
pub fn set_unpack_limit(bytes: u64) {
    UNPACK_LIMIT.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// Expands `--file` arguments the way journalctl does: each may be a glob.
/// A pattern that matches nothing is an error naming it.
pub fn expand_file_patterns(patterns: &[String]) -> Result<Vec<PathBuf>, JournalError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let before = out.len();
        match glob::glob(pattern) {
            Ok(paths) => out.extend(paths.flatten()),
            Err(_) => out.push(PathBuf::from(pattern)),
        }
        if out.len() == before {
            return Err(JournalError::Unreadable {
                path: PathBuf::from(pattern),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no file matches this pattern",
                ),
            });
        }
    }
    Ok(out)
}

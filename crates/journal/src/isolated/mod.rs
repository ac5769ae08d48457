//! libsystemd in a reader process, so a damaged file cannot take us down.
//!
//! libsystemd 252 answers some corrupted files with an assertion failure and
//! `abort()` (seen on systemd's own corrupted-journal samples). In-process
//! that kills jforensics with every entry already read. So the journal is read
//! by a separate process — this same binary, started again with a hidden
//! first argument ([`READER_ARG`]) — that streams entries over a pipe in the
//! format of `wire.rs`; if it dies, the parent keeps what arrived and reports
//! the file as damaged. Both ends run in parallel, on separate cores.
//!
//! Starting a process costs milliseconds, and a command may read a journal
//! hundreds of times (a boot's tail, every boot's events), so a reader serves
//! one request after another: a [`Readers`] pool keeps the idle ones, one per
//! thread that reads at the same time. A reader is only reused when its last
//! request ended cleanly; one left mid-request is killed.
//!
//! Which program to start: the one named by [`set_reader_program`] or the
//! `JFORENSICS_READER` variable, else the running binary if its `main` calls
//! [`serve_if_asked`] (jforensics' does). A program that embeds the library
//! without either reads in-process, without the protection.
//!
//! The reader's stderr goes to an unnamed temporary file, not the terminal:
//! libsystemd's own assertion text would otherwise interrupt our output, and
//! its last line is worth quoting in the warning instead.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::files::verify::Found;
use super::libsystemd::{LibsystemdSource, Prepared};
use super::wire::{
    self, BOOT, CHECKING, DAMAGE, DONE, EMPTY, FAILED, OUTLINE, Request, SKIPPED, TRACE, WARNING,
};

mod serve;
use super::{
    BootHeaders, Diagnostics, Entry, EntrySource, Filter, HeaderScan, JournalError, Outline,
};

/// The first argument that makes the binary a journal reader. Not a
/// subcommand anyone types: it reads requests on stdin and writes frames.
pub const READER_ARG: &str = "__read-journal";

/// The environment variable that names the reader program.
pub const READER_ENV: &str = "JFORENSICS_READER";

/// `JFORENSICS_BACKEND=libsystemd` makes libsystemd answer every read, as
/// the reference the index reader is compared with (tests, bug reports).
pub const BACKEND_ENV: &str = "JFORENSICS_BACKEND";

fn libsystemd_asked_for() -> bool {
    std::env::var_os(BACKEND_ENV).is_some_and(|v| v == "libsystemd")
}

static SELF_SERVES: AtomicBool = AtomicBool::new(false);
static PROGRAM: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Call first in `main`: when started as a reader, serve and exit; otherwise
/// note that this binary can serve, so readers are this binary started again.
pub fn serve_if_asked() {
    if std::env::args_os().nth(1).as_deref() == Some(OsStr::new(READER_ARG)) {
        std::process::exit(serve::reader_main());
    }
    SELF_SERVES.store(true, Ordering::Relaxed);
}

/// Names the program that reads journals (a jforensics binary), for callers
/// whose own binary does not call [`serve_if_asked`], such as tests.
pub fn set_reader_program(program: PathBuf) {
    *PROGRAM.lock().unwrap_or_else(PoisonError::into_inner) = Some(program);
}

fn reader_program() -> Option<PathBuf> {
    if let Some(p) = PROGRAM
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    {
        return Some(p);
    }
    if let Some(p) = std::env::var_os(READER_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if SELF_SERVES.load(Ordering::Relaxed) {
        return std::env::current_exe().ok();
    }
    None
}

/// A file as its user knows it: an unpacked copy (`NNNN-name` in this
/// run's scratch directory) by the name it had in `what`.
fn named(what: &str, path: &std::path::Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let scratch = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("jforensics-"));
    match name.split_once('-') {
        Some((n, rest)) if scratch && n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{rest} (unpacked, of {what})")
        }
        _ => path.display().to_string(),
    }
}

/// The reader processes of one prepared journal.
pub struct Readers {
    prepared: Arc<Prepared>,
    program: Option<PathBuf>,
    idle: Mutex<Vec<Reader>>,
    /// What [`Readers::damage`] says, and the files whose index misses
    /// their own entries, by the names people know them by.
    damage: std::sync::OnceLock<(Vec<String>, Vec<String>)>,
}

impl Readers {
    pub fn new(prepared: Prepared) -> Readers {
        Readers {
            prepared: Arc::new(prepared),
            program: reader_program(),
            idle: Mutex::new(Vec::new()),
            damage: Default::default(),
        }
    }

    /// The source these readers read.
    pub(super) fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Files the readers leave out, and files damaged inside (see
    /// `files/verify.rs`), said for people: one line each, naming the
    /// file and what was found. Looked for once, when first asked.
    pub fn damage(self: &Arc<Self>) -> &[String] {
        &self.inspected().0
    }

    /// Starts looking for damage on another thread (in its own reader
    /// process), so the walk runs beside the first reads instead of before
    /// them; [`Readers::damage`] waits for it.
    pub fn look_for_damage_in_background(self: &Arc<Self>) {
        if self.damage.get().is_some() {
            return;
        }
        let readers = self.clone();
        let started = std::thread::Builder::new()
            .name("damage".into())
            .spawn(move || {
                readers.inspected();
            });
        // Without a thread, the first to ask looks on its own.
        drop(started);
    }

    /// The files whose index was found missing their own entries.
    pub fn index_misses(self: &Arc<Self>) -> &[String] {
        &self.inspected().1
    }

    fn inspected(self: &Arc<Self>) -> &(Vec<String>, Vec<String>) {
        self.damage.get_or_init(|| {
            let mut lines = self.prepared.refused.clone();
            let mut index = Vec::new();
            for (file, found) in self.find_damage() {
                let name = named(&self.prepared.what, &file);
                lines.push(format!("journal file {name} is {}", found.sentence));
                if found.index_misses {
                    index.push(name);
                }
            }
            (lines, index)
        })
    }

    /// Walks every file for damage inside, in a reader process: the walk
    /// maps the files, and a file cut short under the map raises SIGBUS,
    /// which only a reader process survives. Should the reader die, the
    /// file it was walking is named damaged with how the reader ended.
    fn find_damage(self: &Arc<Self>) -> Vec<(PathBuf, Found)> {
        let Some(paths) = self.prepared.paths() else {
            return Vec::new();
        };
        if self.program.is_none() {
            // Without a reader program everything is read in this process.
            return super::files::damaged(&paths);
        }
        let names: Vec<PathBuf> = paths.each().into_iter().map(|(name, ..)| name).collect();
        let name = |i: u64| {
            let i = usize::try_from(i).unwrap_or(usize::MAX);
            names.get(i).cloned().unwrap_or_default()
        };
        let mut source = match self.ask(Request::Damage, &Filter::all()) {
            Ok(source) => source,
            Err(e) => {
                let found = Found {
                    sentence: format!("not checked for damage inside: {e}"),
                    index_misses: false,
                };
                return vec![(PathBuf::from(&self.prepared.what), found)];
            }
        };
        // A request that sends no entries ends in an error when its reader
        // dies: that error says how.
        let ended = loop {
            match source.next_entry() {
                Ok(Some(_)) => {}
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        let mut found: Vec<_> = std::mem::take(&mut source.damage)
            .into_iter()
            .map(|(file, f)| (name(file), f))
            .collect();
        if let (true, Some(file)) = (source.died, source.checking.take()) {
            let why = match ended {
                Some(JournalError::Libsystemd { source, .. }) => source.to_string(),
                Some(other) => other.to_string(),
                None => "the reader process stopped".to_string(),
            };
            let stopped = Found {
                sentence: format!(
                    "damaged: walking its entries stopped the reader process ({why}); what it holds past that point may be missing from every answer"
                ),
                index_misses: false,
            };
            found.push((name(file), stopped));
        }
        found
    }

    /// A source reading `filter`'s entries, in a reader process when there
    /// is a program to start.
    pub fn open(self: &Arc<Self>, filter: &Filter) -> Result<Box<dyn EntrySource>, JournalError> {
        if self.program.is_none() {
            super::trace::say(&format!(
                "{}: libsystemd, in this process: no reader program to map files in",
                self.prepared.what
            ));
            return Ok(Box::new(InProcess {
                source: LibsystemdSource::open(self.prepared.copy_for_child(), filter.clone())?,
                _prepared: self.prepared.clone(),
            }));
        }
        Ok(Box::new(self.ask(Request::Entries, filter)?))
    }

    /// Every boot's header sums, added up in the reader process.
    pub fn boot_headers(
        self: &Arc<Self>,
        filter: &Filter,
    ) -> Result<(Vec<BootHeaders>, Diagnostics), JournalError> {
        if self.program.is_none() {
            return sum_headers(self.open(filter)?.as_mut());
        }
        let mut source = self.ask(Request::BootHeaders, filter)?;
        let drained =
            std::iter::from_fn(|| source.next_entry().transpose()).try_for_each(|r| r.map(drop));
        if source.died {
            // The sums died with the reader: read the headers one by one,
            // keeping every boot up to the damage.
            return sum_headers(self.open(filter)?.as_mut());
        }
        drained?;
        Ok((std::mem::take(&mut source.boots), source.diagnostics))
    }

    /// What the files' index alone tells of the boots, read in the reader
    /// process; `None` when it cannot tell (or there is no reader process,
    /// the only place journal files are mapped).
    pub fn outline(self: &Arc<Self>, filter: &Filter) -> Option<Outline> {
        self.program.as_ref()?;
        let mut source = self.ask(Request::Outline, filter).ok()?;
        std::iter::from_fn(|| source.next_entry().transpose())
            .try_for_each(|r| r.map(drop))
            .ok()?;
        if source.died {
            return None;
        }
        source.outline.take()
    }

    fn ask(
        self: &Arc<Self>,
        request: Request,
        filter: &Filter,
    ) -> Result<IsolatedSource, JournalError> {
        let Some(program) = &self.program else {
            unreachable!("callers read in-process without a reader program");
        };
        let what = self.prepared.what.clone();
        let io_err = |source| JournalError::Io {
            what: what.clone(),
            source,
        };
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut reader = match idle {
            Some(r) => r,
            None => Reader::start(program, &self.prepared).map_err(io_err)?,
        };
        let mut bytes = vec![request.tag()];
        wire::write_filter(&mut bytes, filter).map_err(io_err)?;
        reader.ask(&bytes).map_err(io_err)?;
        Ok(IsolatedSource {
            reader: Some(reader),
            readers: self.clone(),
            what,
            diagnostics: Diagnostics::default(),
            boots: Vec::new(),
            outline: None,
            damage: Vec::new(),
            checking: None,
            died: false,
        })
    }

    fn give_back(&self, reader: Reader) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(reader);
    }
}

/// One reader process and its pipes.
struct Reader {
    child: Child,
    /// Closed (None) to tell the reader to exit.
    requests: Option<ChildStdin>,
    frames: BufReader<ChildStdout>,
    /// What the child wrote to stderr (libsystemd's assertion messages).
    stderr: Option<File>,
    /// Between a request and its last frame: dropping then must kill.
    busy: bool,
}

impl Reader {
    fn start(program: &PathBuf, prepared: &Prepared) -> std::io::Result<Reader> {
        let stderr = tempfile::tempfile().ok();
        let child_stderr = match &stderr {
            Some(f) => Stdio::from(f.try_clone()?),
            None => Stdio::null(),
        };
        let mut command = Command::new(program);
        if super::trace::enabled() {
            command.env(super::trace::TRACE_ENV, "1");
        }
        let mut child = command
            .arg(READER_ARG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(child_stderr)
            .spawn()?;
        let (Some(requests), Some(frames)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the reader process has no pipes"));
        };
        let mut reader = Reader {
            child,
            requests: Some(requests),
            frames: BufReader::with_capacity(1 << 16, frames),
            stderr,
            busy: false,
        };
        let mut hello = Vec::new();
        prepared.encode(&mut hello)?;
        reader.ask(&hello)?;
        Ok(reader)
    }

    fn ask(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.busy = true;
        match &mut self.requests {
            Some(pipe) => pipe.write_all(bytes),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Waits for the child and describes how it ended, if not normally.
    fn reap(&mut self) -> Option<String> {
        self.requests = None;
        self.busy = false;
        let status = self.child.wait().ok()?;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGABRT => "an assertion failure (SIGABRT)".to_string(),
                libc::SIGSEGV => "a crash (SIGSEGV)".to_string(),
                libc::SIGBUS => "a bus error (SIGBUS)".to_string(),
                other => format!("signal {other}"),
            };
            Some(match self.last_stderr_line() {
                Some(said) => format!("libsystemd stopped with {name} (it said: {said})"),
                None => format!("libsystemd stopped with {name}"),
            })
        } else {
            match status.code() {
                Some(0) | None => None,
                Some(code) => Some(format!("the reader process exited with status {code}")),
            }
        }
    }

    /// The child's last line on stderr, if it wrote one.
    fn last_stderr_line(&mut self) -> Option<String> {
        let file = self.stderr.as_mut()?;
        file.rewind().ok()?;
        let mut text = String::new();
        file.take(1 << 20).read_to_string(&mut text).ok()?;
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    }

    fn read_frame(&mut self) -> std::io::Result<Option<Frame>> {
        let mut tag = [0u8; 1];
        if self.frames.read(&mut tag)? == 0 {
            return Ok(None);
        }
        let p = &mut self.frames;
        Ok(Some(match tag[0] {
            wire::ENTRY => Frame::Entry(Box::new(wire::read_entry(p)?)),
            WARNING => Frame::Warning(wire::read_string(p)?),
            SKIPPED => Frame::Skipped(wire::read_u64(p)?),
            FAILED => Frame::Failed(wire::read_string(p)?),
            EMPTY => Frame::Empty(wire::read_u64(p)?),
            DONE => Frame::Done,
            BOOT => Frame::Boot(Box::new(BootHeaders::decode(p)?)),
            OUTLINE => Frame::Outline(Box::new(Outline::decode(p)?)),
            CHECKING => Frame::Checking(wire::read_u64(p)?),
            DAMAGE => Frame::Damage(
                wire::read_u64(p)?,
                Found {
                    sentence: wire::read_string(p)?,
                    index_misses: wire::read_u64(p)? != 0,
                },
            ),
            TRACE => Frame::Trace(wire::read_string(p)?),
            other => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("unexpected frame {other}"),
                ));
            }
        }))
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if self.busy {
            // Left mid-request: the child may block on a full pipe.
            let _ = self.child.kill();
        }
        // An idle reader exits when its requests pipe closes.
        self.requests = None;
        let _ = self.child.wait();
    }
}

enum Frame {
    Entry(Box<Entry>),
    Warning(String),
    Skipped(u64),
    Failed(String),
    Empty(u64),
    Done,
    Boot(Box<BootHeaders>),
    Outline(Box<Outline>),
    Checking(u64),
    /// Damage found inside one file, the file by its place in the
    /// source's list ([`super::files::Paths::each`]): both processes list
    /// it alike, and only the parent knows every file by the name people
    /// know it by.
    Damage(u64, Found),
    Trace(String),
}

/// One request's entries, as they arrive from a reader process.
struct IsolatedSource {
    /// None once the request ended.
    reader: Option<Reader>,
    readers: Arc<Readers>,
    what: String,
    diagnostics: Diagnostics,
    /// Header sums, for a [`Request::BootHeaders`].
    boots: Vec<BootHeaders>,
    /// The answer to a [`Request::Outline`], if the files gave one.
    outline: Option<Outline>,
    /// The answers to a [`Request::Damage`], and the file being walked.
    damage: Vec<(u64, Found)>,
    checking: Option<u64>,
    /// The reader process died during the request.
    died: bool,
}

fn sum_headers(
    source: &mut dyn EntrySource,
) -> Result<(Vec<BootHeaders>, Diagnostics), JournalError> {
    let mut scan = HeaderScan::default();
    super::for_each_entry(source, |e| scan.observe(&e))?;
    Ok((scan.finish(), source.diagnostics().clone()))
}

impl IsolatedSource {
    /// The request ended cleanly: the reader may serve the next one.
    fn release(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            reader.busy = false;
            self.readers.give_back(reader);
        }
    }
}

impl EntrySource for IsolatedSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        while let Some(reader) = &mut self.reader {
            match reader.read_frame().unwrap_or(None) {
                Some(Frame::Entry(entry)) => {
                    self.diagnostics.entries_read += 1;
                    return Ok(Some(*entry));
                }
                Some(Frame::Warning(w)) => self.diagnostics.warn(w),
                Some(Frame::Skipped(n)) => self.diagnostics.skipped = n,
                Some(Frame::Failed(message)) => {
                    self.release();
                    return Err(JournalError::Libsystemd {
                        what: self.what.clone(),
                        source: std::io::Error::other(message),
                    });
                }
                Some(Frame::Empty(skipped)) => {
                    self.release();
                    return Err(JournalError::Empty {
                        what: self.what.clone(),
                        skipped,
                    });
                }
                Some(Frame::Done) => self.release(),
                Some(Frame::Boot(boot)) => self.boots.push(*boot),
                Some(Frame::Outline(outline)) => self.outline = Some(*outline),
                Some(Frame::Checking(file)) => self.checking = Some(file),
                Some(Frame::Damage(file, found)) => self.damage.push((file, found)),
                Some(Frame::Trace(line)) => super::trace::say(&line),
                None => {
                    let why = reader
                        .reap()
                        .unwrap_or_else(|| "the reader process stopped early".to_string());
                    self.reader = None;
                    self.died = true;
                    if self.diagnostics.entries_read == 0 {
                        return Err(JournalError::Libsystemd {
                            what: self.what.clone(),
                            source: std::io::Error::other(why),
                        });
                    }
                    self.diagnostics.skipped += 1;
                    self.diagnostics.warn(format!(
                        "{}: {why} after {} entries; the rest is damaged and was not read",
                        self.what, self.diagnostics.entries_read
                    ));
                }
            }
        }
        Ok(None)
    }

    fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}

/// Reading in this process, for programs without a reader to start.
struct InProcess {
    source: LibsystemdSource,
    /// Keeps unpacked copies alive while libsystemd reads them.
    _prepared: Arc<Prepared>,
}

impl EntrySource for InProcess {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        self.source.next_entry()
    }
    fn diagnostics(&self) -> &Diagnostics {
        self.source.diagnostics()
    }
}

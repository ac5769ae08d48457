//! libsystemd in a child process, so a damaged file cannot take us down.
//!
//! libsystemd 252 answers some corrupted files with an assertion failure and
//! `abort()` (seen on systemd's own corrupted-journal samples). In-process
//! that kills jforensics with every entry already read. So the journal is read
//! in a forked child that streams entries over a pipe in a small binary frame
//! format; if the child dies, the parent keeps what arrived and reports the
//! file as damaged. Both ends run in parallel, on separate cores.
//!
//! The child's stderr goes to an unnamed temporary file, not the terminal:
//! libsystemd's own assertion text would otherwise interrupt our output, and
//! its last line is worth quoting in the warning instead.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::Arc;

use super::libsystemd::{LibsystemdSource, Prepared};
use super::{Diagnostics, Entry, EntrySource, Filter, Id128, JournalError};

const ENTRY: u8 = b'E';
const WARNING: u8 = b'W';
const SKIPPED: u8 = b'K';
const FAILED: u8 = b'X';
const EMPTY: u8 = b'Z';
const DONE: u8 = b'D';
const NONE: u64 = u64::MAX;

pub struct IsolatedSource {
    pipe: BufReader<File>,
    child: libc::pid_t,
    what: String,
    diagnostics: Diagnostics,
    finished: bool,
    /// What the child wrote to stderr (libsystemd's assertion messages).
    child_stderr: Option<File>,
    /// Keeps unpacked copies alive while the child reads them.
    _prepared: Arc<Prepared>,
}

impl IsolatedSource {
    pub fn open(prepared: Arc<Prepared>, filter: Filter) -> Result<IsolatedSource, JournalError> {
        let what = prepared.what.clone();
        let io_err = |source| JournalError::Io {
            what: what.clone(),
            source,
        };
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array we own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io_err(std::io::Error::last_os_error()));
        }
        let (read_fd, write_fd) = (fds[0], fds[1]);
        let child_stderr = tempfile::tempfile().ok();
        // SAFETY: the child only reads the journal, writes to its pipe end and
        // leaves with _exit, never returning into the caller's code.
        match unsafe { libc::fork() } {
            -1 => Err(io_err(std::io::Error::last_os_error())),
            0 => {
                unsafe { libc::close(read_fd) };
                if let Some(f) = &child_stderr {
                    unsafe { libc::dup2(f.as_raw_fd(), libc::STDERR_FILENO) };
                }
                let pipe = unsafe { File::from_raw_fd(write_fd) };
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    child_main(prepared.copy_for_child(), filter, pipe)
                }));
                let code = match run {
                    Ok(Ok(())) => 0,
                    Ok(Err(_)) => 1,
                    Err(_) => 101,
                };
                unsafe { libc::_exit(code) }
            }
            child => {
                unsafe { libc::close(write_fd) };
                let pipe = unsafe { File::from_raw_fd(read_fd) };
                Ok(IsolatedSource {
                    pipe: BufReader::with_capacity(1 << 16, pipe),
                    child,
                    what,
                    diagnostics: Diagnostics::default(),
                    finished: false,
                    child_stderr,
                    _prepared: prepared,
                })
            }
        }
    }

    /// Waits for the child and describes how it ended, if not normally.
    fn reap(&mut self) -> Option<String> {
        let mut status = 0;
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::waitpid(self.child, &mut status, 0) };
        self.child = 0;
        if r <= 0 {
            return None;
        }
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
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
        } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) != 0 {
            Some(format!(
                "the reader process exited with status {}",
                libc::WEXITSTATUS(status)
            ))
        } else {
            None
        }
    }

    /// The child's last line on stderr, if it wrote one.
    fn last_stderr_line(&mut self) -> Option<String> {
        let file = self.child_stderr.as_mut()?;
        file.rewind().ok()?;
        let mut text = String::new();
        file.take(1 << 20).read_to_string(&mut text).ok()?;
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    }

    fn read_frame(&mut self) -> Result<Option<Frame>, std::io::Error> {
        let mut tag = [0u8; 1];
        if self.pipe.read(&mut tag)? == 0 {
            return Ok(None);
        }
        let p = &mut self.pipe;
        Ok(Some(match tag[0] {
            ENTRY => Frame::Entry(Box::new(read_entry(p)?)),
            WARNING => Frame::Warning(read_string(p)?),
            SKIPPED => Frame::Skipped(read_u64(p)?),
            FAILED => Frame::Failed(read_string(p)?),
            EMPTY => Frame::Empty(read_u64(p)?),
            DONE => Frame::Done,
            other => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("unexpected frame {other}"),
                ));
            }
        }))
    }
}

enum Frame {
    Entry(Box<Entry>),
    Warning(String),
    Skipped(u64),
    Failed(String),
    Empty(u64),
    Done,
}

impl EntrySource for IsolatedSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        while !self.finished {
            let frame = self.read_frame().unwrap_or(None);
            match frame {
                Some(Frame::Entry(entry)) => {
                    self.diagnostics.entries_read += 1;
                    return Ok(Some(*entry));
                }
                Some(Frame::Warning(w)) => self.diagnostics.warn(w),
                Some(Frame::Skipped(n)) => self.diagnostics.skipped = n,
                Some(Frame::Failed(message)) => {
                    self.finished = true;
                    self.reap();
                    return Err(JournalError::Libsystemd {
                        what: self.what.clone(),
                        source: std::io::Error::other(message),
                    });
                }
                Some(Frame::Empty(skipped)) => {
                    self.finished = true;
                    self.reap();
                    return Err(JournalError::Empty {
                        what: self.what.clone(),
                        skipped,
                    });
                }
                Some(Frame::Done) => {
                    self.finished = true;
                    self.reap();
                }
                None => {
                    self.finished = true;
                    let why = self
                        .reap()
                        .unwrap_or_else(|| "the reader process stopped early".to_string());
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

impl Drop for IsolatedSource {
    fn drop(&mut self) {
        if self.child > 0 {
            // The caller stopped early: the child may block on a full pipe.
            unsafe { libc::kill(self.child, libc::SIGKILL) };
            self.reap();
        }
    }
}

/// The child: read with libsystemd, write frames, report how it ended.
fn child_main(prepared: Prepared, filter: Filter, pipe: File) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, pipe);
    let mut source = match LibsystemdSource::open(prepared, filter) {
        Ok(s) => s,
        Err(e) => {
            write_string(&mut out, FAILED, &failure_text(&e))?;
            return out.flush();
        }
    };
    let mut warned = 0;
    loop {
        let next = source.next_entry();
        let d = source.diagnostics();
        for w in &d.warnings[warned..] {
            write_string(&mut out, WARNING, w)?;
        }
        warned = d.warnings.len();
        match next {
            Ok(Some(entry)) => write_entry(&mut out, &entry)?,
            Ok(None) => {
                out.write_all(&[SKIPPED])?;
                out.write_all(&d.skipped.to_le_bytes())?;
                out.write_all(&[DONE])?;
                break;
            }
            Err(JournalError::Empty { skipped, .. }) => {
                out.write_all(&[EMPTY])?;
                out.write_all(&skipped.to_le_bytes())?;
                break;
            }
            Err(e) => {
                write_string(&mut out, FAILED, &failure_text(&e))?;
                break;
            }
        }
    }
    out.flush()
}

/// The parent wraps a failure as "libsystemd could not read WHAT: …", so a
/// libsystemd error travels as its cause only.
fn failure_text(e: &JournalError) -> String {
    match e {
        JournalError::Libsystemd { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn write_string(out: &mut impl Write, tag: u8, s: &str) -> std::io::Result<()> {
    out.write_all(&[tag])?;
    out.write_all(&(s.len() as u32).to_le_bytes())?;
    out.write_all(s.as_bytes())
}

fn write_entry(out: &mut impl Write, e: &Entry) -> std::io::Result<()> {
    out.write_all(&[ENTRY])?;
    out.write_all(&e.realtime_usec.to_le_bytes())?;
    out.write_all(&e.monotonic_usec.unwrap_or(NONE).to_le_bytes())?;
    out.write_all(&e.seqnum.unwrap_or(NONE).to_le_bytes())?;
    out.write_all(&e.boot_id.0)?;
    out.write_all(&(e.cursor.len() as u32).to_le_bytes())?;
    out.write_all(e.cursor.as_bytes())?;
    out.write_all(&(e.field_count() as u32).to_le_bytes())?;
    for (name, value) in e.fields() {
        out.write_all(&(name.len() as u32).to_le_bytes())?;
        out.write_all(name.as_bytes())?;
        out.write_all(&(value.len() as u32).to_le_bytes())?;
        out.write_all(value)?;
    }
    Ok(())
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_bytes(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let len = read_u32(r)? as usize;
    let mut v = vec![0u8; len];
    r.read_exact(&mut v)?;
    Ok(v)
}

fn read_string(r: &mut impl Read) -> std::io::Result<String> {
    Ok(String::from_utf8_lossy(&read_bytes(r)?).into_owned())
}

fn read_entry(r: &mut impl Read) -> std::io::Result<Entry> {
    let realtime = read_u64(r)?;
    let mono = read_u64(r)?;
    let seqnum = read_u64(r)?;
    let mut boot = [0u8; 16];
    r.read_exact(&mut boot)?;
    let mut entry = Entry::new(realtime, Id128(boot));
    entry.monotonic_usec = (mono != NONE).then_some(mono);
    entry.seqnum = (seqnum != NONE).then_some(seqnum);
    entry.cursor = read_string(r)?;
    let n = read_u32(r)?;
    for _ in 0..n {
        let name = read_string(r)?;
        let value = read_bytes(r)?;
        entry.push_field(&name, &value);
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_the_frame_format_byte_for_byte() {
        let mut e = Entry::new(1_666_569_600_994_371, Id128([7; 16]));
        e.monotonic_usec = Some(42);
        e.cursor = "s=1;i=2".to_string();
        e.push_field("MESSAGE", b"hello");
        e.push_field("BINARY", &[0, 0xff, b'\n']);
        e.push_field("BINARY", b"second");
        let mut buf = Vec::new();
        write_entry(&mut buf, &e).unwrap();
        let back = read_entry(&mut &buf[1..]).unwrap();
        assert_eq!(back.realtime_usec, e.realtime_usec);
        assert_eq!(back.monotonic_usec, Some(42));
        assert_eq!(back.seqnum, None);
        assert_eq!(back.boot_id, e.boot_id);
        assert_eq!(back.cursor, e.cursor);
        let fields: Vec<_> = back.fields().collect();
        assert_eq!(fields, e.fields().collect::<Vec<_>>());
    }
}

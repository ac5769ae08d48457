//! One run at a time per state directory: the timer's run and a run by hand
//! must not both deliver and commit. An advisory `flock(2)` on `watch.lock`
//! is released by the kernel when the process ends, however it ends, so a
//! `kill -9` never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

pub struct Lock {
    _file: File,
}

pub enum Acquired {
    Held(Lock),
    /// Another process holds it; its pid as it wrote it, if readable.
    Busy {
        path: PathBuf,
        holder: Option<String>,
    },
}

/// Takes the lock; with `wait`, blocks until the other run ends.
pub fn acquire(dir: &Path, wait: bool) -> std::io::Result<Acquired> {
    let path = dir.join("watch.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    let mode = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), mode) } != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let holder = std::fs::read_to_string(&path)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            return Ok(Acquired::Busy { path, holder });
        }
        return Err(err);
    }
    file.set_len(0)?;
    writeln!(file, "{}", std::process::id())?;
    Ok(Acquired::Held(Lock { _file: file }))
}

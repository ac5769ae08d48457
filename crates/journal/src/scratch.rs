//! Scratch space: where unpacked journal files and standard input spooled
//! for reading twice are kept while a run needs them.
//!
//! A compressed journal unpacks to gigabytes, so nothing may be left
//! behind: each scratch directory or file is named `jforensics-<pid>-…`
//! in the temporary directory, removed when its owner is dropped, removed
//! by a watcher when SIGINT or SIGTERM ends the run, and — when a run was
//! killed outright (SIGKILL, a power cut) — removed by the next run, which
//! sees that the process named in it is gone.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

/// Paths to remove if a signal ends the run.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// The write end of the pipe the signal handler wakes the watcher through.
static WAKE: AtomicI32 = AtomicI32::new(-1);

/// The name prefix of this process's scratch paths.
pub fn prefix() -> String {
    format!("jforensics-{}-", std::process::id())
}

/// A private scratch directory, removed on drop or by a signal.
pub fn dir() -> std::io::Result<tempfile::TempDir> {
    created(
        || tempfile::Builder::new().prefix(&prefix()).tempdir(),
        |d| d.path(),
    )
}

/// A private scratch file, removed on drop or by a signal.
pub fn file() -> std::io::Result<tempfile::NamedTempFile> {
    created(
        || tempfile::Builder::new().prefix(&prefix()).tempfile(),
        |f| f.path(),
    )
}

/// Creates a scratch path with the watcher already listening and the list
/// locked, so that no signal falls between its creation and its listing.
fn created<T>(
    create: impl FnOnce() -> std::io::Result<T>,
    path: impl Fn(&T) -> &Path,
) -> std::io::Result<T> {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    if WAKE.load(Ordering::Relaxed) < 0 {
        remove_stale(&std::env::temp_dir());
        watch_signals();
    }
    let made = create()?;
    live.push(path(&made).to_path_buf());
    Ok(made)
}

/// Removes scratch paths of runs that no longer exist.
pub fn remove_stale(tmp: &Path) {
    let Ok(items) = std::fs::read_dir(tmp) else {
        return;
    };
    for item in items.flatten() {
        let name = item.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("jforensics-"))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
        else {
            continue;
        };
        // kill(pid, 0) fails with ESRCH only when no such process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let path = item.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    let fd = WAKE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = signal as u8;
        // write(2) is async-signal-safe; the watcher does the rest.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

/// On SIGINT or SIGTERM: remove the scratch paths, then die of the signal
/// as before (so the exit status still says which).
fn watch_signals() {
    let mut fds = [0; 2];
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return;
    }
    let (read, write) = (fds[0], fds[1]);
    WAKE.store(write, Ordering::Relaxed);
    let spawned = std::thread::Builder::new()
        .name("scratch-cleanup".into())
        .spawn(move || {
            let mut byte = 0u8;
            let n = unsafe { libc::read(read, (&mut byte as *mut u8).cast(), 1) };
            if n != 1 {
                return;
            }
            let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            for path in live.iter() {
                let _ = std::fs::remove_dir_all(path).or_else(|_| std::fs::remove_file(path));
            }
            let signal = libc::c_int::from(byte);
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
        });
    if spawned.is_err() {
        return;
    }
    for signal in [libc::SIGINT, libc::SIGTERM] {
        unsafe {
            libc::signal(signal, on_signal as *const () as libc::sighandler_t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_of_a_process_that_is_gone_is_removed_and_a_live_one_kept() {
        let tmp = tempfile::tempdir().unwrap();
        // A pid above the kernel's limit belongs to no process.
        let gone = tmp.path().join("jforensics-99999999-abc");
        std::fs::create_dir(&gone).unwrap();
        std::fs::write(gone.join("system.journal"), b"x").unwrap();
        let mine = tmp.path().join(format!("{}xyz", prefix()));
        std::fs::write(&mine, b"x").unwrap();
        let other = tmp.path().join("jforensics-notapid-x");
        std::fs::write(&other, b"x").unwrap();
        remove_stale(tmp.path());
        assert!(!gone.exists());
        assert!(mine.exists() && other.exists());
    }
}

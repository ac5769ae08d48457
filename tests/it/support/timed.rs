//! Running the binary with a time limit: damaged input must never make it
//! hang, and a test that waits forever would hide that.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of jforensics left.
#[derive(Debug)]
pub struct Run {
    /// The exit code; None when a signal ended it (or the limit did).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// It was still running at the limit, and was killed.
    pub timed_out: bool,
}

impl Run {
    /// A panic, a signal or a hang: never an answer to damaged input.
    pub fn broken(&self) -> Option<String> {
        if self.timed_out {
            return Some("no answer in time".to_string());
        }
        if self.stderr.contains("panicked") {
            return Some(format!("panicked: {}", first_line(&self.stderr)));
        }
        match self.code {
            Some(0) | Some(1) => None,
            other => Some(format!("exit {other:?}: {}", first_line(&self.stderr))),
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| l.contains("panicked"))
        .unwrap_or(text.lines().next().unwrap_or(""))
}

/// Runs jforensics with `args`, killing it (and the reader processes it
/// started, one process group) after `limit`.
pub fn run_with_timeout(args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("run jforensics");
    // Both pipes are drained while it runs: a full pipe would stall it.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let start = Instant::now();
    let (code, timed_out) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status.code(), false);
        }
        if start.elapsed() > limit {
            // The group: its reader processes hold the pipes open too.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        timed_out,
    }
}

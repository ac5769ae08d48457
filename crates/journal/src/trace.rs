//! The debug trace: which backend answered each read, and why.
//!
//! Two readers answer the same questions (the index reader of `files/` and
//! libsystemd, see `isolated/`), and when their answers or their speed
//! surprise someone, the first question is which one ran. `-v` or
//! `JFORENSICS_TRACE=1` makes every read say so on stderr, one line each
//! (`jforensics: trace: …`). Reader processes inherit the setting through
//! the variable and send their lines to the parent, which prints them.

use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable that turns the trace on (any value but `0`).
pub const TRACE_ENV: &str = "JFORENSICS_TRACE";

static ON: AtomicBool = AtomicBool::new(false);

/// Turns the trace on for this run (`-v`).
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
        || std::env::var_os(TRACE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Prints one trace line when the trace is on.
pub fn say(line: &str) {
    if enabled() {
        eprintln!("jforensics: trace: {line}");
    }
}

//! "reading the journal: 1,204,331 entries…" on stderr while a long read
//! goes on, so a big journal does not look like a hang.
//!
//! Shown only when stderr is a terminal and only after the first second (a
//! quick read prints nothing), refreshed at most four times a second, and
//! erased when reading ends so it never mixes with the output or a log.

use jforensics::present::text::grouped;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_secs(1);
const REFRESH: Duration = Duration::from_millis(250);
/// Entries between clock checks: reading the clock per entry would cost more
/// than the entry.
const CHECK_EVERY: u64 = 4096;

pub struct Progress {
    what: &'static str,
    enabled: bool,
    started: Instant,
    last_shown: Option<Instant>,
    count: u64,
}

impl Progress {
    /// A counter for `what` ("reading the journal"), live when stderr is a terminal.
    pub fn new(what: &'static str) -> Progress {
        Progress::with(what, std::io::stderr().is_terminal())
    }

    fn with(what: &'static str, enabled: bool) -> Progress {
        Progress {
            what,
            enabled,
            started: Instant::now(),
            last_shown: None,
            count: 0,
        }
    }

    /// Counts one entry; now and then, shows the count.
    pub fn tick(&mut self) {
        self.count += 1;
        if !self.enabled || !self.count.is_multiple_of(CHECK_EVERY) {
            return;
        }
        let now = Instant::now();
        let due = match self.last_shown {
            None => now.duration_since(self.started) >= DELAY,
            Some(last) => now.duration_since(last) >= REFRESH,
        };
        if due {
            self.last_shown = Some(now);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}: {} entries…", self.what, grouped(self.count));
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    /// Erases the line, if one was shown.
    fn drop(&mut self) {
        if self.last_shown.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_204_331), "1,204,331");
    }

    #[test]
    fn a_quick_read_shows_nothing() {
        let mut p = Progress::with("reading", true);
        for _ in 0..3 * CHECK_EVERY {
            p.tick();
        }
        assert!(p.last_shown.is_none(), "under a second: no line");
        let mut off = Progress::with("reading", false);
        off.started -= Duration::from_secs(5);
        for _ in 0..CHECK_EVERY {
            off.tick();
        }
        assert!(off.last_shown.is_none(), "not a terminal: no line");
    }
}

//! How a run ends: every exit status in one table ([`Exit`]), and the one
//! error type the commands return ([`Error`]), each kind with its status.
//!
//! An error names its status by what went wrong, never by where: a usage
//! error is 2 whether clap, the session or a command found it. The table is
//! docs/manual.md's "Exit codes"; a test holds the two to each other.

use std::process::ExitCode;

use jforensics::journal::JournalError;
use jforensics::session;

/// Every status jforensics exits with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::VariantArray)]
pub enum Exit {
    /// The command did what it was asked.
    Success,
    /// Nothing could be read, or another error (the message says which).
    Failed,
    /// Wrong usage: a command line that cannot work whatever the journal
    /// holds (clap's own errors exit with it too).
    Usage,
    /// `--fail-on SEVERITY` was given and a finding is at or above it.
    FindingsAtOrAbove,
    /// `watch`: another run holds the lock (EX_TEMPFAIL of sysexits.h).
    LockBusy,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::FindingsAtOrAbove => 3,
            Exit::LockBusy => 75,
        }
    }
}

impl Exit {
    /// What the status means, for the man page (docs/manual.md says the
    /// same).
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "Success.",
            Exit::Failed => "Nothing could be read, or another error; the message says which.",
            Exit::Usage => "Wrong usage: an unknown flag or a bad value.",
            Exit::FindingsAtOrAbove => {
                "--fail-on SEVERITY was given and a finding is at or above it (info < warning < error < critical)."
            }
            Exit::LockBusy => {
                "watch only: another run holds the lock in the state directory; the timer tries again."
            }
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// What a command could not do, worded for the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command line that cannot work whatever the journal holds.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Session(#[from] session::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Query(#[from] jforensics::tables::sql::QueryError),
    #[error(transparent)]
    Chart(#[from] jforensics::report::chart::Error),
    #[error(transparent)]
    Tables(#[from] polars::error::PolarsError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Anything else, worded where it happened.
    #[error("{0}")]
    Failed(String),
}

impl From<String> for Error {
    fn from(text: String) -> Error {
        Error::Failed(text)
    }
}

impl From<&str> for Error {
    fn from(text: &str) -> Error {
        Error::Failed(text.to_string())
    }
}

impl Error {
    /// The status this error ends the run with.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) | Error::Session(session::Error::Usage(_)) => Exit::Usage,
            Error::Session(_)
            | Error::Journal(_)
            | Error::Query(_)
            | Error::Chart(_)
            | Error::Tables(_)
            | Error::Json(_)
            | Error::Io(_)
            | Error::Failed(_) => Exit::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn the_manual_lists_every_exit_status_and_no_other() {
        let manual = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/manual.md"),
        )
        .unwrap();
        let table = manual
            .split("Exit codes")
            .nth(1)
            .expect("docs/manual.md has an \"Exit codes\" table");
        let documented: Vec<u8> = table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.split('`').nth(1)?.parse().ok())
            .collect();
        let ours: Vec<u8> = Exit::VARIANTS.iter().map(|e| e.code()).collect();
        assert_eq!(documented, ours);
    }

    #[test]
    fn usage_errors_exit_2_wherever_they_are_found() {
        assert_eq!(Error::Usage("x".into()).exit().code(), 2);
        assert_eq!(
            Error::from(session::Error::Usage("x".into())).exit().code(),
            2
        );
        assert_eq!(
            Error::from(session::Error::Failed("x".into()))
                .exit()
                .code(),
            1
        );
        assert_eq!(Error::from("x").exit().code(), 1);
    }
}

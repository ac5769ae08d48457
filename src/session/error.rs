//! What a session could not answer.

use crate::journal::JournalError;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The journal could not be read (see [`JournalError`]).
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A request that cannot work whatever the journal holds (several
    /// machines and none named, flags a command cannot honour).
    #[error("{0}")]
    Usage(String),
    /// Anything else, worded for the user: no boot, no such boot, nothing
    /// within the time bounds, a state or sink that cannot be used.
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

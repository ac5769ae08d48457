//! Stream readers for journalctl -o json / -o export: being written; until
//! then `--input` reports that the format is not supported yet.
use super::{Diagnostics, Entry, EntrySource, Filter, JournalError, StreamInput, Strictness};

pub struct StreamSource {
    diagnostics: Diagnostics,
}

impl StreamSource {
    pub fn open(
        input: &StreamInput,
        _filter: Filter,
        _strictness: Strictness,
    ) -> Result<StreamSource, JournalError> {
        Err(JournalError::UnknownFormat {
            what: format!("{input:?}"),
        })
    }
}

impl EntrySource for StreamSource {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        Ok(None)
    }
    fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }
}

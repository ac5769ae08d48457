//! Reading without the index: every entry, kept where the filter accepts it.
//!
//! For journals whose index was caught disagreeing with their entries
//! ([`super::Journal::distrust_index`]): a matched read through a damaged
//! hash table silently finds nothing, which downstream reads as "no
//! shutdown was logged". Walking the entries is what a stream read does,
//! and it is right.

use super::{Diagnostics, Entry, EntrySource, Filter, JournalError};

pub struct Accepting {
    source: Box<dyn EntrySource>,
    filter: Filter,
}

impl Accepting {
    pub fn new(source: Box<dyn EntrySource>, filter: Filter) -> Accepting {
        Accepting { source, filter }
    }
}

impl EntrySource for Accepting {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        while let Some(entry) = self.source.next_entry()? {
            if self.filter.accepts(&entry) {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    fn diagnostics(&self) -> &Diagnostics {
        self.source.diagnostics()
    }
}

//! `Filter::last` for sources that cannot seek: read on, keep the last N.

use std::collections::VecDeque;

use super::{Diagnostics, Entry, EntrySource, JournalError};

pub struct LastN {
    inner: Box<dyn EntrySource>,
    keep: usize,
    kept: Option<VecDeque<Entry>>,
}

impl LastN {
    pub fn new(inner: Box<dyn EntrySource>, keep: usize) -> LastN {
        LastN {
            inner,
            keep,
            kept: None,
        }
    }
}

impl EntrySource for LastN {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        if self.kept.is_none() {
            let mut kept = VecDeque::with_capacity(self.keep + 1);
            while let Some(entry) = self.inner.next_entry()? {
                kept.push_back(entry);
                if kept.len() > self.keep {
                    kept.pop_front();
                }
            }
            self.kept = Some(kept);
        }
        Ok(self.kept.as_mut().and_then(VecDeque::pop_front))
    }

    fn diagnostics(&self) -> &Diagnostics {
        self.inner.diagnostics()
    }
}

//! `Filter::last` for sources that cannot seek: read on, keep the last N
//! (of everything, or of each boot for `Filter::last_per_boot`).

use std::collections::{HashMap, VecDeque};

use super::{Diagnostics, Entry, EntrySource, Id128, JournalError};

pub struct LastN {
    inner: Box<dyn EntrySource>,
    keep: usize,
    /// With `Filter::last_per_boot`: the boots, in the order to deliver them.
    boots: Option<Vec<Id128>>,
    kept: Option<VecDeque<Entry>>,
}

impl LastN {
    pub fn new(inner: Box<dyn EntrySource>, keep: usize) -> LastN {
        LastN {
            inner,
            keep,
            boots: None,
            kept: None,
        }
    }

    /// The last `keep` entries of each boot in `boots`, boot after boot.
    pub fn per_boot(inner: Box<dyn EntrySource>, keep: usize, boots: Vec<Id128>) -> LastN {
        LastN {
            inner,
            keep,
            boots: Some(boots),
            kept: None,
        }
    }

    fn fill(&mut self) -> Result<VecDeque<Entry>, JournalError> {
        let mut kept: HashMap<Option<Id128>, VecDeque<Entry>> = HashMap::new();
        let per_boot = self.boots.is_some();
        while let Some(entry) = self.inner.next_entry()? {
            let key = per_boot.then_some(entry.boot_id);
            let tail = kept.entry(key).or_default();
            tail.push_back(entry);
            if tail.len() > self.keep {
                tail.pop_front();
            }
        }
        Ok(match &self.boots {
            Some(boots) => boots
                .iter()
                .flat_map(|b| kept.remove(&Some(*b)).unwrap_or_default())
                .collect(),
            None => kept.remove(&None).unwrap_or_default(),
        })
    }
}

impl EntrySource for LastN {
    fn next_entry(&mut self) -> Result<Option<Entry>, JournalError> {
        if self.kept.is_none() {
            self.kept = Some(self.fill()?);
        }
        Ok(self.kept.as_mut().and_then(VecDeque::pop_front))
    }

    fn diagnostics(&self) -> &Diagnostics {
        self.inner.diagnostics()
    }
}

//! Which machines the source holds, and a view of each: decided from the
//! data alone (see [`machines`]), reading no more than the boot scan did
//! when it can.

use std::path::PathBuf;
use std::sync::{OnceLock, PoisonError};

use super::{Error, Result, Session, ids};
use crate::journal::{self, EntrySource, Fields, Filter, JournalError, SourceSpec};
use crate::machines::{self, Machine};

/// The machines a command works on.
pub enum Hosts {
    /// One machine and no `-M`: the command runs as it always did, on the
    /// whole session, and its output does not name the host.
    One,
    /// Several machines, or the one `-M` named: a view per machine, and the
    /// output names each host.
    Many(Vec<Session>),
}

impl Session {
    /// Every machine in the selection (one, with no id, when the entries
    /// carry no `_MACHINE_ID`), decided from the data alone (see
    /// [`machines`]): the boots' last entries as the scan read them, then
    /// the whole of any boot those do not place, then the headers of its
    /// files. A boot still undecided is named in a warning with its files.
    pub fn machines(&self) -> Result<Vec<Machine>> {
        if let Some(m) = self.grouped.get() {
            return Ok(m.clone());
        }
        let boots = ids(&self.boots()?);
        let kept = self
            .tails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut owners = machines::Owners::default();
        match kept {
            // The same boots' same last entries: the scan read every boot
            // the listing has, with the same time bounds.
            Some(entries) => owners.read(&mut Replay(entries.into_iter()))?,
            None => owners.read(self.open(machines::tails_filter(&boots))?.as_mut())?,
        }
        // With one machine or none named, an unnamed boot is that one's
        // (see `Owners::group`): only among several is it worth a read.
        let unnamed = owners.unnamed(&boots);
        if !unnamed.is_empty() && owners.known().len() > 1 {
            owners.read(self.open(machines::whole_boots_filter(&unnamed))?.as_mut())?;
        }
        let mut grouping = owners.group(&boots);
        let mut holders = std::collections::BTreeMap::new();
        if !grouping.undecided.is_empty() {
            let known = owners.known();
            for boot in &grouping.undecided {
                let files = self.files_holding(*boot);
                let headers: Vec<Option<journal::Id128>> = files
                    .iter()
                    .map(|f| journal::libsystemd::header_machine_id(f))
                    .collect();
                // Only a header id the entries also name: a journal-remote
                // file's header names the receiver, not the senders.
                if let Some(Some(id)) = headers.first()
                    && headers.iter().all(|h| h == &Some(*id))
                    && known.contains(id)
                {
                    owners.assign(*boot, *id);
                }
                holders.insert(*boot, files);
            }
            grouping = owners.group(&boots);
        }
        for boot in &grouping.undecided {
            let files = holders.get(boot).cloned().unwrap_or_default();
            let why = if files.is_empty() {
                format!(
                    "in {}, none of its entries names a machine",
                    self.spec.describe()
                )
            } else {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                format!(
                    "none of its entries names a machine, nor does the header of its files ({}) name one the entries name",
                    names.join(", ")
                )
            };
            self.say(&format!(
                "jforensics: warning: boot {boot}: {why}; the journal holds several machines, so it is listed under machine 'unknown'"
            ));
        }
        for c in &grouping.conflicts {
            self.say(&format!(
                "jforensics: warning: boot {} names {} machines ({}); it is listed under {}, the one its newest entry names",
                c.boot,
                c.ids.len(),
                c.ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                c.chosen
            ));
        }
        Ok(self.grouped.get_or_init(|| grouping.machines).clone())
    }

    /// The journal files of the selection that hold entries of `boot`, for
    /// a warning that must name them (empty for other sources): one read
    /// of one entry per file, on the rare path of an undecided boot.
    fn files_holding(&self, boot: journal::Id128) -> Vec<PathBuf> {
        let files = match &self.spec {
            SourceSpec::Files(files) => files.clone(),
            SourceSpec::Directory(dir) => {
                journal::libsystemd::journal_files_in(dir, &self.spec.describe())
                    .unwrap_or_default()
            }
            _ => return Vec::new(),
        };
        let filter = Filter {
            boots: vec![boot],
            last: Some(1),
            fields: Fields::HeaderOnly,
            ..Filter::all()
        };
        files
            .into_iter()
            .filter(|f| {
                journal::open(
                    &SourceSpec::Files(vec![f.clone()]),
                    &filter,
                    self.strictness,
                )
                .and_then(|mut s| s.next_entry())
                .is_ok_and(|e| e.is_some())
            })
            .collect()
    }

    /// With `-M`, a view of that machine; with several machines, a view of
    /// each; else [`Hosts::One`].
    pub fn hosts(&self) -> Result<Hosts> {
        // Once the boots are scanned, their last entries are at hand and the
        // listing below reads nothing; the index check would read them again.
        if self.machine_arg.is_none() && !self.scanned() && self.one_machine_by_index()? {
            return Ok(Hosts::One);
        }
        let all = self.machines()?;
        if let Some(spec) = &self.machine_arg {
            let m = machines::resolve(&all, spec)?;
            return Ok(Hosts::Many(vec![self.view(m)]));
        }
        if all.len() <= 1 {
            return Ok(Hosts::One);
        }
        Ok(Hosts::Many(all.iter().map(|m| self.view(m)).collect()))
    }

    /// For the commands about one boot (`since-boot`, `unit`, `report`): the
    /// machine `-M` names, or None when the journal holds one machine.
    pub fn single_host(&self) -> Result<Option<Session>> {
        match self.hosts()? {
            Hosts::One => Ok(None),
            Hosts::Many(mut views) if views.len() == 1 => Ok(views.pop()),
            Hosts::Many(views) => {
                let all: Vec<Machine> = views.iter().filter_map(|v| v.scope.clone()).collect();
                Err(Error::Usage(format!(
                    "the journal holds {} machines ({}): pick one with -M ID|HOSTNAME",
                    all.len(),
                    machines::listing(&all)
                )))
            }
        }
    }
}

/// Entries read once and handed out again.
struct Replay(std::vec::IntoIter<journal::Entry>);

impl EntrySource for Replay {
    fn next_entry(&mut self) -> std::result::Result<Option<journal::Entry>, JournalError> {
        Ok(self.0.next())
    }
    fn diagnostics(&self) -> &journal::Diagnostics {
        static NONE: OnceLock<journal::Diagnostics> = OnceLock::new();
        NONE.get_or_init(journal::Diagnostics::default)
    }
}

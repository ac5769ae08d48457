//! A journal's [`Outline`] from its files' index: every `_BOOT_ID=` value
//! with the first and last entry holding it, and the `_MACHINE_ID=` values.
//!
//! Within one file seqnums rise with the entries' order (libsystemd's
//! bisection by seqnum relies on it), so a boot's lowest and highest seqnum
//! in a file are those of its first and last readable entry there: what
//! summing every header of the boot would find. The outline is only given
//! when every entry of every file holds exactly one `_BOOT_ID` value and the
//! headers of each boot's end entries agree with it; otherwise the caller
//! sums the headers.

use std::collections::{BTreeMap, HashSet};

use super::format::JournalFile;
use super::{Paths, open_all};
use crate::outline::{BootSpan, Outline};
use crate::{Filter, Id128};

/// The outline of the journal at `paths` under `filter`; `None` when the
/// index cannot answer alone (time bounds, which no index holds, or any
/// doubt about the files) or the journal has no readable entry.
pub fn outline(paths: &Paths, filter: &Filter) -> Option<Outline> {
    if *filter != Filter::all() {
        return None;
    }
    let files = open_all(paths)?;
    let mut boots: BTreeMap<Id128, Vec<(Id128, u64, u64)>> = BTreeMap::new();
    let mut machines: HashSet<Vec<u8>> = HashSet::new();
    for file in &files {
        let mut held = 0u64;
        for data in file.field_data(b"_BOOT_ID")? {
            let entries = file.data_entries(data)?;
            held += entries.len() as u64;
            let payload = file.data_payload(data)?;
            let boot_id = Id128::parse_bytes(payload.strip_prefix(b"_BOOT_ID=")?)?;
            let Some((lo, hi)) = seqnum_span(file, &entries, boot_id)? else {
                continue;
            };
            let series = boots.entry(boot_id).or_default();
            match series.iter_mut().find(|(s, _, _)| *s == file.seqnum_id) {
                Some((_, l, h)) => {
                    *l = (*l).min(lo);
                    *h = (*h).max(hi);
                }
                None => series.push((file.seqnum_id, lo, hi)),
            }
        }
        if held != file.n_entries {
            return None;
        }
        for data in file.field_data(b"_MACHINE_ID")? {
            machines.insert(file.data_payload(data)?.into_owned());
        }
    }
    if boots.is_empty() {
        return None;
    }
    Some(Outline {
        boots: boots
            .into_iter()
            .map(|(boot_id, series)| BootSpan {
                boot_id,
                seqnums: series
                    .into_iter()
                    .map(|(s, lo, hi)| (s.to_string(), lo, hi))
                    .collect(),
            })
            .collect(),
        machine_ids: machines.len(),
    })
}

/// The seqnums of the first and last readable entry at `entries`:
/// `Some(None)` when none is readable, `None` when an entry's header names
/// another boot than its `_BOOT_ID` field.
fn seqnum_span(file: &JournalFile, entries: &[u64], boot_id: Id128) -> Option<Option<(u64, u64)>> {
    let mut readable = entries.iter().filter_map(|at| file.entry(*at));
    let Some(first) = readable.next() else {
        return Some(None);
    };
    let last = entries
        .iter()
        .rev()
        .find_map(|at| file.entry(*at))
        .unwrap_or(first);
    if first.boot_id != boot_id || last.boot_id != boot_id || first.seqnum > last.seqnum {
        return None;
    }
    Some(Some((first.seqnum, last.seqnum)))
}

/// The boots whose entries the journal file at `path` holds, and the
/// machine ids its entries name, from its index alone: every `_BOOT_ID=`
/// value, when those values account for every entry of the file once and
/// each one's first entry is of that boot. `None` when the index cannot say
/// (a damaged or unkeyed file, an entry without or with two boot ids): the
/// caller must then treat the file as holding any boot.
pub fn boots_in(
    path: &std::path::Path,
    access: super::format::Access,
) -> Option<(Vec<Id128>, Vec<Id128>)> {
    let file = JournalFile::open_as(path, access)?;
    let mut boots = Vec::new();
    let mut held = 0u64;
    for data in file.field_data(b"_BOOT_ID")? {
        let (count, first) = file.data_entry_count(data)?;
        let payload = file.data_payload(data)?;
        let boot_id = Id128::parse_bytes(payload.strip_prefix(b"_BOOT_ID=")?)?;
        if count > 0 && file.entry(first)?.boot_id != boot_id {
            return None;
        }
        held = held.checked_add(count)?;
        boots.push(boot_id);
    }
    let mut machines = Vec::new();
    for data in file.field_data(b"_MACHINE_ID")? {
        machines.push(Id128::parse_bytes(
            file.data_payload(data)?.strip_prefix(b"_MACHINE_ID=")?,
        )?);
    }
    (held == file.n_entries).then_some((boots, machines))
}

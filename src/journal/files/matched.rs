//! Matched reads straight from the journal files, through their index.
//!
//! A match (`UNIT=foo.service`, `_BOOT_ID=…`) names DATA objects, and every
//! DATA object lists the entries that hold it: libsystemd answers matches
//! from those lists, and so does this module, without what libsystemd costs
//! per entry (`sd_journal_next()`, three getters, a cursor string, every
//! field unpacked and copied across the pipe in full). It was written for the
//! boot listing's marker lines: on a journal of a million entries, PID 1's
//! kernel-relayed lines alone are 48,620 entries, half a second through
//! libsystemd and a few dozen distinct messages.
//!
//! Entries come out as libsystemd's reader would deliver them under the same
//! filter (`../libsystemd.rs`): the same order across files (`merge.rs`),
//! the same header, cursor and fields. The rule of `mod.rs` holds: a
//! shortcut, never a second opinion. Anything this reader does not redo (a
//! file without keyed hashes, an LZ4 payload, a borked object) ends the read
//! early and says how many entries it delivered, and libsystemd reads the
//! rest. The tests (`tests.rs`) hold both to the same entries on every
//! fixture.

use std::collections::HashMap;

use super::format::JournalFile;
use super::merge;
use super::{Paths, cursor, open_all};
use crate::journal::{Entry, Fields, Filter, Match};

/// How a read ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every entry the filter selects was delivered.
    Done,
    /// This reader stopped after `delivered` entries (perhaps before the
    /// first): libsystemd must deliver the rest, skipping that many.
    LeftToLibsystemd { delivered: u64 },
}

/// A field of a DATA object, as an entry carries it; `None` for a payload
/// libsystemd's reader skips (no `=`, a name that is not UTF-8).
type Field = Option<(Box<str>, Box<[u8]>)>;

/// Bounds the memory of the field cache on long reads.
const CACHE_MAX: usize = 1 << 18;

/// Reads the entries `filter` selects, handing each to `deliver` in
/// libsystemd's order. Only reads that name something to match (a boot or
/// a field) are answered here; a whole journal or a tail is libsystemd's.
pub fn read(
    paths: &Paths,
    filter: &Filter,
    mut deliver: impl FnMut(Entry) -> std::io::Result<()>,
) -> std::io::Result<Outcome> {
    let not_mine = Ok(Outcome::LeftToLibsystemd { delivered: 0 });
    if filter.last.is_some() || (filter.any_of.is_empty() && filter.boots.is_empty()) {
        return not_mine;
    }
    let Some(files) = open_all(paths) else {
        return not_mine;
    };
    let Some(offsets) = files
        .iter()
        .map(|f| selected(f, filter))
        .collect::<Option<Vec<_>>>()
    else {
        return not_mine;
    };
    let mut cache: HashMap<(usize, u64), Field> = HashMap::new();
    let mut delivered = 0u64;
    let mut failure = None;
    let mut doubt = false;
    merge::walk_offsets(&files, offsets, |at, file, offset| {
        let h = &at.head;
        if !filter.accepts_time(h.realtime) {
            return true;
        }
        let mut entry = Entry::new(h.realtime, h.boot_id);
        entry.monotonic_usec = Some(h.monotonic);
        entry.seqnum = Some(h.seqnum);
        entry.cursor = cursor(at);
        if filter.fields != Fields::HeaderOnly
            && fill(
                &mut entry,
                &files[file],
                file,
                offset,
                &filter.fields,
                &mut cache,
            )
            .is_none()
        {
            doubt = true;
            return false;
        }
        match deliver(entry) {
            Ok(()) => {
                delivered += 1;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(if doubt {
        Outcome::LeftToLibsystemd { delivered }
    } else {
        Outcome::Done
    })
}

/// The offsets of `file`'s entries the filter's matches select, in the
/// file's order: `sd_journal_add_match()`'s rule (see [`Filter::any_of`]),
/// the boots ANDed onto it.
fn selected(file: &JournalFile, filter: &Filter) -> Option<Vec<u64>> {
    let groups = if filter.any_of.is_empty() {
        None
    } else {
        let mut union = Vec::new();
        for group in &filter.any_of {
            union = merge_sorted(&union, &group_entries(file, group)?);
        }
        Some(union)
    };
    let boots = if filter.boots.is_empty() {
        None
    } else {
        let mut union = Vec::new();
        for boot in &filter.boots {
            union = merge_sorted(
                &union,
                &entries_with(file, format!("_BOOT_ID={boot}").as_bytes())?,
            );
        }
        Some(union)
    };
    Some(match (groups, boots) {
        (Some(g), Some(b)) => intersect_sorted(&g, &b),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => Vec::new(),
    })
}

/// One group: terms on the same field ORed, different fields ANDed.
fn group_entries(file: &JournalFile, group: &[Match]) -> Option<Vec<u64>> {
    let mut fields: Vec<&str> = group.iter().map(|m| m.field.as_str()).collect();
    fields.sort_unstable();
    fields.dedup();
    let mut result: Option<Vec<u64>> = None;
    for field in fields {
        let mut any = Vec::new();
        for m in group.iter().filter(|m| m.field == field) {
            let mut payload = format!("{}=", m.field).into_bytes();
            payload.extend_from_slice(&m.value);
            any = merge_sorted(&any, &entries_with(file, &payload)?);
        }
        result = Some(match result {
            None => any,
            Some(r) => intersect_sorted(&r, &any),
        });
    }
    result
}

/// The entries holding exactly `payload`; none when the file lacks it.
fn entries_with(file: &JournalFile, payload: &[u8]) -> Option<Vec<u64>> {
    match file.find_data(payload)? {
        Some(data) => file.data_entries(data),
        None => Some(Vec::new()),
    }
}

fn merge_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn intersect_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Adds the entry's fields as `LibsystemdSource::read_current()` keeps
/// them: every DATA object in stored order, positions counted over the
/// well-formed ones. `None` when a DATA object cannot be read here.
fn fill(
    entry: &mut Entry,
    file: &JournalFile,
    index: usize,
    offset: u64,
    fields: &Fields,
    cache: &mut HashMap<(usize, u64), Field>,
) -> Option<()> {
    if cache.len() > CACHE_MAX {
        cache.clear();
    }
    let mut position = 0;
    for data in file.entry_data(offset)? {
        if data == 0 {
            // An item never written (the writer died mid-entry): libsystemd
            // skips it and reads the entry's other fields.
            continue;
        }
        let field = match cache.get(&(index, data)) {
            Some(f) => f,
            None => {
                let parsed = parse(&file.data_payload(data)?);
                cache.entry((index, data)).or_insert(parsed)
            }
        };
        if let Some((name, value)) = field {
            if fields.keeps(position, name) {
                entry.push_field(name, value);
            }
            position += 1;
        }
    }
    Some(())
}

fn parse(payload: &[u8]) -> Field {
    let eq = payload.iter().position(|b| *b == b'=')?;
    let name = std::str::from_utf8(&payload[..eq]).ok()?;
    Some((name.into(), payload[eq + 1..].into()))
}

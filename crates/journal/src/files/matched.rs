//! Matched reads straight from the journal files, through their index.
//!
//! A match (`UNIT=foo.service`, `_BOOT_ID=…`) names DATA objects, and every
//! DATA object lists the entries that hold it: libsystemd answers matches
//! from those lists, and so does this module, without what libsystemd costs
//! per entry (`sd_journal_next()`, three getters, a cursor string, every
//! field unpacked and copied across the pipe in full). It was written for the
//! boot listing's marker lines: on a journal of a million entries, PID 1's
//! kernel-relayed lines alone are 48,620 entries, half a second through
//! libsystemd and a few dozen distinct messages. It also answers a prefix
//! term ([`Match::starting`]) by reading the term's field of each entry the
//! group's other terms select, and each boot's last entries (`tail`).
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

use super::format::{EntryHead, JournalFile};
use super::merge::{self, Located};
use super::{Paths, cursor, open_all};
use crate::filter::{FieldPicker, checked_per_entry, group_fields};
use crate::{Entry, Fields, Filter, Match};

/// How a read ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every entry the filter selects was delivered.
    Done,
    /// This reader stopped after `delivered` entries (perhaps before the
    /// first): libsystemd must deliver the rest, skipping that many.
    LeftToLibsystemd { delivered: u64 },
}

/// Packed DATA payloads, unpacked, by file and object offset: the same
/// object recurs in many entries, and unpacking is what it costs. Payloads
/// stored as they are are read straight from the map instead.
type Unpacked = HashMap<(usize, u64), Box<[u8]>, OffsetHash>;

/// Bounds the memory of the unpacked payloads on long reads.
const CACHE_MAX: usize = 1 << 18;

/// Reads the entries `filter` selects, handing each to `deliver` in
/// libsystemd's order. Only reads that name something to match (a boot or
/// a field) are answered here; a whole journal is libsystemd's.
pub fn read(
    paths: &Paths,
    filter: &Filter,
    deliver: impl FnMut(Entry) -> std::io::Result<()>,
) -> std::io::Result<Outcome> {
    let not_mine = Ok(Outcome::LeftToLibsystemd { delivered: 0 });
    if filter.any_of.is_empty() && filter.boots.is_empty() {
        return not_mine;
    }
    let Some(files) = open_all(paths) else {
        return not_mine;
    };
    // Each boot's tail in turn, as `LibsystemdSource` reads them; else one part.
    let parts: Vec<Filter> =
        if filter.last.is_some() && filter.last_per_boot && !filter.boots.is_empty() {
            filter
                .boots
                .iter()
                .map(|b| Filter {
                    boots: vec![*b],
                    ..filter.clone()
                })
                .collect()
        } else {
            vec![filter.clone()]
        };
    let mut out = Emitter {
        files: &files,
        filter,
        picker: filter.fields.picker(),
        cache: HashMap::default(),
        delivered: 0,
        deliver,
        failure: None,
        doubt: false,
        last_size: (0, 0),
    };
    for part in &parts {
        let Some(offsets) = files
            .iter()
            .map(|f| selected(f, part).map(|list| from_position(f, list, part)))
            .collect::<Option<Vec<_>>>()
        else {
            out.doubt = true;
            break;
        };
        match part.last {
            None => merge::walk_offsets(&files, offsets, |at, file, offset| {
                out.emit(at, file, offset)
            }),
            Some(n) => match tail(&files, offsets, n, part.boots.len()) {
                Some(last) => {
                    for (at, file, offset) in &last {
                        if !out.emit(at, *file, *offset) {
                            break;
                        }
                    }
                }
                None => out.doubt = true,
            },
        }
        if out.doubt || out.failure.is_some() {
            break;
        }
    }
    if let Some(e) = out.failure {
        return Err(e);
    }
    Ok(if out.doubt {
        Outcome::LeftToLibsystemd {
            delivered: out.delivered,
        }
    } else {
        Outcome::Done
    })
}

/// `list` (a file's selected entries) from the first at or after the
/// filter's [`Filter::from`], found by bisection: journald numbers a file's
/// entries in the order it appends them, and within one boot they rise in
/// monotonic time, so a resumed read skips the part of the boot it has seen
/// without reading it. The clock is used only when the read is of that one
/// boot. An entry that cannot be read counts as past the bound (more is
/// kept, never less), and every delivered entry is checked against the
/// bound anyway. Where that order is broken (damage that `verify.rs`
/// names), an entry past the bound may be left out: the one caller,
/// `watch`'s resumed read, then misses the entry it resumes after or its
/// count, and reads the boot whole.
fn from_position(file: &JournalFile, mut list: Vec<u64>, filter: &Filter) -> Vec<u64> {
    let Some(from) = filter.from else {
        return list;
    };
    let by_seqnum = file.seqnum_id == from.seqnum_id;
    if !by_seqnum && filter.boots != [from.boot_id] {
        return list;
    }
    let before = |head: EntryHead| {
        if by_seqnum {
            head.seqnum < from.seqnum
        } else {
            head.monotonic < from.monotonic_usec
        }
    };
    let start = list.partition_point(|offset| file.entry(*offset).is_some_and(before));
    list.drain(..start);
    list
}

/// The last `n` entries at `offsets` (entries of `boots` boots) in libsystemd's
/// order. libsystemd finds a tail by stepping backwards from the end, which
/// retraces stepping forward when the order of the entries involved is
/// total: in one file (by offset), or in one boot where every file's
/// entries rise in monotonic time (entries of two files are then compared
/// by it). Other tails are left to it: on systemd's no-RTC sample, stepping
/// back across files finds other entries.
fn tail(
    files: &[JournalFile],
    offsets: Vec<Vec<u64>>,
    n: usize,
    boots: usize,
) -> Option<Vec<(Located, usize, u64)>> {
    let holding = offsets.iter().filter(|o| !o.is_empty()).count();
    // The last `n` lie among each file's last `n` readable entries; borked
    // ones (the end of a file whose writer died) are stepped over.
    let lists: Vec<Vec<u64>> = offsets
        .iter()
        .zip(files)
        .map(|(list, file)| {
            let mut readable = 0;
            let start = list
                .iter()
                .rposition(|offset| {
                    readable += usize::from(file.entry(*offset).is_some());
                    readable == n
                })
                .unwrap_or(0);
            list[start..].to_vec()
        })
        .collect();
    if holding > 1 && (boots != 1 || !rising(files, &lists)) {
        return None;
    }
    let mut all = Vec::new();
    merge::walk_offsets(files, lists, |at, file, offset| {
        all.push((*at, file, offset));
        true
    });
    let skip = all.len().saturating_sub(n);
    Some(all.split_off(skip))
}

/// True when each file's readable entries at `lists` rise in monotonic time.
fn rising(files: &[JournalFile], lists: &[Vec<u64>]) -> bool {
    files.iter().zip(lists).all(|(file, list)| {
        let mut last = 0;
        list.iter()
            .filter_map(|offset| file.entry(*offset))
            .all(|head| {
                let rises = head.monotonic > last;
                last = head.monotonic;
                rises
            })
    })
}

/// Hands entries out, with their fields, as the read goes.
struct Emitter<'a, D> {
    files: &'a [JournalFile],
    filter: &'a Filter,
    picker: FieldPicker<'a>,
    cache: Unpacked,
    delivered: u64,
    deliver: D,
    failure: Option<std::io::Error>,
    doubt: bool,
    /// Fields and bytes of the entry delivered last.
    last_size: (usize, usize),
}

impl<D: FnMut(Entry) -> std::io::Result<()>> Emitter<'_, D> {
    /// Delivers one entry (if its time passes); false to stop the read.
    fn emit(&mut self, at: &Located, file: usize, offset: u64) -> bool {
        let h = &at.head;
        if !self.filter.accepts_time(h.realtime) || !self.filter.accepts_place(&super::place(at)) {
            return true;
        }
        let mut entry = Entry::new(h.realtime, h.boot_id);
        // Entries of one read are alike in size: room for the last one's.
        entry.reserve(self.last_size.0, self.last_size.1);
        entry.monotonic_usec = Some(h.monotonic);
        entry.seqnum = Some(h.seqnum);
        entry.cursor = cursor(at);
        if self.filter.fields != Fields::HeaderOnly
            && fill(
                &mut entry,
                &self.files[file],
                file,
                offset,
                &self.picker,
                &mut self.cache,
            )
            .is_none()
        {
            self.doubt = true;
            return false;
        }
        self.last_size = (entry.field_count(), entry.data_len());
        match (self.deliver)(entry) {
            Ok(()) => {
                self.delivered += 1;
                true
            }
            Err(e) => {
                self.failure = Some(e);
                false
            }
        }
    }
}

/// The offsets of `file`'s entries the filter's matches select, in the
/// file's order: `sd_journal_add_match()`'s rule (see [`Filter::any_of`]),
/// the boots ANDed onto it.
pub(super) fn selected(file: &JournalFile, filter: &Filter) -> Option<Vec<u64>> {
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

/// One group: terms on the same field ORed, different fields ANDed. A
/// field with a prefix term is checked on the entries the other fields
/// select; a group of such fields alone is left to libsystemd.
fn group_entries(file: &JournalFile, group: &[Match]) -> Option<Vec<u64>> {
    let (checked, looked_up): (Vec<&str>, Vec<&str>) = group_fields(group)
        .into_iter()
        .partition(|f| checked_per_entry(group, f));
    let mut result: Option<Vec<u64>> = None;
    for field in looked_up {
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
    let mut result = result?;
    for field in checked {
        let terms: Vec<&Match> = group.iter().filter(|m| m.field == field).collect();
        let mut holds: HashMap<u64, bool, OffsetHash> = HashMap::default();
        let mut kept = Vec::with_capacity(result.len());
        for entry in result {
            let mut any = false;
            for data in file.entry_data(entry)? {
                if data == 0 {
                    continue;
                }
                let ok = match holds.get(&data) {
                    Some(ok) => *ok,
                    None => {
                        let payload = file.data_payload(data)?;
                        let ok = payload
                            .strip_prefix(field.as_bytes())
                            .and_then(|rest| rest.strip_prefix(b"="))
                            .is_some_and(|value| terms.iter().any(|m| m.holds_for(value)));
                        *holds.entry(data).or_insert(ok)
                    }
                };
                if ok {
                    any = true;
                    break;
                }
            }
            if any {
                kept.push(entry);
            }
        }
        result = kept;
    }
    Some(result)
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
    picker: &FieldPicker,
    cache: &mut Unpacked,
) -> Option<()> {
    if cache.len() > CACHE_MAX {
        cache.clear();
    }
    // Fields counted so far: the first few are kept whatever their names.
    let mut position = 0;
    for data in file.entry_data(offset)? {
        if data == 0 {
            // An item never written (the writer died mid-entry): libsystemd
            // skips it and reads the entry's other fields.
            continue;
        }
        let payload: &[u8] = match file.data_plain(data) {
            Some(plain) => plain,
            None => match cache.entry((index, data)) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(file.data_payload(data)?.into_owned().into_boxed_slice())
                }
            },
        };
        // libsystemd's reader skips a payload without `=` or whose name is
        // not UTF-8; such a field takes no position.
        let Some(eq) = payload.iter().position(|b| *b == b'=') else {
            continue;
        };
        let (name, value) = (&payload[..eq], &payload[eq + 1..]);
        let wanted = picker.wants(name);
        if !wanted && position >= Fields::FIRST_KEPT {
            continue;
        }
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        entry.push_field(name, value);
        position += 1;
    }
    Some(())
}

/// Object offsets are distinct numbers from this process's own files, not
/// keys anyone chooses: a multiplicative hash serves, at a fraction of
/// SipHash's cost per lookup (a million lookups per read of many entries).
type OffsetHash = std::hash::BuildHasherDefault<OffsetHasher>;

#[derive(Default)]
struct OffsetHasher(u64);

impl std::hash::Hasher for OffsetHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

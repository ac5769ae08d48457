//! The journal file format, as far as entry headers go: the file header,
//! the chain of entry arrays, and the fixed part of each ENTRY object.
//!
//! Layout from systemd's `src/libsystemd/sd-journal/journal-def.h` (v252);
//! the checks are those libsystemd 252 makes before it uses the same bytes
//! (`journal_file_verify_header`, `journal_file_move_to_object`,
//! `check_object`). Where libsystemd would skip or refuse something, this
//! reader does not guess what it would do next: it answers `None`, and the
//! caller reads with libsystemd instead.
//!
//! For matches (`matched.rs`) it also finds DATA objects through the data
//! hash table, lists the entries that hold one, and reads the data of an
//! entry; for the outline (`outline.rs`), every value of a field through the
//! field hash table. Only files with keyed hashes (systemd 246 and later write them)
//! are searched, and only zstd and xz payloads are unpacked: for anything
//! else the answer is `None` as above.

use std::path::Path;

use super::mapped::{self, Mapped};
use crate::Id128;

const SIGNATURE: &[u8; 8] = b"LPKSHHRH";
/// The header up to `n_data`, the first field added after the original
/// format: libsystemd's `HEADER_SIZE_MIN`.
const HEADER_SIZE_MIN: u64 = 208;
/// `n_entry_arrays` ends here; sealed files must have it.
const HEADER_WITH_ENTRY_ARRAYS: u64 = 240;
const STATE_MAX: u8 = 3;
const COMPATIBLE_SEALED: u32 = 1;
/// Every incompatible flag libsystemd 252 knows: XZ, LZ4, KEYED_HASH, ZSTD,
/// COMPACT. Any other one makes it refuse the file.
const INCOMPATIBLE_KNOWN: u32 = 0x1f;
const INCOMPATIBLE_COMPACT: u32 = 1 << 4;
const INCOMPATIBLE_KEYED_HASH: u32 = 1 << 2;

const OBJECT_DATA: u8 = 1;
const OBJECT_FIELD: u8 = 2;
/// `sizeof(FieldObject)` up to the payload: object header, hash, next in
/// the hash chain, first DATA object of the field.
const FIELD_FIXED: u64 = 40;
/// `sizeof(DataObject)` up to the payload, regular and compact.
const DATA_FIXED: u64 = 64;
const DATA_FIXED_COMPACT: u64 = 72;
/// A data object's payload compression (object header flags).
const OBJECT_COMPRESSED_XZ: u8 = 1;
const OBJECT_COMPRESSED_ZSTD: u8 = 4;
/// libsystemd's default data threshold: it hands out no more of a field than
/// this, so a larger one is left to it.
const DATA_THRESHOLD: usize = 64 * 1024;
/// `sizeof(HashItem)`: head and tail of one bucket's chain.
const HASH_ITEM: u64 = 16;

const OBJECT_ENTRY: u8 = 3;
const OBJECT_ENTRY_ARRAY: u8 = 6;
/// `sizeof(EntryObject)`: object header, seqnum, realtime, monotonic,
/// boot id, xor hash.
const ENTRY_FIXED: u64 = 64;
/// `sizeof(EntryArrayObject)`: object header and the next array's offset.
const ARRAY_FIXED: u64 = 24;
/// libsystemd's VALID_REALTIME/VALID_MONOTONIC bound.
const TIME_LIMIT: u64 = 1 << 55;

/// One journal file, mapped, with the header fields the walk needs.
pub struct JournalFile {
    map: Mapped,
    /// A private snapshot of a file a writer was changing (`snapshot.rs`):
    /// whatever points beyond its end was written after it and is left out.
    snapshot: bool,
    pub seqnum_id: Id128,
    compact: bool,
    header_size: u64,
    pub n_entries: u64,
    entry_array_offset: u64,
    /// The siphash key of keyed files; `None` when the file hashes with
    /// Jenkins' hash, which this reader does not redo.
    hash_key: Option<(u64, u64)>,
    data_hash_table_offset: u64,
    data_hash_table_size: u64,
    field_hash_table_offset: u64,
    field_hash_table_size: u64,
}

/// The fixed part of an ENTRY object: all a cursor and the merge need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryHead {
    pub seqnum: u64,
    pub realtime: u64,
    pub monotonic: u64,
    pub boot_id: Id128,
    pub xor_hash: u64,
}

fn le64(b: &[u8], at: u64) -> Option<u64> {
    let at = usize::try_from(at).ok()?;
    let bytes = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

fn le32(b: &[u8], at: u64) -> Option<u64> {
    let at = usize::try_from(at).ok()?;
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes(bytes.try_into().ok()?)))
}

fn id128(b: &[u8], at: usize) -> Option<Id128> {
    Some(Id128(b.get(at..at + 16)?.try_into().ok()?))
}

/// Why libsystemd leaves the file at `path` out of a journal without a
/// word to its caller (journalctl says "… is truncated, ignoring file"), and
/// what the file's header says it held: `None` when the header passes
/// libsystemd's checks (`journal_file_verify_header`). Only reasons
/// libsystemd certainly refuses a file for are named, so a file it reads is
/// never reported lost.
pub fn refusal(path: &Path) -> Option<Refusal> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut b = Vec::with_capacity(HEADER_WITH_ENTRY_ARRAYS as usize);
    file.by_ref()
        .take(HEADER_WITH_ENTRY_ARRAYS)
        .read_to_end(&mut b)
        .ok()?;
    let refused = |reason: String, header: bool| {
        Some(Refusal {
            reason,
            held: header.then(|| Held::from_header(&b)).flatten(),
        })
    };
    if len == 0 {
        return refused("empty".to_string(), false);
    }
    if len < HEADER_SIZE_MIN || b.get(..8) != Some(&SIGNATURE[..]) {
        return refused(
            if b.get(..8) == Some(&SIGNATURE[..]) {
                format!("cut off inside its header ({len} bytes)")
            } else if looks_like_a_stream(&b) {
                "a journalctl -o export or -o json stream, not a binary journal file (read it with --input)".to_string()
            } else {
                "not a journal file (no journal signature)".to_string()
            },
            false,
        );
    }
    let incompatible = le32(&b, 12)? as u32;
    let header_size = le64(&b, 88)?;
    let arena_size = le64(&b, 96)?;
    if incompatible & !INCOMPATIBLE_KNOWN != 0 {
        return refused(
            format!(
                "written with features this libsystemd does not know (flags {incompatible:#x})"
            ),
            true,
        );
    }
    if b[16] >= STATE_MAX || header_size < HEADER_SIZE_MIN {
        return refused("damaged in its header".to_string(), false);
    }
    match header_size.checked_add(arena_size) {
        Some(end) if end <= len => None,
        _ => refused(
            format!(
                "truncated ({len} bytes where its header says {})",
                header_size.saturating_add(arena_size)
            ),
            true,
        ),
    }
}

/// What the header of the journal file at `path` says it held; `None`
/// when there is no header to tell or it counts no entries.
pub fn held(path: &Path) -> Option<Held> {
    use std::io::Read;
    let mut b = Vec::with_capacity(HEADER_WITH_ENTRY_ARRAYS as usize);
    std::fs::File::open(path)
        .ok()?
        .take(HEADER_WITH_ENTRY_ARRAYS)
        .read_to_end(&mut b)
        .ok()?;
    (b.get(..8) == Some(&SIGNATURE[..])).then_some(())?;
    Held::from_header(&b)
}

/// Whether a file's first bytes are journalctl's text output: an export
/// record (`__CURSOR=`, `__REALTIME_TIMESTAMP=`…) or a JSON object.
fn looks_like_a_stream(first: &[u8]) -> bool {
    first.starts_with(b"__") || first.trim_ascii_start().starts_with(b"{")
}

/// A file libsystemd refuses, and why (see [`refusal`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    /// What its header says it held, when the header is whole.
    pub held: Option<Held>,
}

/// The entries a journal file's header says it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub entries: u64,
    pub first_realtime_usec: u64,
    pub last_realtime_usec: u64,
    pub first_seqnum: u64,
    pub last_seqnum: u64,
    /// The boot of its last entry.
    pub last_boot: Id128,
}

impl Held {
    fn from_header(b: &[u8]) -> Option<Held> {
        let entries = le64(b, 152)?;
        (entries > 0).then_some(())?;
        Some(Held {
            entries,
            first_realtime_usec: le64(b, 184)?,
            last_realtime_usec: le64(b, 192)?,
            first_seqnum: le64(b, 168)?,
            last_seqnum: le64(b, 160)?,
            last_boot: id128(b, 56)?,
        })
    }
}

/// How a file may be mapped (see `snapshot.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A file no one writes: one jforensics unpacked or copied itself.
    Private,
    /// A file as found: mapped only while its header says ARCHIVED.
    Archived,
    /// A private snapshot of a file that was being written.
    Snapshot,
}

impl JournalFile {
    /// Opens a private file (see [`JournalFile::open_as`]).
    #[cfg(test)]
    pub fn open(path: &Path) -> Option<JournalFile> {
        Self::open_as(path, Access::Private)
    }

    /// Opens and checks the header as libsystemd 252 does; `None` when it
    /// would refuse the file or when this reader is not sure, and for a
    /// file found [`Access::Archived`] whose header says a writer may still
    /// change it.
    pub fn open_as(path: &Path, access: Access) -> Option<JournalFile> {
        let mut file = std::fs::File::open(path).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        if access == Access::Archived
            && super::snapshot::state(&mut file).ok()? != super::snapshot::State::Settled
        {
            return None;
        }
        let map = mapped::map(&file).ok()?;
        let b: &[u8] = &map;
        let len = b.len() as u64;
        if len < HEADER_SIZE_MIN || &b[..8] != SIGNATURE {
            return None;
        }
        let compatible = le32(b, 8)? as u32;
        let incompatible = le32(b, 12)? as u32;
        let state = b[16];
        let header_size = le64(b, 88)?;
        let arena_size = le64(b, 96)?;
        let tail_object_offset = le64(b, 136)?;
        let entry_array_offset = le64(b, 176)?;
        let valid64 = |v: u64| v.is_multiple_of(8);
        let ok = incompatible & !INCOMPATIBLE_KNOWN == 0
            && state < STATE_MAX
            && header_size >= HEADER_SIZE_MIN
            && (compatible & COMPATIBLE_SEALED == 0 || header_size >= HEADER_WITH_ENTRY_ARRAYS)
            && header_size
                .checked_add(arena_size)
                .is_some_and(|end| end <= len && tail_object_offset <= end)
            && [104, 120, 136, 176]
                .iter()
                .all(|at| le64(b, *at).is_some_and(valid64));
        if !ok {
            return None;
        }
        let keyed = incompatible & INCOMPATIBLE_KEYED_HASH != 0;
        Some(JournalFile {
            seqnum_id: id128(b, 72)?,
            compact: incompatible & INCOMPATIBLE_COMPACT != 0,
            header_size,
            n_entries: le64(b, 152)?,
            entry_array_offset,
            hash_key: if keyed {
                Some((le64(b, 24)?, le64(b, 32)?))
            } else {
                None
            },
            data_hash_table_offset: le64(b, 104)?,
            data_hash_table_size: le64(b, 112)?,
            field_hash_table_offset: le64(b, 120)?,
            field_hash_table_size: le64(b, 128)?,
            snapshot: access == Access::Snapshot,
            map,
        })
    }

    /// Where an object of `kind` at `offset` is whole and well-formed (the
    /// checks of `journal_file_move_to_object`), its size.
    fn object(&self, offset: u64, kind: u8, fixed: u64) -> Option<u64> {
        let b: &[u8] = &self.map;
        if !offset.is_multiple_of(8) || offset < self.header_size {
            return None;
        }
        let size = le64(b, offset + 8)?;
        let kind_at = usize::try_from(offset).ok()?;
        let whole = offset
            .checked_add(size)
            .is_some_and(|e| e <= b.len() as u64);
        (*b.get(kind_at)? == kind && size >= fixed && whole).then_some(size)
    }

    /// Gives back the mapped pages of `range` (see `mapped.rs`).
    pub fn release(&self, range: std::ops::Range<u64>) {
        let at = |o: u64| usize::try_from(o).unwrap_or(usize::MAX);
        self.map.release(at(range.start)..at(range.end));
    }

    fn entry_array_item_size(&self) -> u64 {
        if self.compact { 4 } else { 8 }
    }

    fn entry_item_size(&self) -> u64 {
        if self.compact { 4 } else { 16 }
    }

    /// The offsets of every entry, in the file's order, checked as
    /// libsystemd's walk relies on them (arrays well-formed and chained
    /// forward, entries at strictly increasing offsets, which its bisection
    /// assumes). `None` on any doubt.
    pub fn entry_offsets(&self) -> Option<Vec<u64>> {
        let mut out = Vec::with_capacity(usize::try_from(self.n_entries).ok()?.min(1 << 24));
        self.read_entry_arrays(self.entry_array_offset, self.n_entries, false, &mut out)?;
        Some(out)
    }

    /// Appends the `count` entry offsets held by the chain of entry arrays
    /// starting at `array`, checking them as [`JournalFile::entry_offsets`]
    /// describes (also against what `out` already holds). With `unwritten_tail`,
    /// the list may end early in slots never written (zero), which is how a
    /// file whose writer died keeps the entry lists of its DATA objects:
    /// libsystemd steps over them and finds nothing more.
    fn read_entry_arrays(
        &self,
        mut array: u64,
        count: u64,
        unwritten_tail: bool,
        out: &mut Vec<u64>,
    ) -> Option<()> {
        let b: &[u8] = &self.map;
        let item = self.entry_array_item_size();
        let goal = (out.len() as u64).checked_add(count)?;
        let mut ended = false;
        while (out.len() as u64) < goal && !ended {
            if array == 0 {
                return None;
            }
            if self.snapshot && unwritten_tail && array >= b.len() as u64 {
                break;
            }
            let size = self.object(array, OBJECT_ENTRY_ARRAY, ARRAY_FIXED)?;
            let items = (size - ARRAY_FIXED) / item;
            let mut next = le64(b, array + 16)?;
            if self.snapshot && next >= b.len() as u64 && (out.len() as u64 + items) >= goal {
                // Linked after the snapshot, past all this list holds of it.
                next = 0;
            }
            if !(size - ARRAY_FIXED).is_multiple_of(item) || items == 0 || !next.is_multiple_of(8) {
                return None;
            }
            if next != 0 && next <= array {
                return None;
            }
            for i in 0..items {
                let at = array + ARRAY_FIXED + i * item;
                let offset = if self.compact {
                    le32(b, at)?
                } else {
                    le64(b, at)?
                };
                if out.len() as u64 == goal || ended {
                    // libsystemd steps past the count into these slots when
                    // the last entries are borked; they must be unused. In
                    // a snapshot they may hold entries linked after it.
                    if (offset != 0 || next != 0) && !self.snapshot {
                        return None;
                    }
                    continue;
                }
                if offset == 0 && unwritten_tail && next == 0 {
                    ended = true;
                    continue;
                }
                if self.snapshot && unwritten_tail && offset >= b.len() as u64 {
                    // A DATA object's list that grew after the snapshot.
                    ended = true;
                    continue;
                }
                if out.last().is_some_and(|prev| offset <= *prev) {
                    return None;
                }
                out.push(offset);
            }
            array = next;
        }
        Some(())
    }

    /// The entry header at `offset`, checked like libsystemd's
    /// `check_object`; `None` where it would call the entry borked.
    pub fn entry(&self, offset: u64) -> Option<EntryHead> {
        let b: &[u8] = &self.map;
        let size = self.object(offset, OBJECT_ENTRY, ENTRY_FIXED)?;
        let items = size - ENTRY_FIXED;
        if !items.is_multiple_of(self.entry_item_size()) || items == 0 {
            return None;
        }
        let head = EntryHead {
            seqnum: le64(b, offset + 16)?,
            realtime: le64(b, offset + 24)?,
            monotonic: le64(b, offset + 32)?,
            boot_id: id128(b, usize::try_from(offset).ok()? + 40)?,
            xor_hash: le64(b, offset + 56)?,
        };
        let valid = head.seqnum > 0
            && head.realtime > 0
            && head.realtime < TIME_LIMIT
            && head.monotonic < TIME_LIMIT;
        valid.then_some(head)
    }
}

impl JournalFile {
    /// Where the payload of a DATA object starts.
    fn data_fixed(&self) -> u64 {
        if self.compact {
            DATA_FIXED_COMPACT
        } else {
            DATA_FIXED
        }
    }

    /// The DATA object holding exactly `payload` (`FIELD=value`), as
    /// `journal_file_find_data_object()` finds it: `Some(None)` when the file
    /// has none, `None` when this reader cannot tell.
    pub fn find_data(&self, payload: &[u8]) -> Option<Option<u64>> {
        self.find_in_table(
            payload,
            self.data_hash_table_offset,
            self.data_hash_table_size,
            OBJECT_DATA,
            self.data_fixed(),
            |at| self.data_payload(at),
        )
    }

    /// Every DATA object of the field `name` (every value it takes in this
    /// file), as `sd_journal_enumerate_unique()` walks them: the FIELD object
    /// through the field hash table, then its chain of DATA objects.
    /// `Some(empty)` when the file lacks the field, `None` when this reader
    /// cannot tell.
    pub fn field_data(&self, name: &[u8]) -> Option<Vec<u64>> {
        let b: &[u8] = &self.map;
        let Some(field) = self.find_in_table(
            name,
            self.field_hash_table_offset,
            self.field_hash_table_size,
            OBJECT_FIELD,
            FIELD_FIXED,
            |at| {
                Some(std::borrow::Cow::Borrowed(
                    b.get(self.payload_range(at, FIELD_FIXED)?)?,
                ))
            },
        )?
        else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        let mut at = le64(b, field + 32)?;
        while at != 0 && !(self.snapshot && at >= b.len() as u64) {
            // A chain longer than the objects a file can hold is a loop.
            if out.len() as u64 > b.len() as u64 / DATA_FIXED {
                return None;
            }
            self.object(at, OBJECT_DATA, self.data_fixed())?;
            out.push(at);
            at = le64(b, at + 32)?;
        }
        Some(out)
    }

    /// The object of `kind` whose payload is exactly `payload`, through the
    /// hash table at `table`: `Some(None)` when there is none.
    fn find_in_table<'a>(
        &'a self,
        payload: &[u8],
        table: u64,
        table_size: u64,
        kind: u8,
        fixed: u64,
        payload_of: impl Fn(u64) -> Option<std::borrow::Cow<'a, [u8]>>,
    ) -> Option<Option<u64>> {
        let b: &[u8] = &self.map;
        let (k0, k1) = self.hash_key?;
        let buckets = table_size / HASH_ITEM;
        if buckets == 0 || !table.is_multiple_of(8) {
            return None;
        }
        let hash = siphash24(payload, k0, k1);
        let bucket = table + (hash % buckets) * HASH_ITEM;
        let mut at = le64(b, bucket)?;
        // A chain longer than the objects a file can hold is a loop.
        let mut steps = 0u64;
        while at != 0 {
            if self.snapshot && at >= b.len() as u64 {
                // Added to the chain after the snapshot.
                break;
            }
            steps += 1;
            if steps > b.len() as u64 / fixed {
                return None;
            }
            self.object(at, kind, fixed)?;
            if le64(b, at + 16)? == hash && payload_of(at)?.as_ref() == payload {
                return Some(Some(at));
            }
            at = le64(b, at + 24)?;
        }
        Some(None)
    }

    /// The bytes after the fixed part of the object at `at`.
    fn payload_range(&self, at: u64, fixed: u64) -> Option<std::ops::Range<usize>> {
        let size = le64(&self.map, at + 8)?;
        Some(usize::try_from(at + fixed).ok()?..usize::try_from(at + size).ok()?)
    }

    /// The entries holding the DATA object at `data`, in the file's order.
    pub fn data_entries(&self, data: u64) -> Option<Vec<u64>> {
        let b: &[u8] = &self.map;
        self.object(data, OBJECT_DATA, self.data_fixed())?;
        let n = le64(b, data + 56)?;
        let mut out = Vec::with_capacity(usize::try_from(n).ok()?.min(1 << 24));
        if n == 0 {
            return Some(out);
        }
        let first = le64(b, data + 40)?;
        if self.snapshot && first >= b.len() as u64 {
            return Some(out);
        }
        out.push(first);
        self.read_entry_arrays(le64(b, data + 48)?, n - 1, true, &mut out)?;
        Some(out)
    }

    /// How many entries hold the DATA object at `data`, as it counts them,
    /// and the first of them: what [`JournalFile::data_entries`] would list,
    /// without walking the list.
    pub fn data_entry_count(&self, data: u64) -> Option<(u64, u64)> {
        let b: &[u8] = &self.map;
        self.object(data, OBJECT_DATA, self.data_fixed())?;
        Some((le64(b, data + 56)?, le64(b, data + 40)?))
    }

    /// The DATA objects of the entry at `entry`, in its stored order.
    pub fn entry_data(&self, entry: u64) -> Option<Vec<u64>> {
        let b: &[u8] = &self.map;
        let size = self.object(entry, OBJECT_ENTRY, ENTRY_FIXED)?;
        let item = self.entry_item_size();
        let n = (size - ENTRY_FIXED) / item;
        (0..n)
            .map(|i| {
                let at = entry + ENTRY_FIXED + i * item;
                if self.compact {
                    le32(b, at)
                } else {
                    le64(b, at)
                }
            })
            .collect()
    }

    /// The payload (`FIELD=value`) of the DATA object at `data`, unpacked.
    pub fn data_payload(&self, data: u64) -> Option<std::borrow::Cow<'_, [u8]>> {
        use std::io::Read;
        let (flags, raw) = self.data_stored(data)?;
        // One byte past the threshold tells a field too large to hand out.
        let bounded = |decoder: &mut dyn Read| {
            let mut out = Vec::new();
            decoder
                .take(DATA_THRESHOLD as u64 + 1)
                .read_to_end(&mut out)
                .ok()
                .map(|_| out)
        };
        let unpacked: Vec<u8> = match flags {
            0 => {
                return (raw.len() <= DATA_THRESHOLD).then_some(std::borrow::Cow::Borrowed(raw));
            }
            OBJECT_COMPRESSED_ZSTD => bounded(&mut zstd::stream::read::Decoder::new(raw).ok()?)?,
            OBJECT_COMPRESSED_XZ => bounded(&mut xz2::read::XzDecoder::new(raw))?,
            // LZ4 (or flags this reader does not know): left to libsystemd.
            _ => return None,
        };
        (unpacked.len() <= DATA_THRESHOLD).then_some(std::borrow::Cow::Owned(unpacked))
    }

    /// The payload of the DATA object at `data` when it is stored as is,
    /// borrowed from the map; None when it is packed (ask
    /// [`JournalFile::data_payload`]) or the object is damaged.
    pub fn data_plain(&self, data: u64) -> Option<&[u8]> {
        let (flags, raw) = self.data_stored(data)?;
        (flags == 0 && raw.len() <= DATA_THRESHOLD).then_some(raw)
    }

    /// A DATA object's compression flags and its payload as stored.
    fn data_stored(&self, data: u64) -> Option<(u8, &[u8])> {
        let b: &[u8] = &self.map;
        let fixed = self.data_fixed();
        let size = self.object(data, OBJECT_DATA, fixed)?;
        let start = usize::try_from(data + fixed).ok()?;
        let raw = b.get(start..usize::try_from(data + size).ok()?)?;
        let flags = *b.get(usize::try_from(data).ok()? + 1)?;
        Some((flags, raw))
    }
}

/// SipHash-2-4, as systemd's `siphash24()` keys it with a file's id.
fn siphash24(data: &[u8], k0: u64, k1: u64) -> u64 {
    use std::hash::Hasher;
    // std's SipHasher is SipHash-2-4; deprecated only as a HashMap default.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new_with_keys(k0, k1);
    h.write(data);
    h.finish()
}

//! Reading a boot from where the last run stopped, for the detectors.
//!
//! A timer run every five minutes on a host up for months would otherwise
//! read the whole current boot every time. The detectors do not need every
//! entry again: [`BootReader::observe`] says which entries changed what it
//! knows of a boot (a manager's event, a program name not seen before, a
//! readiness line, …), and replaying only those, in order, gives the same
//! [`BootData`] as reading them all. So a run keeps, per boot the next run
//! will read (the newest and the one before), those entries ([`BootSoFar`],
//! saved in the state), and the next run replays them and reads only the
//! entries after the last one it counted.
//!
//! The records must be exactly those of a whole read, so a resumed read has
//! to prove it continued where the last one stopped, or the boot is read
//! whole again: the boot's first entry is the same (nothing vacuumed), the
//! entry the last run stopped at is found, and the entries counted before
//! plus those after it make the boot's entry count as the listing of boots
//! gives it (nothing reordered in front of it, nothing skipped by the
//! bound of the read). The read starts at the saved entry's sequence number
//! ([`crate::journal::Filter::from`]): the index reader finds it by
//! bisection, so a run reads the new entries, not the boot; a cursor
//! without one (a stream's) bounds the read by wall-clock time instead,
//! [`SLACK_USEC`] before the saved entry, and a clock set back further only
//! costs a whole read, as the count then disagrees.

use serde::{Deserialize, Serialize};

use crate::boots::Boot;
use crate::findings::{BootData, BootReader, Options, boot_filter};
use crate::journal::{Entry, EntrySource, Filter, Id128, JournalError};

use super::same_entry;

/// The most a boot's kept entries may weigh (their fields' bytes) in the
/// state. The entries kept are a boot's manager events and first sightings,
/// a few hundred kilobytes over months of uptime; an error storm can make
/// them hundreds of megabytes, and a state rewritten every run that large
/// costs more than the whole read it saves. Past this, nothing is saved for
/// the boot and the next run reads it whole, as before resuming existed.
pub const KEPT_BYTES_MAX: usize = 16 * 1024 * 1024;

/// How far before the saved entry's wall-clock time a resumed read starts:
/// wide enough for the wobble of a clock that did not jump.
pub const SLACK_USEC: u64 = 60 * 1_000_000;

/// One boot as far as a run read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootSoFar {
    pub boot_id: String,
    /// The boot's first entry then: a different one means entries were
    /// vacuumed, which a whole read would not see either.
    pub first_cursor: String,
    /// Entries of the boot read, up to and including `through`.
    pub entries: u64,
    /// The last entry counted: the boot's last as the run listed it.
    pub through: String,
    pub through_realtime_usec: u64,
    /// The entries that changed what the detectors know, in read order,
    /// with the fields they were read with.
    pub kept: Vec<Kept>,
}

/// An entry as kept in the state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    #[serde(rename = "t")]
    pub realtime_usec: u64,
    #[serde(rename = "m")]
    pub monotonic_usec: Option<u64>,
    #[serde(rename = "c")]
    pub cursor: String,
    #[serde(rename = "s")]
    pub seqnum: Option<u64>,
    #[serde(rename = "f")]
    pub fields: Vec<(String, Value)>,
}

/// A field's value: text as it is, anything else byte for byte (a JSON
/// string or an array of numbers, as `#[serde(untagged)]` writes them).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Bytes(Vec<u8>),
}

/// Read by the JSON shape at hand: serde's untagged reading buffers every
/// value and tries each variant, and a state of months of kept entries is
/// read on every run.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an array of bytes")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Value, E> {
                Ok(Value::Text(text.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Value, E> {
                Ok(Value::Text(text))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Value, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(Value::Bytes(bytes))
            }
        }
        d.deserialize_any(Shape)
    }
}

impl Kept {
    /// The bytes of its fields' names and values, as [`Keeper`] counts them.
    fn bytes(&self) -> usize {
        (self.fields.iter())
            .map(|(name, value)| {
                name.len()
                    + match value {
                        Value::Text(t) => t.len(),
                        Value::Bytes(b) => b.len(),
                    }
            })
            .sum()
    }

    fn of(entry: &Entry) -> Kept {
        Kept {
            realtime_usec: entry.realtime_usec,
            monotonic_usec: entry.monotonic_usec,
            cursor: entry.cursor.clone(),
            seqnum: entry.seqnum,
            fields: entry
                .fields()
                .map(|(name, value)| {
                    let value = match std::str::from_utf8(value) {
                        Ok(text) => Value::Text(text.to_string()),
                        Err(_) => Value::Bytes(value.to_vec()),
                    };
                    (name.to_string(), value)
                })
                .collect(),
        }
    }

    fn entry(&self, boot_id: Id128) -> Entry {
        let mut entry = Entry::new(self.realtime_usec, boot_id);
        entry.monotonic_usec = self.monotonic_usec;
        entry.cursor = self.cursor.clone();
        entry.seqnum = self.seqnum;
        for (name, value) in &self.fields {
            match value {
                Value::Text(text) => entry.push_field(name, text.as_bytes()),
                Value::Bytes(bytes) => entry.push_field(name, bytes),
            }
        }
        entry
    }
}

/// How a boot was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// Whole, for this reason.
    Whole(String),
    /// From the saved entries and `new` entries after them, having read
    /// `read` entries of the journal to find them (the saved one too, and
    /// after a stream's cursor those within [`SLACK_USEC`] before it; 0:
    /// nothing new, nothing read).
    Resumed { new: u64, read: u64 },
}

/// One boot's [`BootData`], how it was read, and what to save for the next
/// run (None when the read did not reach the boot's last entry as listed).
pub struct Read {
    pub data: BootData,
    pub how: How,
    pub so_far: Option<BootSoFar>,
}

/// Counts and keeps a boot's entries up to its last one as listed.
struct Keeper {
    end_cursor: String,
    entries: u64,
    kept: Vec<Kept>,
    /// The fields' bytes of `kept`, against [`KEPT_BYTES_MAX`].
    kept_bytes: usize,
    through: Option<(String, u64)>,
}

impl Keeper {
    fn note(&mut self, entry: &Entry, changed: bool) {
        if self.through.is_some() {
            // Logged after the listing: the next run reads it again.
            return;
        }
        self.entries += 1;
        if changed && self.kept_bytes <= KEPT_BYTES_MAX {
            self.kept_bytes += entry
                .fields()
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>();
            self.kept.push(Kept::of(entry));
        }
        if same_entry(&entry.cursor, &self.end_cursor) {
            self.through = Some((entry.cursor.clone(), entry.realtime_usec));
        }
    }

    fn finish(self, boot: &Boot) -> Option<BootSoFar> {
        if self.kept_bytes > KEPT_BYTES_MAX {
            return None;
        }
        let (through, through_realtime_usec) = self.through?;
        (self.entries == boot.entries).then(|| BootSoFar {
            boot_id: boot.boot_id.to_string(),
            first_cursor: boot.first_cursor.clone(),
            entries: self.entries,
            through,
            through_realtime_usec,
            kept: self.kept,
        })
    }
}

/// Reads `boot` for the detectors: resumed from `saved` when that can be
/// proven to give what a whole read gives, else whole. `open` opens the
/// journal with a filter.
pub fn read_boot<E: From<JournalError>>(
    boot: &Boot,
    saved: Option<&BootSoFar>,
    options: &Options,
    mut open: impl FnMut(Filter) -> Result<Box<dyn EntrySource>, E>,
) -> Result<Read, E> {
    let why = match saved {
        None => "nothing saved".to_string(),
        Some(s) => match resume(boot, s, options, &mut open)? {
            Ok(read) => return Ok(read),
            Err(why) => why,
        },
    };
    let mut reader = BootReader::new(boot.boot_id, options);
    let mut keeper = Keeper {
        end_cursor: boot.last_cursor.clone(),
        entries: 0,
        kept: Vec::new(),
        kept_bytes: 0,
        through: None,
    };
    let mut source = open(boot_filter(boot.boot_id))?;
    while let Some(entry) = source.next_entry()? {
        let changed = reader.observe(&entry);
        keeper.note(&entry, changed);
    }
    Ok(Read {
        data: reader.finish(boot),
        how: How::Whole(why),
        so_far: keeper.finish(boot),
    })
}

/// The resumed read, or why it cannot be.
fn resume<E: From<JournalError>>(
    boot: &Boot,
    saved: &BootSoFar,
    options: &Options,
    open: &mut impl FnMut(Filter) -> Result<Box<dyn EntrySource>, E>,
) -> Result<Result<Read, String>, E> {
    if saved.boot_id != boot.boot_id.to_string() {
        return Ok(Err("saved for another boot".to_string()));
    }
    if saved.first_cursor != boot.first_cursor {
        return Ok(Err(
            "its first entry changed (entries were vacuumed)".to_string()
        ));
    }
    if saved.entries > boot.entries {
        return Ok(Err("it holds fewer entries than were read".to_string()));
    }
    let mut reader = BootReader::new(boot.boot_id, options);
    for kept in &saved.kept {
        reader.observe(&kept.entry(boot.boot_id));
    }
    let mut keeper = Keeper {
        end_cursor: boot.last_cursor.clone(),
        entries: saved.entries,
        kept: saved.kept.clone(),
        kept_bytes: saved.kept.iter().map(Kept::bytes).sum(),
        through: None,
    };
    if saved.entries == boot.entries && same_entry(&saved.through, &boot.last_cursor) {
        return Ok(Ok(Read {
            data: reader.finish(boot),
            how: How::Resumed { new: 0, read: 0 },
            so_far: Some(saved.clone()),
        }));
    }
    // From the saved entry's place in its sequence series; a cursor that
    // names none (a stream's) bounds the read by its wall-clock time.
    let position = crate::journal::Position::of_cursor(&saved.through);
    let mut source = open(Filter {
        from: position,
        since_usec: match position {
            Some(_) => None,
            None => Some(saved.through_realtime_usec.saturating_sub(SLACK_USEC)),
        },
        ..boot_filter(boot.boot_id)
    })?;
    let mut found = false;
    let (mut new, mut read) = (0, 0);
    while let Some(entry) = source.next_entry()? {
        read += 1;
        if !found {
            found = same_entry(&entry.cursor, &saved.through);
            continue;
        }
        new += 1;
        let changed = reader.observe(&entry);
        keeper.note(&entry, changed);
    }
    if !found {
        return Ok(Err("the entry the last run stopped at is gone".to_string()));
    }
    match keeper.finish(boot) {
        Some(so_far) => Ok(Ok(Read {
            data: reader.finish(boot),
            how: How::Resumed { new, read },
            so_far: Some(so_far),
        })),
        None => Ok(Err(
            "the entries after the saved one do not make up the boot's count".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boot_whose_kept_entries_pass_the_budget_is_not_saved() {
        let boot_id = Id128([4; 16]);
        let mut keeper = Keeper {
            end_cursor: "s=1;i=3".to_string(),
            entries: 0,
            kept: Vec::new(),
            kept_bytes: 0,
            through: None,
        };
        let big = vec![b'x'; KEPT_BYTES_MAX / 2 + 1];
        let mut scanner = crate::boots::BootScanner::new();
        for i in 1..=3 {
            let mut e = Entry::new(i, boot_id);
            e.cursor = format!("s=1;i={i}");
            e.seqnum = Some(i);
            e.push_field("MESSAGE", &big);
            scanner.observe(&e);
            keeper.note(&e, true);
        }
        assert!(keeper.kept_bytes > KEPT_BYTES_MAX);
        assert!(keeper.kept.len() < 3, "keeping stops at the budget");
        let boot = scanner.finish().remove(0);
        assert_eq!((boot.entries, boot.last_cursor.as_str()), (3, "s=1;i=3"));
        assert!(keeper.finish(&boot).is_none());
    }

    #[test]
    fn a_kept_entry_comes_back_byte_for_byte() {
        let mut e = Entry::new(5, Id128([3; 16]));
        e.monotonic_usec = Some(7);
        e.cursor = "s=1;i=2".to_string();
        e.seqnum = Some(2);
        e.push_field("MESSAGE", b"ready");
        e.push_field("BINARY", &[0, 255, 10]);
        e.push_field("MESSAGE", b"twice");
        let kept = Kept::of(&e);
        let text = serde_json::to_string(&kept).unwrap();
        let back: Kept = serde_json::from_str(&text).unwrap();
        assert_eq!(back, kept);
        let again = back.entry(Id128([3; 16]));
        assert_eq!(
            again.fields().collect::<Vec<_>>(),
            e.fields().collect::<Vec<_>>()
        );
        assert_eq!(
            (again.realtime_usec, again.monotonic_usec, again.seqnum),
            (5, Some(7), Some(2))
        );
        assert_eq!(again.cursor, e.cursor);
    }
}

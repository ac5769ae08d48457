//! The one entry model every source produces.
//!
//! Journal field values are bytes, not text: binary payloads, ANSI escapes and
//! invalid UTF-8 are common, so values are stored losslessly and decoded only
//! where a caller asks for text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A 128-bit id (boot id, machine id, invocation id) as systemd prints it:
/// 32 lowercase hex digits without dashes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id128(pub [u8; 16]);

impl Id128 {
    /// Parses 32 hex digits, also accepting the dashed UUID form
    /// (`/proc/sys/kernel/random/boot_id` prints that one).
    pub fn parse(text: &str) -> Option<Id128> {
        let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
        if hex.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, pair) in hex.chunks(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Some(Id128(out))
    }

    pub fn parse_bytes(bytes: &[u8]) -> Option<Id128> {
        std::str::from_utf8(bytes).ok().and_then(Id128::parse)
    }

    pub fn is_null(&self) -> bool {
        self.0 == [0u8; 16]
    }

    /// The first 8 hex digits, enough to tell boots apart in a table.
    pub fn short(&self) -> String {
        self.to_string()[..8].to_string()
    }
}

impl fmt::Display for Id128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written at once: every cursor holds two ids, a million per read.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 32];
        for (i, b) in self.0.iter().enumerate() {
            text[2 * i] = HEX[usize::from(b >> 4)];
            text[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Id128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id128({self})")
    }
}

impl FromStr for Id128 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id128::parse(s).ok_or_else(|| format!("'{s}' is not a 128-bit id (32 hex digits)"))
    }
}

impl serde::Serialize for Id128 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One journal entry, whatever it was read from.
#[derive(Clone, Default)]
pub struct Entry {
    /// Wall-clock time in µs since the epoch (`__REALTIME_TIMESTAMP`).
    pub realtime_usec: u64,
    /// µs since this entry's boot began (`__MONOTONIC_TIMESTAMP`); absent in
    /// streams that dropped it.
    pub monotonic_usec: Option<u64>,
    /// The boot the entry belongs to (entry header, or `_BOOT_ID`).
    pub boot_id: Id128,
    /// journalctl's cursor; usable with `journalctl --cursor`. Empty when the
    /// source had none (a stream written without `__CURSOR`).
    pub cursor: String,
    /// Sequence number within the file's `seqnum_id`, where the source knows it.
    pub seqnum: Option<u64>,
    /// Every field's name and value, one after the other: one allocation
    /// per entry instead of two per field, on reads of a million entries.
    data: Vec<u8>,
    /// Where each field lies in `data`, in the order read.
    fields: Vec<FieldAt>,
}

/// A field in [`Entry::data`]: its name from `start` to `name_end` (UTF-8),
/// its value from there to `end`.
#[derive(Clone, Copy, Default)]
struct FieldAt {
    start: usize,
    name_end: usize,
    end: usize,
}

impl Entry {
    pub fn new(realtime_usec: u64, boot_id: Id128) -> Entry {
        Entry {
            realtime_usec,
            boot_id,
            ..Entry::default()
        }
    }

    /// Adds a field. Repeated names are kept: the journal allows a field to
    /// appear several times in one entry.
    pub fn push_field(&mut self, name: &str, value: &[u8]) {
        let start = self.data.len();
        self.data.extend_from_slice(name.as_bytes());
        let name_end = self.data.len();
        self.data.extend_from_slice(value);
        self.fields.push(FieldAt {
            start,
            name_end,
            end: self.data.len(),
        });
    }

    /// Makes room for `fields` more fields of `bytes` bytes in all (names and
    /// values), so a reader that knows the sizes fills the entry without
    /// growing it field by field.
    pub fn reserve(&mut self, fields: usize, bytes: usize) {
        self.fields.reserve(fields);
        self.data.reserve(bytes);
    }

    /// The bytes of every field's name and value.
    pub fn data_len(&self) -> usize {
        self.fields.iter().map(|at| at.end - at.start).sum()
    }

    /// Adds a field whose name and then value `append` appends to the
    /// buffer it is given, one call each: a reader fills them in place
    /// instead of handing over copies. A name that is not UTF-8 is an
    /// error, and a failed call adds nothing.
    pub fn push_field_from(
        &mut self,
        mut append: impl FnMut(&mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let start = self.data.len();
        let added = (|| {
            append(&mut self.data)?;
            let name_end = self.data.len();
            if std::str::from_utf8(&self.data[start..name_end]).is_err() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a field name that is not UTF-8",
                ));
            }
            append(&mut self.data)?;
            Ok(name_end)
        })();
        match added {
            Ok(name_end) => {
                self.fields.push(FieldAt {
                    start,
                    name_end,
                    end: self.data.len(),
                });
                Ok(())
            }
            Err(e) => {
                self.data.truncate(start);
                Err(e)
            }
        }
    }

    /// Keeps the fields for which `keep(position, name)` holds.
    pub fn retain_fields(&mut self, mut keep: impl FnMut(usize, &str) -> bool) {
        let mut position = 0;
        let data = &self.data;
        self.fields.retain(|at| {
            position += 1;
            keep(position - 1, name_of(data, at))
        });
    }

    /// The first value of `name`, as raw bytes.
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|at| &self.data[at.start..at.name_end] == name.as_bytes())
            .map(|at| &self.data[at.name_end..at.end])
    }

    /// Every value of `name`, in the order they were read.
    pub fn field_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |at| &self.data[at.start..at.name_end] == name.as_bytes())
            .map(|at| &self.data[at.name_end..at.end])
    }

    /// The first value of `name` as text, with invalid UTF-8 replaced. Use
    /// [`Entry::field`] where exact bytes matter.
    pub fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        self.field(name).map(String::from_utf8_lossy)
    }

    /// The first value of `name` if it is valid UTF-8.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The first value of `name` parsed as a decimal integer.
    pub fn number(&self, name: &str) -> Option<u64> {
        self.str(name).and_then(|v| v.trim().parse().ok())
    }

    /// `MESSAGE` as text (lossy), or an empty string.
    pub fn message(&self) -> Cow<'_, str> {
        self.text("MESSAGE").unwrap_or(Cow::Borrowed(""))
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.fields
            .iter()
            .map(|at| (name_of(&self.data, at), &self.data[at.name_end..at.end]))
    }

    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// The entry's machine id (`_MACHINE_ID`), where logged.
    pub fn machine_id(&self) -> Option<Id128> {
        self.field("_MACHINE_ID").and_then(Id128::parse_bytes)
    }

    /// The systemd manager that wrote this entry about a unit: PID 1 uses
    /// `UNIT=`, user managers `USER_UNIT=`.
    pub fn is_from_pid1(&self) -> bool {
        self.field("_PID") == Some(b"1")
    }
}

impl fmt::Debug for Entry {
    /// The fields as they read, not how they are stored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, Cow<'_, str>)> = self
            .fields()
            .map(|(n, v)| (n, String::from_utf8_lossy(v)))
            .collect();
        f.debug_struct("Entry")
            .field("realtime_usec", &self.realtime_usec)
            .field("monotonic_usec", &self.monotonic_usec)
            .field("boot_id", &self.boot_id)
            .field("cursor", &self.cursor)
            .field("seqnum", &self.seqnum)
            .field("fields", &fields)
            .finish()
    }
}

/// A field's name: UTF-8, as [`Entry::push_field`] and
/// [`Entry::push_field_from`] only store such names.
fn name_of<'a>(data: &'a [u8], at: &FieldAt) -> &'a str {
    std::str::from_utf8(&data[at.start..at.name_end]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id128_accepts_plain_and_dashed_forms() {
        let plain = Id128::parse("5ea5fc4f3ab0436fbd8aa6f2e0a36b5b").unwrap();
        let dashed = Id128::parse("5ea5fc4f-3ab0-436f-bd8a-a6f2e0a36b5b").unwrap();
        assert_eq!(plain, dashed);
        assert_eq!(plain.to_string(), "5ea5fc4f3ab0436fbd8aa6f2e0a36b5b");
        assert_eq!(plain.short(), "5ea5fc4f");
        assert!(Id128::parse("5ea5fc4f").is_none());
        assert!(Id128::parse("zz a5fc4f3ab0436fbd8aa6f2e0a36b5b").is_none());
    }

    #[test]
    fn repeated_and_binary_fields_are_kept_exactly() {
        let mut e = Entry::new(1, Id128::default());
        e.push_field("X", b"first");
        e.push_field("X", &[0xff, 0x00, 0x1b]);
        assert_eq!(e.field("X"), Some(&b"first"[..]));
        let all: Vec<&[u8]> = e.field_values("X").collect();
        assert_eq!(all, vec![&b"first"[..], &[0xff, 0x00, 0x1b][..]]);
        assert_eq!(e.str("Y"), None);
    }

    #[test]
    fn a_field_filled_in_place_is_kept_whole_or_not_at_all() {
        let mut e = Entry::new(1, Id128::default());
        let mut parts = [&b"UNIT"[..], b"a.service"].into_iter();
        e.push_field_from(|buf| {
            buf.extend_from_slice(parts.next().unwrap());
            Ok(())
        })
        .unwrap();
        // A name that is not UTF-8, and a value that fails to arrive.
        assert!(
            e.push_field_from(|buf| {
                buf.push(0xff);
                Ok(())
            })
            .is_err()
        );
        let mut calls = 0;
        assert!(
            e.push_field_from(|buf| {
                calls += 1;
                buf.extend_from_slice(b"CUT");
                if calls == 2 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                Ok(())
            })
            .is_err()
        );
        let all: Vec<(&str, &[u8])> = e.fields().collect();
        assert_eq!(all, vec![("UNIT", &b"a.service"[..])]);
        e.push_field("MESSAGE", b"hi");
        e.retain_fields(|_, name| name == "MESSAGE");
        assert_eq!(e.field_count(), 1);
        assert_eq!(e.message(), "hi");
    }
}

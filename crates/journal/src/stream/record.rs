//! What both stream formats share: field-name rules, the `__` metadata that
//! becomes the entry header, and the checks that decide whether a record is
//! an entry at all.

use crate::{Entry, Id128};

/// The largest single field value accepted (binary export fields claim their
/// length up front; a damaged or hostile stream may claim 2^63 bytes).
pub(super) const MAX_FIELD_BYTES: u64 = 64 * 1024 * 1024;

/// The most of one field value an entry keeps. No question jforensics asks
/// reads a value this long (the longest are coredumps and binary blobs), and
/// without a bound an export of 20 fields of 60 MB holds 1.2 GB per entry.
/// Longer values keep their first bytes, and the run says how many were cut.
pub const FIELD_KEEP_BYTES: usize = 1024 * 1024;

/// systemd's limit for valid timestamps (`VALID_REALTIME`, `VALID_MONOTONIC`).
const MAX_TIMESTAMP: u64 = 1 << 55;

/// Header values carried as fields in journalctl's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Meta {
    Cursor,
    Realtime,
    Monotonic,
    Seqnum,
    BootId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// An ordinary field: kept.
    Regular,
    /// Becomes part of the entry header (`_BOOT_ID` is also kept as a field).
    Meta(Meta),
    /// Another `__` field (`__SEQNUM_ID`, future additions): skipped.
    OtherMeta,
    /// Not a journal field name.
    Invalid,
}

/// systemd's `journal_field_valid()` with protected fields allowed: 1 to 64
/// characters from `A-Z0-9_`, not starting with a digit.
pub(super) fn valid_field_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name[0].is_ascii_digit()
        && name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

pub(super) fn classify(name: &[u8]) -> Kind {
    if !valid_field_name(name) {
        return Kind::Invalid;
    }
    match name {
        b"__CURSOR" => Kind::Meta(Meta::Cursor),
        b"__REALTIME_TIMESTAMP" => Kind::Meta(Meta::Realtime),
        b"__MONOTONIC_TIMESTAMP" => Kind::Meta(Meta::Monotonic),
        b"__SEQNUM" => Kind::Meta(Meta::Seqnum),
        b"_BOOT_ID" => Kind::Meta(Meta::BootId),
        n if n.starts_with(b"__") => Kind::OtherMeta,
        _ => Kind::Regular,
    }
}

/// Input bytes for a message: escaped, and cut after 40 characters.
pub(super) fn show(bytes: &[u8]) -> String {
    const LIMIT: usize = 40;
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == LIMIT {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    format!("\"{out}\"")
}

/// Decimal digits only (journalctl never writes signs or spaces).
fn parse_decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 20 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Sets a header value once; a second, different value makes the record
/// contradict itself.
fn set_once<T: PartialEq>(slot: &mut Option<T>, value: T) -> Result<bool, ()> {
    match slot {
        Some(old) if *old != value => Err(()),
        Some(_) => Ok(false),
        None => {
            *slot = Some(value);
            Ok(true)
        }
    }
}

/// One record being read, in either format.
#[derive(Default)]
pub(super) struct RecordBuilder {
    entry: Entry,
    realtime: Option<u64>,
    monotonic: Option<u64>,
    boot: Option<Id128>,
    cursor: Option<String>,
    seqnum: Option<u64>,
    /// The first reason the record cannot become an entry.
    error: Option<String>,
    /// Values journalctl left out (`null` in JSON: too large without `--all`).
    pub(super) omitted: u64,
    /// Values cut to [`FIELD_KEEP_BYTES`].
    pub(super) cut: u64,
}

impl RecordBuilder {
    pub(super) fn new() -> RecordBuilder {
        RecordBuilder::default()
    }

    /// Marks the record as malformed; the first reason is kept.
    pub(super) fn fail(&mut self, reason: String) {
        if self.error.is_none() {
            self.error = Some(reason);
        }
    }

    /// An ordinary field whose name was already checked.
    pub(super) fn push(&mut self, name: &str, value: &[u8]) {
        if value.len() <= FIELD_KEEP_BYTES {
            self.entry.push_field(name, value);
            return;
        }
        self.cut += 1;
        let kept = &value[..FIELD_KEEP_BYTES];
        // Text stays text: cut before a character split at the bound.
        let kept = match std::str::from_utf8(kept) {
            Err(e) if e.error_len().is_none() => &kept[..e.valid_up_to()],
            _ => kept,
        };
        self.entry.push_field(name, kept);
    }

    /// A field from an export stream: any name, any value.
    pub(super) fn field(&mut self, name: &[u8], value: &[u8]) {
        match classify(name) {
            Kind::Regular => {
                // classify() only passes ASCII names.
                if let Ok(name) = std::str::from_utf8(name) {
                    self.push(name, value);
                }
            }
            Kind::Meta(meta) => self.meta(meta, value),
            Kind::OtherMeta => {}
            Kind::Invalid => self.fail(format!("invalid field name {}", show(name))),
        }
    }

    /// A header value given as text.
    pub(super) fn meta(&mut self, meta: Meta, value: &[u8]) {
        let conflict = |name: &str| format!("two different {name} values");
        match meta {
            Meta::Cursor => match std::str::from_utf8(value) {
                Ok(cursor) => {
                    if set_once(&mut self.cursor, cursor.to_string()).is_err() {
                        self.fail(conflict("__CURSOR"));
                    }
                }
                Err(_) => self.fail("__CURSOR is not text".to_string()),
            },
            Meta::Realtime => match parse_decimal(value).filter(|t| (1..MAX_TIMESTAMP).contains(t))
            {
                Some(t) => {
                    if set_once(&mut self.realtime, t).is_err() {
                        self.fail(conflict("__REALTIME_TIMESTAMP"));
                    }
                }
                None => self.fail(format!(
                    "__REALTIME_TIMESTAMP {} is not a timestamp (decimal µs since 1970)",
                    show(value)
                )),
            },
            Meta::Monotonic => match parse_decimal(value).filter(|t| *t < MAX_TIMESTAMP) {
                Some(t) => {
                    if set_once(&mut self.monotonic, t).is_err() {
                        self.fail(conflict("__MONOTONIC_TIMESTAMP"));
                    }
                }
                None => self.fail(format!(
                    "__MONOTONIC_TIMESTAMP {} is not a timestamp (decimal µs since boot)",
                    show(value)
                )),
            },
            Meta::Seqnum => match parse_decimal(value) {
                Some(n) => {
                    if set_once(&mut self.seqnum, n).is_err() {
                        self.fail(conflict("__SEQNUM"));
                    }
                }
                None => self.fail(format!("__SEQNUM {} is not a number", show(value))),
            },
            Meta::BootId => match Id128::parse_bytes(value) {
                Some(id) => match set_once(&mut self.boot, id) {
                    Ok(true) => self.entry.push_field("_BOOT_ID", value),
                    Ok(false) => {}
                    Err(()) => self.fail(conflict("_BOOT_ID")),
                },
                None => self.fail(format!(
                    "_BOOT_ID {} is not a 128-bit id (32 hex digits)",
                    show(value)
                )),
            },
        }
    }

    /// The entry, or why the record is not one.
    pub(super) fn finish(self) -> Result<Entry, String> {
        if let Some(reason) = self.error {
            return Err(reason);
        }
        let (realtime, boot) = match (self.realtime, self.boot) {
            (Some(realtime), Some(boot)) => (realtime, boot),
            (None, None) => return Err("no __REALTIME_TIMESTAMP and no _BOOT_ID".to_string()),
            (None, Some(_)) => return Err("no __REALTIME_TIMESTAMP".to_string()),
            (Some(_), None) => return Err("no _BOOT_ID".to_string()),
        };
        let mut entry = self.entry;
        entry.realtime_usec = realtime;
        entry.boot_id = boot;
        entry.monotonic_usec = self.monotonic;
        entry.cursor = self.cursor.unwrap_or_default();
        entry.seqnum = self
            .seqnum
            .or_else(|| crate::headers::cursor_seqnum(&entry.cursor));
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_past_the_bound_keeps_its_first_bytes_and_text_stays_text() {
        let mut builder = RecordBuilder::new();
        builder.push("SMALL", b"kept whole");
        let mut text = vec![b'a'; FIELD_KEEP_BYTES - 1];
        text.extend_from_slice("é and more".as_bytes());
        builder.push("MESSAGE", &text);
        builder.push("BLOB", &vec![0xff; FIELD_KEEP_BYTES + 1]);
        assert_eq!(builder.cut, 2);
        let values: Vec<(&str, &[u8])> = builder.entry.fields().collect();
        assert_eq!(values[0], ("SMALL", &b"kept whole"[..]));
        assert_eq!(values[1].1.len(), FIELD_KEEP_BYTES - 1, "not inside the é");
        assert!(std::str::from_utf8(values[1].1).is_ok());
        assert_eq!(values[2].1.len(), FIELD_KEEP_BYTES);
    }
}

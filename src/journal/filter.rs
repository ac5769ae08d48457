//! Which entries a command needs.
//!
//! The same filter drives libsystemd's indexed matches and the per-record check
//! of the stream readers, so both kinds of source return the same entries.

use super::{Entry, Id128};

/// One `FIELD=value` term; the value is compared byte for byte, as
/// `sd_journal_add_match()` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub field: String,
    pub value: Vec<u8>,
    /// The value only has to begin with `value`. libsystemd has no such
    /// match: it reads the group without this field's terms and the reader
    /// checks them itself. Worth it where a prefix singles out a few lines
    /// among many that the group's other terms select (PID 1's version line
    /// among its kernel-relayed lines).
    pub prefix: bool,
}

impl Match {
    pub fn new(field: &str, value: impl Into<Vec<u8>>) -> Match {
        Match {
            field: field.to_string(),
            value: value.into(),
            prefix: false,
        }
    }

    /// A term on the beginning of the value (see [`Match::prefix`]).
    pub fn starting(field: &str, value: impl Into<Vec<u8>>) -> Match {
        Match {
            prefix: true,
            ..Match::new(field, value)
        }
    }

    /// Whether `value`, a value of this term's field, satisfies it.
    pub fn holds_for(&self, value: &[u8]) -> bool {
        if self.prefix {
            value.starts_with(&self.value)
        } else {
            value == self.value.as_slice()
        }
    }

    /// Parses journalctl's `FIELD=VALUE` match syntax.
    pub fn parse(text: &str) -> Result<Match, String> {
        match text.split_once('=') {
            Some((field, value))
                if !field.is_empty()
                    && field
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                Ok(Match::new(field, value))
            }
            _ => Err(format!(
                "'{text}' is not a match: write FIELD=VALUE with an upper-case field name, e.g. _SYSTEMD_UNIT=nginx.service"
            )),
        }
    }
}

/// Which parts of each entry a reader must deliver.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fields {
    /// Every field (the default).
    #[default]
    All,
    /// Only the header: times, boot id, cursor, seqnum. libsystemd then skips
    /// decompressing the entry's data, by far the largest cost of a full read;
    /// stream readers parse the fields anyway and deliver them.
    HeaderOnly,
    /// The header, every value of these fields, and the entry's first
    /// [`Fields::FIRST_KEPT`] fields whatever their names (what describes an
    /// entry that says nothing of itself, see `evidence.rs`). Saves copying
    /// and sending the fields nobody reads; stream readers deliver all.
    Named(Vec<String>),
}

impl Fields {
    pub const FIRST_KEPT: usize = 4;

    /// Whether the field at `position` in its entry, named `name`, is
    /// delivered.
    pub fn keeps(&self, position: usize, name: &str) -> bool {
        match self {
            Fields::All => true,
            Fields::HeaderOnly => false,
            Fields::Named(names) => {
                position < Fields::FIRST_KEPT || names.iter().any(|n| n == name)
            }
        }
    }
}

/// [`Fields`] made ready to be asked about every field of many entries: a
/// name is compared only with the wanted names of its length.
pub struct FieldPicker<'a> {
    fields: &'a Fields,
    by_len: Vec<Vec<&'a [u8]>>,
}

impl Fields {
    pub fn picker(&self) -> FieldPicker<'_> {
        let mut by_len: Vec<Vec<&[u8]>> = Vec::new();
        if let Fields::Named(names) = self {
            for name in names {
                let len = name.len();
                if by_len.len() <= len {
                    by_len.resize_with(len + 1, Vec::new);
                }
                by_len[len].push(name.as_bytes());
            }
        }
        FieldPicker {
            fields: self,
            by_len,
        }
    }
}

impl FieldPicker<'_> {
    /// Whether a field called `name` is wanted for its name; the first
    /// [`Fields::FIRST_KEPT`] fields of an entry are delivered whatever it is.
    pub fn wants(&self, name: &[u8]) -> bool {
        match self.fields {
            Fields::All => true,
            Fields::HeaderOnly => false,
            Fields::Named(_) => self
                .by_len
                .get(name.len())
                .is_some_and(|names| names.contains(&name)),
        }
    }
}

/// What to read. All parts are ANDed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these boots (empty: all).
    pub boots: Vec<Id128>,
    /// Only entries at or after this wall-clock time (µs).
    pub since_usec: Option<u64>,
    /// Only entries at or before this wall-clock time (µs).
    pub until_usec: Option<u64>,
    /// Any one of these groups must hold (empty: no restriction). Inside a
    /// group, terms on the same field are ORed and different fields ANDed:
    /// libsystemd's rule for consecutive `sd_journal_add_match()` calls.
    pub any_of: Vec<Vec<Match>>,
    /// Only the last N entries that pass the rest of the filter, in order
    /// (libsystemd seeks to the tail; streams read everything and keep N).
    pub last: Option<usize>,
    /// With `last` and several `boots`: the last N entries of each boot, boot
    /// after boot in the order of `boots` — one read for every boot's tail.
    pub last_per_boot: bool,
    pub fields: Fields,
}

impl Filter {
    pub fn all() -> Filter {
        Filter::default()
    }

    /// True when no entry is left out (which fields are read does not matter):
    /// only then does an empty result mean an empty journal.
    pub fn selects_everything(&self) -> bool {
        self.boots.is_empty()
            && self.since_usec.is_none()
            && self.until_usec.is_none()
            && self.any_of.is_empty()
            && self.last.is_none()
    }

    pub fn boot(mut self, boot: Id128) -> Filter {
        self.boots.push(boot);
        self
    }

    /// Time bounds only; libsystemd cannot apply them as matches.
    pub fn accepts_time(&self, realtime_usec: u64) -> bool {
        self.since_usec.is_none_or(|s| realtime_usec >= s)
            && self.until_usec.is_none_or(|u| realtime_usec <= u)
    }

    /// True when a term is a prefix, which libsystemd cannot match.
    pub fn has_prefix_terms(&self) -> bool {
        self.any_of.iter().flatten().any(|m| m.prefix)
    }

    /// The whole filter, for sources that check record by record.
    pub fn accepts(&self, entry: &Entry) -> bool {
        (self.boots.is_empty() || self.boots.contains(&entry.boot_id))
            && self.accepts_time(entry.realtime_usec)
            && (self.any_of.is_empty() || self.any_of.iter().any(|g| group_holds(g, entry)))
    }
}

/// The distinct fields a group's terms name, sorted: each one a condition
/// of its own (its terms ORed), all of them ANDed.
pub fn group_fields(group: &[Match]) -> Vec<&str> {
    let mut fields: Vec<&str> = group.iter().map(|m| m.field.as_str()).collect();
    fields.sort_unstable();
    fields.dedup();
    fields
}

/// True when one of the group's terms on `field` is a prefix: the field
/// cannot be looked up in an index and is checked on each entry instead.
pub fn checked_per_entry(group: &[Match], field: &str) -> bool {
    group.iter().any(|m| m.prefix && m.field == field)
}

fn group_holds(group: &[Match], entry: &Entry) -> bool {
    group_fields(group).iter().all(|field| {
        group
            .iter()
            .filter(|m| m.field == *field)
            .any(|m| entry.field_values(field).any(|v| m.holds_for(v)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fields: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(100, Id128([1; 16]));
        for (n, v) in fields {
            e.push_field(n, v.as_bytes());
        }
        e
    }

    #[test]
    fn same_field_terms_are_ored_and_different_fields_anded() {
        let group = vec![
            Match::new("UNIT", "a.service"),
            Match::new("UNIT", "b.service"),
            Match::new("_PID", "1"),
        ];
        let filter = Filter {
            any_of: vec![group],
            ..Filter::all()
        };
        assert!(filter.accepts(&entry(&[("UNIT", "b.service"), ("_PID", "1")])));
        assert!(!filter.accepts(&entry(&[("UNIT", "b.service"), ("_PID", "7")])));
        assert!(!filter.accepts(&entry(&[("UNIT", "c.service"), ("_PID", "1")])));
    }

    #[test]
    fn boot_and_time_bounds_apply_to_every_entry() {
        let f = Filter {
            since_usec: Some(50),
            until_usec: Some(150),
            ..Filter::all()
        }
        .boot(Id128([1; 16]));
        assert!(f.accepts(&entry(&[])));
        let mut other_boot = entry(&[]);
        other_boot.boot_id = Id128([2; 16]);
        assert!(!f.accepts(&other_boot));
        let mut late = entry(&[]);
        late.realtime_usec = 151;
        assert!(!f.accepts(&late));
    }

    #[test]
    fn match_syntax_is_journalctls() {
        assert_eq!(
            Match::parse("_SYSTEMD_UNIT=a=b").unwrap(),
            Match::new("_SYSTEMD_UNIT", "a=b")
        );
        assert!(Match::parse("unit=x").is_err());
        assert!(Match::parse("NOEQUALS").is_err());
    }
}

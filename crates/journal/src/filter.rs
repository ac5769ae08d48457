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

/// Where an entry lies in the journal, for [`Filter::from`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub seqnum_id: Id128,
    pub seqnum: u64,
    pub boot_id: Id128,
    pub monotonic_usec: u64,
}

impl Position {
    /// Where a cursor's entry lies.
    pub fn of_cursor(cursor: &str) -> Option<Position> {
        use super::headers::{cursor_part, cursor_seqnum};
        let id = |key| cursor_part(cursor, key).and_then(Id128::parse);
        Some(Position {
            seqnum_id: id("s")?,
            seqnum: cursor_seqnum(cursor)?,
            boot_id: id("b")?,
            monotonic_usec: cursor_part(cursor, "m")
                .and_then(|hex| u64::from_str_radix(hex, 16).ok())?,
        })
    }
}

/// An entry's place as far as its source knows it.
pub struct Place {
    pub seqnum_id: Option<Id128>,
    pub seqnum: Option<u64>,
    pub boot_id: Id128,
    pub monotonic_usec: Option<u64>,
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
    /// Only entries at or after this place, as libsystemd's merge orders
    /// them: by seqnum within its series, by monotonic time within its boot
    /// (other entries pass). A resumed read starts at the entry it stopped
    /// at; unlike a wall-clock bound, this needs no slack for a clock that
    /// moved.
    pub from: Option<Position>,
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
            && self.from.is_none()
            && self.any_of.is_empty()
            && self.last.is_none()
    }

    pub fn boot(mut self, boot: Id128) -> Filter {
        self.boots.push(boot);
        self
    }

    /// This filter narrowed to the time bounds of `outer` (-S/-U): the later
    /// start and the earlier end win, so a caller's own bound (a resumed
    /// read's start) survives the command line's.
    pub fn within_times_of(self, outer: &Filter) -> Filter {
        let later = |a: Option<u64>, b: Option<u64>| a.max(b);
        let earlier = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Filter {
            since_usec: later(self.since_usec, outer.since_usec),
            until_usec: earlier(self.until_usec, outer.until_usec),
            ..self
        }
    }

    /// Time bounds only; libsystemd cannot apply them as matches.
    pub fn accepts_time(&self, realtime_usec: u64) -> bool {
        self.since_usec.is_none_or(|s| realtime_usec >= s)
            && self.until_usec.is_none_or(|u| realtime_usec <= u)
    }

    /// The [`Filter::from`] bound only, for an entry whose place is known
    /// as far as the source knows it.
    pub fn accepts_place(&self, at: &Place) -> bool {
        let Some(from) = &self.from else {
            return true;
        };
        match (at.seqnum_id, at.seqnum, at.monotonic_usec) {
            (Some(series), Some(n), _) if series == from.seqnum_id => n >= from.seqnum,
            (_, _, Some(m)) if at.boot_id == from.boot_id => m >= from.monotonic_usec,
            _ => true,
        }
    }

    /// [`Filter::accepts_place`] for an entry whose series its cursor names.
    pub fn accepts_place_of(&self, entry: &Entry) -> bool {
        self.from.is_none()
            || self.accepts_place(&Place {
                seqnum_id: super::headers::cursor_part(&entry.cursor, "s").and_then(Id128::parse),
                seqnum: entry.seqnum,
                boot_id: entry.boot_id,
                monotonic_usec: entry.monotonic_usec,
            })
    }

    /// True when a term is a prefix, which libsystemd cannot match.
    pub fn has_prefix_terms(&self) -> bool {
        self.any_of.iter().flatten().any(|m| m.prefix)
    }

    /// The whole filter, for sources that check record by record.
    pub fn accepts(&self, entry: &Entry) -> bool {
        (self.boots.is_empty() || self.boots.contains(&entry.boot_id))
            && self.accepts_time(entry.realtime_usec)
            && self.accepts_place_of(entry)
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
    fn a_readers_own_time_bound_survives_the_command_lines() {
        let own = Filter {
            since_usec: Some(100),
            ..Filter::all()
        };
        let none = Filter::all();
        assert_eq!(own.clone().within_times_of(&none).since_usec, Some(100));
        let cli = Filter {
            since_usec: Some(50),
            until_usec: Some(300),
            ..Filter::all()
        };
        let both = own.within_times_of(&cli);
        assert_eq!((both.since_usec, both.until_usec), (Some(100), Some(300)));
        let narrower = Filter {
            since_usec: Some(200),
            until_usec: Some(250),
            ..Filter::all()
        };
        let inner = narrower.within_times_of(&cli);
        assert_eq!((inner.since_usec, inner.until_usec), (Some(200), Some(250)));
    }

    #[test]
    fn a_place_bound_holds_by_seqnum_in_its_series_and_by_clock_in_its_boot() {
        let (series, boot) = (Id128([7; 16]), Id128([1; 16]));
        let f = Filter {
            from: Some(Position {
                seqnum_id: series,
                seqnum: 10,
                boot_id: boot,
                monotonic_usec: 500,
            }),
            ..Filter::all()
        };
        let at = |s: Id128, i: u64, m: u64| {
            let mut e = entry(&[]);
            e.cursor = format!("s={s};i={i:x};b={boot};m={m:x};t=1;x=1");
            e.seqnum = Some(i);
            e.monotonic_usec = Some(m);
            e
        };
        assert!(
            !f.accepts(&at(series, 9, 900)),
            "its series: seqnum decides"
        );
        assert!(f.accepts(&at(series, 10, 1)));
        let other = Id128([8; 16]);
        assert!(
            !f.accepts(&at(other, 99, 499)),
            "another series: the boot's clock"
        );
        assert!(f.accepts(&at(other, 1, 500)));
        let mut elsewhere = at(other, 1, 1);
        elsewhere.boot_id = Id128([2; 16]);
        assert!(f.accepts(&elsewhere), "another boot: nothing to hold");
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

//! The journal lines a claim rests on.
//!
//! Every inference jforensics makes keeps the entries it came from, so a
//! reader can check any claim with `journalctl --cursor=…` on the same files.

use serde::Serialize;

use crate::journal::Entry;

/// Every field [`Evidence::from_entry`] reads by name. An entry without a
/// message is also described by its first fields, which a reader asked for
/// named fields delivers anyway ([`crate::journal::Fields::Named`]).
pub const FIELDS: &[&str] = &["MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "_TRANSPORT"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// journalctl's cursor of the entry (empty if the source had none).
    pub cursor: String,
    pub realtime_usec: u64,
    /// The entry's message, one line, for people.
    pub message: String,
}

impl Evidence {
    /// Longest message kept; evidence is an excerpt, not a copy of the log.
    const MAX_MESSAGE: usize = 300;

    pub fn from_entry(entry: &Entry) -> Evidence {
        let mut message: String = entry
            .message()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if message.len() > Self::MAX_MESSAGE {
            let cut = (0..=Self::MAX_MESSAGE)
                .rev()
                .find(|i| message.is_char_boundary(*i))
                .unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        if message.is_empty() {
            message = describe_fieldless(entry);
        }
        Evidence {
            cursor: entry.cursor.clone(),
            realtime_usec: entry.realtime_usec,
            message,
        }
    }
}

/// Something to show for an entry that has no MESSAGE.
fn describe_fieldless(entry: &Entry) -> String {
    let who = entry
        .str("SYSLOG_IDENTIFIER")
        .or_else(|| entry.str("_COMM"))
        .or_else(|| entry.str("_TRANSPORT"));
    let names: Vec<&str> = entry.fields().map(|(n, _)| n).take(4).collect();
    match who {
        Some(who) => format!("({who}: entry without MESSAGE)"),
        None if names.is_empty() => "(entry with no fields: cut off or damaged)".to_string(),
        None => format!("(entry without MESSAGE; fields {})", names.join(", ")),
    }
}

//! One unit file's text, read the way systemd's config parser reads it
//! (`conf-parser.c`): `[Section]` headers, `Key=Value` assignments,
//! comments starting with `#` or `;`, a trailing backslash continuing the
//! line, and for list settings an empty assignment that clears what came
//! before (drop-ins rely on it: `After=` then `After=x` replaces the list).

use std::collections::BTreeMap;

/// The settings of one section that matter here, in order of appearance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sections {
    /// (section, key) → values in order; a list setting's words are split.
    pub values: BTreeMap<(String, String), Vec<String>>,
}

/// Settings whose value is a whitespace-separated list of unit names
/// (`load-fragment-gperf.gperf.in`: `config_parse_unit_deps`).
pub const LIST_KEYS: &[&str] = &[
    "Wants",
    "Requires",
    "Requisite",
    "BindsTo",
    "PartOf",
    "Upholds",
    "After",
    "Before",
    "Conflicts",
    "OnFailure",
    "OnSuccess",
    "WantedBy",
    "RequiredBy",
    "UpheldBy",
    "Alias",
    "Also",
    "Sockets",
];

impl Sections {
    /// Applies one file's text over what earlier files set (drop-ins in
    /// order). Lines that are not assignments are skipped, as systemd skips
    /// them with a warning.
    pub fn apply(&mut self, text: &str, expand: &dyn Fn(&str) -> String) {
        let mut section = String::new();
        for line in logical_lines(text) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim().to_string();
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().to_string();
            let value = value.trim();
            let slot = self
                .values
                .entry((section.clone(), key.clone()))
                .or_default();
            if value.is_empty() {
                slot.clear();
            } else if LIST_KEYS.contains(&key.as_str()) {
                slot.extend(value.split_whitespace().map(expand));
            } else {
                slot.push(expand(value));
            }
        }
    }

    /// Every value of `key` in `section` (lists flattened).
    pub fn get(&self, section: &str, key: &str) -> &[String] {
        self.values
            .get(&(section.to_string(), key.to_string()))
            .map_or(&[], |v| v.as_slice())
    }

    /// The last value of a single-valued setting.
    pub fn last(&self, section: &str, key: &str) -> Option<&str> {
        self.get(section, key).last().map(String::as_str)
    }
}

/// Lines joined where one ends in a backslash (comment lines inside a
/// continued line are skipped, as systemd does).
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        if let Some(p) = pending.as_mut() {
            let t = raw.trim_start();
            if t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            match raw.strip_suffix('\\') {
                Some(part) => {
                    p.push(' ');
                    p.push_str(part);
                }
                None => {
                    p.push(' ');
                    p.push_str(raw);
                    out.push(pending.take().unwrap_or_default());
                }
            }
            continue;
        }
        match raw.strip_suffix('\\') {
            Some(part) => pending = Some(part.to_string()),
            None => out.push(raw.to_string()),
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// The specifiers a dependency list may use (systemd.unit(5) "Specifiers"),
/// for unit `name`: `%n` `%N` `%p` `%i` `%I` `%j` `%%`. Others are left as
/// written (they name hosts, paths and users, never units of this tree).
pub fn expand_specifiers(name: &str, value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let (stem, _suffix) = name.rsplit_once('.').unwrap_or((name, ""));
    let (prefix, instance) = match stem.split_once('@') {
        Some((p, i)) => (p, i),
        None => (stem, ""),
    };
    let last_dash = prefix.rsplit_once('-').map_or(prefix, |(_, l)| l);
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push_str(name),
            Some('N') => out.push_str(stem),
            Some('p') => out.push_str(prefix),
            Some('i') => out.push_str(instance),
            Some('I') => out.push_str(&unescape(instance)),
            Some('j') => out.push_str(last_dash),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// `systemd-escape --unescape` for `%I`: `-` is `/`, `\xNN` a byte.
fn unescape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'-' {
            out.push(b'/');
            i += 1;
        } else if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1] == b'x'
            && let Ok(b) = u8::from_str_radix(&text[i + 2..i + 4], 16)
        {
            out.push(b);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

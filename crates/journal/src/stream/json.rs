//! `journalctl -o json`: one object per line. Values are strings, arrays of
//! byte numbers (not valid UTF-8, or control characters), arrays of several
//! such values (a repeated field), or `null` (left out as too large). Also
//! reads `-o json-seq` (records start with 0x1E) and `-o json-pretty`.
//!
//! Each line is deserialized straight into the entry: keys and unescaped
//! strings are borrowed from the line, no intermediate `serde_json::Value`.

use std::borrow::Cow;
use std::fmt;
use std::io;

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Record;
use super::input::{Line, LineReader};
use super::record::{Kind, MAX_FIELD_BYTES, RecordBuilder, classify, show};

/// A line may hold several fields, and byte arrays take up to four times
/// the size of their value.
const MAX_LINE_BYTES: usize = 2 * MAX_FIELD_BYTES as usize;

pub(super) struct JsonReader {
    line: Vec<u8>,
    pretty: Vec<u8>,
}

fn trim(bytes: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x1e);
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

impl JsonReader {
    pub(super) fn new() -> JsonReader {
        JsonReader {
            line: Vec::new(),
            pretty: Vec::new(),
        }
    }

    pub(super) fn next_record(&mut self, input: &mut LineReader) -> io::Result<Option<Record>> {
        loop {
            let start = input.line();
            match input.read_line(&mut self.line, MAX_LINE_BYTES)? {
                Line::Eof => return Ok(None),
                Line::TooLong => {
                    return Ok(Some(Record::Malformed {
                        line: start,
                        reason: format!(
                            "the line is longer than the {} MiB limit",
                            MAX_LINE_BYTES >> 20
                        ),
                    }));
                }
                Line::Complete | Line::Unterminated => {}
            }
            let text = trim(&self.line);
            if text.is_empty() {
                continue;
            }
            if text == b"{" {
                // json-pretty: the object ends with a line holding only `}`.
                return self.read_pretty(input, start).map(Some);
            }
            return Ok(Some(parse_record(start, text)));
        }
    }

    fn read_pretty(&mut self, input: &mut LineReader, start: u64) -> io::Result<Record> {
        self.pretty.clear();
        self.pretty.extend_from_slice(b"{\n");
        loop {
            let status = input.read_line(&mut self.line, MAX_LINE_BYTES)?;
            let too_long = self.pretty.len() + self.line.len() > MAX_LINE_BYTES;
            if status == Line::Eof || status == Line::TooLong || too_long {
                let reason = if status == Line::Eof {
                    "the object is not closed before the end of the input".to_string()
                } else {
                    format!(
                        "the object is longer than the {} MiB limit",
                        MAX_LINE_BYTES >> 20
                    )
                };
                return Ok(Record::Malformed {
                    line: start,
                    reason,
                });
            }
            self.pretty.extend_from_slice(&self.line);
            if trim(&self.line) == b"}" {
                return Ok(parse_record(start, &self.pretty));
            }
        }
    }
}

fn parse_record(start: u64, text: &[u8]) -> Record {
    let mut builder = RecordBuilder::new();
    match parse_object(text, &mut builder) {
        Ok(()) => Record::finish(start, builder),
        Err(reason) => Record::Malformed {
            line: start,
            reason,
        },
    }
}

/// Fills `rec` from one JSON object; syntax errors come back as text.
pub(super) fn parse_object(text: &[u8], rec: &mut RecordBuilder) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(text);
    de.deserialize_map(ObjectVisitor { rec })
        .and_then(|()| de.end())
        .map_err(|e| {
            // serde_json appends "at line L column C"; within a record only
            // the column (or both, for json-pretty) is worth saying.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            if e.line() > 1 {
                format!(
                    "invalid JSON at line {} column {} of the record: {message}",
                    e.line(),
                    e.column()
                )
            } else {
                format!("invalid JSON at column {}: {message}", e.column())
            }
        })
}

/// Object keys, borrowed from the line unless they hold escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

struct ObjectVisitor<'r> {
    rec: &'r mut RecordBuilder,
}

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (one journal entry)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match classify(key.as_bytes()) {
                Kind::Regular => map.next_value_seed(ValueSeed {
                    rec: &mut *self.rec,
                    name: &key,
                })?,
                Kind::Meta(meta) => match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::String(s) => self.rec.meta(meta, s.as_bytes()),
                    // Not what journalctl writes, but unambiguous.
                    serde_json::Value::Number(n) => self.rec.meta(meta, n.to_string().as_bytes()),
                    other => self.rec.fail(format!(
                        "{key} is {}, not a string",
                        match other {
                            serde_json::Value::Null => "null",
                            serde_json::Value::Array(_) => "an array",
                            serde_json::Value::Object(_) => "an object",
                            _ => "not text",
                        }
                    )),
                },
                Kind::OtherMeta => {
                    map.next_value::<IgnoredAny>()?;
                }
                Kind::Invalid => {
                    self.rec
                        .fail(format!("invalid field name {}", show(key.as_bytes())));
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The value of an ordinary field, pushed into the record as it is read.
struct ValueSeed<'r, 'n> {
    rec: &'r mut RecordBuilder,
    name: &'n str,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a string, an array of byte values, an array of values, or null for field {}",
            self.name
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.rec.push(self.name, v.as_bytes());
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.rec.omitted += 1;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut bytes = Vec::new();
        let mut shape = Shape::Unknown;
        while seq
            .next_element_seed(ElementSeed {
                rec: &mut *self.rec,
                name: self.name,
                bytes: &mut bytes,
                shape: &mut shape,
            })?
            .is_some()
        {}
        match shape {
            // `[]`: an empty binary value.
            Shape::Unknown | Shape::Bytes => self.rec.push(self.name, &bytes),
            Shape::Values => {}
        }
        Ok(())
    }
}

/// What an array turned out to be, decided by its first element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Unknown,
    /// One binary value: `[104, 105]`.
    Bytes,
    /// A repeated field: `["a", [104, 105], null]`.
    Values,
}

struct ElementSeed<'a, 'n> {
    rec: &'a mut RecordBuilder,
    name: &'n str,
    bytes: &'a mut Vec<u8>,
    shape: &'a mut Shape,
}

impl ElementSeed<'_, '_> {
    fn become_shape<E: de::Error>(&mut self, shape: Shape) -> Result<(), E> {
        if *self.shape == Shape::Unknown {
            *self.shape = shape;
        }
        if *self.shape == shape {
            Ok(())
        } else {
            Err(E::custom(format!(
                "field {} mixes byte numbers with other values in one array",
                self.name
            )))
        }
    }
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElementSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a byte value (0-255), a string, an array of byte values, or null in field {}",
            self.name
        )
    }

    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<(), E> {
        self.become_shape(Shape::Bytes)?;
        let byte = u8::try_from(v).map_err(|_| {
            E::custom(format!(
                "field {} has byte value {v}, more than 255",
                self.name
            ))
        })?;
        self.bytes.push(byte);
        Ok(())
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.become_shape(Shape::Values)?;
        self.rec.push(self.name, v.as_bytes());
        Ok(())
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.become_shape(Shape::Values)?;
        self.rec.omitted += 1;
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.become_shape(Shape::Values)?;
        let mut value = Vec::new();
        while let Some(byte) = seq.next_element::<u8>()? {
            value.push(byte);
        }
        self.rec.push(self.name, &value);
        Ok(())
    }
}

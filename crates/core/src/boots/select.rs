//! journalctl's `-b` grammar: which boot an offset, a boot id or `ID±N`
//! names among a journal's boots.

use super::Boot;
use crate::journal::Id128;

/// The fewest hex digits taken as the start of a boot id.
const ID_PREFIX_MIN_DIGITS: usize = 8;
/// The hex digits of a whole boot id (128 bits).
const ID_DIGITS: usize = 32;

/// Resolves journalctl's `-b` argument: an offset (`0` newest, `-1` the one
/// before, `1` or `+1` the oldest), a boot id, or an id followed by an offset
/// (`ID-1`). An id may be shortened to a unique prefix of 8 or more hex
/// digits, which is what the `boots` table prints.
pub fn select<'a>(boots: &'a [Boot], spec: &str) -> Result<&'a Boot, String> {
    let ids: Vec<Id128> = boots.iter().map(|b| b.boot_id).collect();
    position(&ids, spec).map(|p| &boots[p])
}

/// Where the boot `spec` names (see [`select`]) is among `boots`, every
/// boot id of the journal, oldest first.
pub fn position(boots: &[Id128], spec: &str) -> Result<usize, String> {
    let spec = spec.trim();
    let (id, offset) = parse_spec(spec).ok_or_else(|| {
        format!(
            "'{spec}' is not a boot: give an offset like 0 or -1, or a boot id (or its first 8 digits) from `jforensics boots`"
        )
    })?;
    let position = match id {
        Some(id) => boot_by_id(boots, id)? as i64 + offset,
        // journalctl: 0 and -N count back from the newest, N and +N forward
        // from the oldest (1 is the oldest).
        None if offset > 0 => offset - 1,
        None => boots.len() as i64 - 1 + offset,
    };
    usize::try_from(position)
        .ok()
        .filter(|p| *p < boots.len())
        .ok_or_else(|| {
            format!(
                "no boot at '{spec}': this journal holds {} boot(s) (offsets {} to 0, or 1 to {})",
                boots.len(),
                -(boots.len() as i64 - 1),
                boots.len()
            )
        })
}

/// Whether `spec` has the form of a `-b` value (see [`select`]), before any
/// journal is read.
pub fn check_spec(spec: &str) -> Result<(), String> {
    parse_spec(spec.trim()).map(|_| ()).ok_or_else(|| {
        "give an offset (0 newest, -1 the one before, 1 the oldest), a boot id or its first 8 digits, or ID±N"
            .to_string()
    })
}

/// A `-b` value's parts: the boot id or its prefix (8 to 32 hex digits), if
/// any, and the signed offset after it (0 when none is given).
///
/// Fewer hex digits than [`ID_PREFIX_MIN_DIGITS`] are an offset
/// (`-b 12`), as in journalctl; a boot id has [`ID_DIGITS`].
fn parse_spec(spec: &str) -> Option<(Option<&str>, i64)> {
    // `-b ''` names no boot; the newest would be a silent guess.
    if spec.is_empty() {
        return None;
    }
    let hex_len = spec.bytes().take_while(u8::is_ascii_hexdigit).count();
    let (id, rest) = if hex_len >= ID_PREFIX_MIN_DIGITS {
        let (id, rest) = spec.split_at(hex_len.min(ID_DIGITS));
        (Some(id), rest)
    } else {
        (None, spec)
    };
    let offset = if rest.is_empty() {
        0
    } else {
        rest.parse().ok()?
    };
    Some((id, offset))
}

/// The position of the boot whose id is `id` or starts with it.
fn boot_by_id(boots: &[Id128], id: &str) -> Result<usize, String> {
    let id = id.to_ascii_lowercase();
    let matching: Vec<usize> = boots
        .iter()
        .enumerate()
        .filter(|(_, b)| b.to_string().starts_with(&id))
        .map(|(i, _)| i)
        .collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "boot {id} is not in this journal; `jforensics boots` lists the boots"
        )),
        many => Err(format!(
            "{} boots start with {id}; give more digits (`jforensics boots -l` prints whole ids)",
            many.len()
        )),
    }
}

//! The byte format between jforensics and its reader process (`isolated/`):
//! requests (a filter) one way, entries and how the read ended the other.
//!
//! Little-endian integers and length-prefixed bytes; both ends are the same
//! binary, so there is no versioning. Every read is bounded by the bytes that
//! arrive: a reader that dies mid-frame is an I/O error, never a panic.

use std::io::{Read, Write};

use super::{Entry, Fields, Filter, Id128, Match, Position};

/// Frame tags, child to parent.
pub const ENTRY: u8 = b'E';
pub const WARNING: u8 = b'W';
pub const SKIPPED: u8 = b'K';
pub const FAILED: u8 = b'X';
pub const EMPTY: u8 = b'Z';
pub const DONE: u8 = b'D';
/// One boot's [`super::BootHeaders`].
pub const BOOT: u8 = b'B';
/// The journal's [`super::Outline`].
pub const OUTLINE: u8 = b'O';
/// A line of the debug trace (`trace.rs`), for the parent to print.
pub const TRACE: u8 = b'T';
/// The file a [`Request::Damage`] is about to walk: if the reader dies
/// there, that file is what stopped it.
pub const CHECKING: u8 = b'C';
/// Damage found inside one file (see `files/verify.rs`).
pub const DAMAGE: u8 = b'V';

/// What a request asks for, before its filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// The entries that pass the filter.
    Entries,
    /// Only each boot's header sums (see `headers.rs`).
    BootHeaders,
    /// What the index alone tells of the boots (see `outline.rs`), if it can.
    Outline,
    /// The damage inside every file (see `files/verify.rs`); the filter is
    /// not used.
    Damage,
}

impl Request {
    pub fn tag(self) -> u8 {
        match self {
            Request::Entries => b'R',
            Request::BootHeaders => b'H',
            Request::Outline => b'O',
            Request::Damage => b'V',
        }
    }

    pub fn from_tag(tag: u8) -> Option<Request> {
        match tag {
            b'R' => Some(Request::Entries),
            b'H' => Some(Request::BootHeaders),
            b'O' => Some(Request::Outline),
            b'V' => Some(Request::Damage),
            _ => None,
        }
    }
}

/// An absent optional number.
const NONE: u64 = u64::MAX;

pub fn write_u64(out: &mut impl Write, v: u64) -> std::io::Result<()> {
    out.write_all(&v.to_le_bytes())
}

pub fn write_bytes(out: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    out.write_all(&(b.len() as u32).to_le_bytes())?;
    out.write_all(b)
}

pub fn write_string(out: &mut impl Write, tag: u8, s: &str) -> std::io::Result<()> {
    out.write_all(&[tag])?;
    write_bytes(out, s.as_bytes())
}

pub fn read_u8(r: &mut impl Read) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

pub fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

pub fn read_bytes(r: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut v = Vec::new();
    append_bytes(r, &mut v)?;
    Ok(v)
}

/// Reads length-prefixed bytes onto the end of `buf`.
fn append_bytes(r: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<()> {
    /// Up to this many bytes are made room for before they arrive; a larger
    /// length grows the buffer only as bytes come, so a torn frame cannot
    /// claim gigabytes.
    const ROOM: usize = 1 << 16;
    let len = read_u32(r)? as usize;
    let start = buf.len();
    let read = if len <= ROOM {
        buf.resize(start + len, 0);
        r.read_exact(&mut buf[start..])
    } else {
        r.take(len as u64).read_to_end(buf).and_then(|_| {
            if buf.len() - start == len {
                Ok(())
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            }
        })
    };
    if read.is_err() {
        buf.truncate(start);
    }
    read
}

pub fn read_string(r: &mut impl Read) -> std::io::Result<String> {
    Ok(String::from_utf8_lossy(&read_bytes(r)?).into_owned())
}

pub fn write_opt(out: &mut impl Write, v: Option<u64>) -> std::io::Result<()> {
    write_u64(out, v.unwrap_or(NONE))
}

pub fn read_opt(r: &mut impl Read) -> std::io::Result<Option<u64>> {
    let v = read_u64(r)?;
    Ok((v != NONE).then_some(v))
}

pub fn write_entry(out: &mut impl Write, e: &Entry) -> std::io::Result<()> {
    out.write_all(&[ENTRY])?;
    write_u64(out, e.realtime_usec)?;
    write_opt(out, e.monotonic_usec)?;
    write_opt(out, e.seqnum)?;
    out.write_all(&e.boot_id.0)?;
    write_bytes(out, e.cursor.as_bytes())?;
    out.write_all(&(e.field_count() as u32).to_le_bytes())?;
    out.write_all(&(e.data_len() as u32).to_le_bytes())?;
    for (name, value) in e.fields() {
        write_bytes(out, name.as_bytes())?;
        write_bytes(out, value)?;
    }
    Ok(())
}

/// An entry frame's body (after its tag).
pub fn read_entry(r: &mut impl Read) -> std::io::Result<Entry> {
    let realtime = read_u64(r)?;
    let mono = read_opt(r)?;
    let seqnum = read_opt(r)?;
    let mut boot = [0u8; 16];
    r.read_exact(&mut boot)?;
    let mut entry = Entry::new(realtime, Id128(boot));
    entry.monotonic_usec = mono;
    entry.seqnum = seqnum;
    entry.cursor = read_string(r)?;
    let n = read_u32(r)?;
    let bytes = read_u32(r)? as usize;
    // Sizes from the frame, capped: a torn frame cannot claim much.
    entry.reserve((n as usize).min(1 << 10), bytes.min(1 << 20));
    for _ in 0..n {
        entry.push_field_from(|buf| append_bytes(r, buf))?;
    }
    Ok(entry)
}

pub fn write_filter(out: &mut impl Write, f: &Filter) -> std::io::Result<()> {
    write_u64(out, f.boots.len() as u64)?;
    for b in &f.boots {
        out.write_all(&b.0)?;
    }
    write_opt(out, f.since_usec)?;
    write_opt(out, f.until_usec)?;
    match f.from {
        Some(p) => {
            out.write_all(&[1])?;
            out.write_all(&p.seqnum_id.0)?;
            write_u64(out, p.seqnum)?;
            out.write_all(&p.boot_id.0)?;
            write_u64(out, p.monotonic_usec)?;
        }
        None => out.write_all(&[0])?,
    }
    write_u64(out, f.any_of.len() as u64)?;
    for group in &f.any_of {
        write_u64(out, group.len() as u64)?;
        for m in group {
            write_bytes(out, m.field.as_bytes())?;
            write_bytes(out, &m.value)?;
            out.write_all(&[u8::from(m.prefix)])?;
        }
    }
    write_opt(out, f.last.map(|n| n as u64))?;
    out.write_all(&[
        f.last_per_boot as u8,
        match f.fields {
            Fields::All => 0,
            Fields::HeaderOnly => 1,
            Fields::Named(_) => 2,
        },
    ])?;
    if let Fields::Named(names) = &f.fields {
        write_u64(out, names.len() as u64)?;
        for n in names {
            write_bytes(out, n.as_bytes())?;
        }
    }
    Ok(())
}

pub fn read_filter(r: &mut impl Read) -> std::io::Result<Filter> {
    let mut filter = Filter::all();
    for _ in 0..read_u64(r)? {
        let mut b = [0u8; 16];
        r.read_exact(&mut b)?;
        filter.boots.push(Id128(b));
    }
    filter.since_usec = read_opt(r)?;
    filter.until_usec = read_opt(r)?;
    if read_u8(r)? != 0 {
        let mut series = [0u8; 16];
        r.read_exact(&mut series)?;
        let seqnum = read_u64(r)?;
        let mut boot = [0u8; 16];
        r.read_exact(&mut boot)?;
        filter.from = Some(Position {
            seqnum_id: Id128(series),
            seqnum,
            boot_id: Id128(boot),
            monotonic_usec: read_u64(r)?,
        });
    }
    for _ in 0..read_u64(r)? {
        let mut group = Vec::new();
        for _ in 0..read_u64(r)? {
            let field = read_string(r)?;
            let mut m = Match::new(&field, read_bytes(r)?);
            m.prefix = read_u8(r)? != 0;
            group.push(m);
        }
        filter.any_of.push(group);
    }
    filter.last = read_opt(r)?.map(|n| n as usize);
    filter.last_per_boot = read_u8(r)? != 0;
    filter.fields = match read_u8(r)? {
        1 => Fields::HeaderOnly,
        2 => Fields::Named(
            (0..read_u64(r)?)
                .map(|_| read_string(r))
                .collect::<std::io::Result<_>>()?,
        ),
        _ => Fields::All,
    };
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_the_frame_format_byte_for_byte() {
        let mut e = Entry::new(1_666_569_600_994_371, Id128([7; 16]));
        e.monotonic_usec = Some(42);
        e.cursor = "s=1;i=2".to_string();
        e.push_field("MESSAGE", b"hello");
        e.push_field("BINARY", &[0, 0xff, b'\n']);
        e.push_field("BINARY", b"second");
        let mut buf = Vec::new();
        write_entry(&mut buf, &e).unwrap();
        let back = read_entry(&mut &buf[1..]).unwrap();
        assert_eq!(back.realtime_usec, e.realtime_usec);
        assert_eq!(back.monotonic_usec, Some(42));
        assert_eq!(back.seqnum, None);
        assert_eq!(back.boot_id, e.boot_id);
        assert_eq!(back.cursor, e.cursor);
        let fields: Vec<_> = back.fields().collect();
        assert_eq!(fields, e.fields().collect::<Vec<_>>());
        // Cut anywhere, a frame is an error, not a panic or a huge allocation.
        for cut in 1..buf.len() {
            assert!(read_entry(&mut &buf[1..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn filters_survive_the_request_format() {
        let f = Filter {
            boots: vec![Id128([1; 16]), Id128([2; 16])],
            since_usec: Some(5),
            from: Some(Position {
                seqnum_id: Id128([9; 16]),
                seqnum: 77,
                boot_id: Id128([3; 16]),
                monotonic_usec: 5,
            }),
            until_usec: None,
            any_of: vec![
                vec![Match::new("_PID", "1"), Match::new("UNIT", "a.service")],
                vec![Match::new("MESSAGE_ID", vec![0, 0xff])],
            ],
            last: Some(8),
            last_per_boot: true,
            fields: Fields::HeaderOnly,
        };
        let mut buf = Vec::new();
        write_filter(&mut buf, &f).unwrap();
        assert_eq!(read_filter(&mut buf.as_slice()).unwrap(), f);
        let named = Filter {
            fields: Fields::Named(vec!["MESSAGE".into(), "_PID".into()]),
            ..f.clone()
        };
        let mut buf = Vec::new();
        write_filter(&mut buf, &named).unwrap();
        assert_eq!(read_filter(&mut buf.as_slice()).unwrap(), named);
        assert_eq!(
            {
                let mut b = Vec::new();
                write_filter(&mut b, &Filter::all()).unwrap();
                read_filter(&mut b.as_slice()).unwrap()
            },
            Filter::all()
        );
    }
}

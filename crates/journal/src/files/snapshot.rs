//! Private snapshots of journal files that may be written while we read.
//!
//! journald does not only append: it rewrites the header (counters, tail
//! pointers, the state byte), fills entry-array slots and links the next
//! array, extends hash chains and the entry lists of DATA objects, all in
//! place. A map of such a file would let those bytes change under a `&[u8]`,
//! which Rust forbids. So a file that a writer may still touch — any whose
//! header state is not ARCHIVED: an ONLINE file is being written, and an
//! OFFLINE one is the active file between two of journald's syncs, set
//! ONLINE again by its next entry — is read once, here, into a private file:
//! the header first (the snapshot), then the arena up to the end that
//! header names, and the copy is mapped instead. ARCHIVED is final: journald
//! never writes a file again once it archived it.
//!
//! The copy is consistent with its header but not with itself: bytes past
//! the header may have moved on while they were copied (an entry-array slot
//! past the header's count filled, a hash chain or an entry list pointing at
//! an object beyond the snapshot's end). `format.rs` reads a snapshot with
//! that in mind: what lies beyond the snapshot's end was written after it
//! and is not part of it, and a torn last object is skipped.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `enum { STATE_OFFLINE, STATE_ONLINE, STATE_ARCHIVED }` at header offset 16.
pub const STATE_ARCHIVED: u8 = 2;
const SIGNATURE: &[u8; 8] = b"LPKSHHRH";
const HEADER_SIZE_MIN: u64 = 208;
/// A header larger than this is damage, not a format a reader knows.
const HEADER_SIZE_MAX: u64 = 1 << 16;

/// What a file's header says of its writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// ARCHIVED: no one writes it again; safe to map.
    Settled,
    /// ONLINE or OFFLINE: a writer may (re)open it.
    Live,
    /// Not a journal header (too short, no signature): nobody's journal,
    /// and the reader refuses it at its first check.
    NotJournal,
}

/// Reads the state byte of the file's header.
pub fn state(file: &mut File) -> std::io::Result<State> {
    let mut head = [0u8; 17];
    file.seek(SeekFrom::Start(0))?;
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => return Ok(State::NotJournal),
            n => got += n,
        }
    }
    Ok(if &head[..8] != SIGNATURE {
        State::NotJournal
    } else if head[16] == STATE_ARCHIVED {
        State::Settled
    } else {
        State::Live
    })
}

/// Copies the live file at `path` into a new file in `dir`: its header as
/// read first, then the arena up to the end that header names (or the
/// file's end, when it is shorter: the reader then refuses it as libsystemd
/// would). Returns the copy's path and the bytes copied.
pub fn take(path: &Path, dir: &Path, index: usize) -> std::io::Result<(PathBuf, u64)> {
    let mut file = File::open(path)?;
    let mut header = vec![0u8; HEADER_SIZE_MIN as usize];
    file.read_exact(&mut header)?;
    let le64 = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]));
    let header_size = le64(&header, 88).clamp(HEADER_SIZE_MIN, HEADER_SIZE_MAX);
    if header_size > HEADER_SIZE_MIN {
        header.resize(header_size as usize, 0);
        file.read_exact(&mut header[HEADER_SIZE_MIN as usize..])?;
    }
    let end = header_size.saturating_add(le64(&header, 96));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file.journal");
    let target = dir.join(format!("{index:04}-{name}"));
    let mut out = File::create(&target)?;
    out.write_all(&header)?;
    let copied = std::io::copy(&mut file.take(end.saturating_sub(header_size)), &mut out)?;
    Ok((target, header_size + copied))
}

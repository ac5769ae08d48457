//! A journal file mapped read-only: the only `unsafe` blocks of src/journal.
//!
//! Why a map: listing boots touches one 64-byte header per entry, a million
//! times, spread over hundreds of megabytes. Reading the files would copy all
//! of those bytes; a map only touches the pages that hold the headers, which
//! the page cache already has.
//!
//! Why it is sound here: the map is private and read-only, jforensics never
//! writes journal files, and every access is bounds-checked against the
//! length seen when mapping (a slice). What no one may do is change the
//! bytes under it, and journald does change them: it does not only append,
//! it rewrites header counters, entry-array slots and links, hash chains and
//! DATA objects' entry lists in place. So only files no writer touches are
//! mapped: those whose header says ARCHIVED (journald never writes one
//! again), copies jforensics made itself (unpacked files, and the private
//! snapshots `snapshot.rs` takes of every other file), and fixtures in
//! tests; `format.rs` checks the state again when it maps a found file. A
//! file that shrank under us (deleted pages of an archived file cannot
//! change, but a truncation would raise SIGBUS) is contained by mapping only
//! in the reader process (`../isolated/`), whose death the parent reports
//! and answers by reading with libsystemd.

use std::fs::File;
use std::ops::Deref;

pub struct Mapped(memmap2::Mmap);

/// Maps `file` whole, read-only.
pub fn map(file: &File) -> std::io::Result<Mapped> {
    // SAFETY: see the module doc: read-only map of a file no one writes
    // (archived, or our own copy); shrinking is contained by the reader
    // process.
    let map = unsafe { memmap2::MmapOptions::new().map(file)? };
    Ok(Mapped(map))
}

impl Mapped {
    /// Gives back the pages of `range` (clamped to the map) that a walk left
    /// behind: they stay in the page cache, but no longer count in this
    /// process's memory. A walk over every entry header of a big journal
    /// otherwise ends up holding every page of every file.
    pub fn release(&self, range: std::ops::Range<usize>) {
        let end = range.end.min(self.0.len());
        if range.start >= end {
            return;
        }
        // SAFETY: MADV_DONTNEED on a private read-only map this process never
        // wrote drops page-table entries only; the next access faults the
        // same file bytes back in from the page cache, so every slice still
        // reads what the file holds (the module doc's terms). Failure only
        // means the pages stay.
        let _ = unsafe {
            self.0.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                range.start,
                end - range.start,
            )
        };
    }
}

impl Deref for Mapped {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

//! A journal file mapped read-only: the only `unsafe` blocks of src/journal.
//!
//! Why a map: listing boots touches one 64-byte header per entry, a million
//! times, spread over hundreds of megabytes. Reading the files would copy all
//! of those bytes; a map only touches the pages that hold the headers, which
//! the page cache already has.
//!
//! Why it is sound here: the map is private and read-only, jforensics never
//! writes journal files, and every access is bounds-checked against the
//! length seen when mapping (a slice). journald only ever appends to a file
//! it writes, which leaves the mapped bytes as they were. A file that shrank
//! under us would raise SIGBUS on the lost pages: that is why these maps are
//! only made in the reader process (`../isolated.rs`), whose death the parent
//! reports and answers by reading with libsystemd, and in tests on fixtures.

use std::fs::File;
use std::ops::Deref;

pub struct Mapped(memmap2::Mmap);

/// Maps `file` whole, read-only.
pub fn map(file: &File) -> std::io::Result<Mapped> {
    // SAFETY: see the module doc: read-only private map of a file this
    // process never writes; shrinking is contained by the reader process.
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

//! The JSON lines sink: records appended to a file, one per line, and
//! fsynced before the state that says "delivered" is committed.
//!
//! Each record is written with one `write` of a whole line, so a crash leaves
//! whole lines only (at worst the last is cut short by the disk, which a
//! reader skips as unparsable).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use super::record::Record;

/// Appends `records`; `after_each` runs after each line (the crash hook).
pub fn append(path: &Path, records: &[Record], after_each: impl Fn()) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    for r in records {
        file.write_all(r.to_line().as_bytes())?;
        after_each();
    }
    file.sync_all()
}

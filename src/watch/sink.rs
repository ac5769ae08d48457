//! The JSON lines sink: records appended to a file, one per line, and
//! fsynced before the state that says "delivered" is committed.
//!
//! Each record is written with one `write` of a whole line, so a crash leaves
//! whole lines only (at worst the last is cut short by the disk, which a
//! reader skips as unparsable).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Appends `records` (each one JSON object, without its newline);
/// `after_each` runs after each line (the crash hook).
pub fn append(path: &Path, records: &[&str], after_each: impl Fn()) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    for r in records {
        file.write_all(format!("{r}\n").as_bytes())?;
        after_each();
    }
    file.sync_all()
}

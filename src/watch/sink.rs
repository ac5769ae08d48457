//! The JSON lines sink: records appended to a file, one per line, and
//! fsynced before the state that says "delivered" is committed.
//!
//! Each record is written with one `write` of a whole line, so a crash leaves
//! whole lines only (at worst the last is cut short by the disk, which a
//! reader skips as unparsable, and which the next append ends first).

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Appends `records` (each one JSON object, without its newline);
/// `after_each` runs after each line (the crash hook).
pub fn append(path: &Path, records: &[&str], after_each: impl Fn()) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    // A line cut short by a crash would swallow the next record into one
    // unparsable line: end it first, so only the cut record is lost, and it
    // is sent again whole.
    if file.seek(SeekFrom::End(0))? > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    for r in records {
        file.write_all(format!("{r}\n").as_bytes())?;
        after_each();
    }
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_cut_short_stays_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sink.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"b\":").unwrap();
        append(&path, &["{\"c\":3}"], || {}).unwrap();
        append(&path, &["{\"d\":4}"], || {}).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"b\":\n{\"c\":3}\n{\"d\":4}\n"
        );
    }
}

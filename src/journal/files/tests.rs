//! The files' own headers against libsystemd's walk, on every recorded
//! fixture: the same sums, or no answer at all.

use std::path::{Path, PathBuf};

use super::{Paths, boot_headers};
use crate::journal::libsystemd::{self, LibsystemdSource};
use crate::journal::{
    BootHeaders, EntrySource, Fields, Filter, HeaderScan, SourceSpec, for_each_entry,
};

fn fixture_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zst"))
        .collect();
    files.sort();
    files
}

/// What libsystemd's walk sums up, in this process (clean fixtures only:
/// a damaged file may make libsystemd abort).
fn through_libsystemd(prepared: &libsystemd::Prepared, filter: &Filter) -> Vec<BootHeaders> {
    let filter = Filter {
        fields: Fields::HeaderOnly,
        ..filter.clone()
    };
    let mut source = LibsystemdSource::open(prepared.copy_for_child(), filter).unwrap();
    let mut scan = HeaderScan::default();
    for_each_entry(&mut source, |e| scan.observe(&e)).unwrap();
    assert!(source.diagnostics().warnings.is_empty());
    scan.finish()
}

/// Checks one file set under `filter`; true when the files were read
/// directly (and agreed), false when they were left to libsystemd.
fn agrees(files: &[PathBuf], filter: &Filter) -> bool {
    let prepared = libsystemd::prepare(&SourceSpec::Files(files.to_vec())).unwrap();
    let paths = prepared.paths().unwrap();
    let Some((direct, _)) = boot_headers(&paths, filter) else {
        return false;
    };
    let reference = through_libsystemd(&prepared, filter);
    assert_eq!(direct.len(), reference.len(), "{files:?}");
    for (d, r) in direct.iter().zip(&reference) {
        assert_eq!(d, r, "{files:?}");
    }
    true
}

#[test]
fn every_fixture_sums_up_as_libsystemd_walks_it() {
    for dir in [
        "tests/fixtures/debian12/journal",
        "tests/fixtures/debian13/journal",
        "tests/fixtures/systemd/no-rtc",
    ] {
        let files = fixture_files(dir);
        assert!(
            agrees(&files, &Filter::all()),
            "{dir} was not read directly"
        );
        // Each file alone, and the set in reverse (libsystemd's open order
        // decides ties): answered alike or left to libsystemd.
        for f in &files {
            agrees(std::slice::from_ref(f), &Filter::all());
        }
        let reversed: Vec<PathBuf> = files.iter().rev().cloned().collect();
        agrees(&reversed, &Filter::all());
    }
}

#[test]
fn time_bounds_apply_as_in_libsystemd() {
    let files = fixture_files("tests/fixtures/debian12/journal");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files.clone())).unwrap();
    let all = through_libsystemd(&prepared, &Filter::all());
    let middle = all.iter().map(|b| b.max_realtime).min().unwrap();
    let bounded = Filter {
        since_usec: Some(middle),
        ..Filter::all()
    };
    assert!(agrees(&files, &bounded));
    let until = Filter {
        until_usec: Some(middle),
        ..Filter::all()
    };
    assert!(agrees(&files, &until));
}

#[test]
fn a_directory_is_read_as_libsystemd_opens_it() {
    let files = fixture_files("tests/fixtures/systemd/no-rtc");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let Some(Paths::Files(unpacked)) = prepared.paths() else {
        panic!("compressed fixtures are unpacked to files")
    };
    let dir = tempfile::tempdir().unwrap();
    for f in &unpacked {
        std::fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let spec = SourceSpec::Directory(dir.path().to_path_buf());
    let in_dir = libsystemd::prepare(&spec).unwrap();
    let (direct, _) = boot_headers(&in_dir.paths().unwrap(), &Filter::all()).unwrap();
    assert_eq!(direct, through_libsystemd(&in_dir, &Filter::all()));
}

#[test]
fn matches_and_tails_are_left_to_libsystemd() {
    let files = fixture_files("tests/fixtures/debian12/journal");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let paths = prepared.paths().unwrap();
    let (all, _) = boot_headers(&paths, &Filter::all()).unwrap();
    assert!(boot_headers(&paths, &Filter::all().boot(all[0].boot_id)).is_none());
    let tail = Filter {
        last: Some(3),
        ..Filter::all()
    };
    assert!(boot_headers(&paths, &tail).is_none());
}

#[test]
fn damaged_files_are_left_to_libsystemd_without_panicking() {
    let files = fixture_files("tests/fixtures/systemd/corrupted");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let Some(Paths::Files(unpacked)) = prepared.paths() else {
        panic!("compressed fixtures are unpacked to files")
    };
    for f in &unpacked {
        // Whatever the answer, it must come back.
        let _ = boot_headers(&Paths::Files(vec![f.clone()]), &Filter::all());
    }
    // A good file cut short and with bytes flipped: refused or read, never
    // a panic or an out-of-bounds read.
    let good = fixture_files("tests/fixtures/systemd/no-rtc");
    let prepared = libsystemd::prepare(&SourceSpec::Files(good[..1].to_vec())).unwrap();
    let Some(Paths::Files(one)) = prepared.paths() else {
        panic!("compressed fixtures are unpacked to files")
    };
    let bytes = std::fs::read(&one[0]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.journal");
    let mut refused = 0;
    for cut in [0, 7, 200, 300, 4096, bytes.len() / 3, bytes.len() - 8] {
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        let read = boot_headers(&Paths::Files(vec![damaged.clone()]), &Filter::all());
        refused += usize::from(read.is_none());
    }
    // Every cut leaves the header promising more than the file holds.
    assert_eq!(refused, 7);
    for step in [97usize, 1021, 4099] {
        let mut flipped = bytes.clone();
        for at in (240..flipped.len()).step_by(step) {
            flipped[at] ^= 0x5a;
        }
        std::fs::write(&damaged, &flipped).unwrap();
        let _ = boot_headers(&Paths::Files(vec![damaged.clone()]), &Filter::all());
    }
}

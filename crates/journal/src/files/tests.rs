//! The files' own headers against libsystemd's walk, on every recorded
//! fixture: the same sums, or no answer at all.

use std::path::{Path, PathBuf};

use super::format::JournalFile;
use super::{Access, Outcome, Paths, boot_headers, boots_in, outline, read_matched};
use crate::libsystemd::{self, LibsystemdSource};
use crate::{
    BootHeaders, Entry, EntrySource, Fields, Filter, HeaderScan, Id128, Match, SourceSpec,
    for_each_entry,
};

fn fixture_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .join(dir);
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
    let (_prepared, unpacked) = unpack(fixture_files("tests/fixtures/systemd/no-rtc"));
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
fn a_few_boots_sum_up_through_the_index_as_libsystemd_reads_them_matched() {
    for dir in ALL_FIXTURES {
        let files = fixture_files(dir);
        let prepared = libsystemd::prepare(&SourceSpec::Files(files.clone())).unwrap();
        let ids: Vec<Id128> = through_libsystemd(&prepared, &Filter::all())
            .iter()
            .map(|b| b.boot_id)
            .collect();
        for id in &ids {
            assert!(agrees(&files, &Filter::all().boot(*id)), "{dir} {id}");
        }
        let two = Filter {
            boots: vec![ids[0], ids[ids.len() - 1]],
            ..Filter::all()
        };
        assert!(agrees(&files, &two), "{dir}");
    }
}

#[test]
fn field_matches_and_tails_are_left_to_libsystemd() {
    let files = fixture_files("tests/fixtures/debian12/journal");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let paths = prepared.paths().unwrap();
    let tail = Filter {
        last: Some(3),
        ..Filter::all()
    };
    assert!(boot_headers(&paths, &tail).is_none());
    let matched = Filter {
        any_of: vec![vec![Match::new("_PID", "1")]],
        ..Filter::all()
    };
    assert!(boot_headers(&paths, &matched).is_none());
}

#[test]
fn the_outline_spans_each_boot_as_summing_its_headers_does() {
    let mut outlined = Vec::new();
    for dir in ALL_FIXTURES {
        let files = fixture_files(dir);
        let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
        let sums = through_libsystemd(&prepared, &Filter::all());
        let Some(found) = outline(&prepared.paths().unwrap(), &Filter::all()) else {
            continue;
        };
        outlined.push(dir);
        let sorted = |mut s: Vec<(String, u64, u64)>| {
            s.sort();
            s
        };
        let spans: Vec<_> = found
            .boots
            .iter()
            .map(|b| (b.boot_id, sorted(b.seqnums.clone())))
            .collect();
        let summed: Vec<_> = sums
            .iter()
            .map(|b| (b.boot_id, sorted(b.seqnums.clone())))
            .collect();
        assert_eq!(spans, summed, "{dir}");
        let mut machines = std::collections::HashSet::new();
        let mut source = LibsystemdSource::open(prepared.copy_for_child(), Filter::all()).unwrap();
        for_each_entry(&mut source, |e| {
            machines.extend(e.field("_MACHINE_ID").map(<[u8]>::to_vec));
        })
        .unwrap();
        assert_eq!(found.machine_ids, machines.len(), "{dir}");
    }
    // The recorded fixtures are clean files; systemd's no-RTC sample was
    // never closed (entry lists end in unwritten slots) and is left to the
    // header sums.
    assert_eq!(outlined, &ALL_FIXTURES[..4]);
}

#[test]
fn time_bounds_and_damage_leave_no_outline() {
    let files = fixture_files("tests/fixtures/debian12/journal");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let bounded = Filter {
        since_usec: Some(1),
        ..Filter::all()
    };
    assert!(outline(&prepared.paths().unwrap(), &bounded).is_none());
    let (_corrupted, unpacked) = unpack(fixture_files("tests/fixtures/systemd/corrupted"));
    for f in &unpacked {
        // Whatever the answer, it must come back.
        let _ = outline(&Paths::Files(vec![f.clone()]), &Filter::all());
    }
    let (_good, one) = unpack(fixture_files("tests/fixtures/debian13/journal")[..1].to_vec());
    let bytes = std::fs::read(&one[0]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.journal");
    for cut in [0, 300, bytes.len() / 3, bytes.len() - 8] {
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        assert!(outline(&Paths::Files(vec![damaged.clone()]), &Filter::all()).is_none());
    }
    with_flipped_bytes(&bytes, &damaged, |f| {
        let _ = outline(&Paths::Files(vec![f.to_path_buf()]), &Filter::all());
    });
}

#[test]
fn a_files_boots_are_those_libsystemd_reads_from_it() {
    let mut untold = Vec::new();
    for dir in ALL_FIXTURES {
        let (_prepared, unpacked) = unpack(fixture_files(dir));
        for f in &unpacked {
            let Some((mut boots, machines)) = boots_in(f, Access::Private) else {
                untold.push(format!("{dir}: {}", f.display()));
                continue;
            };
            boots.sort();
            let one = libsystemd::prepare(&SourceSpec::Files(vec![f.clone()])).unwrap();
            let read: Vec<Id128> = through_libsystemd(&one, &Filter::all())
                .iter()
                .map(|b| b.boot_id)
                .collect();
            assert_eq!(boots, read, "{}", f.display());
            let mut named = std::collections::BTreeSet::new();
            let mut source = LibsystemdSource::open(one.copy_for_child(), Filter::all()).unwrap();
            for_each_entry(&mut source, |e| named.extend(e.machine_id())).unwrap();
            let machines: std::collections::BTreeSet<Id128> = machines.into_iter().collect();
            assert_eq!(machines, named, "{}", f.display());
        }
    }
    // Every file of every fixture can say, the no-RTC sample's too (its
    // files name two machine ids).
    assert!(untold.is_empty(), "{untold:?}");
}

#[test]
fn a_damaged_file_cannot_say_which_boots_it_holds() {
    let (_corrupted, unpacked) = unpack(fixture_files("tests/fixtures/systemd/corrupted"));
    for f in &unpacked {
        // Whatever the answer, it must come back.
        let _ = boots_in(f, Access::Private);
    }
    let (_good, one) = unpack(fixture_files("tests/fixtures/debian13/journal")[..1].to_vec());
    assert!(boots_in(&one[0], Access::Private).is_some_and(|(b, _)| !b.is_empty()));
    let bytes = std::fs::read(&one[0]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.journal");
    for cut in [0, 300, bytes.len() / 3, bytes.len() - 8] {
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        assert!(
            boots_in(&damaged, Access::Private).is_none(),
            "cut at {cut}"
        );
    }
    with_flipped_bytes(&bytes, &damaged, |f| {
        let _ = boots_in(f, Access::Private);
    });
}

/// Compressed fixture files unpacked, as libsystemd reads them; the
/// returned `Prepared` keeps the copies alive.
fn unpack(files: Vec<PathBuf>) -> (libsystemd::Prepared, Vec<PathBuf>) {
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let Some(Paths::Files(unpacked)) = prepared.paths() else {
        panic!("compressed fixtures are unpacked to files")
    };
    (prepared, unpacked)
}

/// `bytes` with every `step`-th byte past the header flipped, for a few
/// steps, written to `damaged` and handed to `read` each time.
fn with_flipped_bytes(bytes: &[u8], damaged: &Path, mut read: impl FnMut(&Path)) {
    for step in [97usize, 1021, 4099] {
        let mut flipped = bytes.to_vec();
        for at in (240..flipped.len()).step_by(step) {
            flipped[at] ^= 0x5a;
        }
        std::fs::write(damaged, &flipped).unwrap();
        read(damaged);
    }
}

#[test]
fn damaged_files_are_left_to_libsystemd_without_panicking() {
    let (_corrupted, unpacked) = unpack(fixture_files("tests/fixtures/systemd/corrupted"));
    for f in &unpacked {
        // Whatever the answer, it must come back.
        let _ = boot_headers(&Paths::Files(vec![f.clone()]), &Filter::all());
    }
    // A good file cut short and with bytes flipped: refused or read, never
    // a panic or an out-of-bounds read.
    let (_good, one) = unpack(fixture_files("tests/fixtures/systemd/no-rtc")[..1].to_vec());
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
    with_flipped_bytes(&bytes, &damaged, |f| {
        let _ = boot_headers(&Paths::Files(vec![f.to_path_buf()]), &Filter::all());
    });
}

/// Every fixture, including the races recordings (systemd 252 and 257, the
/// compact format of 254+).
const ALL_FIXTURES: [&str; 5] = [
    "tests/fixtures/debian12/journal",
    "tests/fixtures/debian13/journal",
    "tests/fixtures/debian12-races/journal",
    "tests/fixtures/debian13-races/journal",
    "tests/fixtures/systemd/no-rtc",
];

/// An entry as both readers must deliver it, comparable.
fn described(e: &Entry) -> String {
    format!("{e:?}")
}

fn libsystemd_entries(prepared: &libsystemd::Prepared, filter: &Filter) -> Vec<String> {
    let mut source = LibsystemdSource::open(prepared.copy_for_child(), filter.clone()).unwrap();
    let mut out = Vec::new();
    for_each_entry(&mut source, |e| out.push(described(&e))).unwrap();
    assert!(source.diagnostics().warnings.is_empty());
    out
}

fn matched_entries(paths: &Paths, filter: &Filter) -> (Vec<String>, Outcome) {
    let mut out = Vec::new();
    let outcome = read_matched(paths, filter, |e| {
        out.push(described(&e));
        Ok(())
    })
    .unwrap();
    (out, outcome)
}

/// Filters of the kinds the commands use: marker lines (several groups,
/// terms ORed and ANDed), one boot's events, a whole boot, a boot's tail of
/// matches under time bounds, only headers, a value no entry has.
fn filters(boots: &[Id128], middle: u64) -> Vec<Filter> {
    let named = |names: &[&str]| Fields::Named(names.iter().map(|n| n.to_string()).collect());
    let markers = vec![
        vec![Match::new("MESSAGE_ID", "98268866d1d54a499c4e98921d93bc40")],
        vec![
            Match::new("MESSAGE_ID", "b07a249cd024414a82dd00cd181378ff"),
            Match::new("_PID", "1"),
        ],
        vec![
            Match::new("SYSLOG_IDENTIFIER", "systemd"),
            Match::new("_TRANSPORT", "kernel"),
        ],
        vec![
            Match::new("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf"),
            Match::new("_PID", "1"),
            Match::new("UNIT", "shutdown.target"),
            Match::new("UNIT", "reboot.target"),
            Match::new("UNIT", "poweroff.target"),
        ],
    ];
    let events = vec![
        vec![Match::new("_PID", "1")],
        vec![
            Match::new("SYSLOG_PID", "1"),
            Match::new("_TRANSPORT", "kernel"),
        ],
        vec![Match::new("SYSLOG_IDENTIFIER", "sudo")],
    ];
    let last = *boots.last().unwrap();
    vec![
        Filter {
            any_of: markers.clone(),
            fields: named(&["MESSAGE", "MESSAGE_ID", "SYSLOG_PID", "_PID"]),
            ..Filter::all()
        },
        Filter {
            any_of: markers,
            ..Filter::all()
        },
        Filter {
            any_of: events.clone(),
            boots: vec![last],
            ..Filter::all()
        },
        Filter {
            any_of: events,
            boots: boots.to_vec(),
            since_usec: Some(middle),
            fields: named(&["MESSAGE", "UNIT", "JOB_ID"]),
            ..Filter::all()
        },
        Filter::all().boot(boots[0]),
        // A whole boot with named fields, as the detectors read one: names
        // past an entry's first fields decide.
        Filter {
            fields: named(&["MESSAGE", "_SYSTEMD_UNIT", "INVOCATION_ID", "_COMM", "UNIT"]),
            ..Filter::all()
        }
        .boot(last),
        Filter {
            boots: boots.to_vec(),
            until_usec: Some(middle),
            fields: Fields::HeaderOnly,
            ..Filter::all()
        },
        Filter {
            any_of: vec![vec![Match::new("UNIT", "no-such-unit.service")]],
            ..Filter::all()
        },
        // Every boot's tail, as the boot listing reads them.
        Filter {
            boots: boots.to_vec(),
            last: Some(8),
            last_per_boot: true,
            ..Filter::all()
        },
        // The last lines of PID 1 in all boots together, newest boots first.
        Filter {
            boots: boots.iter().rev().copied().collect(),
            any_of: vec![vec![Match::new("_PID", "1")]],
            last: Some(50),
            until_usec: Some(middle),
            ..Filter::all()
        },
        // A tail longer than the boot.
        Filter {
            boots: vec![last],
            any_of: vec![vec![Match::new("SYSLOG_IDENTIFIER", "sudo")]],
            last: Some(100_000),
            last_per_boot: true,
            ..Filter::all()
        },
        // Version lines by prefix, which libsystemd checks on each entry.
        Filter {
            any_of: vec![vec![
                Match::new("_TRANSPORT", "kernel"),
                Match::starting("MESSAGE", "systemd "),
                Match::new("MESSAGE", "Shutting down."),
            ]],
            fields: named(&["MESSAGE"]),
            ..Filter::all()
        },
    ]
}

#[test]
fn matched_reads_deliver_what_libsystemd_delivers_on_every_fixture() {
    for dir in ALL_FIXTURES {
        let files = fixture_files(dir);
        let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
        let paths = prepared.paths().unwrap();
        let sums = through_libsystemd(&prepared, &Filter::all());
        let boots: Vec<Id128> = sums.iter().map(|b| b.boot_id).collect();
        let middle = sums.iter().map(|b| b.max_realtime).min().unwrap();
        for filter in filters(&boots, middle) {
            let (direct, outcome) = matched_entries(&paths, &filter);
            let reference = libsystemd_entries(&prepared, &filter);
            match outcome {
                Outcome::Done => assert_eq!(direct.len(), reference.len(), "{dir}: {filter:?}"),
                // Tails across files are read directly only boot by boot,
                // and not at all where the files disagree on the order (the
                // no-RTC sample; see `tail`): read up to there.
                Outcome::LeftToLibsystemd { delivered } => {
                    assert!(
                        filter.last.is_some() && (dir.ends_with("no-rtc") || !filter.last_per_boot),
                        "{dir}: {filter:?} was not read directly"
                    );
                    assert_eq!(delivered as usize, direct.len());
                    assert!(direct.len() <= reference.len());
                }
            }
            for (d, r) in direct.iter().zip(&reference) {
                assert_eq!(d, r, "{dir}: {filter:?}");
            }
        }
    }
}

#[test]
fn a_whole_journal_is_left_to_libsystemd() {
    let files = fixture_files("tests/fixtures/debian12/journal");
    let prepared = libsystemd::prepare(&SourceSpec::Files(files)).unwrap();
    let paths = prepared.paths().unwrap();
    let left = Outcome::LeftToLibsystemd { delivered: 0 };
    assert_eq!(matched_entries(&paths, &Filter::all()), (vec![], left));
}

/// A payload this reader does not unpack, met halfway through a read: it
/// stops there, and what it delivered is what libsystemd delivers first, so
/// libsystemd can go on from there.
#[test]
fn a_payload_it_cannot_read_stops_the_read_where_libsystemd_takes_over() {
    let (prepared, one) = unpack(fixture_files("tests/fixtures/debian12/journal")[..1].to_vec());
    let filter = Filter {
        any_of: vec![vec![Match::new("_PID", "1")]],
        ..Filter::all()
    };
    // A DATA object first used by the 20th matching entry, marked LZ4.
    let file = JournalFile::open(&one[0]).unwrap();
    let pid1 = file.find_data(b"_PID=1").unwrap().unwrap();
    let entries = file.data_entries(pid1).unwrap();
    let earlier: std::collections::HashSet<u64> = entries[..20]
        .iter()
        .flat_map(|e| file.entry_data(*e).unwrap())
        .collect();
    let target = file
        .entry_data(entries[20])
        .unwrap()
        .into_iter()
        .find(|d| !earlier.contains(d))
        .unwrap();
    let mut bytes = std::fs::read(&one[0]).unwrap();
    bytes[target as usize + 1] = 2;
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("system.journal");
    std::fs::write(&damaged, &bytes).unwrap();

    let (direct, outcome) = matched_entries(&Paths::Files(vec![damaged]), &filter);
    assert_eq!(outcome, Outcome::LeftToLibsystemd { delivered: 20 });
    let reference = libsystemd_entries(&prepared, &filter);
    assert_eq!(direct, reference[..20]);
}

#[test]
fn matched_reads_of_damaged_files_come_back_without_panicking() {
    let filter = Filter {
        any_of: vec![
            vec![Match::new("_PID", "1")],
            vec![Match::new("PRIORITY", "6")],
        ],
        ..Filter::all()
    };
    let (_corrupted, unpacked) = unpack(fixture_files("tests/fixtures/systemd/corrupted"));
    for f in &unpacked {
        let _ = matched_entries(&Paths::Files(vec![f.clone()]), &filter);
    }
    let (_good, one) = unpack(fixture_files("tests/fixtures/systemd/no-rtc")[..1].to_vec());
    let bytes = std::fs::read(&one[0]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    with_flipped_bytes(&bytes, &dir.path().join("damaged.journal"), |f| {
        let _ = matched_entries(&Paths::Files(vec![f.to_path_buf()]), &filter);
    });
}

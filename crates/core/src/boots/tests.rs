//! The boot scanner, ordering and `-b` selection, on entries made here.

use super::*;
use crate::events::ids;
use crate::journal::{Entry, Id128, Outline};

fn entry(
    boot: u8,
    series: &str,
    seq: u64,
    realtime: u64,
    mono: u64,
    fields: &[(&str, &str)],
) -> Entry {
    let mut e = Entry::new(realtime, Id128([boot; 16]));
    e.monotonic_usec = Some(mono);
    e.seqnum = Some(seq);
    e.cursor = format!(
        "s={series};i={seq:x};b={};m={mono:x};t={realtime:x};x=0",
        Id128([boot; 16])
    );
    for (n, v) in fields {
        e.push_field(n, v.as_bytes());
    }
    e
}

#[test]
fn shared_sequence_series_beats_a_misleading_wall_clock() {
    let mut s = BootScanner::new();
    // Boot 2 logged later (higher seqnum) but its clock reads earlier.
    s.observe(&entry(1, "aa", 10, 5_000, 1, &[]));
    s.observe(&entry(1, "aa", 11, 9_000, 2, &[]));
    s.observe(&entry(2, "aa", 12, 1_000, 1, &[]));
    let boots = s.finish();
    assert_eq!(boots[0].boot_id, Id128([1; 16]));
    assert_eq!(boots[1].boot_id, Id128([2; 16]));
    assert_eq!(boots[1].index, 0);
    assert_eq!(boots[0].index, -1);
    assert_eq!(boots[0].end, BootEnd::Unclean);
    assert_eq!(boots[1].end, BootEnd::Running);
    assert_eq!(boots[0].downtime_usec, None);
}

fn span(boot: u8, series: &[(&str, u64, u64)]) -> crate::journal::BootSpan {
    crate::journal::BootSpan {
        boot_id: Id128([boot; 16]),
        seqnums: series
            .iter()
            .map(|(s, lo, hi)| (s.to_string(), *lo, *hi))
            .collect(),
    }
}

#[test]
fn an_outline_orders_boots_when_sequence_numbers_alone_decide() {
    // Boot 3 bridges series aa and bb (journald started a new file
    // series during it): every boot is placed by seqnums.
    let outline = Outline {
        boots: vec![
            span(1, &[("aa", 20, 29)]),
            span(2, &[("aa", 1, 9)]),
            span(3, &[("aa", 30, 31), ("bb", 1, 4)]),
            span(4, &[("bb", 5, 9)]),
        ],
        machine_ids: 1,
    };
    let ids = |n: &[u8]| n.iter().map(|b| Id128([*b; 16])).collect::<Vec<_>>();
    assert_eq!(outline_order(&outline), Some(ids(&[2, 1, 3, 4])));
    // The same boots summed from their headers come out alike.
    let mut s = BootScanner::new();
    for (boot, series, seq) in [(2, "aa", 1), (1, "aa", 20), (3, "aa", 30), (3, "bb", 1)] {
        s.observe(&entry(boot, series, seq, 1_000 - seq, seq, &[]));
    }
    s.observe(&entry(4, "bb", 5, 1, 1, &[]));
    let full: Vec<Id128> = s.finish().iter().map(|b| b.boot_id).collect();
    assert_eq!(full, ids(&[2, 1, 3, 4]));
}

#[test]
fn an_outline_leaves_boots_only_the_wall_clock_orders_undecided() {
    // Two series no boot bridges: the order rests on each boot's newest
    // wall-clock time, which the index does not hold.
    let outline = Outline {
        boots: vec![span(1, &[("aa", 1, 9)]), span(2, &[("bb", 1, 9)])],
        machine_ids: 1,
    };
    assert_eq!(outline_order(&outline), None);
    // Overlapping ranges in one series (boots interleaved) likewise.
    let outline = Outline {
        boots: vec![span(1, &[("aa", 1, 9)]), span(2, &[("aa", 5, 12)])],
        machine_ids: 1,
    };
    assert_eq!(outline_order(&outline), None);
}

#[test]
fn a_scan_of_a_few_boots_numbers_them_by_the_whole_order() {
    let order: Vec<Id128> = (1..=4).map(|b| Id128([b; 16])).collect();
    let mut s = BootScanner::new();
    // Boots 1, 2 and 4 of four: boot 3 was not read.
    s.observe(&entry(2, "aa", 2, 2_000, 1, &[]));
    s.observe(&entry(4, "aa", 30, 9_000, 1, &[]));
    s.observe(&entry(1, "aa", 1, 500, 1, &[]));
    let boots = s.finish_within(&order);
    let got: Vec<(u8, i64, Option<u64>, BootEnd)> = boots
        .iter()
        .map(|b| (b.boot_id.0[0], b.index, b.downtime_usec, b.end))
        .collect();
    // A downtime needs the next boot's first entry: boot 2's is unknown.
    assert_eq!(
        got,
        vec![
            (1, -3, Some(1_500), BootEnd::Unclean),
            (2, -2, None, BootEnd::Unclean),
            (4, 0, None, BootEnd::Running),
        ]
    );
    assert!(boots.iter().all(|b| b.notes.is_empty()));
}

#[test]
fn reboot_target_and_final_journal_stop_make_a_clean_reboot() {
    let mut s = BootScanner::new();
    let pid1 = [
        ("_PID", "1"),
        ("MESSAGE_ID", ids::UNIT_STARTED),
        ("UNIT", "reboot.target"),
    ];
    s.observe(&entry(1, "aa", 1, 1_000, 10, &[]));
    s.observe(&entry(1, "aa", 2, 2_000, 20, &pid1));
    s.observe(&entry(
        1,
        "aa",
        3,
        3_000,
        30,
        &[
            ("MESSAGE_ID", ids::JOURNAL_STOP),
            ("MESSAGE", "Journal stopped"),
        ],
    ));
    s.observe(&entry(2, "aa", 4, 10_000, 10, &[]));
    let boots = s.finish();
    assert_eq!(boots[0].end, BootEnd::Clean);
    assert_eq!(boots[0].shutdown, Some(ShutdownKind::Reboot));
    assert_eq!(boots[0].downtime_usec, Some(7_000));
    assert_eq!(boots[0].duration_usec, 30);
}

#[test]
fn a_switch_root_journal_stop_is_not_a_shutdown() {
    let mut s = BootScanner::new();
    s.observe(&entry(
        1,
        "aa",
        1,
        1_000,
        10,
        &[
            ("MESSAGE_ID", ids::JOURNAL_STOP),
            ("MESSAGE", "Journal stopped"),
        ],
    ));
    s.observe(&entry(
        1,
        "aa",
        2,
        2_000,
        20,
        &[("_TRANSPORT", "journal"), ("MESSAGE", "later")],
    ));
    s.observe(&entry(2, "aa", 3, 9_000, 10, &[]));
    let boots = s.finish();
    assert_eq!(boots[0].end, BootEnd::Unclean);
    assert_eq!(boots[0].end_evidence.last().unwrap().message, "later");
}

#[test]
fn boot_selection_follows_journalctl() {
    let mut s = BootScanner::new();
    for b in 1..=3u8 {
        s.observe(&entry(b, "aa", b as u64, b as u64 * 1000, 1, &[]));
    }
    let boots = s.finish();
    assert_eq!(select(&boots, "0").unwrap().boot_id, Id128([3; 16]));
    assert_eq!(select(&boots, "-2").unwrap().boot_id, Id128([1; 16]));
    assert_eq!(select(&boots, "+1").unwrap().boot_id, Id128([1; 16]));
    let id = Id128([2; 16]).to_string();
    assert_eq!(select(&boots, &id).unwrap().boot_id, Id128([2; 16]));
    assert_eq!(
        select(&boots, &format!("{id}+1")).unwrap().boot_id,
        Id128([3; 16])
    );
    assert!(select(&boots, "-3").is_err());
    assert!(select(&boots, "yesterday").is_err());
}

#[test]
fn an_unsigned_offset_counts_from_the_oldest_boot_as_in_journalctl() {
    let mut s = BootScanner::new();
    for b in 1..=3u8 {
        s.observe(&entry(b, "aa", b as u64, b as u64 * 1000, 1, &[]));
    }
    let boots = s.finish();
    assert_eq!(select(&boots, "1").unwrap().boot_id, Id128([1; 16]));
    assert_eq!(select(&boots, "3").unwrap().boot_id, Id128([3; 16]));
    assert!(select(&boots, "4").is_err());
}

#[test]
fn a_boot_id_may_be_shortened_to_a_unique_prefix() {
    let mut s = BootScanner::new();
    for b in [0x12u8, 0x13, 0xab] {
        s.observe(&entry(b, "aa", b as u64, b as u64 * 1000, 1, &[]));
    }
    let boots = s.finish();
    assert_eq!(
        select(&boots, "abababab").unwrap().boot_id,
        Id128([0xab; 16])
    );
    assert_eq!(
        select(&boots, "ABABABAB").unwrap().boot_id,
        Id128([0xab; 16])
    );
    assert_eq!(
        select(&boots, "12121212+1").unwrap().boot_id,
        Id128([0x13; 16])
    );
    let err = select(&boots, "cdcdcdcd").unwrap_err();
    assert!(err.contains("not in this journal"), "{err}");
    // Seven digits are too few to be an id; they are not an offset either.
    assert!(select(&boots, "abababa").is_err());
    assert!(check_spec("abababa").is_err());
    for good in [
        "0",
        "-1",
        "+2",
        "3",
        "abababab",
        "12121212+1",
        &"ab".repeat(16),
    ] {
        assert!(check_spec(good).is_ok(), "{good}");
    }
    assert!(check_spec("yesterday").is_err());
}

#[test]
fn an_entry_whose_header_names_another_boot_than_its_field_is_counted_with_its_own() {
    let mut s = BootScanner::new();
    let own = Id128([1; 16]).to_string();
    s.observe(&entry(1, "aa", 1, 1_000, 1, &[("_BOOT_ID", &own)]));
    // The first entry of a user journal in another series: no sequence
    // number can tell, the field does.
    s.observe(&entry(9, "bb", 1, 1_500, 2, &[("_BOOT_ID", &own)]));
    s.observe(&entry(1, "aa", 2, 2_000, 3, &[("_BOOT_ID", &own)]));
    let boots = s.finish();
    assert_eq!(boots.len(), 1);
    assert_eq!(boots[0].entries, 3);
    assert_eq!(boots[0].end, BootEnd::Running);
    assert!(
        boots[0].notes.iter().any(|n| n.contains("_BOOT_ID field")),
        "{:?}",
        boots[0].notes
    );
}

#[test]
fn every_shutdown_unit_ends_a_boot_cleanly_read_either_way() {
    // The index is asked for exactly the units an entry-by-entry read
    // takes as a shutdown: a unit in one form only would make the same
    // boot end cleanly read from a stream and uncleanly read from files.
    let asked: Vec<Vec<u8>> = marker_matches()
        .into_iter()
        .flatten()
        .filter(|m| m.field == "UNIT")
        .map(|m| m.value)
        .collect();
    let mut units: Vec<&str> = crate::events::shutdown::UNITS
        .iter()
        .map(|(u, _)| *u)
        .collect();
    units.push("systemd-halt.target");
    units.push("ssh.service");
    for unit in units {
        let mut s = BootScanner::new();
        let pid1 = [
            ("_PID", "1"),
            ("MESSAGE_ID", ids::UNIT_STARTED),
            ("UNIT", unit),
        ];
        s.observe(&entry(1, "aa", 1, 1_000, 10, &[]));
        s.observe(&entry(1, "aa", 2, 2_000, 20, &pid1));
        s.observe(&entry(2, "aa", 3, 10_000, 10, &[]));
        let boots = s.finish();
        let in_index = asked.contains(&unit.as_bytes().to_vec());
        assert_eq!(
            boots[0].end == BootEnd::Clean,
            in_index,
            "{unit}: read entry by entry the boot ends {:?}; asked of the index: {in_index}",
            boots[0].end
        );
        let kind = boots[0].shutdown.map(ShutdownKind::as_str);
        let want = crate::events::shutdown::kind_of(unit);
        assert_eq!(kind, want, "{unit}");
    }
}

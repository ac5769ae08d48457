//! `jforensics report`: the postmortem bundle on the recorded journals, and
//! the committed example bundles in reports/ kept in step with the code.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::fixture::Fixture;
use crate::support::*;

fn report(args: &[&str], out: &Path) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    let run = jforensics(&all);
    assert!(
        run.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stderr).unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_power_cut_boot_of_each_fixture_gets_a_bundle_that_says_so() {
    for f in Fixture::all() {
        let cut: Vec<_> = f
            .truth
            .boots
            .iter()
            .filter(|b| b.end == "unclean")
            .collect();
        assert_eq!(cut.len(), 1, "{}: the recorder cuts power once", f.name);
        let offset = (cut[0].order as i64 - (f.truth.boots.len() as i64 - 1)).to_string();
        let out = tempfile::tempdir().unwrap();
        let said = report(
            &["-D", f.dir_arg(), "--utc", "report", "-b", &offset],
            out.path(),
        );
        let names: Vec<String> = files(out.path()).into_keys().collect();
        for chart in ["overview", "timeline"] {
            for ext in ["png", "svg"] {
                let file = format!("{chart}.{ext}");
                assert!(names.contains(&file), "{}: {file} in {names:?}", f.name);
            }
        }
        assert!(
            names.contains(&"report.md".to_string()) && names.contains(&"report.json".to_string())
        );
        assert!(
            said.contains("report.md"),
            "the files written are named on stderr: {said}"
        );
        let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
        assert!(
            md.starts_with("# Boot ") && md.contains("ended UNCLEAN"),
            "{}: {md}",
            f.name
        );
        assert!(
            md.contains("![Journal overview](overview.svg)"),
            "chart embedded"
        );
        assert!(
            md.contains("| error | unclean-shutdown |"),
            "{}: the power cut is a finding",
            f.name
        );
        assert!(
            md.contains("journalctl --cursor='s="),
            "evidence can be checked"
        );
        // The last line before the cut is the boot's last entry.
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap())
                .unwrap();
        assert_eq!(
            json["boot"]["boot_id"],
            cut[0].boot_id.as_str(),
            "{}",
            f.name
        );
        let last = json["boot"]["end_evidence"]
            .as_array()
            .unwrap()
            .last()
            .unwrap();
        assert_eq!(last["realtime_usec"], json["boot"]["last_realtime_usec"]);
        assert!(
            md.contains(last["message"].as_str().unwrap()),
            "{}: last words quoted",
            f.name
        );
    }
}

#[test]
fn html_is_one_file_with_the_charts_inlined() {
    let f = Fixture::load("debian13");
    let out = tempfile::tempdir().unwrap();
    report(
        &[
            "-D",
            f.dir_arg(),
            "--utc",
            "report",
            "-b",
            "-2",
            "--format",
            "html",
        ],
        out.path(),
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "chart inlined");
    assert!(
        !html.contains("src=\"overview"),
        "no reference to a separate file"
    );
    assert!(html.contains("<table>"), "tables rendered");
    assert!(!out.path().join("report.md").exists());
}

#[test]
fn the_same_journal_gives_the_same_bundle() {
    let f = Fixture::load("debian12");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    report(
        &["-D", f.dir_arg(), "--utc", "report", "-b", "-1"],
        a.path(),
    );
    report(
        &["-D", f.dir_arg(), "--utc", "report", "-b", "-1"],
        b.path(),
    );
    assert_eq!(files(a.path()), files(b.path()));
}

#[test]
fn a_boot_that_is_not_there_is_a_one_line_error() {
    let f = Fixture::load("debian12");
    let out = tempfile::tempdir().unwrap();
    let run = jforensics(&[
        "-D",
        f.dir_arg(),
        "report",
        "-b",
        "-9",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(
        err.contains("no boot at '-9'") && err.lines().count() == 1,
        "{err}"
    );
    assert!(files(out.path()).is_empty(), "nothing written");
}

/// The example bundles in reports/ are what the code makes today. PNGs are
/// compared byte for byte like the rest: Cargo.lock pins the rasteriser and
/// encoder, and the font is embedded, so a difference means the drawing
/// changed and the examples must be regenerated.
#[test]
fn example_bundles_in_reports_are_up_to_date() {
    let list = std::fs::read_to_string(repo().join("reports/examples.tsv")).unwrap();
    let mut checked = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, journal, boot] = cols[..] else {
            panic!("reports/examples.tsv: bad line {line:?}")
        };
        // As scripts/make-example-reports.sh names it, relative to the
        // repository (the tests' working directory): damage lines quote it.
        let fresh = tempfile::tempdir().unwrap();
        let args = ["-D", journal, "--utc", "report", "-b", boot];
        report(&args, fresh.path());
        let mut html = args.to_vec();
        html.extend(["--format", "html"]);
        report(&html, fresh.path());
        let committed = files(&repo().join("reports").join(name));
        let fresh = files(fresh.path());
        let stale: Vec<&String> = fresh
            .keys()
            .chain(committed.keys())
            .filter(|k| fresh.get(*k) != committed.get(*k))
            .collect();
        assert!(
            stale.is_empty(),
            "reports/{name} is stale ({stale:?} differ): run scripts/make-example-reports.sh and commit the result"
        );
        checked += 1;
    }
    assert!(checked >= 3, "the examples list is not empty");
}

/// The boot with the recorder's crash loops: each truth loop gets a panel in
/// the crash-loop chart and a finding with its stable id in report.md.
#[test]
fn crash_loops_of_the_truth_are_charted_and_listed() {
    for f in Fixture::all() {
        let first = f.boot(0);
        let loops: Vec<&str> = f
            .truth
            .crash_loops
            .iter()
            .filter(|c| c.boot_id == first.boot_id)
            .map(|c| c.unit.as_str())
            .collect();
        assert!(
            loops.len() >= 2,
            "{}: the first boot has crash loops",
            f.name
        );
        let offset = (1 - f.truth.boots.len() as i64).to_string();
        let out = tempfile::tempdir().unwrap();
        report(
            &["-D", f.dir_arg(), "--utc", "report", "-b", &offset],
            out.path(),
        );
        let svg = std::fs::read_to_string(out.path().join("crash-loops.svg")).unwrap();
        let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap())
                .unwrap();
        for unit in &loops {
            assert!(
                svg.contains(&format!("\n{unit}\n")),
                "{}: {unit} has a panel",
                f.name
            );
            let finding = json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["kind"] == "crash-loop" && x["unit"] == *unit)
                .unwrap_or_else(|| panic!("{}: no crash-loop finding for {unit}", f.name));
            assert!(
                md.contains(finding["id"].as_str().unwrap()),
                "{}: id listed",
                f.name
            );
        }
        assert!(md.contains("![Crash loops](crash-loops.svg)"));
        assert!(md.contains("![Boot timeline](timeline.svg)"));
        assert!(md.contains("### Starts not caused by the boot"));
    }
}

#[test]
fn fail_on_exits_3_only_at_or_above_the_severity() {
    let f = Fixture::load("debian13");
    let cut = f.truth.boots.iter().find(|b| b.end == "unclean").unwrap();
    let offset = (cut.order as i64 - (f.truth.boots.len() as i64 - 1)).to_string();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let base = ["-D", f.dir_arg(), "report", "-b", &offset, "--out", dir];
    let json = |_: ()| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap()
    };
    let run = jforensics(&[&base[..], &["--fail-on", "error"]].concat());
    assert_eq!(
        run.status.code(),
        Some(3),
        "a power cut is an error finding"
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("findings at or above error"));
    let severities: Vec<String> = json(())["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["severity"].as_str().unwrap().to_string())
        .collect();
    assert!(severities.contains(&"error".to_string()), "{severities:?}");
    let critical = severities.iter().any(|s| s == "critical");
    let run = jforensics(&[&base[..], &["--fail-on", "critical"]].concat());
    assert_eq!(
        run.status.code(),
        Some(if critical { 3 } else { 0 }),
        "{severities:?}"
    );
    let run = jforensics(&base);
    assert_eq!(run.status.code(), Some(0), "no --fail-on: success");
    let run = jforensics(&[&base[..], &["--fail-on", "bad"]].concat());
    assert_eq!(run.status.code(), Some(2), "a bad severity is wrong usage");
}

/// `--fail-on` means the same on every command that reports findings: the
/// power-cut boot has an error finding, and its output is still written.
#[test]
fn findings_and_since_boot_share_fail_on() {
    let f = Fixture::load("debian13");
    let cut = f.truth.boots.iter().find(|b| b.end == "unclean").unwrap();
    let short = &cut.boot_id[..8];
    for command in ["findings", "since-boot"] {
        let base = ["-D", f.dir_arg(), command, "-b", short];
        let run = jforensics(&[&base[..], &["--fail-on", "error"]].concat());
        assert_eq!(
            run.status.code(),
            Some(3),
            "{command}: a power cut is an error"
        );
        assert!(
            String::from_utf8_lossy(&run.stdout).contains("unclean-shutdown"),
            "{command}: the findings are printed before exiting 3"
        );
        let run = jforensics(&base);
        assert_eq!(run.status.code(), Some(0), "{command} without --fail-on");
    }
    // A clean boot's --fail-on critical passes (the fixtures record no
    // critical finding in their last boot).
    let run = jforensics(&[
        "-D",
        f.dir_arg(),
        "findings",
        "-b",
        "0",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(run.status.code(), Some(0));
}

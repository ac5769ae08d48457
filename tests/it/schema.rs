//! Every command's JSON output, on every test journal, is valid against the
//! published schema (schema/jforensics.schema.json) — validated with a real
//! JSON Schema implementation (draft 2020-12), not by hand.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::OnceLock;

use jsonschema::ValidatorMap;
use serde_json::Value;

use crate::support::fixture::Fixture;
use crate::support::*;

/// Subcommands and how their output is checked. A new subcommand fails
/// `every_subcommand_is_covered` until it is added here (and, if it prints
/// JSON, its document to the schema).
const COVERED: &[(&str, &str)] = &[
    ("boots", "#/$defs/boots_document"),
    ("since-boot", "#/$defs/since_boot_document"),
    ("unit", "#/$defs/unit_document"),
    ("findings", "#/$defs/findings_document"),
    ("report", "#/$defs/report_document"),
    ("watch", "#/$defs/watch_record"),
    ("completions", "no JSON: a shell script"),
    ("man", "no JSON: a roff page"),
    (
        "query",
        "no fixed document: rows of the user's SQL (`query --tables` describes the columns)",
    ),
    ("export", "no fixed document: a table written to a file"),
    ("fleet", "#/$defs/fleet_findings_document"),
    ("impact", "#/$defs/impact_document"),
];

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join("schema/jforensics.schema.json")).unwrap();
        serde_json::from_str(&text).expect("the schema is JSON")
    })
}

fn validators() -> &'static ValidatorMap {
    static MAP: OnceLock<ValidatorMap> = OnceLock::new();
    MAP.get_or_init(|| {
        jsonschema::options()
            .build_map(schema())
            .expect("the schema compiles")
    })
}

/// Asserts `doc` is valid against the `$defs` entry at `pointer` and the
/// schema as a whole, listing every error.
pub fn assert_valid(doc: &Value, pointer: &str, what: &str) {
    for p in [pointer, "#"] {
        let validator = validators()
            .get(p)
            .unwrap_or_else(|| panic!("no {p} in the schema"));
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} is not a valid {p}:\n{}",
            errors.join("\n")
        );
    }
}

/// (name, -D directory) of every test journal: the recorded fixtures and
/// systemd's no-RTC journal.
fn journals() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Fixture::all()
        .iter()
        .map(|f| (f.name.to_string(), f.dir_arg().to_string()))
        .collect();
    out.push(("no-rtc".into(), no_rtc_dir().to_str().unwrap().to_string()));
    out
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    jsonschema::meta::validate(schema()).expect("valid against the meta-schema");
    assert_eq!(
        schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn boots_output_is_valid_on_every_journal() {
    for (name, dir) in journals() {
        let all = jforensics_json(&["-D", &dir, "boots", "-o", "json"]);
        assert_valid(&all, "#/$defs/boots_document", &format!("{name}: boots"));
        assert!(all.as_array().unwrap().len() >= 2, "{name}: boots");
        for b in all.as_array().unwrap() {
            assert_eq!(
                b["schema_version"],
                jforensics::report::json::SCHEMA_VERSION
            );
        }
        let one = jforensics_json(&["-D", &dir, "boots", "-o", "json", "-b", "-1"]);
        assert_valid(
            &one,
            "#/$defs/boots_document",
            &format!("{name}: boots -b -1"),
        );
    }
}

#[test]
fn report_json_is_valid_for_every_boot_of_every_journal() {
    for (name, dir) in journals() {
        let count = jforensics_json(&["-D", &dir, "boots", "-o", "json"])
            .as_array()
            .unwrap()
            .len();
        for offset in 0..count {
            let out = tempfile::tempdir().unwrap();
            let boot = format!("-{offset}");
            let run = jforensics(&[
                "-D",
                &dir,
                "report",
                "-b",
                &boot,
                "--out",
                out.path().to_str().unwrap(),
            ]);
            assert!(
                run.status.success(),
                "{name} -b {boot}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let text = std::fs::read_to_string(out.path().join("report.json")).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            assert_valid(
                &doc,
                "#/$defs/report_document",
                &format!("{name}: report -b {boot}"),
            );
            assert_eq!(doc["boot"]["index"].as_i64(), Some(-(offset as i64)));
            for chart in doc["charts"].as_array().unwrap() {
                for file in chart["files"].as_array().unwrap() {
                    let file = file.as_str().unwrap();
                    assert!(
                        out.path().join(file).is_file(),
                        "{name}: {file} listed but not written"
                    );
                }
            }
        }
    }
}

/// `since-boot` (every boot, all starts), `findings` (all boots) and `unit`
/// (a unit every journal has, all boots), once those commands exist.
#[test]
fn since_boot_findings_and_unit_output_is_valid_on_every_journal() {
    let commands = subcommands();
    for (name, dir) in journals() {
        let count = jforensics_json(&["-D", &dir, "boots", "-o", "json"])
            .as_array()
            .unwrap()
            .len();
        if commands.contains("since-boot") {
            for offset in 0..count {
                let boot = format!("-{offset}");
                let doc = jforensics_json(&[
                    "-D",
                    &dir,
                    "since-boot",
                    "-b",
                    &boot,
                    "--all",
                    "-o",
                    "json",
                ]);
                assert_valid(
                    &doc,
                    "#/$defs/since_boot_document",
                    &format!("{name}: since-boot -b {boot}"),
                );
                assert!(
                    !doc["starts"].as_array().unwrap().is_empty(),
                    "{name} -b {boot}: no starts"
                );
            }
        }
        if commands.contains("findings") {
            let doc = jforensics_json(&["-D", &dir, "findings", "-o", "json"]);
            assert_valid(
                &doc,
                "#/$defs/findings_document",
                &format!("{name}: findings"),
            );
            assert_eq!(
                doc["boots"].as_array().unwrap().len(),
                count,
                "{name}: findings"
            );
        }
        if commands.contains("unit") {
            let doc = jforensics_json(&[
                "-D",
                &dir,
                "unit",
                "systemd-journald.service",
                "--all-boots",
                "-o",
                "json",
            ]);
            assert_valid(&doc, "#/$defs/unit_document", &format!("{name}: unit"));
            assert_eq!(
                doc["boots"].as_array().unwrap().len(),
                count,
                "{name}: unit --all-boots"
            );
        }
    }
}

#[test]
fn documents_that_break_the_contract_are_rejected() {
    let dir = no_rtc_dir();
    let mut all = jforensics_json(&["-D", dir.to_str().unwrap(), "boots", "-o", "json"]);
    let validator = validators().get("#/$defs/boots_document").unwrap();
    assert!(validator.is_valid(&all));
    all[0]["end"] = "crashed".into();
    assert!(!validator.is_valid(&all), "an unknown end is caught");
    all[0]["end"] = "clean".into();
    all[0]["first_realtime"] = "2022-10-24 00:00:00".into();
    assert!(!validator.is_valid(&all), "a non-RFC 3339 time is caught");
    all[0]["first_realtime"] = "2022-10-24T00:00:00.000000Z".into();
    all[0].as_object_mut().unwrap().remove("schema_version");
    assert!(
        !validator.is_valid(&all),
        "a missing schema_version is caught"
    );
}

#[test]
fn fleet_findings_output_is_valid_and_a_broken_one_is_not() {
    let mut doc = crate::fleet::fleet_document();
    let pointer = "#/$defs/fleet_findings_document";
    assert_valid(&doc, pointer, "fleet findings");
    // The fleet was built with reboot waves and findings on every host.
    assert!(!doc["waves"].as_array().unwrap().is_empty());
    assert!(!doc["shared"].as_array().unwrap().is_empty());
    let validator = validators().get(pointer).unwrap();
    doc["hosts"][0].as_object_mut().unwrap().remove("source");
    assert!(
        !validator.is_valid(&doc),
        "a host without its source is caught"
    );
    doc["hosts"][0]["source"] = "file x".into();
    doc["waves"][0]["hosts"][0] = "web-1".into();
    assert!(
        !validator.is_valid(&doc),
        "a host name for a machine id is caught"
    );
}

/// The subcommands `jforensics --help` lists.
fn subcommands() -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_subcommand_is_covered() {
    let commands = subcommands();
    assert!(
        commands.contains("boots") && commands.contains("report"),
        "{commands:?}"
    );
    for c in &commands {
        let entry = COVERED.iter().find(|(name, _)| name == c);
        assert!(
            entry.is_some(),
            "`jforensics {c}` is not covered by tests/it/schema.rs: add its JSON document to \
             schema/jforensics.schema.json and validate it here, or say why it prints none"
        );
        if let Some((_, pointer)) = entry
            && pointer.starts_with('#')
        {
            assert!(
                validators().contains_key(pointer),
                "{pointer} missing from the schema"
            );
        }
    }
}

/// `impact UNIT` and `impact --all`, with and without unit files, on every
/// recorded fixture (their unit trees are saved next to the journal).
#[test]
fn impact_output_is_valid_on_every_fixture() {
    for f in Fixture::every() {
        let units = f.journal.parent().unwrap().join("units/etc/systemd/system");
        let units = units.to_str().unwrap();
        for extra in [&["--units", units][..], &[][..]] {
            let mut args = vec![
                "-D",
                f.dir_arg(),
                "impact",
                "--all",
                "--all-boots",
                "-o",
                "json",
            ];
            args.extend_from_slice(extra);
            let doc = jforensics_json(&args);
            assert_valid(
                &doc,
                "#/$defs/impact_graph_document",
                &format!("{}: impact --all", f.name),
            );
            let unit = doc["edges"][0]["dependency"].as_str().unwrap().to_string();
            let mut args = vec![
                "-D",
                f.dir_arg(),
                "impact",
                &unit,
                "--all-boots",
                "-o",
                "json",
            ];
            args.extend_from_slice(extra);
            let doc = jforensics_json(&args);
            assert_valid(
                &doc,
                "#/$defs/impact_document",
                &format!("{}: impact {unit}", f.name),
            );
        }
    }
}

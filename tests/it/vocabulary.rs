//! The words enums become, as documented: every enum of the JSON Schema
//! (`schema/jforensics.schema.json`) and every closed list of values in
//! `docs/tables.md` names exactly the variants the code has, so a variant
//! added in code without its documentation (or the reverse) fails here.

use std::collections::BTreeSet;

use serde_json::Value;
use strum::VariantArray;

use jforensics::boots::{BootEnd, CoverageState, ShutdownKind};
use jforensics::cause::Cause;
use jforensics::events::{EventTag, ExitKind};
use jforensics::findings::impact::EdgeKind;
use jforensics::findings::{Kind, LoopOutcome, Severity};
use jforensics::lifecycle::EndState;
use jforensics::units::DepKind;

use crate::support::repo;

fn words<T: Copy + Into<&'static str>>(variants: &[T]) -> BTreeSet<String> {
    variants.iter().map(|v| (*v).into().to_string()).collect()
}

/// The strings of the schema's enum at `pointer` (null left out: it marks
/// an optional field, not a variant).
fn schema_enum(pointer: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("schema/jforensics.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let list = schema
        .pointer(&format!("{pointer}/enum"))
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no enum at {pointer} in the schema"));
    list.iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The backquoted words in the description of `column` of `table` in
/// docs/tables.md, and whether the list ends with "…" (left open).
fn documented(table: &str, column: &str) -> (BTreeSet<String>, bool) {
    let text = std::fs::read_to_string(repo().join("docs/tables.md")).unwrap();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with(&format!("`{table}`")))
        .unwrap_or_else(|| panic!("no section for table {table} in docs/tables.md"));
    let row = section
        .lines()
        .find(|l| l.starts_with(&format!("| `{column}` |")))
        .unwrap_or_else(|| panic!("no row for {table}.{column} in docs/tables.md"));
    // | `name` | type | description |
    let description = row.splitn(4, '|').nth(3).unwrap_or("");
    let words = description
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    (
        words,
        description
            .trim_end()
            .trim_end_matches('|')
            .trim_end()
            .ends_with('…'),
    )
}

#[test]
fn the_schema_enums_are_the_code_variants() {
    assert_eq!(schema_enum("/$defs/cause"), words(&Cause::ALL));
    assert_eq!(schema_enum("/$defs/severity"), words(&Severity::ALL));
    assert_eq!(schema_enum("/$defs/edge_kind"), words(&EdgeKind::ALL));
    assert_eq!(schema_enum("/$defs/dep_kind"), words(&DepKind::ALL));
    assert_eq!(
        schema_enum("/$defs/finding/properties/kind"),
        words(&Kind::ALL)
    );
    assert_eq!(
        schema_enum("/$defs/boot/properties/end"),
        words(BootEnd::VARIANTS)
    );
    assert_eq!(
        schema_enum("/$defs/boot_coverage/properties/state"),
        words(CoverageState::VARIANTS)
    );
    assert_eq!(
        schema_enum("/$defs/boot/properties/shutdown"),
        words(ShutdownKind::VARIANTS)
    );
    assert_eq!(
        schema_enum("/$defs/outcome/properties/end_state"),
        words(EndState::VARIANTS)
    );
    assert_eq!(
        schema_enum("/$defs/outcome/properties/exit_code"),
        words(ExitKind::VARIANTS)
    );
}

#[test]
fn the_table_docs_list_the_code_variants() {
    let closed = |table: &str, column: &str, want: BTreeSet<String>| {
        let (got, open) = documented(table, column);
        assert!(
            !open,
            "{table}.{column} should list every value, not end with …"
        );
        assert_eq!(got, want, "{table}.{column} in docs/tables.md");
    };
    closed("starts", "cause", words(&Cause::ALL));
    closed("findings", "kind", words(&Kind::ALL));
    closed("findings", "severity", words(&Severity::ALL));
    closed("findings", "outcome", words(LoopOutcome::VARIANTS));
    closed("boots", "end_state", words(BootEnd::VARIANTS));
    closed("boots", "shutdown", words(ShutdownKind::VARIANTS));
    closed("activations", "end_state", words(EndState::VARIANTS));
    // The event kinds are many; the docs name the common ones and end with "…".
    let (events, open) = documented("events", "kind");
    assert!(open);
    let all = words(EventTag::VARIANTS);
    assert!(
        events.len() >= 10 && events.is_subset(&all),
        "{events:?} not all in {all:?}"
    );
}

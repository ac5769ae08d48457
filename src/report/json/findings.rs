//! Findings for programs: `findings -o json` and the findings of
//! `since-boot -o json` and `report.json`. The field names are the documented
//! contract (docs/json.md, "findings -o json"): they never change, times come as µs and
//! RFC 3339.

use serde_json::{Map, Value, json};

use super::{SCHEMA_VERSION, evidence_list};
use crate::findings::{Finding, Severity};
use crate::present::time::rfc3339;
/// One finding as the documented JSON object.
pub fn finding(f: &Finding) -> Value {
    let mut details = serde_json::to_value(&f.details).unwrap_or(Value::Null);
    add_time_twins(&mut details);
    json!({
        "id": f.id,
        "kind": f.kind,
        "severity": f.severity,
        "unit": f.unit,
        "manager": f.manager,
        "boot_id": f.boot_id.to_string(),
        "start_realtime_usec": f.start_realtime_usec,
        "start_realtime": rfc3339(f.start_realtime_usec),
        "end_realtime_usec": f.end_realtime_usec,
        "end_realtime": rfc3339(f.end_realtime_usec),
        "summary": f.summary,
        "hint": f.hint,
        "confidence": f.confidence.map(|c| (c * 100.0).round() / 100.0),
        "evidence": evidence_list(&f.evidence),
        "details": details,
    })
}

/// An array of findings, in the order given.
pub fn findings(list: &[Finding]) -> Value {
    Value::Array(list.iter().map(finding).collect())
}

/// `jforensics findings -o json`: the findings of the boots read, with the
/// boots they cover.
pub fn document(list: &[Finding], boot_ids: &[String]) -> Value {
    let mut counts = Map::new();
    for s in Severity::ALL.iter().rev() {
        counts.insert(
            s.as_str().to_string(),
            json!(list.iter().filter(|f| f.severity == *s).count()),
        );
    }
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "findings",
        "boots": boot_ids,
        "counts": counts,
        "findings": findings(list),
    })
}

/// Every `*_realtime_usec` number in `details` also as RFC 3339 under the
/// name without `_usec`, as everywhere else in the JSON output.
fn add_time_twins(value: &mut Value) {
    let Value::Object(map) = value else { return };
    let twins: Vec<(String, Value)> = map
        .iter()
        .filter_map(|(k, v)| {
            let name = k
                .strip_suffix("_usec")
                .filter(|_| k.ends_with("realtime_usec"))?;
            Some((
                name.to_string(),
                v.as_u64().map(|u| json!(rfc3339(u))).unwrap_or(Value::Null),
            ))
        })
        .collect();
    map.extend(twins);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::sample_finding as sample;

    #[test]
    fn json_names_every_contract_field_and_both_time_forms() {
        let v = finding(&sample());
        for field in [
            "id",
            "kind",
            "severity",
            "unit",
            "manager",
            "boot_id",
            "start_realtime_usec",
            "start_realtime",
            "end_realtime_usec",
            "end_realtime",
            "summary",
            "hint",
            "confidence",
            "evidence",
            "details",
        ] {
            assert!(v.get(field).is_some(), "{field} missing in {v}");
        }
        assert_eq!(v["kind"], "oom-kill");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["details"]["result"], "oom-kill");
        assert!(v["id"].as_str().unwrap().starts_with("oom-kill-"));
        assert_eq!(v["start_realtime"], rfc3339(1_795_244_775_880_377));
    }
}

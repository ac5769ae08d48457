//! Delivery to `--alertmanager URL`: records become alerts POSTed to
//! Alertmanager's API v2 (`POST {URL}/api/v2/alerts`), one array per run.
//!
//! Alertmanager keeps an alert active until its `endsAt`, and two alerts
//! are the same alert when their labels are equal. So the labels are the
//! same for every message about one finding (its kind, unit, the host, the
//! fingerprint, and the severity it was first reported with, which the
//! state keeps: a finding's severity changes as it evolves, and a label
//! that changed would leave the first alert firing beside a resolved
//! second one), and the times say what happened:
//! - an ongoing finding is sent with `startsAt` (when it began) and an
//!   `endsAt` one hold (`--alert-hold`) ahead, and sent again by every run
//!   while it goes on, so it stays active without depending on
//!   Alertmanager's `resolve_timeout` (5 minutes by default, the timer's
//!   own period);
//! - a `resolved` record ends it: `endsAt` is when it ended;
//! - a past event (over when first found) is sent once, `startsAt` when it
//!   began and `endsAt` one hold after it was found, its own end in the
//!   `ended_at` annotation. Sent with its real, past `endsAt` it would be
//!   dropped unseen: Alertmanager lists only alerts whose `endsAt` is still
//!   ahead, and notifies nobody about a group that never fired.
//!
//! Records are built from their JSON text, so the outbox of a killed run is
//! sent again as alerts the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::present::time::rfc3339;

use super::state::Reported;
use super::webhook::{self, Url};

/// What the alerts say beside the records: who sends them and for how long
/// they hold.
pub struct Sender<'a> {
    /// The `instance` label: the journal's host name.
    pub instance: &'a str,
    pub now_usec: u64,
    pub hold_usec: u64,
    /// The state's reported set: the severity each finding was first
    /// reported with.
    pub reported: &'a BTreeMap<String, Reported>,
}

/// The alerts for `records` (watch records, as JSON) and for `still_firing`
/// (ongoing findings reported earlier, sent again to keep them active),
/// one alert per fingerprint: a record wins over a repeat.
pub fn alerts(records: &[Value], still_firing: &[Value], sender: &Sender) -> Value {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for r in records.iter().chain(still_firing) {
        let fp = r["fingerprint"].as_str().unwrap_or_default();
        // A record's `new` and `resolved` in one batch: both are sent, in
        // order, so the alert ends; a repeat of either adds nothing.
        let key = (
            fp.to_string(),
            r["event"].as_str().unwrap_or_default().to_string(),
        );
        if seen.contains(&key) || seen.contains(&(fp.to_string(), "resolved".to_string())) {
            continue;
        }
        seen.insert(key);
        out.push(alert(r, sender));
    }
    Value::Array(out)
}

fn alert(r: &Value, sender: &Sender) -> Value {
    let f = &r["finding"];
    let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let severity = r["fingerprint"]
        .as_str()
        .and_then(|fp| sender.reported.get(fp))
        .map(|rep| rep.severity.clone())
        .or_else(|| text(&r["severity"]));
    let mut labels = Map::new();
    for (name, value) in [
        ("alertname", text(&r["kind"])),
        ("severity", severity),
        ("unit", text(&r["unit"])),
        ("instance", Some(sender.instance.to_string())),
        ("machine_id", text(&r["machine_id"])),
        ("fingerprint", text(&r["fingerprint"])),
    ] {
        // Alertmanager reads an empty label as no label; leave it out.
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            labels.insert(name.to_string(), Value::String(v));
        }
    }
    let start = f["start_realtime_usec"].as_u64();
    let end = f["end_realtime_usec"].as_u64();
    let held = sender.now_usec.saturating_add(sender.hold_usec);
    let resolved = r["event"] == "resolved";
    let (starts, ends) = if resolved {
        // A resolved finding no longer found has no times of its own:
        // Alertmanager keeps the firing alert's start when the two overlap.
        let ends = end.map_or(sender.now_usec, |e| e.min(sender.now_usec));
        (start.unwrap_or(ends).min(ends), ends)
    } else {
        (start.unwrap_or(sender.now_usec), held)
    };
    let mut annotations = Map::new();
    let reason = text(&r["reason"]);
    for (name, value) in [
        ("summary", text(&f["summary"]).or_else(|| reason.clone())),
        ("description", text(&f["hint"]).or_else(|| reason.clone())),
        ("finding_id", text(&r["finding_id"])),
        ("boot_id", text(&r["boot_id"])),
        ("started_at", start.map(rfc3339)),
        // An ongoing finding's end is only where the evidence stops so far.
        (
            "ended_at",
            end.filter(|_| r["ongoing"] != true).map(rfc3339),
        ),
        (
            "ongoing",
            Some(r["ongoing"].as_bool().unwrap_or(false).to_string()),
        ),
        ("severity_now", text(&r["severity"])),
        (
            "resolved_because",
            if resolved { reason.clone() } else { None },
        ),
    ] {
        if let Some(v) = value {
            annotations.insert(name.to_string(), Value::String(v));
        }
    }
    json!({
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(starts),
        "endsAt": rfc3339(ends),
    })
}

/// `URL` + `/api/v2/alerts`, keeping a path prefix (`--web.route-prefix`).
pub fn endpoint(base: &Url) -> Url {
    Url {
        path: format!("{}/api/v2/alerts", base.path.trim_end_matches('/')),
        ..base.clone()
    }
}

/// POSTs `alerts` (an array) to one Alertmanager; Ok only for a 2xx.
pub fn post(base: &Url, alerts: &Value) -> Result<(), String> {
    webhook::post_as("alertmanager", &endpoint(base), &alerts.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000_000;
    const HOLD: u64 = 1_800_000_000;

    fn sender() -> Sender<'static> {
        static NONE: BTreeMap<String, Reported> = BTreeMap::new();
        Sender {
            instance: "web1",
            now_usec: NOW,
            hold_usec: HOLD,
            reported: &NONE,
        }
    }

    fn record(event: &str, ongoing: bool, finding: bool) -> Value {
        json!({
            "event": event, "fingerprint": "fp-1", "machine_id": "m", "finding_id": "crash-loop-1",
            "kind": "crash-loop", "severity": "critical", "unit": "a.service", "boot_id": "b",
            "ongoing": ongoing, "reason": if event == "resolved" { json!("the loop recovered") } else { Value::Null },
            "finding": if finding { json!({"summary": "a.service crash-loops", "hint": "fix it",
                "start_realtime_usec": NOW - 600_000_000u64, "end_realtime_usec": NOW - 60_000_000u64}) } else { Value::Null },
        })
    }

    #[test]
    fn ongoing_past_and_resolved_findings_carry_their_times() {
        let s = sender();
        let ongoing = &alerts(&[record("new", true, true)], &[], &s)[0];
        assert_eq!(ongoing["startsAt"], rfc3339(NOW - 600_000_000));
        assert_eq!(ongoing["endsAt"], rfc3339(NOW + HOLD));
        assert_eq!(ongoing["labels"]["alertname"], "crash-loop");
        assert_eq!(ongoing["labels"]["instance"], "web1");
        assert_eq!(ongoing["annotations"]["description"], "fix it");
        assert!(ongoing["annotations"].get("ended_at").is_none());
        let past = &alerts(&[record("new", false, true)], &[], &s)[0];
        assert_eq!(past["endsAt"], rfc3339(NOW + HOLD));
        assert_eq!(past["annotations"]["ended_at"], rfc3339(NOW - 60_000_000));
        let resolved = &alerts(&[record("resolved", false, true)], &[], &s)[0];
        assert_eq!(resolved["endsAt"], rfc3339(NOW - 60_000_000));
        assert_eq!(resolved["labels"], ongoing["labels"]);
        let gone = &alerts(&[record("resolved", false, false)], &[], &s)[0];
        assert_eq!(gone["startsAt"], rfc3339(NOW));
        assert_eq!(gone["endsAt"], rfc3339(NOW));
        assert_eq!(gone["annotations"]["summary"], "the loop recovered");
    }

    #[test]
    fn a_repeat_adds_nothing_and_a_resolved_one_is_not_revived() {
        let s = sender();
        let new = record("new", true, true);
        let sent = alerts(std::slice::from_ref(&new), std::slice::from_ref(&new), &s);
        assert_eq!(sent.as_array().unwrap().len(), 1);
        let sent = alerts(&[new.clone(), record("resolved", false, true)], &[new], &s);
        let events: Vec<&str> = sent
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["annotations"]["ongoing"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["true", "false"]);
    }

    #[test]
    fn the_severity_label_is_the_one_first_reported() {
        let reported: BTreeMap<String, Reported> = serde_json::from_value(json!({"fp-1": {
            "finding_id": "crash-loop-1", "kind": "crash-loop", "severity": "warning", "unit": "a.service",
            "boot_id": "b", "first_reported_usec": 1, "last_seen_usec": 1, "state": "firing", "expires_at_usec": 9}}))
        .unwrap();
        let s = Sender {
            reported: &reported,
            ..sender()
        };
        let resolved = &alerts(&[record("resolved", false, true)], &[], &s)[0];
        assert_eq!(resolved["labels"]["severity"], "warning");
        assert_eq!(resolved["annotations"]["severity_now"], "critical");
    }

    #[test]
    fn endpoints_keep_a_route_prefix() {
        let url = |t| endpoint(&Url::parse(t).unwrap()).to_string();
        assert_eq!(url("http://am:9093"), "http://am:9093/api/v2/alerts");
        assert_eq!(url("http://am:9093/am/"), "http://am:9093/am/api/v2/alerts");
    }
}

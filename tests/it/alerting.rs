//! `watch --alertmanager` and `watch --textfile` against the real programs
//! from Debian (prometheus-alertmanager, prometheus-node-exporter), on the
//! Debian 12 fixture grown in three parts as in `watch.rs`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::support::daemon::{Daemon, free_port};
use crate::support::growing::Host;
use crate::support::*;

const NO_RECEIVER: &str = "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n";

fn alertmanager(dir: &std::path::Path) -> Daemon {
    alertmanager_with(dir, NO_RECEIVER)
}

fn alertmanager_with(dir: &std::path::Path, config_text: &str) -> Daemon {
    alertmanager_on(dir, config_text, free_port())
}

/// The real Alertmanager on `port` of 127.0.0.1, its files in `dir`.
fn alertmanager_on(dir: &std::path::Path, config_text: &str, port: u16) -> Daemon {
    let config = dir.join("alertmanager.yml");
    std::fs::write(&config, config_text).unwrap();
    let args = vec![
        format!("--config.file={}", config.display()),
        format!("--storage.path={}", dir.join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
        // No gossip: one Alertmanager, nothing listening beyond 127.0.0.1.
        "--cluster.listen-address=".to_string(),
    ];
    Daemon::start(
        "prometheus-alertmanager",
        &args,
        port,
        "/-/ready",
        &dir.join("alertmanager.log"),
    )
}

/// The fingerprints of the `resolved` records among `records`.
fn resolved_fingerprints(records: &[Value]) -> BTreeSet<&str> {
    records
        .iter()
        .filter(|r| r["event"] == "resolved")
        .map(|r| r["fingerprint"].as_str().unwrap())
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap_or_else(|e| panic!("{v}: {e}"))
        .with_timezone(&Utc)
}

/// A time in µs as Alertmanager gives it back: to the millisecond.
fn usec(v: &Value) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v.as_i64().unwrap() / 1000).unwrap()
}

/// The alerts Alertmanager lists (active, silenced, inhibited, unprocessed:
/// everything it has not seen end), by their fingerprint label; none twice.
fn listed(am: &Daemon) -> BTreeMap<String, Value> {
    let alerts: Value = serde_json::from_str(&am.get("/api/v2/alerts")).unwrap();
    let mut by_fp = BTreeMap::new();
    for a in alerts.as_array().unwrap() {
        let fp = a["labels"]["fingerprint"].as_str().unwrap().to_string();
        assert!(by_fp.insert(fp, a.clone()).is_none(), "listed twice: {a}");
    }
    by_fp
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name}"))
        .parse()
        .unwrap()
}

/// The host name the journal logged last, as `journalctl` reads it.
fn hostname(host: &Host) -> String {
    let out = run_tool(
        "journalctl",
        &[
            "-D",
            host.journal.to_str().unwrap(),
            "-n",
            "1",
            "-o",
            "json",
        ],
    );
    let newest: Value = serde_json::from_slice(&out).unwrap();
    newest["_HOSTNAME"].as_str().unwrap().to_string()
}

#[test]
fn alertmanager_shows_what_goes_on_while_it_does_and_each_past_event_once() {
    let tmp = tempfile::tempdir().unwrap();
    let am = alertmanager(tmp.path());
    let url = format!("http://127.0.0.1:{}", am.port);
    let host = Host::new(crate::watch::parts());
    let watch = |host: &Host| {
        let out = host.watch_with(&["--alertmanager", &url], &[]);
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            am.log()
        );
    };
    let mut ends_before = BTreeMap::new();
    for k in 1..=3 {
        host.add(k);
        let started = usec(&Value::from(Utc::now().timestamp_micros()));
        watch(&host);
        let records = host.records();
        let resolved = resolved_fingerprints(&records);
        let new: Vec<&Value> = records.iter().filter(|r| r["event"] == "new").collect();
        let alerts = listed(&am);
        let instance = hostname(&host);
        // Listed: every finding reported and not resolved, nothing else.
        let expected: BTreeSet<&str> = new
            .iter()
            .map(|r| r["fingerprint"].as_str().unwrap())
            .filter(|fp| !resolved.contains(fp))
            .collect();
        assert_eq!(
            alerts.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            expected,
            "after part {k}"
        );
        for r in &new {
            let fp = r["fingerprint"].as_str().unwrap();
            let Some(a) = alerts.get(fp) else { continue };
            let labels = &a["labels"];
            assert_eq!(labels["alertname"], r["kind"], "{a}");
            assert_eq!(labels["severity"], r["severity"]);
            assert_eq!(labels["machine_id"], r["machine_id"]);
            assert_eq!(labels["instance"], instance.as_str());
            assert_eq!(
                labels.get("unit"),
                r["unit"].as_str().map(Value::from).as_ref()
            );
            assert_eq!(a["status"]["state"], "active", "{a}");
            let f = &r["finding"];
            assert_eq!(time(&a["startsAt"]), usec(&f["start_realtime_usec"]), "{a}");
            assert_eq!(a["annotations"]["summary"], f["summary"]);
            assert_eq!(a["annotations"]["description"], f["hint"]);
            // Held half an hour (--alert-hold's default) from the run that
            // first sent it, or for what goes on, from this run.
            let ends = time(&a["endsAt"]);
            let hold = chrono::Duration::minutes(30);
            assert!(ends <= Utc::now() + hold, "{a}");
            let sent_now = r["ongoing"] == true || !ends_before.contains_key(fp);
            assert_eq!(ends >= started + hold, sent_now, "{a}");
            if r["ongoing"] == false {
                assert_eq!(
                    time(&a["annotations"]["ended_at"]),
                    DateTime::from_timestamp_micros(f["end_realtime_usec"].as_i64().unwrap())
                        .unwrap()
                );
            }
        }
        // Every run sends what still goes on again, further ahead.
        for (fp, a) in &alerts {
            if let Some(before) = ends_before.get(fp) {
                let ongoing = new
                    .iter()
                    .any(|r| r["fingerprint"] == fp.as_str() && r["ongoing"] == true);
                let ends = time(&a["endsAt"]);
                if ongoing {
                    assert!(ends > *before, "{fp} was not renewed: {a}");
                } else {
                    assert_eq!(ends, *before, "a past event was sent again: {a}");
                }
            }
        }
        ends_before = alerts
            .iter()
            .map(|(fp, a)| (fp.clone(), time(&a["endsAt"])))
            .collect();
        // Alertmanager took each `resolved` record as an alert that ended.
        let said = am.get("/metrics");
        let ended = metric(
            &said,
            "alertmanager_alerts_received_total{status=\"resolved\",version=\"v2\"}",
        );
        assert_eq!(ended as usize, resolved.len(), "after part {k}");
        if k == 1 {
            assert!(
                new.iter().any(|r| r["ongoing"] == true)
                    && new.iter().any(|r| r["ongoing"] == false),
                "part 1 has both ongoing findings and past events"
            );
            // Nothing new: the same alerts, renewed.
            watch(&host);
            assert_eq!(host.records().len(), records.len());
            let again = listed(&am);
            assert_eq!(
                again.keys().collect::<Vec<_>>(),
                alerts.keys().collect::<Vec<_>>()
            );
            for r in &new {
                let fp = r["fingerprint"].as_str().unwrap();
                let (first, second) = (time(&alerts[fp]["endsAt"]), time(&again[fp]["endsAt"]));
                if r["ongoing"] == true {
                    assert!(second > first, "{fp} was not renewed: {}", again[fp]);
                } else {
                    assert_eq!(second, first, "a past event was sent again: {}", again[fp]);
                }
            }
        }
    }
    // The journal ends with a power-off: whatever went on was resolved.
    let records = host.records();
    assert!(records.iter().any(|r| r["event"] == "resolved"));
    assert!(
        listed(&am)
            .values()
            .all(|a| a["annotations"]["ongoing"] == "false")
    );
}

#[test]
fn a_refused_alert_stays_in_the_outbox() {
    let tmp = tempfile::tempdir().unwrap();
    let host = Host::new(crate::watch::parts());
    host.add(1);
    // Nothing listens there yet.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = host.watch_with(&["--alertmanager", &url], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let state: Value = serde_json::from_slice(&std::fs::read(host.state_file()).unwrap()).unwrap();
    let waiting = state["outbox"].as_array().unwrap().len();
    assert!(waiting > 0);
    let am = alertmanager_on(
        tmp.path(),
        "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n",
        port,
    );
    let out = host.watch_with(&["--alertmanager", &url], &[]);
    assert!(out.status.success(), "{out:?}");
    let alerts = listed(&am);
    let new: BTreeSet<String> = host
        .records()
        .iter()
        .filter(|r| r["event"] == "new")
        .map(|r| r["fingerprint"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(alerts.keys().cloned().collect::<BTreeSet<_>>(), new);
    let state: Value = serde_json::from_slice(&std::fs::read(host.state_file()).unwrap()).unwrap();
    assert_eq!(state["outbox"], serde_json::json!([]));
}

/// `name{labels} value` lines of a scrape, label values unescaped.
fn samples(text: &str, name: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let (labels, value) = match rest.strip_prefix('{') {
            Some(inner) => {
                let mut labels = BTreeMap::new();
                let mut chars = inner.chars();
                loop {
                    let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
                    assert_eq!(chars.next(), Some('"'), "{line}");
                    let mut value = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some('n') => value.push('\n'),
                                Some(c) => value.push(c),
                                None => panic!("{line}"),
                            },
                            c => value.push(c),
                        }
                    }
                    labels.insert(key.trim_start_matches(',').to_string(), value);
                    let rest: String = chars.clone().collect();
                    if let Some(v) = rest.strip_prefix('}') {
                        break (labels, v.trim().to_string());
                    }
                }
            }
            None if rest.starts_with(' ') => (BTreeMap::new(), rest.trim().to_string()),
            None => continue,
        };
        out.push((labels, value.parse().unwrap()));
    }
    out
}

#[test]
fn node_exporter_reads_the_textfile_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics_dir = tmp.path().join("textfile");
    std::fs::create_dir(&metrics_dir).unwrap();
    let prom = metrics_dir.join("jforensics.prom");
    let host = Host::new(crate::watch::parts());
    host.add(1);
    let before = Utc::now().timestamp();
    let out = host.watch_with(&["--textfile", prom.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{out:?}");
    let port = free_port();
    let args = vec![
        "--collector.disable-defaults".to_string(),
        "--collector.textfile".to_string(),
        format!("--collector.textfile.directory={}", metrics_dir.display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ];
    let ne = Daemon::start(
        "prometheus-node-exporter",
        &args,
        port,
        "/",
        &tmp.path().join("node-exporter.log"),
    );
    let scrape = ne.get("/metrics");
    assert_eq!(
        metric(&scrape, "node_textfile_scrape_error"),
        0.0,
        "{scrape}"
    );
    for (name, kind) in [
        ("jforensics_finding_active", "gauge"),
        ("jforensics_findings_total", "counter"),
        ("jforensics_coverage_gap_total", "counter"),
        ("jforensics_last_run_timestamp_seconds", "gauge"),
        ("jforensics_last_run_success", "gauge"),
    ] {
        assert!(
            scrape.contains(&format!("# TYPE {name} {kind}\n")),
            "{name}"
        );
        assert!(scrape.contains(&format!("# HELP {name} ")), "{name}");
    }
    let records = host.records();
    // Going on: reported ongoing and not resolved, by kind, unit, severity.
    let resolved = resolved_fingerprints(&records);
    let mut going_on: BTreeMap<BTreeMap<String, String>, f64> = BTreeMap::new();
    let mut totals: BTreeMap<BTreeMap<String, String>, f64> = BTreeMap::new();
    for r in records.iter().filter(|r| r["event"] == "new") {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        let series = BTreeMap::from([
            ("kind".to_string(), s("kind")),
            ("unit".to_string(), s("unit")),
            ("severity".to_string(), s("severity")),
        ]);
        let on = r["ongoing"] == true && !resolved.contains(r["fingerprint"].as_str().unwrap());
        *going_on.entry(series).or_default() += if on { 1.0 } else { 0.0 };
        let total = BTreeMap::from([
            ("kind".to_string(), s("kind")),
            ("severity".to_string(), s("severity")),
        ]);
        *totals.entry(total).or_default() += 1.0;
    }
    assert!(
        going_on.values().any(|n| *n > 0.0),
        "part 1 has something going on"
    );
    let active: BTreeMap<_, _> = samples(&scrape, "jforensics_finding_active")
        .into_iter()
        .collect();
    assert_eq!(active, going_on);
    let counted: BTreeMap<_, _> = samples(&scrape, "jforensics_findings_total")
        .into_iter()
        .collect();
    assert_eq!(counted, totals);
    assert_eq!(metric(&scrape, "jforensics_coverage_gap_total"), 0.0);
    assert_eq!(metric(&scrape, "jforensics_last_run_success"), 1.0);
    let at = metric(&scrape, "jforensics_last_run_timestamp_seconds");
    assert!(
        at >= before as f64 && at <= Utc::now().timestamp() as f64 + 1.0,
        "{at}"
    );

    // A run that cannot deliver says so, and keeps its counts.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let out = host.watch_with(
        &[
            "--textfile",
            prom.to_str().unwrap(),
            "--alertmanager",
            &dead,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let scrape = ne.get("/metrics");
    assert_eq!(metric(&scrape, "node_textfile_scrape_error"), 0.0);
    assert_eq!(metric(&scrape, "jforensics_last_run_success"), 0.0);
    let counted: BTreeMap<_, _> = samples(&scrape, "jforensics_findings_total")
        .into_iter()
        .collect();
    assert_eq!(counted, totals);
    let leftovers: Vec<_> = std::fs::read_dir(&metrics_dir).unwrap().collect();
    assert_eq!(
        leftovers.len(),
        1,
        "a temporary file was left: {leftovers:?}"
    );
}

/// (fingerprint label, status) of each alert notified so far.
type Notes = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// An HTTP receiver on 127.0.0.1 for Alertmanager's webhook notifications:
/// (fingerprint label, status) of every alert in every notification.
fn receiver() -> (String, Notes) {
    use std::io::{Read, Write};
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/notify", server.local_addr().unwrap());
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut data = Vec::new();
            let mut buf = [0u8; 65536];
            let body = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    break Some(data[end + 4..end + 4 + length].to_vec());
                }
            };
            let Some(body) = body else { continue };
            let note: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            for a in note["alerts"].as_array().into_iter().flatten() {
                kept.lock().unwrap().push((
                    a["labels"]["fingerprint"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    a["status"].as_str().unwrap_or("").to_string(),
                ));
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

/// Waits until `want` holds for what the receiver got (Alertmanager sends
/// after its group_wait, resolved ones after group_interval).
fn notified(
    got: &std::sync::Mutex<Vec<(String, String)>>,
    want: impl Fn(&BTreeSet<(String, String)>) -> bool,
) -> BTreeSet<(String, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let seen: BTreeSet<(String, String)> = got.lock().unwrap().iter().cloned().collect();
        if want(&seen) || std::time::Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn alertmanager_notifies_every_finding_and_the_end_of_what_went_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (hook, got) = receiver();
    // One group per finding, sent at once, ends sent within a second.
    let config = format!(
        "route:\n  receiver: hook\n  group_by: [fingerprint]\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 24h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: {hook}\n        send_resolved: true\n"
    );
    let am = alertmanager_with(tmp.path(), &config);
    let url = format!("http://127.0.0.1:{}", am.port);
    let host = Host::new(crate::watch::parts());
    for k in 1..=3 {
        host.add(k);
        let out = host.watch_with(&["--alertmanager", &url], &[]);
        assert!(out.status.success(), "{out:?}");
        let records = host.records();
        // The records of one event, as (fingerprint, Alertmanager's status).
        let of = |event: &str, status: &str| -> BTreeSet<(String, String)> {
            records
                .iter()
                .filter(|r| r["event"] == event)
                .map(|r| {
                    let fingerprint = r["fingerprint"].as_str().unwrap().to_string();
                    (fingerprint, status.to_string())
                })
                .collect()
        };
        let (firing, ended) = (of("new", "firing"), of("resolved", "resolved"));
        let seen = notified(&got, |s| firing.is_subset(s) && ended.is_subset(s));
        // Past events too: sent with their real, past endsAt they would
        // never have been notified.
        for f in &firing {
            assert!(
                seen.contains(f),
                "after part {k}, never notified: {f:?}\n{}",
                am.log()
            );
        }
        for e in &ended {
            assert!(
                seen.contains(e),
                "after part {k}, its end never notified: {e:?}"
            );
        }
        // Nothing resolved that the records did not end.
        let resolved_seen: BTreeSet<&(String, String)> =
            seen.iter().filter(|(_, s)| s == "resolved").collect();
        assert!(
            resolved_seen.iter().all(|r| ended.contains(*r)),
            "{resolved_seen:?}"
        );
    }
}

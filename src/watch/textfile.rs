//! `--textfile PATH.prom`: metrics for node_exporter's textfile collector,
//! rewritten after every run that held the lock, failed or not.
//!
//! The numbers come from the committed state, so they say what receivers
//! were told: a finding is active while the state has it firing, and the
//! counters count `new` records saved for delivery (the state's `totals`,
//! committed with the outbox, so a killed run neither loses nor doubles
//! them). A state started afresh starts them at zero, which Prometheus
//! reads as a counter reset.
//!
//! The file is replaced atomically, as node_exporter asks: written to a
//! temporary name in the same directory that does not end in `.prom` (the
//! collector reads only `*.prom`), fsynced, renamed over the old one.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::state::{State, Status};

/// The metrics text: HELP and TYPE lines, then the samples.
pub fn render(state: Option<&State>, now_usec: u64, success: bool) -> String {
    let mut out = String::new();
    let mut active: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
    let mut totals: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut gaps = 0;
    if let Some(s) = state {
        // Every finding remembered gets a series, 0 once resolved: a gauge
        // that drops to 0 ends an alert rule cleanly, one that vanishes
        // leaves it to staleness.
        for r in s.reported.values() {
            let n = active
                .entry((&r.kind, r.unit.as_deref().unwrap_or(""), &r.severity))
                .or_insert(0);
            *n += u64::from(r.state == Status::Firing);
        }
        for (kind, by_severity) in &s.totals {
            for (severity, n) in by_severity {
                totals.insert((kind, severity), *n);
                if kind == "coverage-gap" {
                    gaps += n;
                }
            }
        }
    }
    metric(
        &mut out,
        "jforensics_finding_active",
        "gauge",
        "Findings going on now (a crash loop still looping, a unit at risk or not back after a reboot), by kind, unit and severity; 0 once resolved.",
        active.iter().map(|((kind, unit, severity), n)| {
            (
                vec![("kind", *kind), ("unit", *unit), ("severity", *severity)],
                n.to_string(),
            )
        }),
    );
    metric(
        &mut out,
        "jforensics_findings_total",
        "counter",
        "Findings reported by jforensics watch, by kind and severity.",
        totals.iter().map(|((kind, severity), n)| {
            (
                vec![("kind", *kind), ("severity", *severity)],
                n.to_string(),
            )
        }),
    );
    metric(
        &mut out,
        "jforensics_coverage_gap_total",
        "counter",
        "Times the journal lost entries before jforensics watch could read them (vacuumed or rotated away).",
        [(vec![], gaps.to_string())],
    );
    let pending = state.map_or(0, |s| s.outbox.len());
    metric(
        &mut out,
        "jforensics_outbox_records",
        "gauge",
        "Records saved for delivery and not yet delivered (a receiver refused them or a run was killed); the next run sends them again.",
        [(vec![], pending.to_string())],
    );
    if let Some(cp) = state.and_then(|s| s.checkpoint.as_ref()) {
        metric(
            &mut out,
            "jforensics_checkpoint_timestamp_seconds",
            "gauge",
            "Wall-clock time of the last journal entry jforensics watch has read.",
            [(vec![], seconds(cp.realtime_usec))],
        );
    }
    metric(
        &mut out,
        "jforensics_last_run_timestamp_seconds",
        "gauge",
        "When the last jforensics watch run ended.",
        [(vec![], seconds(now_usec))],
    );
    metric(
        &mut out,
        "jforensics_last_run_success",
        "gauge",
        "1 if the last jforensics watch run read the journal and delivered everything, else 0.",
        [(vec![], u8::from(success).to_string())],
    );
    out
}

fn seconds(usec: u64) -> String {
    format!("{}.{:06}", usec / 1_000_000, usec % 1_000_000)
}

fn metric<'a>(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: impl IntoIterator<Item = (Vec<(&'a str, &'a str)>, String)>,
) {
    out.push_str(&format!(
        "# HELP {name} {}\n# TYPE {name} {kind}\n",
        escape_help(help)
    ));
    for (labels, value) in samples {
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
            .collect();
        if labels.is_empty() {
            out.push_str(&format!("{name} {value}\n"));
        } else {
            out.push_str(&format!("{name}{{{}}} {value}\n", labels.join(",")));
        }
    }
}

/// Label values escape backslash, double quote and line feed (the text
/// format's rules); systemd's unit names carry backslashes (`\x2d`).
pub fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// HELP text escapes backslash and line feed only.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Replaces `path` with `text` atomically (see the module docs).
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("names no file"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    File::open(dir).and_then(|d| d.sync_all())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_as_the_text_format_says() {
        assert_eq!(
            escape_label("systemd-fsck@dev-disk-by\\x2duuid.service"),
            "systemd-fsck@dev-disk-by\\\\x2duuid.service"
        );
        assert_eq!(escape_label("a\"b\nc"), "a\\\"b\\nc");
    }

    #[test]
    fn without_a_state_only_the_run_is_described() {
        let text = render(None, 1_500_000, false);
        assert!(text.contains("jforensics_last_run_success 0\n"), "{text}");
        assert!(text.contains("jforensics_last_run_timestamp_seconds 1.500000\n"));
        assert!(text.contains("# TYPE jforensics_findings_total counter\n"));
        assert!(!text.contains("jforensics_finding_active{"));
    }

    #[test]
    fn the_file_is_replaced_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jforensics.prom");
        write(&path, "a 1\n").unwrap();
        write(&path, "a 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a 2\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

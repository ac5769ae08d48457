//! Findings for people (terminal) and programs (JSON).
//!
//! The terminal form reads like the postmortem it feeds: severity and kind,
//! the one-paragraph summary, the fix, and the journal lines that prove it.
//! The JSON form is the documented contract (README, "Findings"): field
//! names never change, times come as µs and RFC 3339.

use serde_json::{Map, Value, json};

use crate::findings::{Finding, Severity};
use crate::report::color::{Tone, paint};
use crate::report::json::{SCHEMA_VERSION, evidence_list};
use crate::report::terminal::{Style, WIDTH, wrap};
use crate::report::time::{rfc3339, wall, wall_near};

/// Evidence lines shown per finding unless `--full`.
const EVIDENCE_SHOWN: usize = 6;

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

fn tone(s: Severity) -> Tone {
    match s {
        Severity::Critical | Severity::Error => Tone::Bad,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Quiet,
    }
}

/// Findings as text, in the order given. `None` when there are none, so
/// the caller can say so in its own words.
pub fn terminal(list: &[Finding], style: &Style) -> String {
    let mut out = String::new();
    for (n, f) in list.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let boot = if style.full_ids {
            f.boot_id.to_string()
        } else {
            f.boot_id.short()
        };
        let when = if f.end_realtime_usec > f.start_realtime_usec {
            format!(
                "{} → {}",
                wall(f.start_realtime_usec, style.zone),
                wall_near(f.end_realtime_usec, f.start_realtime_usec, style.zone)
            )
        } else {
            wall(f.start_realtime_usec, style.zone)
        };
        let head = format!("{:<8}", f.severity.as_str().to_uppercase());
        let unit = f.unit.as_deref().unwrap_or("-");
        let place = format!("boot {boot}  {when}");
        // Colour codes take no columns: measure the plain text.
        let plain = format!("{head}  {}  {unit}  {place}", f.kind.as_str());
        let sep = if plain.chars().count() <= WIDTH {
            "  "
        } else {
            "\n  "
        };
        out.push_str(&format!(
            "{}  {}  {unit}{sep}{place}\n",
            paint(style.color, tone(f.severity), &head),
            paint(style.color, Tone::Header, f.kind.as_str()),
        ));
        for line in wrap(&f.summary, WIDTH - 2) {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str(&fix_lines(&f.hint));
        let shown = if style.full_ids {
            f.evidence.len()
        } else {
            EVIDENCE_SHOWN.min(f.evidence.len())
        };
        if shown > 0 {
            out.push_str(&paint(style.color, Tone::Quiet, "  Evidence:\n"));
        }
        for e in &f.evidence[..shown] {
            let message: String = if style.full_ids {
                e.message.clone()
            } else {
                let m: String = e.message.chars().take(WIDTH - 20).collect();
                if m.len() < e.message.len() {
                    format!("{m}…")
                } else {
                    m
                }
            };
            out.push_str(&format!(
                "    {}  {message}\n",
                clock_ms(e.realtime_usec, style)
            ));
        }
        if shown < f.evidence.len() {
            out.push_str(&format!(
                "    … {} more line(s) (-l shows all, -o json has cursors)\n",
                f.evidence.len() - shown
            ));
        }
        let confidence = f
            .confidence
            .map(|c| format!("  confidence {:.2}", c))
            .unwrap_or_default();
        out.push_str(&paint(
            style.color,
            Tone::Quiet,
            &format!("  id {}{confidence}\n", f.id),
        ));
    }
    out
}

/// Findings without their evidence, for the head of a longer listing
/// (`since-boot`): severity, kind and unit, the summary, the fix.
pub fn brief(list: &[Finding], style: &Style) -> String {
    let mut out = String::new();
    for (n, f) in list.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let head = format!("{:<8}", f.severity.as_str().to_uppercase());
        out.push_str(&format!(
            "{}  {}  {}\n",
            paint(style.color, tone(f.severity), &head),
            paint(style.color, Tone::Header, f.kind.as_str()),
            f.unit.as_deref().unwrap_or("-"),
        ));
        for line in wrap(&f.summary, WIDTH - 2) {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str(&fix_lines(&f.hint));
    }
    out
}

/// The findings section `since-boot` prints before the starts: empty when
/// there are none.
pub fn section(list: &[Finding], style: &Style) -> String {
    if list.is_empty() {
        return String::new();
    }
    format!(
        "{}\n\n{}\n",
        paint(
            style.color,
            Tone::Header,
            &format!(
                "Findings, most severe first ({}; `jforensics findings` shows the journal lines):",
                list.len()
            )
        ),
        brief(list, style)
    )
}

/// "07:04:00.898".
fn clock_ms(usec: u64, style: &Style) -> String {
    let full = wall(usec, style.zone);
    let time = full.get(11..).unwrap_or(&full);
    format!("{time}.{:03}", (usec / 1000) % 1000)
}

/// Splits `text` into lines of at most `width` characters at spaces.
/// "  Fix: HINT", wrapped under itself: the lead and the continuation
/// indent are both 7 columns, so every line fits `WIDTH`.
fn fix_lines(hint: &str) -> String {
    let mut out = String::new();
    for (i, line) in wrap(hint, WIDTH - 7).into_iter().enumerate() {
        let lead = if i == 0 { "  Fix: " } else { "       " };
        out.push_str(&format!("{lead}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Details, KillDetails, Kind, finding_id};
    use crate::journal::Id128;
    use crate::report::time::Zone;

    fn sample() -> Finding {
        let boot = Id128([9; 16]);
        Finding {
            id: finding_id(Kind::OomKill, "memhog.service", boot, 1_795_244_775_880_377),
            kind: Kind::OomKill,
            severity: Severity::Error,
            unit: Some("memhog.service".to_string()),
            manager: "system".to_string(),
            boot_id: boot,
            start_realtime_usec: 1_795_244_775_880_377,
            end_realtime_usec: 1_795_244_775_891_083,
            summary: "memhog.service was killed by the kernel's OOM killer at 07:06:15 after running 1.6s.".to_string(),
            hint: "Raise `MemoryMax=`.".to_string(),
            confidence: None,
            evidence: Vec::new(),
            details: Details::Kill(KillDetails {
                result: Some("oom-kill".to_string()),
                exit: Some("signal=9".to_string()),
                signal: Some(9),
                coredump_exe: None,
                coredump_comm: None,
                coredump_pid: None,
                executable: None,
                operation: None,
                ran_usec: Some(1_598_773),
            }),
        }
    }

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

    #[test]
    fn the_terminal_form_leads_with_severity_and_wraps_the_summary() {
        let style = Style {
            zone: Zone::Utc,
            full_ids: false,
            color: false,
        };
        let text = terminal(&[sample()], &style);
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("ERROR")
                && first.contains("oom-kill")
                && first.contains("memhog.service"),
            "{text}"
        );
        assert!(text.contains("Fix: Raise `MemoryMax=`."), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
    }

    #[test]
    fn a_long_fix_wraps_under_itself_within_the_width() {
        let hint = "Enable db.service (`systemctl enable db.service`) and make orders-api.service wait for it (`Wants=ledger-store.service` and `After=ledger-store.service`), so it is up first.";
        let text = fix_lines(hint);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1, "{text}");
        assert!(lines[0].starts_with("  Fix: Enable"), "{text}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.starts_with("       ") && !l[7..].starts_with(' '))
        );
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH), "{text}");
    }
}

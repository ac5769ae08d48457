//! Findings for people at a terminal. It reads like the postmortem it
//! feeds: severity and kind, the one-paragraph summary, the fix, and the
//! journal lines that prove it.

use super::Style;
use crate::findings::{Finding, Severity};
use crate::present::color::{Tone, paint};
use crate::present::text::{WIDTH, wrap};
use crate::present::time::{wall, wall_near};

/// Evidence lines shown per finding unless `--full`.
const EVIDENCE_SHOWN: usize = 6;

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
    use crate::present::time::Zone;
    use crate::testkit::sample_finding as sample;

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

//! `report.md`: the postmortem page of a bundle, for people.
//!
//! Plain CommonMark with GitHub-style tables, so it renders in a ticket, a
//! merge request or a wiki. Every claim is followed by the journal lines it
//! rests on and their cursors, so a reader can check it with
//! `journalctl --cursor=…` on the same files.

use std::fmt::Write;

use crate::boots::{Boot, BootEnd};
use crate::cause::Cause;
use crate::evidence::Evidence;
use crate::present::time::{Zone, span, wall};
use crate::report::chart::ImageFormat;
use crate::report::input::{ChartRef, ReportInput};
use crate::report::terminal::boot_end;

/// The whole page, next to its chart files.
pub fn report(input: &ReportInput, charts: &[ChartRef], notes: &[String]) -> String {
    render(input, charts, notes, true)
}

/// The page without links to PNG files, for documents that inline the charts.
pub fn report_for_single_file(
    input: &ReportInput,
    charts: &[ChartRef],
    notes: &[String],
) -> String {
    render(input, charts, notes, false)
}

fn render(input: &ReportInput, charts: &[ChartRef], notes: &[String], png_links: bool) -> String {
    let mut md = String::new();
    let b = input.boot;
    let zone = input.zone;
    let _ = writeln!(
        md,
        "# Boot {} ({}): {}\n",
        b.boot_id.short(),
        b.index,
        end_phrase(b)
    );
    let _ = writeln!(
        md,
        "{} to {} ({}). Written by {}; times are {}.\n",
        wall(b.first_realtime_usec, zone),
        wall(b.last_realtime_usec, zone),
        zone_name(zone),
        input.generator,
        zone_name(zone)
    );
    // Before anything is read as a conclusion: what the input cannot show.
    if let Some(said) = crate::boots::coverage::describe(input.boots) {
        let _ = writeln!(md, "> **Coverage:** {said}.\n");
    }
    for line in input.damage {
        let _ = writeln!(md, "> **Not read:** {line}.\n");
    }
    summary(&mut md, input);
    findings(&mut md, input);
    ending(&mut md, b, zone);
    for c in charts {
        chart(&mut md, c, png_links);
        if c.name == "overview" {
            boots_table(&mut md, input);
        }
        if c.name == "timeline" {
            starts_table(&mut md, input);
        }
    }
    if !notes.is_empty() || !b.notes.is_empty() {
        md.push_str("## Notes\n\n");
        for n in notes.iter().chain(&b.notes) {
            let _ = writeln!(md, "- {}", escape(n));
        }
        md.push('\n');
    }
    md
}

fn zone_name(zone: Zone) -> &'static str {
    match zone {
        Zone::Utc => "UTC",
        Zone::Local => "local time",
    }
}

fn end_phrase(b: &Boot) -> String {
    match b.end {
        BootEnd::Clean => match b.shutdown {
            Some(k) => format!("ended with a clean {}", k.as_str()),
            None => "ended with a clean shutdown".to_string(),
        },
        BootEnd::Unclean => "ended UNCLEAN (power loss or crash)".to_string(),
        BootEnd::Running => "still running when the journal was read".to_string(),
        BootEnd::Unknown => {
            "ended in a way the journal read cannot tell (entries are missing around its end)"
                .to_string()
        }
    }
}

fn summary(md: &mut String, input: &ReportInput) {
    let b = input.boot;
    let zone = input.zone;
    md.push_str("## Summary\n\n| | |\n| --- | --- |\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(md, "| {k} | {v} |");
    };
    row("boot id", format!("`{}`", b.boot_id));
    row(
        "position",
        format!(
            "{} of {} boot{} in the journal (0 = newest)",
            b.index,
            input.boots.len(),
            if input.boots.len() == 1 { "" } else { "s" }
        ),
    );
    row("first entry", wall(b.first_realtime_usec, zone));
    row("last entry", wall(b.last_realtime_usec, zone));
    row("uptime at last entry", span(b.duration_usec));
    row("entries", b.entries.to_string());
    row(
        "systemd",
        b.systemd_version
            .clone()
            .unwrap_or_else(|| "not logged".into()),
    );
    row(
        "startup finished",
        match &b.startup_finished {
            Some(s) => {
                let mut v = s
                    .monotonic_usec
                    .map(|m| format!("{} after boot", span(m)))
                    .unwrap_or_else(|| wall(s.realtime_usec, zone));
                if let Some(u) = s.userspace_usec {
                    v.push_str(&format!(" (userspace {})", span(u)));
                }
                v
            }
            None => "not logged in this boot".to_string(),
        },
    );
    row("end", boot_end(b));
    row(
        "downtime after",
        match (b.downtime_usec, b.is_newest()) {
            (_, true) => "none: the newest boot".to_string(),
            (Some(d), false) => span(d),
            (None, false) => "unknown: the next boot's clock reads earlier".to_string(),
        },
    );
    md.push('\n');
}

fn ending(md: &mut String, b: &Boot, zone: Zone) {
    md.push_str("## How the boot ended\n\n");
    md.push_str(match b.end {
        BootEnd::Clean => "A shutdown sequence was logged:\n\n",
        BootEnd::Unclean => {
            "No shutdown was logged and a later boot exists: the machine lost power or crashed. \
             The last entries before the journal stops:\n\n"
        }
        BootEnd::Running => {
            "No shutdown was logged and this is the newest boot. Its last entries:\n\n"
        }
        BootEnd::Unknown => {
            "No shutdown was logged, but entries are missing around the end of this boot in \
             the journal read, so whether it ended cleanly cannot be told. Its last entries \
             there:\n\n"
        }
    });
    evidence(md, &b.end_evidence, zone);
}

/// Evidence as a code block (messages are logs, not Markdown), then the
/// cursor of the last line.
fn evidence(md: &mut String, list: &[Evidence], zone: Zone) {
    if list.is_empty() {
        md.push_str("(no entries)\n\n");
        return;
    }
    md.push_str("```text\n");
    for e in list {
        let _ = writeln!(
            md,
            "{}  {}",
            wall(e.realtime_usec, zone),
            e.message.replace("```", "'''")
        );
    }
    md.push_str("```\n\n");
    if let Some(last) = list.last().filter(|e| !e.cursor.is_empty()) {
        let _ = writeln!(md, "Check: `journalctl --cursor='{}' -n 1`\n", last.cursor);
    }
}

fn chart(md: &mut String, c: &ChartRef, png_link: bool) {
    let _ = writeln!(
        md,
        "## {}\n\n![{}]({})\n",
        c.title,
        c.title,
        c.file(ImageFormat::Svg)
    );
    if png_link {
        let _ = writeln!(md, "Also as [PNG]({}).\n", c.file(ImageFormat::Png));
    }
}

/// Evidence lines quoted per finding; report.json has them all.
const EVIDENCE_SHOWN: usize = 6;

/// Findings, most severe first: what happened, the fix, and the lines it rests on.
fn findings(md: &mut String, input: &ReportInput) {
    if input.analysis.is_none() {
        return;
    }
    md.push_str("## Findings\n\n");
    if input.findings.is_empty() {
        md.push_str("None: no crash loop, lost unit, kill, readiness gap or unclean end was found in this boot.\n\n");
        return;
    }
    md.push_str("| severity | finding | unit | id |\n| --- | --- | --- | --- |\n");
    for f in input.findings {
        let _ = writeln!(
            md,
            "| {} | {} | {} | `{}` |",
            f.severity.as_str(),
            f.kind.as_str(),
            f.unit.as_deref().map(escape).unwrap_or_else(|| "-".into()),
            f.id
        );
    }
    md.push('\n');
    for f in input.findings {
        let _ = writeln!(
            md,
            "### {} {}: {}\n",
            f.severity.as_str().to_uppercase(),
            f.kind.as_str(),
            f.unit
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "the boot".into())
        );
        let _ = writeln!(md, "{}\n", prose(&f.summary));
        let _ = writeln!(md, "**Fix:** {}\n", prose(&f.hint));
        if let Some(c) = f.confidence {
            let _ = writeln!(md, "Confidence {c:.2} (an inference, not a logged fact).\n");
        }
        let shown = &f.evidence[..f.evidence.len().min(EVIDENCE_SHOWN)];
        evidence(md, shown, input.zone);
        if f.evidence.len() > shown.len() {
            let _ = writeln!(
                md,
                "{} more lines in report.json (finding `{}`).\n",
                f.evidence.len() - shown.len(),
                f.id
            );
        }
    }
}

/// Rows of the starts table at most; a crash loop can start a unit hundreds of times.
const STARTS_SHOWN: usize = 100;

/// Every start that was not part of the boot, with why it happened.
fn starts_table(md: &mut String, input: &ReportInput) {
    let Some(analysis) = input.analysis else {
        return;
    };
    let starts: Vec<_> = analysis
        .starts
        .iter()
        .filter(|s| s.cause != Cause::Boot)
        .collect();
    md.push_str("### Starts not caused by the boot\n\n");
    if starts.is_empty() {
        md.push_str("Every start in this boot was part of the boot itself.\n\n");
        return;
    }
    md.push_str("| time | unit | cause | trigger | confidence | why |\n");
    md.push_str("| --- | --- | --- | --- | ---: | --- |\n");
    for s in starts.iter().take(STARTS_SHOWN) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} | {} |",
            wall(s.realtime_usec, input.zone),
            escape(&s.unit),
            s.cause.as_str(),
            s.trigger
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "-".into()),
            s.confidence,
            prose(&s.explanation)
        );
    }
    if starts.len() > STARTS_SHOWN {
        let _ = writeln!(
            md,
            "\n{} more starts are in report.json.",
            starts.len() - STARTS_SHOWN
        );
    }
    md.push('\n');
}

fn boots_table(md: &mut String, input: &ReportInput) {
    md.push_str("| index | boot | first entry | uptime | end | downtime after |\n");
    md.push_str("| ---: | --- | --- | ---: | --- | ---: |\n");
    for b in input.boots {
        let id = if b.boot_id == input.boot.boot_id {
            format!("**{}**", b.boot_id.short())
        } else {
            b.boot_id.short()
        };
        let down = match (b.downtime_usec, b.is_newest()) {
            (_, true) => "-".to_string(),
            (Some(d), false) => span(d),
            (None, false) => "?".to_string(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            b.index,
            id,
            wall(b.first_realtime_usec, input.zone),
            span(b.duration_usec),
            boot_end(b),
            down
        );
    }
    md.push('\n');
}

/// Sentences written for people (summaries, hints): their `code` spans are
/// kept, anything else that Markdown or HTML would read as markup is escaped.
pub(crate) fn prose(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        return escape(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{part}`")
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Keeps text from turning into Markdown markup or breaking a table.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_log_text_is_escaped() {
        assert_eq!(escape("a|b *c* <d>"), "a\\|b \\*c\\* \\<d\\>");
    }

    #[test]
    fn prose_keeps_code_spans() {
        assert_eq!(
            prose("run `systemctl enable a_b` for <x>"),
            "run `systemctl enable a_b` for \\<x\\>"
        );
    }
}

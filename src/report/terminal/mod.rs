//! Text for people at a terminal: the `boots` table here, findings and
//! starts in their modules. Everything fits [`WIDTH`] columns unless `-l`.

pub mod findings;
pub mod fleet;
pub mod starts;

use crate::boots::{Boot, BootEnd, CoverageState};
use crate::present::color::{Tone, paint};
use crate::present::table::{Align, Table};
use crate::present::text::{WIDTH, one_line, wrap};
use crate::present::time::{Zone, span, wall, wall_near};

/// How terminal text is printed: the choices the front end made.
pub struct Style {
    pub zone: Zone,
    /// Print whole boot ids instead of their first 8 digits.
    pub full_ids: bool,
    /// Colour the text (ANSI); decided by the front end (`present::color::enabled`).
    pub color: bool,
}

/// How a boot ended, coloured by how bad it is.
pub fn boot_end_painted(b: &Boot, color: bool) -> String {
    let tone = match b.end {
        BootEnd::Clean => Tone::Good,
        BootEnd::Unclean => Tone::Bad,
        BootEnd::Running => Tone::Live,
        BootEnd::Unknown => Tone::Warn,
    };
    paint(color, tone, &boot_end(b))
}

pub fn boot_end(b: &Boot) -> String {
    match (b.end, b.shutdown) {
        (BootEnd::Clean, Some(kind)) => format!("clean {}", kind.as_str()),
        (BootEnd::Clean, None) => "clean".to_string(),
        (BootEnd::Unclean, _) => "UNCLEAN".to_string(),
        (BootEnd::Running, _) => "running".to_string(),
        (BootEnd::Unknown, _) => "unknown".to_string(),
    }
}

fn short_version(v: &Option<String>) -> String {
    // "252.38-1~deb12u1" → "252.38": the distribution suffix does not fit.
    v.as_deref()
        .map(|v| v.split(['-', '~']).next().unwrap_or(v).to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// The `boots` table, oldest first like `journalctl --list-boots`. A
/// COVERAGE column appears when a boot was not read whole (an excerpt, a
/// cut), so a full journal's table stays as it was.
pub fn boots(list: &[Boot], style: &Style) -> String {
    let partial = list.iter().any(|b| b.coverage.is_partial());
    let mut columns = vec![
        ("IDX", Align::Right),
        ("BOOT ID", Align::Left),
        ("FIRST ENTRY", Align::Left),
        ("LAST ENTRY", Align::Left),
        ("UPTIME", Align::Right),
        ("SYSTEMD", Align::Left),
        ("END", Align::Left),
        ("DOWNTIME", Align::Right),
    ];
    if partial {
        columns.push(("COVERAGE", Align::Left));
    }
    let mut t = Table::new(&columns);
    for b in list {
        let mut row = vec![
            b.index.to_string(),
            if style.full_ids {
                b.boot_id.to_string()
            } else {
                b.boot_id.short()
            },
            wall(b.first_realtime_usec, style.zone),
            wall_near(b.last_realtime_usec, b.first_realtime_usec, style.zone),
            span(b.duration_usec),
            short_version(&b.systemd_version),
            boot_end_painted(b, style.color),
            match (b.downtime_usec, b.is_newest()) {
                (_, true) => "-".to_string(),
                (Some(d), false) => span(d),
                (None, false) => "?".to_string(),
            },
        ];
        if partial {
            row.push(coverage_word(b));
        }
        t.row(row);
    }
    let mut out = t.render_painted(style.color);
    for b in list.iter().filter(|b| b.end == BootEnd::Unclean) {
        out.push_str(&format!(
            "\nBoot {} ended without a shutdown (power loss or crash). Its last entries:\n",
            paint(style.color, Tone::Bad, &b.boot_id.short())
        ));
        for e in b.end_evidence.iter().rev().take(3).rev() {
            let when = wall(e.realtime_usec, style.zone);
            // A line is one line on the terminal; -l shows it whole.
            let room = if style.full_ids {
                usize::MAX
            } else {
                WIDTH.saturating_sub(4 + when.chars().count())
            };
            let message = one_line(&e.message, room);
            out.push_str(&format!("  {when}  {message}\n"));
        }
    }
    let unknown: Vec<String> = list
        .iter()
        .filter(|b| b.downtime_usec.is_none() && !b.is_newest() && !b.coverage.is_partial())
        .map(|b| b.boot_id.short())
        .collect();
    if !unknown.is_empty() {
        out.push_str(&format!(
            "\nDowntime after {} is unknown: the next boot's clock started earlier\n(no RTC or a reset clock).\n",
            unknown.join(", ")
        ));
    }
    if let Some(said) = crate::boots::coverage::describe(list) {
        out.push_str(&format!(
            "\n{}\n",
            wrap(&format!("Coverage: {said}."), WIDTH).join("\n")
        ));
    }
    out
}

/// A boot's coverage in the table: "whole", "excerpt", "head cut" …
fn coverage_word(b: &Boot) -> String {
    match b.coverage.state {
        CoverageState::Complete | CoverageState::Unchecked => "whole".to_string(),
        CoverageState::Excerpt => "excerpt".to_string(),
        CoverageState::HeadCut => "head cut".to_string(),
        CoverageState::TailCut => "tail cut".to_string(),
        CoverageState::EndLost => "end lost".to_string(),
    }
}

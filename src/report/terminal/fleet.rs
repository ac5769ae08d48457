//! `fleet findings`: one line per host, then what hosts share.
//!
//! A fleet run may cover hundreds of hosts, so the terminal shows counts per
//! host and the cross-host patterns; each host's findings in full are one
//! flag away (`--details`) and always in the JSON document.

use crate::findings::{Finding, Severity};
use crate::fleet::{Host, Summary};
use crate::present::table::{Align, Table};
use crate::present::time::{span, wall, wall_near};
use crate::report::terminal::Style;
use crate::report::terminal::findings as render;

/// The terminal text. `details` adds each host's findings under its name.
pub fn terminal(hosts: &[Host], summary: &Summary, style: &Style, details: bool) -> String {
    let all: Vec<&Finding> = hosts.iter().flat_map(|h| &h.findings).collect();
    let boots: usize = hosts.iter().map(|h| h.boots.len()).sum();
    let mut out = format!(
        "{} host{}, {boots} boots, {} finding{}{}\n\n",
        hosts.len(),
        plural(hosts.len()),
        all.len(),
        plural(all.len()),
        counts_text(&all)
    );
    let mut table = Table::new(&[
        ("HOST", Align::Left),
        ("MACHINE", Align::Left),
        ("BOOTS", Align::Right),
        ("CRITICAL", Align::Right),
        ("ERROR", Align::Right),
        ("WARNING", Align::Right),
        ("INFO", Align::Right),
    ]);
    for h in hosts {
        let n = |s: Severity| {
            h.findings
                .iter()
                .filter(|f| f.severity == s)
                .count()
                .to_string()
        };
        table.row(vec![
            h.machine
                .hostname
                .clone()
                .unwrap_or_else(|| "-".to_string()),
            machine_text(h, style),
            h.boots.len().to_string(),
            n(Severity::Critical),
            n(Severity::Error),
            n(Severity::Warning),
            n(Severity::Info),
        ]);
    }
    out.push_str(&table.render_painted(style.color));
    let min = summary.min_hosts.max(2);
    if summary.spread.is_empty() {
        out.push_str(&format!("\nNo finding on {min} or more hosts.\n"));
    } else {
        out.push_str(&format!("\nThe same finding on {min} or more hosts:\n"));
        let mut t = Table::new(&[
            ("KIND", Align::Left),
            ("UNIT", Align::Left),
            ("WORST", Align::Left),
            ("HOSTS", Align::Right),
            ("FINDINGS", Align::Right),
            ("ON", Align::Left),
        ]);
        for s in &summary.spread {
            t.row(vec![
                s.kind.to_string(),
                s.unit.clone().unwrap_or_else(|| "-".to_string()),
                s.severity.to_string(),
                s.hosts.len().to_string(),
                s.findings.to_string(),
                names(hosts, &s.hosts),
            ]);
        }
        out.push_str(&indent(&t.render_painted(style.color)));
    }
    let rule = format!(
        "boot starts of {}+ hosts, each within {} of the one before",
        summary.wave_min_hosts,
        span(summary.wave_gap_usec)
    );
    if summary.waves.is_empty() {
        out.push_str(&format!("\nNo reboot wave ({rule}).\n"));
    } else {
        out.push_str(&format!("\nReboot waves ({rule}):\n"));
        let mut t = Table::new(&[
            ("FIRST BOOT", Align::Left),
            ("LAST BOOT", Align::Left),
            ("SPREAD", Align::Right),
            ("HOSTS", Align::Right),
            ("BOOTS", Align::Right),
            ("ON", Align::Left),
        ]);
        for w in &summary.waves {
            t.row(vec![
                wall(w.first_usec, style.zone),
                wall_near(w.last_usec, w.first_usec, style.zone),
                span(w.last_usec - w.first_usec),
                w.hosts.len().to_string(),
                w.boots.len().to_string(),
                names(hosts, &w.hosts),
            ]);
        }
        out.push_str(&indent(&t.render_painted(style.color)));
    }
    if details {
        for h in hosts.iter().filter(|h| !h.findings.is_empty()) {
            out.push_str(&format!(
                "\nHost {}, machine {}:\n",
                h.machine.hostname.as_deref().unwrap_or("(no hostname)"),
                h.machine.id_text()
            ));
            let list: Vec<Finding> = h.findings.clone();
            out.push_str(&render::terminal(&list, style));
        }
    }
    out
}

fn machine_text(h: &Host, style: &Style) -> String {
    match (h.machine.id, style.full_ids) {
        (Some(id), true) => id.to_string(),
        (Some(id), false) => id.short(),
        (None, _) => "-".to_string(),
    }
}

/// "web-1, web-2, … 10 more": host names for one cell.
fn names(hosts: &[Host], which: &[usize]) -> String {
    const SHOWN: usize = 3;
    let mut out: Vec<String> = which
        .iter()
        .take(SHOWN)
        .map(|i| {
            let m = &hosts[*i].machine;
            m.hostname.clone().unwrap_or_else(|| m.id_text())
        })
        .collect();
    if which.len() > SHOWN {
        out.push(format!("… {} more", which.len() - SHOWN));
    }
    out.join(", ")
}

fn counts_text(all: &[&Finding]) -> String {
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s, all.iter().filter(|f| f.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

//! A postmortem bundle: `report.md` (or a self-contained `report.html`),
//! `report.json` and the charts, as files ready to attach to a ticket.
//!
//! The bundle is built in memory first, so it can be compared with a
//! committed example without touching the disk, and it is reproducible: no
//! "generated at" time, every list in a fixed order, chart files byte for
//! byte the same for the same journal and version.

use std::io;
use std::path::Path;

use serde_json::Value;

use crate::findings::Kind;
use crate::report::chart::crash_loop::CrashLoops;
use crate::report::chart::{self, Chart, ImageFormat, overview::Overview, timeline::Timeline};
use crate::report::input::{ChartRef, ReportInput};
use crate::report::{html, json, markdown};

/// The main document's format; `report.json` and the charts come with both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Markdown,
    /// One file with the charts inlined as SVG.
    Html,
}

/// Files of a bundle in the order they are written: name and bytes.
pub struct Bundle {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Draws the charts and renders the documents.
pub fn build(input: &ReportInput, format: DocFormat) -> chart::Result<Bundle> {
    let mut files = Vec::new();
    let mut charts = Vec::new();
    let overview = Overview::from_boots(input.boots, input.zone);
    push_chart(
        &mut files,
        &mut charts,
        "overview",
        "Journal overview",
        &overview,
    )?;
    if let Some(analysis) = input.analysis {
        let flagged: Vec<String> = input
            .findings
            .iter()
            .filter_map(|f| f.unit.clone())
            .collect();
        let timeline = Timeline::from_analysis(analysis, &flagged, input.zone);
        push_chart(
            &mut files,
            &mut charts,
            "timeline",
            "Boot timeline",
            &timeline,
        )?;
        if input.findings.iter().any(|f| f.kind == Kind::CrashLoop) {
            let loops = CrashLoops::from_findings(input.findings, analysis, input.zone);
            push_chart(
                &mut files,
                &mut charts,
                "crash-loops",
                "Crash loops",
                &loops,
            )?;
        }
    }

    let mut notes = Vec::new();
    if let Some((a, b)) = overview.clock_conflict() {
        notes.push(format!(
            "The wall clock cannot order the boots (boot {} starts before boot {} ended): no real-time clock, or the clock was reset. Boots are ordered by the journal's sequence numbers; downtimes are unknown.",
            b.label, a.label
        ));
    }
    let document = json::report::document(input, &charts, &notes);
    let mut json_text = serde_json::to_string_pretty(&document).unwrap_or_default();
    json_text.push('\n');
    match format {
        DocFormat::Markdown => files.push((
            "report.md".into(),
            markdown::report(input, &charts, &notes).into_bytes(),
        )),
        DocFormat::Html => files.push((
            "report.html".into(),
            html::report(input, &charts, &notes).into_bytes(),
        )),
    }
    files.push(("report.json".into(), json_text.into_bytes()));
    Ok(Bundle { files })
}

fn push_chart(
    files: &mut Vec<(String, Vec<u8>)>,
    charts: &mut Vec<ChartRef>,
    name: &'static str,
    title: &str,
    drawing: &impl Chart,
) -> chart::Result<()> {
    let svg = chart::to_svg(drawing)?;
    let png = chart::to_png(drawing)?;
    let chart = ChartRef {
        name,
        title: title.to_string(),
        svg,
    };
    files.push((chart.file(ImageFormat::Svg), chart.svg.clone().into_bytes()));
    files.push((chart.file(ImageFormat::Png), png));
    charts.push(chart);
    Ok(())
}

impl Bundle {
    /// Writes every file into `dir`, creating it; other files there are left alone.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    pub fn json(&self) -> Option<Value> {
        self.files
            .iter()
            .find(|(n, _)| n == "report.json")
            .and_then(|(_, b)| serde_json::from_slice(b).ok())
    }
}

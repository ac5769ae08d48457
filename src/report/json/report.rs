//! `report.json` of a postmortem bundle (`jforensics report`).

use serde_json::{Value, json};

use super::{SCHEMA_VERSION, boot, findings, starts};
use crate::report::chart::ImageFormat;
use crate::report::input::{ChartRef, ReportInput};

/// The document, with the charts and notes the bundle carries.
pub fn document(input: &ReportInput, charts: &[ChartRef], notes: &[String]) -> Value {
    let mut doc = json!({
        "schema_version": SCHEMA_VERSION,
        "document": "report",
        "generator": input.generator,
        "boot": boot(input.boot),
        "boots": Value::Array(input.boots.iter().map(boot).collect()),
        "charts": charts.iter().map(|c| json!({
            "name": c.name,
            "title": c.title,
            "files": [c.file(ImageFormat::Svg), c.file(ImageFormat::Png)],
        })).collect::<Vec<_>>(),
        "notes": notes,
        "coverage": super::coverage(input.boots, input.damage),
    });
    if let Some(analysis) = input.analysis {
        doc["starts"] = analysis
            .starts
            .iter()
            .map(|s| starts::start(s, &analysis.lifecycles))
            .collect();
        doc["findings"] = findings::findings(input.findings);
    }
    doc
}

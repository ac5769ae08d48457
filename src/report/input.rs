//! What a report is made from: the one input every document of a bundle
//! (Markdown, HTML, JSON) renders, and the charts they refer to.

use crate::boots::Boot;
use crate::cause::BootAnalysis;
use crate::findings::Finding;
use crate::present::time::Zone;
use crate::report::chart::ImageFormat;

/// What a report is about, as computed by the earlier stages.
pub struct ReportInput<'a> {
    /// Every boot of the journal, oldest first.
    pub boots: &'a [Boot],
    /// The boot the report is about (one of `boots`).
    pub boot: &'a Boot,
    pub zone: Zone,
    /// "jforensics 0.1.0": who wrote the bundle.
    pub generator: String,
    /// The boot's lifecycles and classified starts.
    pub analysis: Option<&'a BootAnalysis>,
    /// The boot's findings, most severe first.
    pub findings: &'a [Finding],
    /// Files of the journal that could not be read, one line each.
    pub damage: &'a [String],
}

/// A chart as the documents refer to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartRef {
    /// File stem: "overview".
    pub name: &'static str,
    pub title: String,
    /// The SVG text, for documents that inline it.
    pub svg: String,
}

impl ChartRef {
    pub fn file(&self, format: ImageFormat) -> String {
        format!("{}.{}", self.name, format.extension())
    }
}

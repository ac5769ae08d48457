//! Output: the last stage. None of it reads the journal or draws
//! conclusions; it only presents what earlier stages found.
//!
//! Terminal forms live in [`terminal`], JSON documents in [`json`], the
//! postmortem bundle ([`bundle`]: Markdown or HTML, `report.json`, charts)
//! renders one [`input::ReportInput`]. Formatting shared with other stages
//! (times, widths, tables, colour) is in `crate::present`.

pub mod bundle;
pub mod chart;
pub mod html;
pub mod input;
pub mod json;
pub mod markdown;
mod select;
pub mod terminal;

/// Paths from before the split into `json`/`terminal` and `crate::present`,
/// kept so that branches written against them still build after a merge.
pub use crate::present::{color, time};

/// `findings` in both forms, under its old path (see [`json::findings`] and
/// [`terminal::findings`]).
pub mod findings {
    pub use crate::report::json::findings::{document, finding, findings};
    pub use crate::report::terminal::findings::{brief, section, terminal};
}

/// Starts and activations in both forms, under their old path (see
/// [`json::starts`] and [`terminal::starts`]).
pub mod starts {
    pub use crate::report::json::starts::{activation, outcome, since_boot_json, start, unit_json};
    pub use crate::report::terminal::starts::{since_boot, unit};
}

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
pub mod impact;
pub mod input;
pub mod json;
pub mod markdown;
mod select;
pub mod terminal;

//! Presentation helpers every output uses: wall-clock and span formatting,
//! text cut and wrapped to a width, colour, and the one plain-text table
//! renderer.
//!
//! A leaf: it knows nothing of journals, boots or findings, so any stage may
//! use it without reaching forward in the pipeline (findings word their
//! summaries with [`time`]; `report` and `tables` print with all of it).

pub mod color;
pub mod table;
pub mod text;
pub mod time;

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

/// Version of every output contract: the JSON documents
/// (`schema/jforensics.schema.json`) and the dataset tables that
/// `export --dataset` writes. The minor number grows when fields are added,
/// the major one when a field changes meaning or goes away. Here, not in
/// `report`, because `tables` stamps it on every dataset row and `report` and
/// `tables` do not import each other.
pub const SCHEMA_VERSION: &str = "1.0";

//! Output: the last stage. Each format is its own module; none of them reads
//! the journal or draws conclusions, they only present what earlier stages found.

pub mod bundle;
pub mod chart;
pub mod color;
pub mod findings;
pub mod fleet;
pub mod html;
pub mod json;
pub mod markdown;
pub mod starts;
pub mod table;
pub mod terminal;
pub mod time;

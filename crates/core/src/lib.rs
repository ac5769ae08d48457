//! jforensics' pipeline from journal entries to findings, without tables or
//! charts (so its tests build without polars or plotters):
//!
//! ```text
//! journal ──► events ──► boots, lifecycle ──► cause ──► findings
//! (read)      (typed)    (per boot, per unit)  (why)     (detectors)
//! ```
//!
//! `journal` (crates/journal) and `present` (crates/present) are re-exported
//! under their module names, so every stage's `crate::journal::…` and
//! `crate::present::…` paths read as they did in one crate; `machines`
//! (which boots belong to which host), `units` (declared dependencies read
//! from unit files), `evidence`, `stable_id` and `vocab` sit beside the
//! stages. docs/ARCHITECTURE.md tells where each stage lives and the
//! invariants the tests defend.

pub use jforensics_journal as journal;
pub use jforensics_present as present;

pub mod boots;
pub mod cause;
pub mod events;
pub mod evidence;
pub mod findings;
pub mod lifecycle;
pub mod machines;
pub mod stable_id;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
/// Declared dependencies read from unit files (a read stage beside `journal`).
pub mod units;
pub mod vocab;

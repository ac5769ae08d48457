//! jforensics: post-incident forensics for hosts run by systemd.
//!
//! The data flows one way through the modules, each knowing only the one
//! before it:
//!
//! ```text
//! journal ──► events ──► boots / lifecycles ──► findings ──► report
//! (read)      (typed)    (per boot, per unit)   (detectors)  (terminal, JSON, charts)
//! ```
//!
//! `present` (times, widths, tables, colour) is a leaf every stage may use.
//!
//! The command-line front end (`src/main.rs`, `src/cli/`, `src/commands/`)
//! wires a source to a command and a report format; nothing in this library
//! knows about flags or terminals.

pub mod boots;
pub mod cause;
pub mod events;
pub mod evidence;
pub mod findings;
pub mod fleet;
pub mod journal;
pub mod lifecycle;
pub mod machines;
pub mod present;
pub mod report;
pub mod stable_id;
pub mod tables;
#[cfg(test)]
mod testkit;
pub mod vocab;
pub mod watch;

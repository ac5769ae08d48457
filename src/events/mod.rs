//! Typed lifecycle events from journal entries: the second stage.
pub mod ids;

//! Which activations `since-boot` and `unit` list, the same for their
//! terminal and JSON forms.

use crate::cause::BootAnalysis;
use crate::lifecycle::{BootLifecycles, EndState};

/// Activations seen only while already running: their start was not logged.
pub fn unstarted(analysis: &BootAnalysis, units: &[String]) -> Vec<usize> {
    let lc = &analysis.lifecycles;
    (0..lc.activations.len())
        .filter(|&i| !crate::cause::is_start(lc, i))
        .filter(|&i| units.is_empty() || units.contains(&lc.activations[i].unit))
        .collect()
}

/// Activations that ended in failure, in order (only those of `units`, if given).
pub fn failures(lc: &BootLifecycles, units: &[String]) -> Vec<usize> {
    lc.activations
        .iter()
        .enumerate()
        .filter(|(_, a)| a.end_state == EndState::Failed)
        .filter(|(_, a)| units.is_empty() || units.contains(&a.unit))
        .map(|(i, _)| i)
        .collect()
}

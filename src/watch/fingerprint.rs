//! Fingerprints: the name a receiver deduplicates on.
//!
//! A finding's `id` (`crate::stable_id`) already hashes only stable labels —
//! kind, unit, boot and the episode's start — never counts, severities or
//! text, which change while an episode goes on (a crash loop gains restarts,
//! its summary grows). The fingerprint adds the machine id, so ids of two
//! hosts sending to one receiver cannot collide, and stays the same for the
//! whole life of the episode: "new" and "resolved" records of one episode
//! share it.

use crate::journal::Id128;
use crate::stable_id::stable_id;

/// `"fp-{16 hex digits}"` of the machine id and the finding id.
pub fn fingerprint(machine_id: Id128, finding_id: &str) -> String {
    stable_id("fp", &[&machine_id.to_string(), finding_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_and_finding_both_count() {
        let a = Id128([1; 16]);
        let b = Id128([2; 16]);
        let fp = fingerprint(a, "crash-loop-0011223344556677");
        assert_eq!(fp, fingerprint(a, "crash-loop-0011223344556677"));
        assert_ne!(fp, fingerprint(b, "crash-loop-0011223344556677"));
        assert_ne!(fp, fingerprint(a, "crash-loop-0011223344556678"));
        assert!(fp.starts_with("fp-") && fp.len() == 19, "{fp}");
    }
}

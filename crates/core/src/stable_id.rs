//! Stable ids for the things a report names, above all findings: the same
//! journal gives the same id on any machine, in any run, so a postmortem, a
//! ticket and a later `jforensics report` can refer to the same finding.
//!
//! An id is the kind followed by 16 hex digits of a 64-bit FNV-1a hash of
//! what identifies the thing. FNV-1a is written out here on purpose: the
//! standard library's hasher is randomly seeded and may change between Rust
//! releases, and a fixed 20-line function needs no dependency. It is not a
//! security hash; ids only need to be stable and, within one journal,
//! distinct.

use crate::journal::Id128;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over the parts, each followed by a 0x1f separator so that
/// ("ab", "c") and ("a", "bc") differ.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.iter().chain(&[0x1f]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// `"{kind}-{16 hex digits}"` from `parts`.
pub fn stable_id(kind: &str, parts: &[&str]) -> String {
    let mut bytes: Vec<&[u8]> = vec![kind.as_bytes()];
    bytes.extend(parts.iter().map(|p| p.as_bytes()));
    format!("{kind}-{:016x}", fnv1a(&bytes))
}

/// The id of a finding: its kind ("crash-loop"), the unit it is about (empty
/// for boot-wide findings such as an unclean shutdown), the boot, and the
/// wall-clock µs where it starts (the first entry of its evidence). Two
/// findings of one kind on one unit in one boot differ by their start.
pub fn finding_id(kind: &str, unit: &str, boot_id: Id128, start_usec: u64) -> String {
    stable_id(kind, &[unit, &boot_id.to_string(), &start_usec.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        // Without the separator: FNV-1a 64 of "" and "a" (Fowler, Noll, Vo).
        let plain = |s: &[u8]| {
            s.iter()
                .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
        };
        assert_eq!(plain(b""), 0xcbf29ce484222325);
        assert_eq!(plain(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(plain(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn ids_are_stable_and_tell_their_inputs_apart() {
        let boot = Id128([7; 16]);
        let id = finding_id("crash-loop", "flappy.service", boot, 1_700_000_000_000_000);
        assert_eq!(
            id,
            finding_id("crash-loop", "flappy.service", boot, 1_700_000_000_000_000)
        );
        assert!(
            id.starts_with("crash-loop-") && id.len() == "crash-loop-".len() + 16,
            "{id}"
        );
        assert_ne!(
            id,
            finding_id("crash-loop", "flappy.service", boot, 1_700_000_000_000_001)
        );
        assert_ne!(
            id,
            finding_id("crash-loop", "other.service", boot, 1_700_000_000_000_000)
        );
        assert_ne!(
            id,
            finding_id("oom-kill", "flappy.service", boot, 1_700_000_000_000_000)
        );
        assert_ne!(stable_id("k", &["ab", "c"]), stable_id("k", &["a", "bc"]));
    }
}

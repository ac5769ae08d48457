//! What happened across hosts: the summary above many hosts' findings.
//!
//! After a power event or a bad rollout the question is not one host's
//! story but the pattern: many hosts rebooting together (a reboot wave), the
//! same unit failing on many of them. Both are computed from the per-host
//! results only (boots and findings), never from entries, so the summary
//! costs nothing next to the analysis and needs no host's journal in memory.
//!
//! A wave is a run of boot starts, over all hosts, in which each start is
//! within `gap` of the one before (single linkage), holding at least
//! `min_hosts` distinct hosts. The same rule is easy to write in SQL with a
//! window function, so `queries/fleet/reboot-waves.sql` finds the same waves
//! in an exported dataset.

use std::collections::{BTreeMap, BTreeSet};

use crate::boots::Boot;
use crate::findings::{Finding, Kind, Severity};
use crate::journal::Id128;
use crate::machines::Machine;

/// One host's results: what the single-host analysis found.
#[derive(Clone, Debug)]
pub struct Host {
    pub machine: Machine,
    /// Where it was read from ("journal directory /srv/logs").
    pub source: String,
    pub boots: Vec<Boot>,
    pub findings: Vec<Finding>,
}

/// What hosts share.
#[derive(Clone, Debug)]
pub struct Summary {
    pub waves: Vec<Wave>,
    pub spread: Vec<Spread>,
    /// The rules they were found with, for the reader.
    pub wave_gap_usec: u64,
    pub wave_min_hosts: usize,
    pub min_hosts: usize,
}

/// Waves over every host's boots and findings shared by `min_hosts` hosts.
pub fn summarize(
    hosts: &[Host],
    wave_gap_usec: u64,
    wave_min_hosts: usize,
    min_hosts: usize,
) -> Summary {
    let starts: Vec<BootStart> = hosts
        .iter()
        .enumerate()
        .flat_map(|(host, h)| {
            h.boots.iter().map(move |b| BootStart {
                host,
                boot_id: b.boot_id,
                realtime_usec: b.first_realtime_usec,
            })
        })
        .collect();
    let per_host: Vec<Vec<Finding>> = hosts.iter().map(|h| h.findings.clone()).collect();
    Summary {
        waves: waves(&starts, wave_gap_usec, wave_min_hosts),
        spread: spread(&per_host, min_hosts),
        wave_gap_usec,
        wave_min_hosts,
        min_hosts,
    }
}

/// The defaults of `fleet findings` and of the fleet queries.
pub const DEFAULT_WAVE_GAP_USEC: u64 = 5 * 60 * 1_000_000;
pub const DEFAULT_WAVE_MIN_HOSTS: usize = 3;

/// One boot of one host, as the wave rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootStart {
    /// Index of the host in the caller's list.
    pub host: usize,
    pub boot_id: Id128,
    pub realtime_usec: u64,
}

/// Boots of many hosts that began close together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wave {
    pub first_usec: u64,
    pub last_usec: u64,
    /// Hosts with a boot in the wave, ascending.
    pub hosts: Vec<usize>,
    /// The boots, in start order.
    pub boots: Vec<BootStart>,
}

/// The waves among `starts`, oldest first.
pub fn waves(starts: &[BootStart], gap_usec: u64, min_hosts: usize) -> Vec<Wave> {
    let mut sorted = starts.to_vec();
    sorted.sort_by_key(|s| (s.realtime_usec, s.host, s.boot_id));
    let mut runs: Vec<Vec<BootStart>> = Vec::new();
    for start in sorted {
        match runs.last_mut() {
            Some(run)
                if start.realtime_usec
                    - run.last().map_or(start.realtime_usec, |s| s.realtime_usec)
                    <= gap_usec =>
            {
                run.push(start)
            }
            _ => runs.push(vec![start]),
        }
    }
    runs.into_iter()
        .filter_map(|boots| {
            let hosts: BTreeSet<usize> = boots.iter().map(|b| b.host).collect();
            (hosts.len() >= min_hosts.max(1)).then(|| Wave {
                first_usec: boots[0].realtime_usec,
                last_usec: boots[boots.len() - 1].realtime_usec,
                hosts: hosts.into_iter().collect(),
                boots,
            })
        })
        .collect()
}

/// The same kind of finding on the same unit, on several hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    pub kind: Kind,
    /// None for boot-wide findings (unclean shutdowns).
    pub unit: Option<String>,
    /// The most severe of them.
    pub severity: Severity,
    /// Hosts with at least one such finding, ascending.
    pub hosts: Vec<usize>,
    pub findings: usize,
}

/// Findings grouped by kind and unit over hosts (`per_host[i]` is host i's
/// list), kept when at least `min_hosts` hosts have one; most hosts first,
/// then most severe.
pub fn spread(per_host: &[Vec<Finding>], min_hosts: usize) -> Vec<Spread> {
    let mut groups: BTreeMap<(String, Option<String>), Spread> = BTreeMap::new();
    for (host, list) in per_host.iter().enumerate() {
        for f in list {
            let key = (f.kind.as_str().to_string(), f.unit.clone());
            let g = groups.entry(key).or_insert_with(|| Spread {
                kind: f.kind,
                unit: f.unit.clone(),
                severity: f.severity,
                hosts: Vec::new(),
                findings: 0,
            });
            g.severity = g.severity.max(f.severity);
            g.findings += 1;
            if g.hosts.last() != Some(&host) {
                g.hosts.push(host);
            }
        }
    }
    let mut out: Vec<Spread> = groups
        .into_values()
        .filter(|g| g.hosts.len() >= min_hosts.max(1))
        .collect();
    out.sort_by(|a, b| {
        b.hosts
            .len()
            .cmp(&a.hosts.len())
            .then(b.severity.cmp(&a.severity))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(host: usize, boot: u8, secs: u64) -> BootStart {
        BootStart {
            host,
            boot_id: Id128([boot; 16]),
            realtime_usec: secs * 1_000_000,
        }
    }

    #[test]
    fn boots_close_together_on_enough_hosts_form_a_wave() {
        let starts = vec![
            start(0, 1, 1000),
            start(1, 2, 1030),
            start(2, 3, 1070),
            // a lone reboot much later is no wave
            start(0, 4, 5000),
            // a chain: each within the gap of the one before
            start(1, 5, 9000),
            start(2, 6, 9050),
            start(3, 7, 9100),
            start(3, 8, 9120),
        ];
        let w = waves(&starts, 60_000_000, 3);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].hosts, vec![0, 1, 2]);
        assert_eq!(
            (w[0].first_usec, w[0].last_usec),
            (1_000_000_000, 1_070_000_000)
        );
        assert_eq!(w[1].hosts, vec![1, 2, 3]);
        assert_eq!(w[1].boots.len(), 4);
        assert!(waves(&starts, 60_000_000, 4).is_empty());
    }
}

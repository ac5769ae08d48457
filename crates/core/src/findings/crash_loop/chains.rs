//! Episode segmentation: a unit's runs split into chains of automatic
//! restarts, and when a run counts as having stayed up (which ends a chain).

use super::super::facts::BootFacts;

/// How many times longer than the loop's typical (median) failing run a run
/// must last to count as staying up. Failing runs of one loop differ: the
/// same failure is reached by a different path each time (a refused
/// connection at once, a timeout later), and the machine's load stretches
/// them. In the recorded loops (TCG guests, runs of 0.6-5.6 s) the failing
/// runs after the first stayed within 2.5 times their median, while the
/// first, at boot, took up to 6 times it (so the longest run is no
/// measure). Five times the median clears that spread twice over, yet a
/// recovery seen for only a few seconds before a dependency went away again
/// (30 times its failing runs) or before the poweroff (20 times) counts.
const RECOVERY_FACTOR: u64 = 5;
/// A run must also outlast one whole cycle of the loop (its run plus the
/// `RestartSec=` wait, the median time from one start to the next): when the
/// runs are short next to `RestartSec=` (a 0.2 s failure, a 2.5 s wait), a
/// run five times as long as a failing one still ends before the next
/// restart would even have come, and says nothing about having recovered.
const RECOVERY_CYCLES: u64 = 1;

/// The failing runs of a chain so far: what a run that stayed up is
/// measured against.
#[derive(Clone, Debug, Default)]
pub(super) struct FailingRuns {
    /// How long each lasted, where both ends were logged.
    pub(super) ran: Vec<u64>,
    /// From each one's start to the next run's start.
    pub(super) cycles: Vec<u64>,
}

impl FailingRuns {
    /// Whether a run that lasted `ran` µs stayed up: `recovered_after`, or
    /// [`RECOVERY_FACTOR`] times the typical failing run and at least
    /// [`RECOVERY_CYCLES`] cycles of the loop.
    pub(super) fn outlived_by(&self, f: &BootFacts, ran: u64) -> bool {
        if ran >= f.options.recovered_after_usec {
            return true;
        }
        if self.ran.is_empty() {
            return false;
        }
        ran >= median(recent(&self.ran)).saturating_mul(RECOVERY_FACTOR)
            && ran >= self.cycle().saturating_mul(RECOVERY_CYCLES)
    }

    pub(super) fn cycle(&self) -> u64 {
        median(recent(&self.cycles))
    }
}

/// How many of the latest failing runs a run is measured against. The
/// machine's load changes within a boot: in a recorded loop the runs at boot
/// failed after 5-28 s, a minute later after 1-1.3 s, and the run that
/// stayed up 31 s was shorter than five times the median of them all. The
/// last few runs are the loop as it was when the run began.
const RECENT_RUNS: usize = 3;

fn recent(values: &[u64]) -> Vec<u64> {
    values[values.len().saturating_sub(RECENT_RUNS)..].to_vec()
}

/// A chain of automatic restarts of one unit.
#[derive(Debug, Default)]
pub(super) struct Chain {
    pub(super) runs: Vec<usize>,
    pub(super) failing: FailingRuns,
    /// The first run had stayed up before it failed: the chain began with
    /// that failure.
    pub(super) head_stayed_up: bool,
}

/// Splits a unit's runs into chains of automatic restarts; a run that stayed
/// up ends one chain, and its failure begins the next.
pub(super) fn chains(f: &BootFacts, runs: &[usize]) -> Vec<Chain> {
    let mut out: Vec<Chain> = Vec::new();
    let mut chain = Chain::default();
    let mut flush = |chain: Chain| {
        if chain.runs.len() > 1 {
            out.push(chain);
        }
    };
    for &i in runs {
        let continues = !chain.runs.is_empty() && f.is_auto_restart(i);
        if !continues {
            flush(std::mem::take(&mut chain));
            chain.runs.push(i);
            continue;
        }
        let last = *chain.runs.last().expect("chain is not empty");
        let ran = f.act(last).ran_usec();
        if ran.is_some_and(|r| chain.failing.outlived_by(f, r)) {
            flush(std::mem::take(&mut chain));
            chain = Chain {
                runs: vec![last, i],
                failing: FailingRuns::default(),
                head_stayed_up: true,
            };
        } else {
            chain.failing.ran.extend(ran);
            chain.failing.cycles.push(between(f, last, i));
            chain.runs.push(i);
        }
    }
    flush(chain);
    out
}

/// µs between two runs' starts.
pub(super) fn between(f: &BootFacts, a: usize, b: usize) -> u64 {
    match (f.start_stamp(a), f.start_stamp(b)) {
        (Some(x), Some(y)) => x.until(&y),
        _ => f.start_key(b).saturating_sub(f.start_key(a)),
    }
}

pub(super) fn median(mut values: Vec<u64>) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[values.len() / 2]
}

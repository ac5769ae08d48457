//! The one place where work runs in parallel: boots read whole for the
//! detectors, files listed and hosts analysed by `fleet`.
//!
//! Each worker takes the next item when done, so one slow item does not
//! hold the others up, and results are kept in the order of the items,
//! never of finishing: a command run with 1, 2 or 8 threads prints the same.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// The variable that sets how many threads read at once, for every command.
pub const THREADS_ENV: &str = "JFORENSICS_THREADS";

/// How many reads run at once: `JFORENSICS_THREADS` when it is a positive
/// number, else one per CPU. The one place that decides it, so a test can
/// run a command with 1, 2 or 8 threads and hold the outputs to be equal.
pub fn threads() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `work` over `items` on up to `jobs` threads (on this one when one is
/// enough), calling `done` with how many are finished after each. A result
/// is `None` only if its worker died, which ends the scope first.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    done: impl Fn(usize) + Sync,
) -> Vec<Option<R>> {
    let workers = jobs.min(items.len());
    if workers <= 1 {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let result = work(item);
                done(i + 1);
                Some(result)
            })
            .collect();
    }
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(result);
                    done(finished.fetch_add(1, Ordering::Relaxed) + 1);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_threads() {
        let items: Vec<u64> = (0..50).collect();
        for jobs in [1, 2, 8] {
            let out = map(
                &items,
                jobs,
                |n| {
                    // The first items take longest, so they finish last.
                    std::thread::sleep(std::time::Duration::from_micros(50 - n));
                    n * 2
                },
                |_| {},
            );
            let want: Vec<Option<u64>> = items.iter().map(|n| Some(n * 2)).collect();
            assert_eq!(out, want, "{jobs} jobs");
        }
    }
}

//! The order of boots: sequence numbers in a shared series are facts and
//! decide; where they relate no two boots, the wall clock does.

use std::collections::HashMap;

use super::gathered::Gathered;
use crate::journal::{Id128, Outline};

/// Oldest first. Sequence numbers in a shared series are facts and win; among
/// boots they do not relate, the one whose newest entry is older comes first.
pub(super) fn order(boots: &HashMap<Id128, Gathered>) -> Vec<Id128> {
    let mut ids: Vec<Id128> = boots.keys().copied().collect();
    ids.sort_unstable();
    let accs: Vec<&Gathered> = ids.iter().map(|id| &boots[id]).collect();
    order_by(
        &ids,
        |i| &accs[i].headers.seqnums,
        |i| accs[i].headers.max_realtime,
    )
    .0
}

/// The boots of an [`Outline`] in the order a scan of every entry header
/// would give them, when sequence numbers alone decide it: each boot shares
/// a series with the next and all of it comes first. Then the wall clock,
/// which only the headers tell, never breaks a tie. `None` otherwise.
pub fn outline_order(outline: &Outline) -> Option<Vec<Id128>> {
    let ids: Vec<Id128> = outline.boots.iter().map(|b| b.boot_id).collect();
    let (order, decided) = order_by(&ids, |i| &outline.boots[i].seqnums, |_| 0);
    decided.then_some(order)
}

/// Orders boots `ids` (sorted) by their seqnum ranges, a topological order;
/// where several boots could come next, the lowest `key` (then id) does.
/// Also says whether seqnums decided every step alone.
fn order_by<'a>(
    ids: &[Id128],
    seqnums: impl Fn(usize) -> &'a [(String, u64, u64)],
    key: impl Fn(usize) -> u64,
) -> (Vec<Id128>, bool) {
    let n = ids.len();
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut incoming = vec![0usize; n];
    for (a, later) in before.iter_mut().enumerate() {
        for (b, count) in incoming.iter_mut().enumerate() {
            if a != b && seq_before(seqnums(a), seqnums(b)) {
                later.push(b);
                *count += 1;
            }
        }
    }
    let key = |i: usize| (key(i), ids[i]);
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    let mut decided = true;
    for _ in 0..n {
        // Prefer a boot with no unplaced predecessor; if the clues contradict
        // each other (a cycle), fall back to the wall clock alone.
        let free: Vec<usize> = (0..n).filter(|&i| !done[i] && incoming[i] == 0).collect();
        decided &= free.len() == 1;
        let pick = free
            .into_iter()
            .min_by_key(|&i| key(i))
            .or_else(|| (0..n).filter(|&i| !done[i]).min_by_key(|&i| key(i)));
        let Some(i) = pick else { break };
        done[i] = true;
        for &j in &before[i] {
            incoming[j] = incoming[j].saturating_sub(1);
        }
        out.push(ids[i]);
    }
    (out, decided)
}

/// True when boots with seqnum ranges `a` and `b` share a sequence series
/// and all of `a` comes first.
fn seq_before(a: &[(String, u64, u64)], b: &[(String, u64, u64)]) -> bool {
    a.iter()
        .any(|(series, _, a_max)| b.iter().any(|(s, b_min, _)| s == series && *a_max < *b_min))
}

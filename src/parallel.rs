//! Work spread over the machine's cores with results kept in item order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item, on as many threads as the machine has cores (each thread
/// takes the next item left); the results in the items' order. One item, or one core:
/// on this thread.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            done.push((i, f(item)));
        }
        done
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_item_order_whatever_each_item_costs() {
        let items: Vec<u64> = (0..500).map(|i| (i * 7919) % 1000).collect();
        let got = map_in_order(&items, |&n| {
            // Uneven work, so threads finish items out of order.
            (0..n * 50).fold(n, |a, b| a.wrapping_mul(31).wrapping_add(b))
        });
        let want: Vec<u64> = items
            .iter()
            .map(|&n| (0..n * 50).fold(n, |a, b| a.wrapping_mul(31).wrapping_add(b)))
            .collect();
        assert_eq!(got, want);
        assert!(map_in_order(&[] as &[u8], |&b| b).is_empty());
    }
}

//! The threads that run a step's batch chunks: this thread and the workers of a rayon pool, kept
//! awake from one step to the next.
//!
//! A step's parallel section is short (well under a millisecond for the paper's network), and
//! waking a sleeping thread through the kernel costs a sizeable part of it. So the waits are
//! active at both ends, as in OpenMP runtimes (and so in PyTorch): this thread, its own group
//! done, yields in a loop until the workers are done (at most [`WAIT_FOR_WORKERS`]); each worker,
//! its group done, yields in a loop until the next call posts work (at most [`KEEP_WARM`]).
//! Yielding rather than spinning leaves the core to any other runnable thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Longest this thread waits awake for the workers before it blocks.
pub const WAIT_FOR_WORKERS: Duration = Duration::from_micros(300);
/// Longest a worker stays awake for the next call's work before it sleeps.
pub const KEEP_WARM: Duration = Duration::from_micros(500);

/// This thread plus `threads − 1` pool workers.
pub struct Workers {
    pool: rayon::ThreadPool,
    /// Counts the calls of [`Workers::map`]: a worker kept warm waits for it to change.
    calls: Arc<AtomicU64>,
}

impl Workers {
    /// `None` for a single thread (no pool needed).
    pub fn new(threads: usize) -> Result<Option<Self>, rayon::ThreadPoolBuildError> {
        if threads <= 1 {
            return Ok(None);
        }
        Ok(Some(Self {
            pool: rayon::ThreadPoolBuilder::new()
                .num_threads(threads - 1)
                .build()?,
            calls: Arc::default(),
        }))
    }

    /// `f` on every item, results in item order. The items are split into one contiguous group
    /// per thread; this thread takes the first group, the workers the others.
    pub fn map<B: Sync, T: Send>(&self, items: &[B], f: impl Fn(&B) -> T + Sync) -> Vec<T> {
        self.calls.fetch_add(1, Ordering::Release);
        let per = items
            .len()
            .div_ceil(self.pool.current_num_threads() + 1)
            .max(1);
        let f = &f;
        let mut groups: Vec<Vec<T>> = items.chunks(per).map(|_| Vec::new()).collect();
        if let Some((mine, theirs)) = groups.split_first_mut() {
            let pending = &AtomicUsize::new(theirs.len());
            self.pool.in_place_scope(|s| {
                for (slot, group) in theirs.iter_mut().zip(items[per..].chunks(per)) {
                    s.spawn(move |_| {
                        *slot = group.iter().map(f).collect();
                        pending.fetch_sub(1, Ordering::Release);
                    });
                }
                *mine = items[..per].iter().map(f).collect();
                let start = Instant::now();
                while pending.load(Ordering::Acquire) > 0 && start.elapsed() < WAIT_FOR_WORKERS {
                    std::thread::yield_now();
                }
            });
        }
        self.keep_warm();
        groups.into_iter().flatten().collect()
    }

    /// Gives every worker a job that waits awake until the next [`Workers::map`] (or
    /// [`KEEP_WARM`]).
    fn keep_warm(&self) {
        let seen = self.calls.load(Ordering::Acquire);
        for _ in 0..self.pool.current_num_threads() {
            let calls = Arc::clone(&self.calls);
            self.pool.spawn(move || {
                let start = Instant::now();
                while calls.load(Ordering::Acquire) == seen && start.elapsed() < KEEP_WARM {
                    std::thread::yield_now();
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_item_order_for_any_split() {
        let workers = Workers::new(3).unwrap().expect("a pool for three threads");
        for n in [0, 1, 2, 3, 7, 64] {
            let items: Vec<usize> = (0..n).collect();
            for _ in 0..3 {
                assert_eq!(
                    workers.map(&items, |i| i * i),
                    items.iter().map(|i| i * i).collect::<Vec<_>>()
                );
            }
        }
        assert!(Workers::new(1).unwrap().is_none());
    }
}

//! An order-preserving parallel map with bounded memory: the engine room of
//! the pipeline.
//!
//! The calling thread pulls items and hands each to a pool of workers with
//! a one-shot result slot; the slots travel in input order, through a
//! bounded queue, to a writer thread that waits on each in turn. So reading,
//! working and writing overlap, results come out in input order whichever
//! worker finishes first, and the first error in input order wins (after
//! everything before it has been written). Items that take next to no
//! work, at the start of the input, are worked on the calling thread
//! before any thread starts (see [`ordered`]).
//!
//! Memory is bounded twice: by count (at most `2 × threads` results queued)
//! and by weight (the items in flight weigh at most `max_bytes`, unless a
//! single item weighs more, which then goes alone), so large blocks do not
//! multiply into hundreds of megabytes.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Instant;

use crate::error::{Error, Result};

/// How much may be in flight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Worker threads; 1 runs everything on the calling thread.
    pub threads: usize,
    /// The most the items in flight may weigh together.
    pub max_bytes: usize,
}

/// The weight of the items in flight.
struct Budget {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
    limit: usize,
}

impl Budget {
    /// Waits until `weight` more fits (or nothing is in flight); false once
    /// the writer has stopped.
    fn acquire(&self, weight: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.1 && state.0 > 0 && state.0 + weight > self.limit {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.1 {
            return false;
        }
        state.0 += weight;
        true
    }

    fn release(&self, weight: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 -= weight;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.changed.notify_all();
    }
}

/// Closes the budget when the writer ends, however it ends, so the feeder
/// never waits for room that will not come.
struct CloseOnDrop<'a>(&'a Budget);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Runs `work` over `inputs` and feeds the results to `sink` in input
/// order; `weigh` says how many bytes an item holds while in flight.
///
/// Items for which `quick` holds, up to the first that it does not, are
/// worked on the calling thread, before any thread starts: work that runs
/// at memory speed gains nothing from a second CPU, which would first have
/// to fetch the item from the first CPU's cache and take fresh memory of
/// its own for the result (measured: a 3 MiB raster of 67:1 decoded 20%
/// faster on one thread than on two). Unless writing costs more than the
/// work (twice the work's time, and [`SLOW_WRITE`] at least, for two items
/// in a row): then the threads start, so that writing (into a pipe, say)
/// overlaps the work again (a 256 MiB stored stream into a pipe took 1.7
/// times as long without them).
pub(crate) fn ordered<I, O, W, S>(
    limits: Limits,
    inputs: impl Iterator<Item = Result<I>>,
    weigh: impl Fn(&I) -> usize,
    quick: impl Fn(&I) -> bool,
    work: W,
    mut sink: S,
) -> Result<()>
where
    I: Send,
    O: Send,
    W: Fn(I) -> Result<O> + Sync,
    S: FnMut(O) -> Result<()> + Send,
{
    if limits.threads <= 1 {
        for item in inputs {
            sink(work(item?)?)?;
        }
        return Ok(());
    }
    let mut inputs = inputs;
    let mut slow_writes = 0;
    let first_slow = loop {
        let Some(item) = inputs.next() else {
            return Ok(());
        };
        let item = item?;
        if !quick(&item) {
            break Some(item);
        }
        let started = Instant::now();
        let output = work(item)?;
        let worked = started.elapsed();
        sink(output)?;
        let wrote = started.elapsed() - worked;
        slow_writes = if wrote > SLOW_WRITE.max(2 * worked) {
            slow_writes + 1
        } else {
            0
        };
        // Twice in a row: once may be the scheduler's doing.
        if slow_writes == 2 {
            break None;
        }
    };
    in_parallel(
        limits,
        first_slow.map(Ok).into_iter().chain(inputs),
        weigh,
        work,
        sink,
    )
}

/// How long writing one quick item's result may take, at least, before
/// the threads start so that it overlaps the work (see [`ordered`]): a
/// MiB into /dev/null takes a microsecond, into a pipe or a file a
/// hundred or more.
const SLOW_WRITE: std::time::Duration = std::time::Duration::from_micros(50);

/// [`ordered`] on `limits.threads` worker threads.
fn in_parallel<I, O, W, S>(
    limits: Limits,
    inputs: impl Iterator<Item = Result<I>>,
    weigh: impl Fn(&I) -> usize,
    work: W,
    mut sink: S,
) -> Result<()>
where
    I: Send,
    O: Send,
    W: Fn(I) -> Result<O> + Sync,
    S: FnMut(O) -> Result<()> + Send,
{
    let threads = limits.threads;

    type Slot<O> = SyncSender<Result<O>>;
    let (job_tx, job_rx) = sync_channel::<(I, Slot<O>)>(threads);
    let job_rx = Mutex::new(job_rx);
    let (order_tx, order_rx) = sync_channel::<(Receiver<Result<O>>, usize)>(2 * threads);
    let budget = Budget {
        state: Mutex::new((0, false)),
        changed: Condvar::new(),
        limit: limits.max_bytes,
    };
    thread::scope(|scope| {
        let (job_rx, work, budget) = (&job_rx, &work, &budget);
        for _ in 0..threads {
            scope.spawn(move || {
                loop {
                    // Holding the lock while waiting is fine: whoever holds it
                    // takes the next job, then lets the next worker wait.
                    let job = job_rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|rx| rx.recv().map_err(|_| ()));
                    let Ok((item, slot)) = job else { break };
                    // The writer may have stopped on an error; then nobody
                    // wants this result.
                    let _ = slot.send(work(item));
                }
            });
        }

        let writer = scope.spawn(move || -> Result<()> {
            let _close = CloseOnDrop(budget);
            for (slot, weight) in order_rx {
                let result = slot.recv().map_err(|_| Error::WorkerLost)?;
                sink(result?)?;
                budget.release(weight);
            }
            Ok(())
        });

        for item in inputs {
            let (slot_tx, slot_rx) = sync_channel(1);
            let weight = item.as_ref().map_or(0, &weigh);
            if !budget.acquire(weight) || order_tx.send((slot_rx, weight)).is_err() {
                break; // the writer stopped on an error
            }
            match item {
                Ok(item) => {
                    if job_tx.send((item, slot_tx)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = slot_tx.send(Err(e));
                    break;
                }
            }
        }
        drop(order_tx);
        drop(job_tx);
        writer.join().unwrap_or(Err(Error::WorkerLost))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::container::FormatError;

    fn limits(threads: usize) -> Limits {
        Limits {
            threads,
            max_bytes: usize::MAX,
        }
    }

    #[test]
    fn keeps_order_and_reports_first_error() {
        for threads in [1, 2, 5] {
            let mut seen = Vec::new();
            ordered(
                limits(threads),
                (0..200u32).map(Ok),
                |_| 1,
                |_| false,
                |i| {
                    // Later items finish sooner, to shuffle completion order.
                    std::thread::sleep(std::time::Duration::from_micros(u64::from(200 - i)));
                    Ok(i * 2)
                },
                |o| {
                    seen.push(o);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(seen, (0..200).map(|i| i * 2).collect::<Vec<_>>());

            let mut written = 0;
            let err = ordered(
                limits(threads),
                (0..100u32).map(Ok),
                |_| 1,
                |_| false,
                |i| {
                    if i == 40 || i == 70 {
                        Err(Error::Format(FormatError::BlockChecksum {
                            block: i.into(),
                        }))
                    } else {
                        Ok(i)
                    }
                },
                |_| {
                    written += 1;
                    Ok(())
                },
            )
            .unwrap_err();
            assert!(matches!(
                err,
                Error::Format(FormatError::BlockChecksum { block: 40 })
            ));
            assert_eq!(written, 40);
        }
    }

    /// Runs `items` on two threads, `quick` as given, each write taking
    /// `write_time`: the items in the order written, and for each whether
    /// it was worked on the calling thread.
    fn where_worked(
        items: &[u32],
        quick: impl Fn(&u32) -> bool,
        write_time: std::time::Duration,
    ) -> (Vec<u32>, Vec<bool>) {
        let here = std::thread::current().id();
        let mut seen = Vec::new();
        ordered(
            limits(2),
            items.iter().copied().map(Ok),
            |_| 1,
            quick,
            |i| Ok((i, std::thread::current().id())),
            |o| {
                std::thread::sleep(write_time);
                seen.push(o);
                Ok(())
            },
        )
        .unwrap();
        seen.into_iter().map(|(i, t)| (i, t == here)).unzip()
    }

    #[test]
    fn quick_items_at_the_start_stay_on_the_calling_thread() {
        // Items below 5 are quick: the first five are worked here, in order;
        // from the first slow one on, every item goes to the workers (quick
        // or not), still in order.
        let items = [0u32, 1, 2, 3, 4, 9, 1, 9, 2];
        let (written, here) = where_worked(&items, |&i| i < 5, Default::default());
        assert_eq!(written, items);
        assert_eq!(
            here,
            [true, true, true, true, true, false, false, false, false]
        );
        // An input error among the quick items ends the run there.
        let mut written = 0;
        let inputs = (0..10u32).map(|i| {
            if i == 3 {
                Err(Error::WorkerLost)
            } else {
                Ok(i)
            }
        });
        let err = ordered(
            limits(2),
            inputs,
            |_| 1,
            |_| true,
            Ok,
            |_| {
                written += 1;
                Ok(())
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::WorkerLost));
        assert_eq!(written, 3);
    }

    #[test]
    fn slow_writing_starts_the_threads() {
        // Every item is quick, but writing one takes a millisecond, far
        // more than working it: after two such writes, the rest are worked
        // by the workers while the writer writes.
        let items = [0u32, 1, 2, 3, 4, 5];
        let (written, here) = where_worked(&items, |_| true, std::time::Duration::from_millis(1));
        assert_eq!(written, items);
        assert_eq!(here, [true, true, false, false, false, false]);
    }

    #[test]
    fn input_error_comes_after_earlier_items() {
        let inputs = (0..10u32).map(|i| {
            if i == 6 {
                Err(Error::WorkerLost)
            } else {
                Ok(i)
            }
        });
        let mut written = Vec::new();
        let err = ordered(
            limits(3),
            inputs,
            |_| 1,
            |_| false,
            Ok,
            |o| {
                written.push(o);
                Ok(())
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::WorkerLost));
        assert_eq!(written, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn weight_in_flight_stays_within_budget() {
        let in_flight = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let weights = [3usize, 5, 2, 8, 1, 4, 4, 6, 2, 7];
        let inputs = weights.iter().map(|&w| {
            let now = in_flight.fetch_add(w, Ordering::SeqCst) + w;
            peak.fetch_max(now, Ordering::SeqCst);
            Ok(w)
        });
        let limits = Limits {
            threads: 4,
            max_bytes: 10,
        };
        let mut out = Vec::new();
        ordered(
            limits,
            inputs,
            |&w| w,
            |_| false,
            Ok,
            |w| {
                // Released after the sink returns: count it out here.
                in_flight.fetch_sub(w, Ordering::SeqCst);
                out.push(w);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, weights);
        // The iterator is pulled before the budget is checked, so one item
        // beyond the budget may be waiting.
        assert!(peak.load(Ordering::SeqCst) <= 10 + 8, "{peak:?}");
    }

    #[test]
    fn writer_error_does_not_leave_the_feeder_waiting() {
        let err = ordered(
            Limits {
                threads: 2,
                max_bytes: 1,
            },
            (0..1000u32).map(Ok),
            |_| 1,
            |_| false,
            Ok,
            |i| {
                if i == 3 {
                    Err(Error::WorkerLost)
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(matches!(err, Error::WorkerLost));
    }
}

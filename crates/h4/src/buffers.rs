//! A bounded pool of byte buffers, so the pipeline reuses block-sized
//! allocations instead of asking the allocator (and, for blocks above its
//! mmap threshold, the kernel: a page fault every 4 KiB) for fresh ones.

use std::sync::Mutex;

/// Buffers handed back for reuse, at most `capacity` of them.
pub struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
    capacity: usize,
}

impl BufferPool {
    /// A pool that keeps at most `capacity` idle buffers.
    pub fn new(capacity: usize) -> Self {
        BufferPool {
            free: Mutex::new(Vec::with_capacity(capacity)),
            capacity,
        }
    }

    /// An empty buffer, reused when one is idle.
    pub fn take(&self) -> Vec<u8> {
        let mut buffer = self.pop();
        buffer.clear();
        buffer
    }

    /// A buffer of exactly `len` initialised bytes, for a decoder to
    /// write into. A reused buffer keeps the length it was handed back
    /// with, so only bytes past that are zeroed: in a stream of equal
    /// blocks, none after the first.
    pub fn take_filled(&self, len: usize) -> Vec<u8> {
        let mut buffer = self.pop();
        if buffer.capacity() == 0 {
            // Zeroed by the allocator (calloc: fresh pages from the kernel
            // are zero already), not by a pass over them.
            return vec![0; len];
        }
        buffer.resize(len, 0);
        buffer
    }

    /// An idle buffer as it was handed back, if the pool has one.
    pub fn take_idle(&self) -> Option<Vec<u8>> {
        self.free.lock().ok().and_then(|mut free| free.pop())
    }

    fn pop(&self) -> Vec<u8> {
        self.take_idle().unwrap_or_default()
    }

    /// Hands `buffer` back, contents and all; it is dropped when the pool
    /// is full.
    pub fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut free) = self.free.lock()
            && free.len() < self.capacity
        {
            free.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_up_to_capacity() {
        let pool = BufferPool::new(1);
        let mut a = pool.take();
        a.extend_from_slice(&[1; 100]);
        let ptr = a.as_ptr();
        pool.give(a);
        pool.give(vec![2; 10]); // over capacity: dropped
        let b = pool.take();
        assert!(b.is_empty());
        assert_eq!(b.as_ptr(), ptr);
        assert!(pool.take().capacity() == 0);
    }

    #[test]
    fn filled_buffers_keep_their_bytes_initialised() {
        let pool = BufferPool::new(1);
        pool.give(vec![7; 100]);
        let b = pool.take_filled(60);
        assert_eq!(b, vec![7; 60]);
        pool.give(b);
        assert_eq!(pool.take_filled(80), [vec![7; 60], vec![0; 20]].concat());
    }
}

//! The memory h4 lends an in-process core: copies, in buffers that serve
//! nothing else and are never freed.
//!
//! A core can keep a pointer to what it was lent and write through it
//! later, from a thread of its own, after the call has returned. Lent h4's
//! own buffers (a block read from the input, a payload about to be
//! written), such a write lands in bytes h4 has already checked, and h4
//! writes wrong data with exit 0. So a compression reads a copy of the
//! block, and the round-trip check decodes a copy of the payload into lent
//! memory. (A decompression reads h4's payload and writes into h4's
//! buffer: what it decodes is checked against the content checksum, which
//! a write into the payload can only make fail; see `Core::decompress_into`
//! for a write into the output.)
//!
//! A lent buffer is never freed either, since a late write into freed
//! memory would corrupt the allocator's bookkeeping: a buffer outgrown is
//! kept aside, and each thread's set goes back to a process-wide list when
//! the thread ends, for the next thread to take.
//!
//! A write during the call is seen by comparing the copy with the
//! original afterwards (the callers say "the core modified its input");
//! a write after it changes only a copy h4 no longer reads (or one it
//! compares again after its next call).

use std::cell::RefCell;
use std::sync::Mutex;

/// One thread's lent buffers. Blocks to compress and payloads to decode
/// have a buffer each: a late write into a block lent to a compression
/// must not land in the payload a decoder (the round-trip check's) is
/// reading, which a core's decoder need not survive.
#[derive(Default)]
pub(crate) struct Lent {
    /// The copy of the block a compression reads.
    block: Vec<u8>,
    /// The copy of the payload a decompression reads.
    payload: Vec<u8>,
    /// Room for the round-trip check to decode into
    /// (`h4_decompress_into_v1`).
    decoded: Vec<u8>,
    /// Buffers outgrown: never freed (see the module's comment).
    outgrown: Vec<Vec<u8>>,
}

impl Lent {
    /// A copy of `block` to lend to a compression.
    pub fn block(&mut self, block: &[u8]) -> &mut [u8] {
        copy_into(&mut self.block, block, &mut self.outgrown)
    }

    /// A copy of `payload` to lend to a decompression.
    pub fn payload(&mut self, payload: &[u8]) -> &mut [u8] {
        copy_into(&mut self.payload, payload, &mut self.outgrown)
    }

    /// A copy of `payload` to lend to a decompression, and `room` bytes
    /// for it to decode into.
    pub fn payload_and_room(&mut self, payload: &[u8], room: usize) -> (&mut [u8], &mut [u8]) {
        grow(&mut self.decoded, room, &mut self.outgrown);
        let copy = copy_into(&mut self.payload, payload, &mut self.outgrown);
        (copy, &mut self.decoded[..room])
    }
}

/// `data` copied to the start of `buffer`, grown if need be.
fn copy_into<'a>(
    buffer: &'a mut Vec<u8>,
    data: &[u8],
    outgrown: &mut Vec<Vec<u8>>,
) -> &'a mut [u8] {
    grow(buffer, data.len(), outgrown);
    let copy = &mut buffer[..data.len()];
    copy.copy_from_slice(data);
    copy
}

/// Makes `buffer` at least `len` bytes long without freeing it: a larger
/// one replaces it, and it joins `outgrown`.
fn grow(buffer: &mut Vec<u8>, len: usize, outgrown: &mut Vec<Vec<u8>>) {
    if buffer.len() < len {
        let larger = vec![0; len.max(buffer.len().saturating_mul(2))];
        let old = std::mem::replace(buffer, larger);
        if old.capacity() > 0 {
            outgrown.push(old);
        }
    }
}

/// The sets of threads that have ended, for the next thread to take.
static SPARE: Mutex<Vec<Lent>> = Mutex::new(Vec::new());

/// A thread's set, handed back to [`SPARE`] when the thread ends.
struct ThreadLent(Lent);

impl Drop for ThreadLent {
    fn drop(&mut self) {
        let lent = std::mem::take(&mut self.0);
        SPARE.lock().unwrap_or_else(|e| e.into_inner()).push(lent);
    }
}

thread_local! {
    static LENT: RefCell<Option<ThreadLent>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's lent buffers.
pub(crate) fn with<R>(f: impl FnOnce(&mut Lent) -> R) -> R {
    LENT.with_borrow_mut(|slot| {
        let lent = slot.get_or_insert_with(|| {
            let spare = SPARE.lock().unwrap_or_else(|e| e.into_inner()).pop();
            ThreadLent(spare.unwrap_or_default())
        });
        f(&mut lent.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_never_frees_what_it_lent() {
        let first = with(|lent| {
            let copy = lent.block(b"abc");
            assert_eq!(copy, b"abc");
            copy.as_ptr() as usize
        });
        // Outgrown: a new buffer, the old one kept.
        with(|lent| {
            let big = vec![7u8; 1 << 16];
            let copy = lent.block(&big);
            assert_eq!(copy, &big[..]);
            assert_ne!(copy.as_ptr() as usize, first);
            assert!(lent.outgrown.iter().any(|b| b.as_ptr() as usize == first));
            // Payloads have buffers of their own.
            let block = lent.block.as_ptr();
            let (payload, room) = lent.payload_and_room(b"xyz", 100);
            assert_eq!(payload, b"xyz");
            assert_eq!(room.len(), 100);
            assert_ne!(payload.as_ptr(), block);
            assert_eq!(lent.block[..4], [7; 4]);
        });
        // A thread that ends hands its set on, not to the allocator.
        let lent_by_thread =
            std::thread::spawn(|| with(|lent| lent.block(&[1; 4096]).as_ptr() as usize))
                .join()
                .unwrap();
        let spare = SPARE.lock().unwrap();
        assert!(
            spare
                .iter()
                .any(|l| l.block.as_ptr() as usize == lent_by_thread)
        );
    }
}

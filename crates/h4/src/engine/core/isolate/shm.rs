//! The shared memory a helper and h4 pass blocks through: an anonymous
//! memory file (`memfd_create`) mapped by both. Mapping a file is
//! `unsafe` (a file shrunk under a mapping raises SIGBUS), which is why
//! this small module allows it; the file is sealed against shrinking, so
//! not even a hostile core in the helper can do that to h4.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use memmap2::{Advice, MmapMut, MmapOptions};
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use nix::sys::memfd::{MFdFlags, memfd_create};

/// Growth is rounded up to this, and a quarter more: a block a little
/// larger than the last should not remap both processes' memory.
const GROWTH_STEP: usize = 1 << 20;

/// A memory file and this process's mapping of all of it.
pub struct Shm {
    file: File,
    map: Option<MmapMut>,
}

impl Shm {
    /// A new memory file of `len` bytes (sparse: pages cost memory only
    /// once written), sealed so it can only grow.
    pub fn create(len: usize) -> io::Result<Shm> {
        let fd = memfd_create(
            "h4-core-helper",
            MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING,
        )?;
        let file = File::from(fd);
        file.set_len(len as u64)?;
        fcntl(&file, FcntlArg::F_ADD_SEALS(SealFlag::F_SEAL_SHRINK))?;
        let mut shm = Shm { file, map: None };
        shm.remap()?;
        Ok(shm)
    }

    /// The memory file a parent made, received as `file` (the helper side).
    pub fn open(file: File) -> io::Result<Shm> {
        let mut shm = Shm { file, map: None };
        shm.remap()?;
        Ok(shm)
    }

    /// A duplicate of the memory file's descriptor, to hand to a helper.
    pub fn file(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// The mapped length.
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, |m| m.len())
    }

    /// Grows the file to at least `len` bytes and maps all of it.
    pub fn grow(&mut self, len: usize) -> io::Result<()> {
        if len > self.len() {
            let roomy = len
                .saturating_add(len / 4)
                .checked_next_multiple_of(GROWTH_STEP)
                .unwrap_or(len);
            self.file.set_len(roomy as u64)?;
            self.remap()?;
        }
        Ok(())
    }

    /// Makes the pages of `start..start + len` present in this process in
    /// one call (allocated, for `write`), rather than one fault per 4 KiB as
    /// they are first touched: for a range that is about to be touched
    /// whole, such as a block being copied in or decoded. Only a hint (a
    /// kernel before 5.14 refuses it, and the faults happen as before);
    /// says whether it was taken.
    pub fn prefault(&self, start: usize, len: usize, write: bool) -> bool {
        let Some(map) = &self.map else {
            return false;
        };
        if len == 0 || start.checked_add(len).is_none_or(|end| end > map.len()) {
            return false;
        }
        let advice = if write {
            Advice::PopulateWrite
        } else {
            Advice::PopulateRead
        };
        map.advise_range(advice, start, len).is_ok()
    }

    /// Maps the file at its current length (after the other side grew it).
    pub fn remap(&mut self) -> io::Result<()> {
        let len = self.file.metadata()?.len() as usize;
        self.map = None;
        if len > 0 {
            // SAFETY: the file is a memfd shared by this process and one
            // helper, sealed with F_SEAL_SHRINK, so no one can make the
            // mapping outlast the file's pages (no SIGBUS). The other side
            // writes into it only while this side waits for its answer;
            // a hostile helper could write at any time, which can only
            // change bytes h4 checks before it trusts them.
            // Not populated: most of the room for a compressed block is
            // never written, and a page costs memory (and zeroing) only once
            // touched; `prefault` maps the ranges a call will fill.
            self.map = Some(unsafe { MmapOptions::new().len(len).map_mut(&self.file) }?);
        }
        Ok(())
    }

    /// The mapped bytes.
    pub fn bytes(&mut self) -> &mut [u8] {
        self.map.as_deref_mut().unwrap_or(&mut [])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    /// Bytes of memory the file holds (pages allocated, not its length).
    fn allocated(shm: &Shm) -> u64 {
        shm.file.metadata().unwrap().blocks() * 512
    }

    #[test]
    fn memory_is_allocated_only_where_written_or_prefaulted() {
        let mut shm = Shm::create(1 << 20).unwrap();
        shm.grow(20 << 20).unwrap();
        assert!(shm.len() >= 20 << 20);
        assert_eq!(allocated(&shm), 0, "room was allocated before use");
        shm.bytes()[..4096].fill(7);
        assert!(allocated(&shm) < 1 << 20);
        // A kernel before 5.14 refuses the hint (and pages come one fault
        // at a time, as they are touched).
        if shm.prefault(1 << 20, 8 << 20, true) {
            assert!(allocated(&shm) >= 8 << 20, "{}", allocated(&shm));
            assert!(allocated(&shm) < 10 << 20);
        }
        // Out of range: refused, not an error or a crash.
        assert!(!shm.prefault(shm.len() - 4096, 1 << 20, true));
        assert_eq!(shm.bytes()[0], 7);
    }

    #[test]
    fn growth_leaves_room_for_a_slightly_larger_block() {
        let mut shm = Shm::create(1 << 20).unwrap();
        shm.grow(6 << 20).unwrap();
        let len = shm.len();
        assert!(len >= (6 << 20) + (1 << 20), "{len}");
        shm.grow((6 << 20) + 4096).unwrap();
        assert_eq!(shm.len(), len, "a slightly larger block remapped");
    }
}

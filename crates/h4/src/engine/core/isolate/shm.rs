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

/// The pages [`Shm::prefault`] works in.
const PAGE: usize = 4096;

/// What [`Shm::prefault`] has made present of a page of this mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Present {
    No,
    Readable,
    Writable,
}

/// A memory file and this process's mapping of all of it.
pub struct Shm {
    file: File,
    map: Option<MmapMut>,
    /// Per page of the mapping, what `prefault` has made present: a page
    /// stays mapped once present, and asking again costs the kernel a walk
    /// of the range's page tables on every call (an eighth of the time of
    /// an isolated decompression, measured).
    present: Vec<Present>,
    /// How many runs of pages `prefault` asked the kernel for.
    #[cfg(test)]
    asked: usize,
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
        Shm::open(file)
    }

    /// The memory file a parent made, received as `file` (the helper side).
    pub fn open(file: File) -> io::Result<Shm> {
        let mut shm = Shm {
            file,
            map: None,
            present: Vec::new(),
            #[cfg(test)]
            asked: 0,
        };
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
    /// Pages an earlier call made present are skipped: the kernel is asked
    /// only about the runs of pages not yet present for `write`.
    pub fn prefault(&mut self, start: usize, len: usize, write: bool) -> bool {
        let Some(map) = &self.map else {
            return false;
        };
        if len == 0 || start.checked_add(len).is_none_or(|end| end > map.len()) {
            return false;
        }
        let (advice, need) = if write {
            (Advice::PopulateWrite, Present::Writable)
        } else {
            (Advice::PopulateRead, Present::Readable)
        };
        let pages = start / PAGE..(start + len).div_ceil(PAGE);
        let mut page = pages.start;
        while page < pages.end {
            if self.present[page] >= need {
                page += 1;
                continue;
            }
            let run = page;
            while page < pages.end && self.present[page] < need {
                page += 1;
            }
            let from = run * PAGE;
            let to = (page * PAGE).min(map.len());
            if map.advise_range(advice, from, to - from).is_err() {
                return false;
            }
            #[cfg(test)]
            {
                self.asked += 1;
            }
            self.present[run..page].fill(need);
        }
        true
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
        // A new mapping has no page present.
        self.present.clear();
        self.present.resize(len.div_ceil(PAGE), Present::No);
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
    fn the_kernel_is_asked_only_for_pages_not_yet_present() {
        let mut shm = Shm::create(1 << 20).unwrap();
        if !shm.prefault(0, 64 << 10, false) {
            return; // a kernel before 5.14: nothing to skip
        }
        assert_eq!(shm.asked, 1);
        // Present already, for reading: nothing to ask.
        assert!(shm.prefault(4096, 16 << 10, false));
        assert_eq!(shm.asked, 1);
        // Writable is more than readable: asked once more, then not again.
        assert!(shm.prefault(0, 64 << 10, true));
        assert!(shm.prefault(0, 64 << 10, true));
        assert!(shm.prefault(0, 64 << 10, false));
        assert_eq!(shm.asked, 2);
        // Only the run beyond what is present.
        assert!(shm.prefault(32 << 10, 64 << 10, true));
        assert_eq!(shm.asked, 3);
        assert!(shm.present[..24].iter().all(|&p| p == Present::Writable));
        assert_eq!(shm.present[24], Present::No);
        // A new mapping starts with nothing present.
        shm.grow(8 << 20).unwrap();
        assert!(shm.prefault(0, 4096, false));
        assert_eq!(shm.asked, 4);
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

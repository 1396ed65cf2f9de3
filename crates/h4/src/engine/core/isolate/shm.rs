//! The shared memory a helper and h4 pass blocks through: an anonymous
//! memory file (`memfd_create`) mapped by both. Mapping a file is
//! `unsafe` (a file shrunk under a mapping raises SIGBUS), which is why
//! this small module allows it; the file is sealed against shrinking, so
//! not even a hostile core in the helper can do that to h4.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use memmap2::{MmapMut, MmapOptions};
use nix::fcntl::{FcntlArg, SealFlag, fcntl};
use nix::sys::memfd::{MFdFlags, memfd_create};

/// The largest mapping made up front; larger ones fill in as they are
/// touched.
const POPULATE_LIMIT: usize = 256 << 20;

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
            self.file.set_len(len as u64)?;
            self.remap()?;
        }
        Ok(())
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
            // Populated: the pages are made (and mapped) in one call
            // rather than one fault per 4 KiB on first touch; but not a
            // room sized for the worst case (--raw may decode to 16 GiB),
            // which is mostly never written.
            let mut options = MmapOptions::new();
            options.len(len);
            if len <= POPULATE_LIMIT {
                options.populate();
            }
            self.map = Some(unsafe { options.map_mut(&self.file) }?);
        }
        Ok(())
    }

    /// The mapped bytes.
    pub fn bytes(&mut self) -> &mut [u8] {
        self.map.as_deref_mut().unwrap_or(&mut [])
    }
}

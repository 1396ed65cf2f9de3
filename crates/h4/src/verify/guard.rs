//! Inputs on read-only pages between inaccessible guard pages, and a
//! fault handler that names what a core did to them.
//!
//! A core that writes into its input (even to put the byte back after),
//! or reads a few bytes past its end, gets away with it on ordinary heap
//! memory: nothing crashes, the output is right, and the next host that
//! maps a file read-only dies. Here the input's pages are read-only and
//! its last byte touches a page that cannot be read at all, so either
//! mistake faults at once; the handler turns the fault into one line on
//! the child's channel (`F <what>`) before the process ends. Mapping
//! pages, changing their protection and handling a fault are `unsafe`,
//! so they live in this module.
#![allow(unsafe_code)]

use std::io;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::libc;

use super::channel::CHILD_FD;

/// The region watched by the fault handler: the leading guard page's
/// start, the first data page's start, the input's start and end, and the
/// trailing guard page's end.
static WATCH: [AtomicUsize; 5] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];

/// A copy of some bytes on read-only pages, ending exactly where an
/// inaccessible page begins, with another before the first page.
pub struct GuardedInput {
    map: *mut libc::c_void,
    map_len: usize,
    data: *const u8,
    len: usize,
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as usize } else { 4096 }
}

impl GuardedInput {
    /// Copies `bytes` onto fresh read-only pages between guard pages.
    pub fn new(bytes: &[u8]) -> io::Result<GuardedInput> {
        let page = page_size();
        let data_pages = bytes.len().div_ceil(page);
        let map_len = (data_pages + 2) * page;
        // SAFETY: a fresh private anonymous mapping; nothing else refers
        // to the range it returns.
        let map = unsafe {
            libc::mmap(
                ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let base = map.cast::<u8>();
        let guard = GuardedInput {
            map,
            map_len,
            // SAFETY: within the mapping: the input ends where the last
            // page (the trailing guard) begins.
            data: unsafe { base.add((data_pages + 1) * page - bytes.len()) },
            len: bytes.len(),
        };
        // SAFETY: the destination lies inside the writable mapping (the
        // data pages) and does not overlap `bytes`; then the guard pages
        // lose all access and the data pages their write access, all
        // within the mapping made above.
        unsafe {
            ptr::copy_nonoverlapping(bytes.as_ptr(), guard.data.cast_mut(), bytes.len());
            if libc::mprotect(map, page, libc::PROT_NONE) != 0
                || libc::mprotect(base.add(page).cast(), data_pages * page, libc::PROT_READ) != 0
                || libc::mprotect(
                    base.add((data_pages + 1) * page).cast(),
                    page,
                    libc::PROT_NONE,
                ) != 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(guard)
    }

    /// The bytes, where they lie.
    pub fn as_slice(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `data` points to `len` initialised, readable bytes that
        // live as long as the mapping, which `self` owns.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }

    /// Runs `call` with the fault handler watching this input, so a
    /// write into it or a read outside it ends the process with one line
    /// on the channel naming the byte.
    pub fn watched<T>(&self, call: impl FnOnce(&[u8]) -> T) -> T {
        let start = self.map as usize;
        let values = [
            start,
            start + page_size(),
            self.data as usize,
            self.data as usize + self.len,
            start + self.map_len,
        ];
        for (slot, value) in WATCH.iter().zip(values) {
            slot.store(value, Ordering::SeqCst);
        }
        let result = call(self.as_slice());
        for slot in &WATCH {
            slot.store(0, Ordering::SeqCst);
        }
        result
    }
}

impl Drop for GuardedInput {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` and is unmapped once; no
        // slice into it outlives `self`.
        unsafe { libc::munmap(self.map, self.map_len) };
    }
}

/// Installs the fault handler for SIGSEGV and SIGBUS on an alternate
/// stack (a fault may come from a core that has exhausted its stack).
/// Faults outside a watched input keep their default action.
pub fn install_fault_handler() -> io::Result<()> {
    const STACK: usize = 256 * 1024;
    let stack = Box::leak(vec![0u8; STACK].into_boxed_slice());
    let alt = libc::stack_t {
        ss_sp: stack.as_mut_ptr().cast(),
        ss_flags: 0,
        ss_size: STACK,
    };
    // SAFETY: the alternate stack is a leaked allocation, valid for the
    // rest of the process; the action is a complete sigaction whose
    // handler has the SA_SIGINFO signature.
    unsafe {
        if libc::sigaltstack(&alt, ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_fault as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        for signal in [libc::SIGSEGV, libc::SIGBUS] {
            if libc::sigaction(signal, &action, ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// Appends `text` to `buffer` from `at`; returns the new end.
fn put(buffer: &mut [u8], at: usize, text: &[u8]) -> usize {
    let n = text.len().min(buffer.len() - at);
    buffer[at..at + n].copy_from_slice(&text[..n]);
    at + n
}

/// Appends `value` in decimal without allocating.
fn put_number(buffer: &mut [u8], at: usize, mut value: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    put(buffer, at, &digits[i..])
}

extern "C" fn on_fault(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO handler.
    let address = unsafe { (*info).si_addr() } as usize;
    let [map_start, pages, data, end, map_end] =
        [0, 1, 2, 3, 4].map(|i| WATCH[i].load(Ordering::SeqCst));
    let mut line = [0u8; 160];
    let at = if map_start == 0 || address < map_start || address >= map_end {
        0
    } else if address >= end {
        let at = put(&mut line, 0, b"F read past the end of its input: byte ");
        let at = put_number(&mut line, at, address - data);
        let at = put(&mut line, at, b" of a ");
        let at = put_number(&mut line, at, end - data);
        put(&mut line, at, b"-byte input")
    } else if address >= data {
        let at = put(&mut line, 0, b"F wrote into its (read-only) input: byte ");
        let at = put_number(&mut line, at, address - data);
        let at = put(&mut line, at, b" of ");
        put_number(&mut line, at, end - data)
    } else if address >= pages {
        let at = put(&mut line, 0, b"F wrote outside its input: ");
        let at = put_number(&mut line, at, data - address);
        put(&mut line, at, b" bytes before its start")
    } else {
        let at = put(&mut line, 0, b"F read before the start of its input: ");
        let at = put_number(&mut line, at, data - address);
        put(&mut line, at, b" bytes before it")
    };
    if at == 0 {
        // Not a watched input: the default action, as if no handler had
        // been installed (the faulting instruction runs again and kills
        // the process with this signal).
        // SAFETY: resetting a signal to its default action.
        unsafe { libc::signal(signal, libc::SIG_DFL) };
        return;
    }
    let at = put(&mut line, at, b"\n");
    // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer is
    // on this handler's stack.
    unsafe {
        libc::write(CHILD_FD, line.as_ptr().cast(), at);
        libc::_exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guarded_input_holds_its_bytes() {
        for len in [0, 1, 4095, 4096, 4097, 10_000] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let guarded = GuardedInput::new(&bytes).unwrap();
            assert_eq!(guarded.as_slice(), &bytes[..]);
            assert_eq!(guarded.watched(|b| b.len()), len);
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut buffer = [0u8; 32];
        let at = put_number(&mut buffer, 0, 0);
        let at = put(&mut buffer, at, b",");
        let at = put_number(&mut buffer, at, 1_234_567);
        assert_eq!(&buffer[..at], b"0,1234567");
    }
}

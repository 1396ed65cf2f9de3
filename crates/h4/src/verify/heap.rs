//! How many bytes the C library's allocator has handed out and not had
//! back, for the leak check.
//!
//! Resident memory moves in pages and lags behind `free`, so a core that
//! loses 32 bytes every thousand calls never shows in it. glibc counts
//! its live bytes exactly (`mallinfo2`), which shows a leak of a few bytes
//! after enough calls. The call is foreign, hence this small module.
#![allow(unsafe_code)]

/// Bytes allocated with `malloc` and not yet freed, in every arena and in
/// mapped chunks; `None` where the C library cannot tell.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn live_bytes() -> Option<u64> {
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
    let info = unsafe { nix::libc::mallinfo2() };
    Some(info.uordblks as u64 + info.hblkhd as u64)
}

/// Bytes allocated with `malloc` and not yet freed; `None` where the C
/// library cannot tell.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn live_bytes() -> Option<u64> {
    None
}

//! The C library's allocator, asked and steered: how many bytes it has
//! handed out and not had back (for the leak check), and what it fills
//! memory with (for finding uninitialised output bytes).
//!
//! Resident memory moves in pages and lags behind `free`, so a core that
//! loses 32 bytes every thousand calls never shows in it. glibc counts
//! its live bytes exactly (`mallinfo2`), which shows a leak of a few bytes
//! after enough calls. And glibc can fill every block it hands out or
//! takes back with a chosen byte (`M_PERTURB`): a core that copies bytes
//! it never wrote into its output then gives other bytes when the fill
//! changes. The calls are foreign, hence this small module.
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

/// Makes the allocator fill blocks it hands out with `!byte` and blocks
/// it takes back with `byte` (glibc's `M_PERTURB`); `false` where the C
/// library cannot. Blocks kept in glibc's per-thread cache skip the fill,
/// so the process should run with `glibc.malloc.tcache_count=0`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn set_perturb(byte: u8) -> bool {
    // SAFETY: mallopt takes two integers and changes an allocator setting.
    unsafe { nix::libc::mallopt(nix::libc::M_PERTURB, nix::libc::c_int::from(byte)) == 1 }
}

/// Makes the allocator fill blocks with a chosen byte; `false` where the C
/// library cannot.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn set_perturb(_byte: u8) -> bool {
    false
}

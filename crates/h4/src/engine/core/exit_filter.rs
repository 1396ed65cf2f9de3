//! A core in h4's process that ends it with `_exit(0)` (a "crash
//! reporter", a licence check, a watchdog) would make a run that stopped
//! half-way a success: no output file, or through a pipe a truncated
//! stream, and status 0. `_exit` runs no handler h4 could hook, unlike
//! `exit` (see `ffi::guard_exit`). So h4's command line, before it loads
//! a core, installs a seccomp filter under which an `exit_group` whose
//! status has a low byte of 0 traps (SIGSYS) unless it is made by h4's
//! own exit, [`exit_group`], which the filter tells by the address of its
//! system call instruction; the trap's handler writes one line and ends
//! the process with status 1. Other statuses, and every other system
//! call, pass.
//!
//! x86-64 Linux only (the filter needs the instruction's address, written
//! in assembly below); elsewhere [`install`] does nothing. The filter is
//! a guard against faulty cores, not a sandbox against hostile ones
//! (`--isolate` is that): a core that makes the system call through the
//! 32-bit entry, or jumps to h4's instruction, gets past it.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// Whether the filter is in place: then every exit of the process with a
/// status of 0 must go through [`exit_group`].
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The line the trap's handler writes, naming the core last loaded: a
/// leaked slice behind a leaked box, so that one atomic load gives a
/// signal handler the whole of it.
static MESSAGE: AtomicPtr<&'static [u8]> = AtomicPtr::new(std::ptr::null_mut());

/// Whether h4's own exits with status 0 are the only ones possible.
pub fn installed() -> bool {
    INSTALLED.load(Ordering::SeqCst)
}

/// Sets the line written when a core ends the process with status 0
/// (the first call also installs the filter, where the system allows it:
/// [`installed`] says whether it did).
pub fn install(message: String) {
    let line: &'static [u8] = Box::leak(message.into_bytes().into_boxed_slice());
    MESSAGE.store(Box::leak(Box::new(line)), Ordering::SeqCst);
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| INSTALLED.store(imp::install(), Ordering::SeqCst));
}

/// Ends the process with `status` by h4's own `exit_group` system call,
/// the one exit with a status of 0 the filter lets through. Nothing else
/// runs: the caller has flushed what it needs.
pub fn exit_group(status: i32) -> ! {
    imp::exit_group(status)
}

/// The handler's line, as installed.
fn message() -> &'static [u8] {
    let line = MESSAGE.load(Ordering::SeqCst);
    if line.is_null() {
        return b"h4: a core ended the process with status 0 in the middle of a run; stopping (status 1)\n";
    }
    // SAFETY: a non-null pointer was stored by `install` from a leaked box
    // (never freed) holding a leaked slice.
    unsafe { *line }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod imp {
    use nix::libc;
    use seccompiler::sock_filter;

    // h4's exit: `exit_group(status)` from an instruction whose address
    // the filter allows. Hidden, so a cdylib that links the library does
    // not export it.
    std::arch::global_asm!(
        ".pushsection .text.h4_exit_group,\"ax\",@progbits",
        ".globl h4_exit_group",
        ".hidden h4_exit_group",
        ".type h4_exit_group,@function",
        "h4_exit_group:",
        "    mov eax, 231",
        "    syscall",
        ".globl h4_exit_group_returned",
        ".hidden h4_exit_group_returned",
        "h4_exit_group_returned:",
        "    ud2",
        ".size h4_exit_group, . - h4_exit_group",
        ".popsection",
    );

    unsafe extern "C" {
        fn h4_exit_group(status: libc::c_int) -> !;
        static h4_exit_group_returned: u8;
    }

    pub(super) fn exit_group(status: i32) -> ! {
        // SAFETY: `h4_exit_group` takes the status in edi as the C calling
        // convention passes it and makes the system call, which does not
        // return.
        unsafe { h4_exit_group(status) }
    }

    /// The address the kernel reports for h4's exit system call: the
    /// instruction after `syscall`.
    fn exit_address() -> u64 {
        // Only the label's address is taken; nothing is read there.
        &raw const h4_exit_group_returned as u64
    }

    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    const NR_EXIT_GROUP: u32 = 231;
    const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
    const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
    /// `si_code` of a SIGSYS raised by a seccomp filter.
    const SYS_SECCOMP: i32 = 1;

    // BPF: load a word of `struct seccomp_data`, compare, jump, return.
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const JSET_K: u16 = 0x45;
    const RET_K: u16 = 0x06;

    fn op(code: u16, jt: u8, jf: u8, k: u32) -> sock_filter {
        sock_filter { code, jt, jf, k }
    }

    /// The filter: `jt`/`jf` count the instructions skipped.
    ///
    /// ```text
    ///  0  ld arch                    (struct seccomp_data: nr 0, arch 4,
    ///  1  jeq x86-64 ? 2 : 10         instruction_pointer 8, args[0] 16)
    ///  2  ld nr
    ///  3  jeq exit_group ? 4 : 10
    ///  4  ld args[0] (low half)
    ///  5  jset 0xff ? 10 : 6         a status whose low byte is not 0
    ///  6  ld ip (low half)
    ///  7  jeq h4's ? 8 : 11
    ///  8  ld ip (high half)
    ///  9  jeq h4's ? 10 : 11
    /// 10  ret allow
    /// 11  ret trap
    /// ```
    fn program(ip: u64) -> Vec<sock_filter> {
        vec![
            op(LD_W_ABS, 0, 0, 4),
            op(JEQ_K, 0, 8, AUDIT_ARCH_X86_64),
            op(LD_W_ABS, 0, 0, 0),
            op(JEQ_K, 0, 6, NR_EXIT_GROUP),
            op(LD_W_ABS, 0, 0, 16),
            op(JSET_K, 4, 0, 0xff),
            op(LD_W_ABS, 0, 0, 8),
            op(JEQ_K, 0, 3, ip as u32),
            op(LD_W_ABS, 0, 0, 12),
            op(JEQ_K, 0, 1, (ip >> 32) as u32),
            op(RET_K, 0, 0, SECCOMP_RET_ALLOW),
            op(RET_K, 0, 0, SECCOMP_RET_TRAP),
        ]
    }

    extern "C" fn trapped(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO
        // handler.
        let code = unsafe { (*info).si_code };
        let line = if code == SYS_SECCOMP {
            super::message()
        } else {
            b"h4: bad system call (SIGSYS); stopping (status 1)\n".as_slice()
        };
        // SAFETY: write(2) and h4's exit are async-signal-safe; the line
        // is a leaked, never-freed slice (see `message`).
        unsafe {
            libc::write(2, line.as_ptr().cast(), line.len());
        }
        exit_group(1)
    }

    pub(super) fn install() -> bool {
        // SAFETY: installs a handler that only reads statics, writes to
        // stderr and ends the process; the action is fully initialised.
        let handled = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = trapped as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) == 0
        };
        handled && seccompiler::apply_filter_all_threads(&program(exit_address())).is_ok()
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
mod imp {
    pub(super) fn exit_group(status: i32) -> ! {
        // SAFETY: ends the process at once, as the caller asks.
        unsafe { nix::libc::_exit(status) }
    }

    pub(super) fn install() -> bool {
        false
    }
}

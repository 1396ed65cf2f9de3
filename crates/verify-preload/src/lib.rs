//! A library `h4 verify` preloads (`LD_PRELOAD`) into one child process
//! to move that process's clock, or to change how many CPUs it sees
//! online, without touching the machine.
//!
//! A core must give the same bytes on every day and every machine, but a
//! core that seeds its parse with the date, or cuts its input into one
//! part per online CPU, looks deterministic all day on one machine. Only
//! another clock or another CPU count shows it, and neither can be had
//! for one process without standing between it and the C library: this
//! library defines `time`, `gettimeofday`, `clock_gettime`,
//! `timespec_get`, `sysconf` and `get_nprocs`/`get_nprocs_conf`, which
//! the dynamic loader then resolves here first.
//!
//! * `H4_VERIFY_CLOCK_SHIFT=SECONDS` moves the wall clocks (realtime and
//!   TAI; the monotonic clocks are left alone) by SECONDS.
//! * `H4_VERIFY_CLOCK_RATE=N` makes every clock (wall, monotonic, boot
//!   and CPU time) run N times as fast as it does from the process's
//!   first reading on: to a core that budgets its effort by time, the
//!   machine looks N times slower.
//! * `H4_VERIFY_CPUS=N` makes `sysconf(_SC_NPROCESSORS_ONLN)`,
//!   `sysconf(_SC_NPROCESSORS_CONF)` and `get_nprocs*` answer N.
//!
//! Everything here crosses the C ABI, so everything is `unsafe`; each
//! block says why it is sound.
#![allow(clippy::missing_safety_doc)]

use std::ffi::CStr;
use std::sync::atomic::{AtomicI64, AtomicIsize, AtomicU8, Ordering};

use libc::{c_int, c_long, c_void, clockid_t, time_t, timespec, timeval};

/// 0 until the settings are read, then 1.
static READ: AtomicU8 = AtomicU8::new(0);
static SHIFT: AtomicI64 = AtomicI64::new(0);
static CPUS: AtomicIsize = AtomicIsize::new(0);
static RATE: AtomicI64 = AtomicI64::new(1);

/// Each clock's first reading (nanoseconds, plus one so that 0 means
/// "not read yet"), for clock ids 0 to 11; a clock runs fast from there.
static BASES: [AtomicI64; 12] = [const { AtomicI64::new(0) }; 12];

/// An integer from the environment, read with the C library's own getenv
/// (no allocation, no lock: this may run inside any libc call).
fn number(name: &CStr) -> Option<i64> {
    // SAFETY: getenv reads the environment; the string it returns lives
    // until the environment changes, and is copied out at once.
    let value = unsafe { libc::getenv(name.as_ptr()) };
    if value.is_null() {
        return None;
    }
    // SAFETY: a non-NULL getenv result is a NUL-terminated string.
    let text = unsafe { CStr::from_ptr(value) }.to_str().ok()?;
    text.trim().parse().ok()
}

fn settings() -> (i64, isize) {
    if READ.load(Ordering::Acquire) == 0 {
        SHIFT.store(
            number(c"H4_VERIFY_CLOCK_SHIFT").unwrap_or(0),
            Ordering::Relaxed,
        );
        CPUS.store(
            number(c"H4_VERIFY_CPUS").unwrap_or(0) as isize,
            Ordering::Relaxed,
        );
        RATE.store(
            number(c"H4_VERIFY_CLOCK_RATE").unwrap_or(1).max(1),
            Ordering::Relaxed,
        );
        READ.store(1, Ordering::Release);
    }
    (SHIFT.load(Ordering::Relaxed), CPUS.load(Ordering::Relaxed))
}

/// Whether `clock` is a wall clock, which the shift moves.
fn shifted(clock: clockid_t) -> bool {
    matches!(
        clock,
        libc::CLOCK_REALTIME | libc::CLOCK_REALTIME_COARSE | libc::CLOCK_TAI
    )
}

/// The real clock, by system call (the C library's own entry points are
/// the ones this library replaces).
///
/// # Safety
/// `tp` must be valid for writing a `timespec`.
unsafe fn real_clock_gettime(clock: clockid_t, tp: *mut timespec) -> c_int {
    // SAFETY: the caller guarantees `tp`; the kernel checks `clock`.
    unsafe { libc::syscall(libc::SYS_clock_gettime, clock as c_long, tp) as c_int }
}

/// `nanoseconds` of `clock` as a clock running `rate` times as fast from
/// its first reading.
fn hasten(clock: clockid_t, nanoseconds: i64, rate: i64) -> i64 {
    // CPU-time clocks (and other threads' clocks, whose ids are
    // negative) start at zero: scale them whole.
    let Some(base) = usize::try_from(clock).ok().and_then(|i| BASES.get(i)) else {
        return nanoseconds.saturating_mul(rate);
    };
    if matches!(
        clock,
        libc::CLOCK_PROCESS_CPUTIME_ID | libc::CLOCK_THREAD_CPUTIME_ID
    ) {
        return nanoseconds.saturating_mul(rate);
    }
    let first = match base.compare_exchange(0, nanoseconds + 1, Ordering::SeqCst, Ordering::SeqCst)
    {
        Ok(_) => nanoseconds,
        Err(stored) => stored - 1,
    };
    first + (nanoseconds - first).saturating_mul(rate)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_gettime(clock: clockid_t, tp: *mut timespec) -> c_int {
    // SAFETY: the caller passes a `timespec` to fill, as for the C
    // library's function.
    let result = unsafe { real_clock_gettime(clock, tp) };
    if result != 0 || tp.is_null() {
        return result;
    }
    let (shift, _) = settings();
    let rate = RATE.load(Ordering::Relaxed);
    // SAFETY: the call succeeded, so `tp` is a valid, filled timespec.
    let now = unsafe { &mut *tp };
    if rate > 1 {
        // time_t and long are 32 bits on some systems.
        #[allow(clippy::useless_conversion)]
        let (seconds, nanoseconds) = (i64::from(now.tv_sec), i64::from(now.tv_nsec));
        let nanoseconds = hasten(clock, seconds * 1_000_000_000 + nanoseconds, rate);
        now.tv_sec = (nanoseconds / 1_000_000_000) as time_t;
        now.tv_nsec = nanoseconds % 1_000_000_000;
    }
    if shifted(clock) {
        now.tv_sec += shift as time_t;
    }
    result
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn time(tloc: *mut time_t) -> time_t {
    let mut now = timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a local timespec.
    unsafe { clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    if !tloc.is_null() {
        // SAFETY: a non-NULL `tloc` is the caller's place for the result.
        unsafe { *tloc = now.tv_sec };
    }
    now.tv_sec
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn gettimeofday(tv: *mut timeval, _tz: *mut c_void) -> c_int {
    let mut now = timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a local timespec.
    let result = unsafe { clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    if result == 0 && !tv.is_null() {
        // SAFETY: a non-NULL `tv` is the caller's timeval to fill.
        unsafe {
            (*tv).tv_sec = now.tv_sec;
            (*tv).tv_usec = now.tv_nsec / 1000;
        }
    }
    result
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn timespec_get(ts: *mut timespec, base: c_int) -> c_int {
    const TIME_UTC: c_int = 1;
    // SAFETY: as for clock_gettime; `ts` is the caller's timespec.
    if base == TIME_UTC && unsafe { clock_gettime(libc::CLOCK_REALTIME, ts) } == 0 {
        base
    } else {
        0
    }
}

/// The C library's `sysconf`, found behind this one.
fn real_sysconf() -> Option<unsafe extern "C" fn(c_int) -> c_long> {
    // SAFETY: dlsym with RTLD_NEXT looks the symbol up in the libraries
    // after this one; the result, if any, is the C library's sysconf,
    // whose signature is the one given.
    unsafe {
        let symbol = libc::dlsym(libc::RTLD_NEXT, c"sysconf".as_ptr());
        (!symbol.is_null()).then(|| std::mem::transmute::<*mut c_void, _>(symbol))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn sysconf(name: c_int) -> c_long {
    let cpus = settings().1;
    if cpus > 0 && (name == libc::_SC_NPROCESSORS_ONLN || name == libc::_SC_NPROCESSORS_CONF) {
        return cpus as c_long;
    }
    match real_sysconf() {
        // SAFETY: the C library's sysconf, called as it is declared.
        Some(real) => unsafe { real(name) },
        None => -1,
    }
}

/// The CPU count `get_nprocs` reports: the setting, else the real one.
fn nprocs(name: c_int) -> c_int {
    let cpus = settings().1;
    if cpus > 0 {
        return cpus as c_int;
    }
    match real_sysconf() {
        // SAFETY: the C library's sysconf, called as it is declared.
        Some(real) => unsafe { real(name) as c_int },
        None => 1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn get_nprocs() -> c_int {
    nprocs(libc::_SC_NPROCESSORS_ONLN)
}

#[unsafe(no_mangle)]
pub extern "C" fn get_nprocs_conf() -> c_int {
    nprocs(libc::_SC_NPROCESSORS_CONF)
}

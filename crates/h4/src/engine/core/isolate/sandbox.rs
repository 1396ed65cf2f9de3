//! The sandbox of a core helper, applied after the core is loaded (the
//! loader needs the file system) and before it is given any data.
//!
//! Two kernel mechanisms, each where the system has it, through
//! well-kept crates:
//!
//! * Landlock (`landlock`, the Landlock maintainers' crate): no file
//!   system access at all (no reading, writing, creating or executing
//!   files), no TCP bind or connect (ABI 4), no signals to processes
//!   outside the sandbox and no abstract Unix sockets (ABI 6).
//! * seccomp (`seccompiler`, from Firecracker): system calls that would
//!   create sockets, run programs, start processes, trace or signal other
//!   processes, or create, change or remove files fail with EPERM.
//!
//! So a hostile core can neither send the data anywhere nor touch the file
//! system; its only channel is the answer h4 asked for. What was enforced
//! is reported back to h4, and [`probe`] says what this system offers.
#![allow(unsafe_code)]

use std::collections::BTreeMap;

use landlock::{
    ABI, Access, AccessFs, AccessNet, LandlockStatus, Ruleset, RulesetAttr, RulesetStatus, Scope,
};
use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// The newest Landlock ABI h4 asks for; the crate drops what the kernel
/// lacks (best effort) and says what it enforced.
const LANDLOCK_ABI: ABI = ABI::V6;

/// Applies the sandbox to this process (all of it: call before any other
/// thread exists) and says what it enforces.
pub fn apply() -> String {
    let landlock = apply_landlock();
    let seccomp = apply_seccomp();
    format!("{landlock}; {seccomp}")
}

/// What the sandbox of `--isolate` can enforce on this system, without
/// applying it.
pub fn probe() -> String {
    let landlock = match landlock_abi() {
        Some(abi) => format!("landlock ABI {abi} ({})", landlock_covers(abi)),
        None => "no landlock".to_string(),
    };
    let seccomp = if seccomp_available() {
        "seccomp filter (no sockets, exec, processes, ptrace or file changes)"
    } else {
        "no seccomp"
    };
    format!("{landlock}; {seccomp}")
}

/// What Landlock ABI `abi` lets h4 forbid.
fn landlock_covers(abi: i32) -> &'static str {
    match abi {
        ..=3 => "no file system access",
        4 | 5 => "no file system access, no TCP",
        _ => "no file system access, no TCP, no signals or abstract sockets outside",
    }
}

fn apply_landlock() -> String {
    let restricted = Ruleset::default()
        .handle_access(AccessFs::from_all(LANDLOCK_ABI))
        .and_then(|r| r.handle_access(AccessNet::from_all(LANDLOCK_ABI)))
        .and_then(|r| r.scope(Scope::from_all(LANDLOCK_ABI)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self());
    match restricted {
        Ok(status) => {
            let abi = match status.landlock {
                LandlockStatus::Available { effective_abi, .. } => effective_abi as i32,
                _ => 0,
            };
            match status.ruleset {
                RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => {
                    format!("landlock ABI {abi} ({})", landlock_covers(abi))
                }
                RulesetStatus::NotEnforced => "no landlock".to_string(),
            }
        }
        Err(e) => format!("no landlock ({e})"),
    }
}

/// The Landlock ABI of the running kernel, if it has Landlock.
fn landlock_abi() -> Option<i32> {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: landlock_create_ruleset with a NULL attribute, size 0 and
    // the VERSION flag only returns the ABI version (or -1); it creates
    // nothing and touches no memory of this process.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    (v > 0).then_some(v as i32)
}

/// Whether the kernel has seccomp filters (`Seccomp:` in
/// /proc/self/status).
fn seccomp_available() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| s.contains("Seccomp:"))
}

fn apply_seccomp() -> String {
    match install_seccomp() {
        Ok(()) => {
            "seccomp filter (no sockets, exec, processes, ptrace or file changes)".to_string()
        }
        Err(e) => format!("no seccomp ({e})"),
    }
}

/// System calls that fail with EPERM, whatever their arguments.
const DENIED: &[i64] = &[
    // network
    libc::SYS_socket,
    libc::SYS_socketpair,
    libc::SYS_connect,
    libc::SYS_bind,
    libc::SYS_listen,
    libc::SYS_accept,
    libc::SYS_accept4,
    // programs and processes
    libc::SYS_execve,
    libc::SYS_execveat,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_tkill,
    // files
    libc::SYS_openat2,
    libc::SYS_unlinkat,
    libc::SYS_renameat,
    libc::SYS_renameat2,
    libc::SYS_mkdirat,
    libc::SYS_linkat,
    libc::SYS_symlinkat,
    libc::SYS_fchmod,
    libc::SYS_fchmodat,
    libc::SYS_fchown,
    libc::SYS_fchownat,
    libc::SYS_truncate,
    libc::SYS_ftruncate,
    libc::SYS_mknodat,
];

/// The older calls x86-64 still has beside their `*at` forms.
#[cfg(target_arch = "x86_64")]
const DENIED_LEGACY: &[i64] = &[
    libc::SYS_fork,
    libc::SYS_vfork,
    libc::SYS_creat,
    libc::SYS_unlink,
    libc::SYS_rename,
    libc::SYS_mkdir,
    libc::SYS_rmdir,
    libc::SYS_link,
    libc::SYS_symlink,
    libc::SYS_chmod,
    libc::SYS_chown,
    libc::SYS_lchown,
    libc::SYS_mknod,
];
#[cfg(not(target_arch = "x86_64"))]
const DENIED_LEGACY: &[i64] = &[];

fn install_seccomp() -> Result<(), String> {
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let pid = std::process::id() as u64;
    let any = Vec::new;
    let when = |arg: u8, op: SeccompCmpOp, value: u64| -> Result<SeccompRule, String> {
        let condition = SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value)
            .map_err(|e| e.to_string())?;
        SeccompRule::new(vec![condition]).map_err(|e| e.to_string())
    };
    // An open that writes, creates or truncates: flags with any of these.
    let writing = [libc::O_WRONLY, libc::O_RDWR, libc::O_CREAT, libc::O_TRUNC];
    let opens = |flags_arg: u8| -> Result<Vec<SeccompRule>, String> {
        writing
            .iter()
            .map(|&bit| when(flags_arg, SeccompCmpOp::MaskedEq(bit as u64), bit as u64))
            .collect()
    };
    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for call in DENIED.iter().chain(DENIED_LEGACY) {
        denied.insert(*call, any());
    }
    #[cfg(target_arch = "x86_64")]
    denied.insert(libc::SYS_open, opens(1)?);
    denied.insert(libc::SYS_openat, opens(2)?);
    // A new process (clone without CLONE_THREAD); threads stay allowed.
    denied.insert(
        libc::SYS_clone,
        vec![when(
            0,
            SeccompCmpOp::MaskedEq(libc::CLONE_THREAD as u64),
            0,
        )?],
    );
    // Signals to any process but this one (abort() signals itself).
    denied.insert(libc::SYS_kill, vec![when(0, SeccompCmpOp::Ne, pid)?]);
    denied.insert(libc::SYS_tgkill, vec![when(0, SeccompCmpOp::Ne, pid)?]);
    let filter = |rules, errno: i32| -> Result<BpfProgram, String> {
        SeccompFilter::new(
            rules,
            SeccompAction::Allow,
            SeccompAction::Errno(errno as u32),
            arch,
        )
        .and_then(BpfProgram::try_from)
        .map_err(|e| e.to_string())
    };
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes
    // the C library fall back to clone, which the filter above judges.
    let clone3 = filter(BTreeMap::from([(libc::SYS_clone3, any())]), libc::ENOSYS)?;
    let main = filter(denied, libc::EPERM)?;
    seccompiler::apply_filter(&clone3).map_err(|e| e.to_string())?;
    seccompiler::apply_filter(&main).map_err(|e| e.to_string())?;
    Ok(())
}

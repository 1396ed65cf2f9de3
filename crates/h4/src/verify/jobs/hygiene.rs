//! A core is a guest in its host's process: it must not change the
//! process's working directory, file-creation mask, signal handling,
//! locale, open descriptors, resource limits or environment, at load or in
//! any call. (What it prints to stdout and stderr, an `exit`, and a
//! teardown at exit that hangs or crashes, the verifier sees from
//! outside: it captures this child's streams, the exit guard reports on
//! the channel, and this child alone exits running the core's
//! destructors and `atexit` handlers.)

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;

use nix::sys::resource::{Resource, getrlimit, setrlimit};

use super::JobResult;
use crate::corpus::{self, Rng};
use crate::engine::Engine;
use crate::engine::core::{
    Core, RESOURCE_LIMITS, current_locale, current_umask, signal_disposition, signal_name,
};

/// The process state a core could change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    cwd: Option<(u64, u64, String)>,
    umask: u32,
    signals: BTreeMap<i32, (usize, i32)>,
    locale: Option<String>,
    descriptors: BTreeMap<String, String>,
    limits: Vec<(u64, u64)>,
    environment: BTreeMap<OsString, OsString>,
    /// The CPUs the process may run on.
    affinity: Vec<usize>,
    /// Its process group and session (a core that moves the host out of
    /// the terminal's foreground group takes Ctrl-C away from it).
    group: (i32, i32),
    /// Its threads (compared only between calls: a core may start a pool
    /// once).
    threads: usize,
}

impl Snapshot {
    /// Takes the state now.
    pub fn take() -> Snapshot {
        let cwd = std::env::current_dir().ok().and_then(|dir| {
            let meta = std::fs::metadata(&dir).ok()?;
            Some((meta.dev(), meta.ino(), dir.display().to_string()))
        });
        Snapshot {
            cwd,
            umask: current_umask().bits(),
            signals: (1..=64)
                .filter_map(|s| signal_disposition(s).map(|d| (s, d)))
                .collect(),
            locale: current_locale(),
            descriptors: descriptors(),
            limits: RESOURCE_LIMITS
                .iter()
                .map(|(r, _)| getrlimit(*r).unwrap_or((0, 0)))
                .collect(),
            environment: std::env::vars_os().collect(),
            affinity: affinity(),
            group: (
                nix::unistd::getpgrp().as_raw(),
                nix::unistd::getsid(None).map_or(-1, |s| s.as_raw()),
            ),
            threads: thread_count(),
        }
    }

    /// What differs from `before`, one phrase each.
    pub fn changes_since(&self, before: &Snapshot) -> Vec<String> {
        let mut changes = Vec::new();
        if self.cwd != before.cwd {
            let path = |c: &Option<(u64, u64, String)>| {
                c.as_ref().map_or("?".to_string(), |(_, _, p)| p.clone())
            };
            changes.push(format!(
                "the working directory ({} -> {})",
                path(&before.cwd),
                path(&self.cwd)
            ));
        }
        if self.umask != before.umask {
            changes.push(format!(
                "the umask ({:03o} -> {:03o})",
                before.umask, self.umask
            ));
        }
        for (signal, now) in &self.signals {
            if before.signals.get(signal) != Some(now) {
                changes.push(format!("the handling of {}", signal_name(*signal)));
            }
        }
        if self.locale != before.locale {
            changes.push(format!(
                "the locale ({} -> {})",
                before.locale.as_deref().unwrap_or("?"),
                self.locale.as_deref().unwrap_or("?")
            ));
        }
        let opened: Vec<String> = self
            .descriptors
            .iter()
            .filter(|(fd, target)| before.descriptors.get(*fd) != Some(target))
            .map(|(fd, target)| format!("{fd} ({target})"))
            .collect();
        if !opened.is_empty() {
            changes.push(format!(
                "the open descriptors (left open: {})",
                opened.join(", ")
            ));
        }
        let closed: Vec<&String> = before
            .descriptors
            .keys()
            .filter(|fd| !self.descriptors.contains_key(*fd))
            .collect();
        if !closed.is_empty() {
            changes.push(format!(
                "the open descriptors (closed: {})",
                closed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for ((now, then), (_, name)) in self.limits.iter().zip(&before.limits).zip(RESOURCE_LIMITS)
        {
            if now != then {
                changes.push(format!("the {name} limit"));
            }
        }
        if self.group.1 != before.group.1 {
            changes.push("the session (setsid)".to_string());
        } else if self.group.0 != before.group.0 {
            changes.push("the process group (setpgid)".to_string());
        }
        if self.affinity != before.affinity {
            changes.push(format!(
                "the CPU affinity ({:?} -> {:?})",
                before.affinity, self.affinity
            ));
        }
        if self.environment != before.environment {
            let names: Vec<String> = self
                .environment
                .iter()
                .filter(|(k, v)| before.environment.get(*k) != Some(v))
                .map(|(k, _)| k.to_string_lossy().into_owned())
                .chain(
                    before
                        .environment
                        .keys()
                        .filter(|k| !self.environment.contains_key(*k))
                        .map(|k| k.to_string_lossy().into_owned()),
                )
                .collect();
            changes.push(format!("the environment ({})", names.join(", ")));
        }
        changes
    }
}

/// The CPUs this process may run on.
fn affinity() -> Vec<usize> {
    use nix::sched::{CpuSet, sched_getaffinity};
    sched_getaffinity(nix::unistd::Pid::from_raw(0))
        .map(|set| {
            (0..CpuSet::count())
                .filter(|&c| set.is_set(c).unwrap_or(false))
                .collect()
        })
        .unwrap_or_default()
}

/// How many threads this process has.
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// The open descriptors and what each refers to.
fn descriptors() -> BTreeMap<String, String> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return BTreeMap::new();
    };
    let entries: Vec<_> = dir.flatten().collect();
    entries
        .into_iter()
        .filter_map(|entry| {
            let target = std::fs::read_link(entry.path()).ok()?;
            let target = target.display().to_string();
            // The directory being listed is open while it is listed.
            (!target.contains("/fd") || !target.starts_with("/proc/"))
                .then(|| (entry.file_name().to_string_lossy().into_owned(), target))
        })
        .collect()
}

/// Before the core loads: leaves room between each soft resource limit
/// and its hard limit (so a core that raises one is seen) and takes the
/// snapshot to compare with after loading.
pub fn prepare() -> Snapshot {
    const STACK: u64 = 8 << 20;
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_STACK)
        && hard > STACK
        && soft >= hard
    {
        let _ = setrlimit(Resource::RLIMIT_STACK, STACK, hard);
    }
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE)
        && soft >= hard
        && hard > 256
    {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard / 2, hard);
    }
    Snapshot::take()
}

pub fn run(
    engine: &dyn Engine,
    core: Option<&Core>,
    before_load: Snapshot,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    // The host itself keeps the working directory open while a core is
    // loaded, to put it back: that descriptor is h4's, not the core's.
    let own = core.and_then(Core::own_descriptor).map(|fd| fd.to_string());
    let take = || {
        let mut snapshot = Snapshot::take();
        if let Some(own) = &own {
            snapshot.descriptors.remove(own);
        }
        snapshot
    };
    let after_load = take();
    let mut changes = after_load.changes_since(&before_load);
    // What h4's own loader noticed and already put back counts as well.
    if let Some(core) = core {
        changes.extend(core.load_changes().iter().map(|c| c.to_string()));
    }
    if !changes.is_empty() {
        return Err((
            format!("loading the core changed {}", changes.join(", ")),
            "at load (the library's initialisers)".to_string(),
        ));
    }
    let mut rng = Rng::new(0x6167);
    let inputs = [
        ("empty", Vec::new()),
        ("one-byte", vec![0x5a]),
        ("text-like", corpus::text_like(&mut rng, 200_000)),
        ("random-64k", rng.bytes(64 * 1024)),
        ("run-65536", vec![0xa7; 65_536]),
        ("pcm-like", corpus::pcm_like(&mut rng, 50_000)),
    ];
    let mut state = after_load;
    let mut calls = 0;
    // Threads a core starts on its first call (a pool) may stay; more on
    // later calls are threads left behind.
    let mut threads: Option<usize> = None;
    for (name, data) in &inputs {
        for round in 0..2 {
            progress(&format!("{name}: h4_compress (call {})", round + 1));
            let packed = engine.compress_vec(data).unwrap_or_default();
            state = compare(state, take(), &format!("h4_compress on '{name}'"))?;
            let now = state.threads;
            match threads {
                None => threads = Some(now),
                Some(first) if now > first => {
                    return Err((
                        format!(
                            "calls leave threads behind ({first} after the first call, {now} now)"
                        ),
                        format!("after h4_compress on '{name}'"),
                    ));
                }
                Some(_) => {}
            }
            progress(&format!("{name}: h4_decompress (call {})", round + 1));
            let _ = engine.decompress_vec(&packed, data.len());
            state = compare(state, take(), &format!("h4_decompress on '{name}'"))?;
            calls += 2;
        }
    }
    Ok(format!(
        "loading and {calls} calls left the working directory, umask, signal handling, locale, descriptors, limits, environment, CPU affinity, process group and threads as they were; nothing printed"
    ))
}

fn compare(before: Snapshot, now: Snapshot, call: &str) -> Result<Snapshot, (String, String)> {
    let changes = now.changes_since(&before);
    if changes.is_empty() {
        Ok(now)
    } else {
        Err((
            format!("a call changed {}", changes.join(", ")),
            format!("in {call}"),
        ))
    }
}

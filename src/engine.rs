//! Engine selection, the same for every subcommand:
//! `--core NAME|PATH` > `--engine reference` > `HARMONY4_CORE_PATH` >
//! reference.
//!
//! A `--core` that does not load is an error; a `HARMONY4_CORE_PATH` that
//! does not load is a warning and the reference engine takes over, as the
//! core ABI specification requires, unless `--require-core` or
//! `HARMONY4_CORE_REQUIRED=1` says a run without the core must not happen.
//!
//! Levels: a level asked for is handed to the engine when it has levels,
//! moved to its nearest level when outside them, and ignored by an engine
//! without levels; `-v` says which (see [`Leveled`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::time::Duration;

use anyhow::{Context, Result};
use h4::container::{BLOCK_SIZES, DEFAULT_BLOCK_SIZE, EngineKind};
use h4::engine::core::Core;
use h4::engine::core::isolate::HelperCommand;
use h4::engine::{Engine, Reference};

use crate::args::{BuiltIn, EngineArgs, HostArgs};
use crate::{report, shield};

/// The environment variable that names a core library.
pub const CORE_ENV: &str = "HARMONY4_CORE_PATH";

/// The environment variable that makes a core that does not load an
/// error ("1"), as `--require-core` does.
pub const REQUIRED_ENV: &str = "HARMONY4_CORE_REQUIRED";

/// The environment variable that turns `--isolate` on ("1").
pub const ISOLATE_ENV: &str = "HARMONY4_ISOLATE";

/// The environment variable that sets an isolated core's time limit per
/// call, in seconds.
pub const TIMEOUT_ENV: &str = "HARMONY4_CORE_TIMEOUT";

impl BuiltIn {
    /// The engine this names.
    pub fn engine(self) -> Arc<dyn Engine> {
        match self {
            BuiltIn::Reference => Arc::new(Reference::new()),
        }
    }
}

/// What became of a level asked for, for the note `-v` prints.
#[derive(Debug, PartialEq, Eq)]
pub enum Leveled {
    /// No level was asked for, or the engine uses it as it is.
    AsAsked,
    /// The engine's levels do not reach it; it uses this one instead.
    Nearest { asked: i32, used: i32 },
    /// The engine has no levels.
    Ignored { asked: i32 },
}

impl Leveled {
    /// The note to print under `-v`, naming `engine`, if any.
    pub fn note(&self, engine: &dyn Engine) -> Option<String> {
        let name = match engine.id().kind {
            EngineKind::Reference => "the reference engine".to_string(),
            EngineKind::Core => engine.id().to_string(),
        };
        match (self, engine.levels()) {
            (Leveled::Nearest { asked, used }, Some(range)) => Some(format!(
                "{name} has levels {} to {}: level {asked} compresses as {used}",
                range.start(),
                range.end()
            )),
            (Leveled::Ignored { asked }, _) => Some(format!(
                "{name} has no levels (no h4_compress_level_v1): level {asked} ignored"
            )),
            _ => None,
        }
    }
}

/// The level of `range` nearest to `level`, and what happened.
fn nearest(level: i32, range: &std::ops::RangeInclusive<i32>) -> (i32, Leveled) {
    let used = level.clamp(*range.start(), *range.end());
    let leveled = if used == level {
        Leveled::AsAsked
    } else {
        Leveled::Nearest { asked: level, used }
    };
    (used, leveled)
}

/// A reference engine at the level nearest to `level` (the default one
/// for `None`).
fn reference_at(level: Option<i32>) -> (Reference, Leveled) {
    let Some(level) = level else {
        return (Reference::new(), Leveled::AsAsked);
    };
    let range = Reference::new()
        .levels()
        .expect("the reference engine has levels");
    let (used, leveled) = nearest(level, &range);
    let engine = Reference::with_level(used as u32).expect("a level in the engine's range");
    (engine, leveled)
}

/// Sets `core` to the level nearest to `level` if it has levels.
fn core_at(core: &mut Core, level: Option<i32>) -> Leveled {
    let Some(level) = level else {
        return Leveled::AsAsked;
    };
    let Some(range) = core.levels() else {
        return Leveled::Ignored { asked: level };
    };
    let (used, leveled) = nearest(level, &range);
    core.set_level(Some(used))
        .expect("a level in the core's range");
    leveled
}

impl EngineArgs {
    /// The engine these arguments and the environment select.
    pub fn select(&self, quiet: bool) -> Result<Arc<dyn Engine>> {
        self.select_with(quiet, None, |path| Ok(shield::load_core(path, quiet)?))
            .map(|(engine, _)| engine)
    }

    /// [`select`](Self::select) for the commands that move data. With
    /// `host.isolate` (or `HARMONY4_ISOLATE=1`) a core runs in `helpers`
    /// sandboxed helper processes. Otherwise, before a core is loaded into
    /// this process, h4's standard output is moved out of its reach (see
    /// `shield`), and what loading changed in the process is reported.
    pub fn select_for_data(
        &self,
        quiet: bool,
        host: &HostArgs,
        helpers: usize,
    ) -> Result<Arc<dyn Engine>> {
        self.select_at_level(quiet, host, helpers, None)
            .map(|(engine, _)| engine)
    }

    /// [`select_for_data`](Self::select_for_data) for compression at
    /// `level` (see [`Leveled`]).
    pub fn select_at_level(
        &self,
        quiet: bool,
        host: &HostArgs,
        helpers: usize,
        level: Option<i32>,
    ) -> Result<(Arc<dyn Engine>, Leveled)> {
        if host.isolated() {
            let command = helper_command()?;
            return self.select_with(quiet, level, |path| {
                Ok(Core::isolated(path, BLOCK_SIZES, &command, helpers)?)
            });
        }
        self.select_with(quiet, level, |path| Ok(shield::load_core(path, quiet)?))
    }

    /// Whether a core that does not load must be an error:
    /// `--require-core` or `HARMONY4_CORE_REQUIRED=1`.
    pub fn core_required(&self) -> bool {
        self.require_core || std::env::var_os(REQUIRED_ENV).is_some_and(|v| v == "1")
    }

    fn select_with(
        &self,
        quiet: bool,
        level: Option<i32>,
        load: impl Fn(&Path) -> Result<Core>,
    ) -> Result<(Arc<dyn Engine>, Leveled)> {
        let load_at = |path: &Path| -> Result<(Arc<dyn Engine>, Leveled)> {
            // A name not on the core search path still goes to the dynamic
            // loader, which searches its own path (LD_LIBRARY_PATH) as it
            // always did; if that fails too, the message says where h4
            // looked.
            let mut core = match load(path) {
                Ok(core) => core,
                Err(_) if crate::core_search::is_name(path) && !path.exists() => anyhow::bail!(
                    "cannot load core {}: {}",
                    path.display(),
                    crate::core_search::not_found(path)
                ),
                Err(e) => return Err(e),
            };
            let leveled = core_at(&mut core, level);
            Ok((Arc::new(core), leveled))
        };
        if let Some(path) = &self.core {
            return load_at(path);
        }
        let reference = || {
            let (engine, leveled) = reference_at(level);
            (Arc::new(engine) as Arc<dyn Engine>, leveled)
        };
        if let Some(BuiltIn::Reference) = self.engine {
            return Ok(reference());
        }
        let required = self.core_required();
        match env_core() {
            Some(path) => match load_at(&path) {
                Ok(core) => return Ok(core),
                Err(e) if required => {
                    return Err(e.context(format!(
                        "{CORE_ENV} (a core is required: {})",
                        self.required_by()
                    )));
                }
                Err(e) => report::warn(
                    quiet,
                    "warning",
                    &format!("{CORE_ENV}: {e:#}; using the reference engine"),
                ),
            },
            None if required => anyhow::bail!(
                "a core is required ({}), but neither --core nor {CORE_ENV} names one",
                self.required_by()
            ),
            None => {}
        }
        Ok(reference())
    }

    /// What made a core required, for messages.
    fn required_by(&self) -> String {
        if self.require_core {
            "--require-core".to_string()
        } else {
            format!("{REQUIRED_ENV}=1")
        }
    }

    /// The core `h4 verify` must check, without loading it: the `--core`
    /// library, else (unless `--engine` names a built-in engine) the one
    /// `HARMONY4_CORE_PATH` names. A verifier does not fall back: it
    /// reports on the core the variable names, whether it loads or not.
    pub fn core_to_verify(&self) -> Option<(PathBuf, CoreSource)> {
        if let Some(path) = &self.core {
            return Some((path.clone(), CoreSource::Flag));
        }
        if self.engine.is_some() {
            return None;
        }
        env_core().map(|p| (p, CoreSource::Environment))
    }

    /// The library path of the engine [`select`](Self::select) chose, when
    /// it chose a core.
    pub fn core_path(&self, engine: &dyn Engine) -> Option<PathBuf> {
        if engine.id().kind != EngineKind::Core {
            return None;
        }
        self.core.clone().or_else(env_core)
    }
}

/// The core `HARMONY4_CORE_PATH` names: a path, or a name (no slash)
/// looked up like `--core`'s.
fn env_core() -> Option<PathBuf> {
    std::env::var_os(CORE_ENV)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let found = crate::core_search::is_name(p.as_ref())
                .then(|| crate::core_search::find(p.as_ref()))
                .flatten();
            found.unwrap_or_else(|| p.into())
        })
}

/// Where the name of a core came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreSource {
    /// `--core`.
    Flag,
    /// `HARMONY4_CORE_PATH`.
    Environment,
}

impl HostArgs {
    /// Whether cores run in helper processes: `--isolate` or
    /// `HARMONY4_ISOLATE=1`.
    pub fn isolated(&self) -> bool {
        self.isolate || std::env::var_os(ISOLATE_ENV).is_some_and(|v| v == "1")
    }
}

/// How to start a core helper: this program, its hidden subcommand, and
/// the per-call time limit from `HARMONY4_CORE_TIMEOUT` (seconds) if set.
pub fn helper_command() -> Result<HelperCommand> {
    let timeout = match std::env::var(TIMEOUT_ENV) {
        Ok(text) => Some(Duration::from_secs_f64(
            text.parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .with_context(|| format!("{TIMEOUT_ENV}: '{text}' is not a number of seconds"))?,
        )),
        Err(_) => None,
    };
    Ok(HelperCommand {
        program: std::env::current_exe().context("cannot find the h4 executable")?,
        args: vec!["__core-helper".into()],
        timeout,
    })
}

/// The engines a decoder needs besides the built-in reference: `engine`
/// itself when it is a core.
pub fn decoders_for(engine: &Arc<dyn Engine>) -> Vec<Arc<dyn Engine>> {
    if engine.id().kind == EngineKind::Core {
        vec![Arc::clone(engine)]
    } else {
        Vec::new()
    }
}

/// The block size to compress with: the one asked for, else the one
/// `engine` prefers, else the format's default.
pub fn block_size_for(requested: Option<u32>, engine: &dyn Engine) -> u32 {
    requested
        .or(engine.preferred_block_size())
        .unwrap_or(DEFAULT_BLOCK_SIZE)
}

//! Engine selection, the same for every subcommand:
//! `--core PATH` > `--engine reference` > `HARMONY4_CORE_PATH` > reference.
//!
//! A `--core` that does not load is an error; a `HARMONY4_CORE_PATH` that
//! does not load is a warning and the reference engine takes over, as the
//! core ABI specification requires.

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

impl EngineArgs {
    /// The engine these arguments and the environment select.
    pub fn select(&self, quiet: bool) -> Result<Arc<dyn Engine>> {
        self.select_with(quiet, |path| Ok(Arc::new(Core::load(path, BLOCK_SIZES)?)))
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
        if host.isolated() {
            let command = helper_command()?;
            return self.select_with(quiet, |path| {
                Ok(Arc::new(Core::isolated(
                    path,
                    BLOCK_SIZES,
                    &command,
                    helpers,
                )?))
            });
        }
        self.select_with(quiet, |path| {
            shield::before_loading_a_core();
            let core = Core::load(path, BLOCK_SIZES)?;
            shield::report_load_changes(&core, quiet);
            Ok(Arc::new(core))
        })
    }

    fn select_with(
        &self,
        quiet: bool,
        load: impl Fn(&Path) -> Result<Arc<dyn Engine>>,
    ) -> Result<Arc<dyn Engine>> {
        if let Some(path) = &self.core {
            return load(path);
        }
        if let Some(builtin) = self.engine {
            return Ok(builtin.engine());
        }
        if let Some(path) = std::env::var_os(CORE_ENV).filter(|p| !p.is_empty()) {
            match load(path.as_ref()) {
                Ok(core) => return Ok(core),
                Err(e) => report::warn(
                    quiet,
                    "warning",
                    &format!("{CORE_ENV}: {e}; using the reference engine"),
                ),
            }
        }
        Ok(Arc::new(Reference::new()))
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
        std::env::var_os(CORE_ENV)
            .filter(|p| !p.is_empty())
            .map(|p| (PathBuf::from(p), CoreSource::Environment))
    }

    /// The library path of the engine [`select`](Self::select) chose, when
    /// it chose a core.
    pub fn core_path(&self, engine: &dyn Engine) -> Option<PathBuf> {
        if engine.id().kind != EngineKind::Core {
            return None;
        }
        self.core
            .clone()
            .or_else(|| std::env::var_os(CORE_ENV).map(PathBuf::from))
    }
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
fn helper_command() -> Result<HelperCommand> {
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

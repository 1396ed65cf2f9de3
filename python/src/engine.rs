//! Engines for Python: the built-in reference engine at a level, or a core
//! loaded from a shared library, each compressing to `.h4` frames or to
//! bare payloads.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use h4::container::{BLOCK_SIZES, EngineKind, FORMAT_VERSIONS, StreamIndex};
use h4::engine::core::Core;
use h4::engine::{Engine, Reference};
use h4::pipeline::{self, CompressOptions, DecompressOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::with_bytes;
use crate::errors::{CoreLoadError, to_py};

/// The most a bare payload may decode to unless the caller says otherwise
/// (as `h4 decompress --raw`).
pub const RAW_LIMIT: usize = 1 << 34;

/// An engine, shared by every thread that uses it.
#[pyclass(frozen, module = "h4._native", name = "Engine")]
pub struct PyEngine {
    pub engine: Arc<dyn Engine>,
    core: Option<Arc<Core>>,
    level: Option<i32>,
}

impl PyEngine {
    /// The engines a decoder needs besides the built-in reference.
    pub fn decoders(engines: &[PyRef<'_, PyEngine>]) -> Vec<Arc<dyn Engine>> {
        engines
            .iter()
            .filter(|e| e.engine.id().kind == EngineKind::Core)
            .map(|e| Arc::clone(&e.engine))
            .collect()
    }
}

#[pymethods]
impl PyEngine {
    /// The built-in reference engine at `level` (1 to 9; default 2).
    #[staticmethod]
    #[pyo3(signature = (level=None))]
    fn reference(level: Option<u32>) -> PyResult<Self> {
        let engine = match level {
            None => Reference::new(),
            Some(level) => Reference::with_level(level).ok_or_else(|| {
                PyValueError::new_err(format!("level must be 1 to 9, not {level}"))
            })?,
        };
        Ok(PyEngine {
            engine: Arc::new(engine),
            core: None,
            level: level.map(|l| l as i32),
        })
    }

    /// Loads the core library at `path` into this process, compressing
    /// at `level` when given (a core with levels: `h4_compress_level_v1`).
    /// Returns the engine and what the library's initialisers changed in
    /// the process (h4 put each back), for the caller to warn about.
    #[staticmethod]
    #[pyo3(signature = (path, level=None))]
    fn load_core(path: PathBuf, level: Option<i32>) -> PyResult<(Self, Vec<String>)> {
        let mut core = Core::load(&path, BLOCK_SIZES).map_err(|e| {
            CoreLoadError::new_err((e.to_string(), e.path.display().to_string(), e.why))
        })?;
        core.set_level(level)
            .map_err(|why| PyValueError::new_err(format!("core {}: {why}", path.display())))?;
        let changes = core.load_changes().iter().map(|c| c.to_string()).collect();
        let core = Arc::new(core);
        Ok((
            PyEngine {
                engine: Arc::clone(&core) as Arc<dyn Engine>,
                core: Some(core),
                level,
            },
            changes,
        ))
    }

    /// The engine's name, as recorded in the frames it makes.
    #[getter]
    fn name(&self) -> &str {
        &self.engine.id().name
    }

    /// "reference" or "core".
    #[getter]
    fn kind(&self) -> &'static str {
        match self.engine.id().kind {
            EngineKind::Reference => "reference",
            EngineKind::Core => "core",
        }
    }

    /// The level asked for, if any.
    #[getter]
    fn level(&self) -> Option<i32> {
        self.level
    }

    /// The levels the engine has, lowest to highest, or None.
    #[getter]
    fn levels(&self) -> Option<(i32, i32)> {
        self.engine.levels().map(|r| (*r.start(), *r.end()))
    }

    /// The core's library path.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.core.as_ref().map(|c| c.path().to_path_buf())
    }

    /// The version string the core reports, if it reports one.
    #[getter]
    fn version(&self) -> Option<String> {
        self.core
            .as_ref()
            .and_then(|c| c.version().map(str::to_string))
    }

    /// The block size frames get when none is asked for.
    #[getter]
    fn block_size(&self) -> u32 {
        pipeline_block_size(None, self.engine.as_ref())
    }

    /// Compresses `data` into one `.h4` frame.
    #[pyo3(signature = (data, block_size=None, threads=None, check=true, format_version=2))]
    fn compress<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        block_size: Option<u32>,
        threads: Option<usize>,
        check: bool,
        format_version: u8,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let options = compress_options(
            self.engine.as_ref(),
            block_size,
            threads,
            check,
            format_version,
        )?;
        let engine = self.engine.as_ref();
        let frame = with_bytes(data, |bytes| {
            // Threads beyond one a block only cost their start (most of a
            // small input's time); the bytes are the same for any count.
            let blocks = bytes.len().div_ceil(options.block_size as usize).max(1);
            let options = CompressOptions {
                threads: options.threads.min(blocks),
                ..options
            };
            py.detach(|| h4::compress_to_vec(bytes, engine, &options))
        })?
        .map_err(|e| to_py(e, None))?;
        Ok(PyBytes::new(py, &frame))
    }

    /// The engine's payload of all of `data` at once, with no container:
    /// exactly what the core's `h4_compress` returns (a core's output is
    /// decoded and compared first unless `check` is false).
    #[pyo3(signature = (data, check=true))]
    fn compress_raw<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        check: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let engine = self.engine.as_ref();
        let payload = with_bytes(data, |bytes| {
            py.detach(|| {
                let mut out = Vec::new();
                pipeline::compress_raw(engine, bytes, check, &mut out).map(|()| out)
            })
        })?
        .map_err(|error| to_py(h4::Error::Engine { block: 0, error }, None))?;
        Ok(PyBytes::new(py, &payload))
    }

    /// Decodes a bare payload of this engine, refusing to make more than
    /// `limit` bytes.
    #[pyo3(signature = (data, limit=RAW_LIMIT))]
    fn decompress_raw<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let engine = self.engine.as_ref();
        let raw = with_bytes(data, |bytes| {
            py.detach(|| {
                let mut out = Vec::new();
                engine.decompress(bytes, limit, &mut out).map(|()| out)
            })
        })?
        .map_err(|error| to_py(h4::Error::Engine { block: 0, error }, None))?;
        Ok(PyBytes::new(py, &raw))
    }

    fn __repr__(&self) -> String {
        match (&self.core, self.level) {
            (Some(core), None) => format!(
                "<h4 engine {} from {}>",
                self.engine.id(),
                core.path().display()
            ),
            (Some(core), Some(level)) => format!(
                "<h4 engine {} from {} level {level}>",
                self.engine.id(),
                core.path().display()
            ),
            (None, Some(level)) => format!("<h4 engine {} level {level}>", self.engine.id()),
            (None, None) => format!("<h4 engine {}>", self.engine.id()),
        }
    }
}

/// Decompresses one or more concatenated `.h4` frames, decoding frames made
/// by the cores among `engines` with them.
#[pyfunction]
#[pyo3(signature = (data, engines, threads=None))]
pub fn decompress<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    engines: Vec<PyRef<'py, PyEngine>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let engines = PyEngine::decoders(&engines);
    let threads = resolve_threads(threads);
    with_bytes(data, |bytes| {
        let index = py.detach(|| StreamIndex::read(&mut Cursor::new(bytes)).ok());
        // No more threads than blocks, as in compress (a stream whose index
        // does not read keeps them, and fails where it is bad).
        let blocks = index.as_ref().map_or(usize::MAX, |index| {
            index.frames.iter().map(|f| f.blocks.len()).sum::<usize>()
        });
        let options = DecompressOptions {
            threads: threads.min(blocks.max(1)),
            engines,
            progress: None,
        };
        // When the index says how long the content is, decode straight into
        // the bytes object: no growing buffer, no copy. Only up to a bound,
        // as the size is the file's claim until the blocks are decoded.
        if let Some(len) = index.map(|index| index.content_len())
            && let Ok(len) = usize::try_from(len)
            && len <= bytes.len().saturating_mul(EXACT_RATIO).max(EXACT_MIN)
            && let Ok(content) = PyBytes::new_with(py, len, |buffer| {
                py.detach(|| {
                    let mut rest: &mut [u8] = buffer;
                    h4::pipeline::decompress(bytes, &options, &mut rest)
                        .ok()
                        .filter(|_| rest.is_empty())
                        .map(drop)
                })
                .ok_or_else(|| PyValueError::new_err("decoded other than the index says"))
            })
        {
            return Ok(content);
        }
        // Otherwise (and for any failure above, to report it as h4 does).
        py.detach(|| h4::decompress_to_vec(bytes, &options))
            .map(|content| PyBytes::new(py, &content))
            .map_err(|e| to_py(e, None))
    })?
}

/// Content up to this many times the compressed size (or [`EXACT_MIN`]) is
/// decoded into a bytes object of the size the block index gives.
const EXACT_RATIO: usize = 1024;

/// See [`EXACT_RATIO`]: at least one largest block.
const EXACT_MIN: usize = h4::container::MAX_BLOCK_SIZE as usize;

/// The block size to use: the one asked for, else the engine's preference,
/// else the format's default (as `h4 compress`).
fn pipeline_block_size(requested: Option<u32>, engine: &dyn Engine) -> u32 {
    requested
        .or(engine.preferred_block_size())
        .unwrap_or(h4::container::DEFAULT_BLOCK_SIZE)
}

/// Worker threads: as many as asked (0 or none: one per CPU).
pub fn resolve_threads(threads: Option<usize>) -> usize {
    match threads {
        None | Some(0) => pipeline::default_threads(),
        Some(n) => n,
    }
}

/// Checked compression settings.
pub fn compress_options(
    engine: &dyn Engine,
    block_size: Option<u32>,
    threads: Option<usize>,
    check: bool,
    format_version: u8,
) -> PyResult<CompressOptions> {
    let block_size = pipeline_block_size(block_size, engine);
    if !BLOCK_SIZES.contains(&block_size) {
        return Err(PyValueError::new_err(format!(
            "block_size must be {} to {} bytes, not {block_size}",
            BLOCK_SIZES.start(),
            BLOCK_SIZES.end()
        )));
    }
    if !FORMAT_VERSIONS.contains(&format_version) {
        return Err(PyValueError::new_err(format!(
            "format_version must be 1 or 2, not {format_version}"
        )));
    }
    Ok(CompressOptions {
        block_size,
        threads: resolve_threads(threads),
        check_core_output: check,
        progress: None,
        format: format_version,
    })
}

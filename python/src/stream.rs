//! Streams for Python's file objects: a compressor fed piece by piece that
//! hands back the frame's bytes as they are made, a decompressor that reads
//! and seeks through a `.h4` stream, and the stream's block index.
//!
//! Each holds its state behind a mutex that is taken only after the GIL is
//! released, so a thread waiting for it never holds the GIL that the thread
//! inside may need (to read from a Python file object).

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use h4::container::StreamIndex;
use h4::{Reader, Writer};
use pyo3::exceptions::{PyIOError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::buffer::{with_bytes, with_bytes_mut};
use crate::engine::{PyEngine, compress_options};
use crate::errors::{io_to_py, stream_to_py, to_py};
use crate::source::Source;

/// Where the compressing thread's output waits for the caller.
#[derive(Clone, Default)]
struct Spool(Arc<Mutex<Vec<u8>>>);

impl Spool {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *lock(&self.0))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A mutex's guard, also after a panic elsewhere (the state is then at
/// worst a stream that reports its error).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Compresses what it is given into one `.h4` frame (blocks in parallel in
/// the background), handing back the frame's bytes as they are ready.
#[pyclass(frozen, module = "h4._native")]
pub struct Compressor {
    writer: Mutex<Option<Writer<Spool>>>,
    spool: Spool,
}

#[pymethods]
impl Compressor {
    #[new]
    #[pyo3(signature = (engine, block_size=None, threads=None, check=true, format_version=2))]
    fn new(
        engine: PyRef<'_, PyEngine>,
        block_size: Option<u32>,
        threads: Option<usize>,
        check: bool,
        format_version: u8,
    ) -> PyResult<Self> {
        let options = compress_options(
            engine.engine.as_ref(),
            block_size,
            threads,
            check,
            format_version,
        )?;
        let spool = Spool::default();
        let writer = Writer::builder()
            .engine(Arc::clone(&engine.engine))
            .block_size(options.block_size)
            .threads(options.threads)
            .check_core_output(options.check_core_output)
            .format(options.format)
            .build(spool.clone());
        Ok(Compressor {
            writer: Mutex::new(Some(writer)),
            spool,
        })
    }

    /// Adds `data`; returns the frame's bytes made so far.
    fn compress<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        with_bytes(data, |bytes| {
            py.detach(|| self.with_writer(|w| w.write_all(bytes)))
        })??;
        Ok(PyBytes::new(py, &self.spool.take()))
    }

    /// Hands everything given so far to the compressing threads and returns
    /// what is ready. A block's bytes come out only once it is full or the
    /// frame ends.
    fn flush<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        py.detach(|| self.with_writer(|w| w.flush()))?;
        Ok(PyBytes::new(py, &self.spool.take()))
    }

    /// Ends the frame and returns the rest of it.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        py.detach(|| {
            let writer = lock(&self.writer).take();
            match writer {
                Some(writer) => writer.finish().map(drop).map_err(|e| stream_to_py(e, None)),
                None => Err(PyValueError::new_err("the frame is already finished")),
            }
        })?;
        Ok(PyBytes::new(py, &self.spool.take()))
    }
}

impl Compressor {
    fn with_writer(&self, f: impl FnOnce(&mut Writer<Spool>) -> io::Result<()>) -> PyResult<()> {
        let mut writer = lock(&self.writer);
        let writer = writer
            .as_mut()
            .ok_or_else(|| PyValueError::new_err("the frame is already finished"))?;
        f(writer).map_err(|e| stream_to_py(e, None))
    }
}

/// Reads the content of a `.h4` stream (any number of frames, either
/// format), checking every checksum; seeks through the block index.
#[pyclass(frozen, module = "h4._native")]
pub struct Decompressor {
    reader: Mutex<Reader<Source>>,
    seekable: bool,
    name: Option<String>,
}

#[pymethods]
impl Decompressor {
    /// Reads `source`: a path, or a binary file object (from its current
    /// position). Frames made by the cores among `engines` decode with them.
    #[new]
    #[pyo3(signature = (source, engines, name=None))]
    fn new(
        source: &Bound<'_, PyAny>,
        engines: Vec<PyRef<'_, PyEngine>>,
        name: Option<String>,
    ) -> PyResult<Self> {
        let (source, seekable, name) = open_source(source, name)?;
        Ok(Decompressor {
            reader: Mutex::new(Reader::with_engines(source, PyEngine::decoders(&engines))),
            seekable,
            name,
        })
    }

    /// Whether `seek` works (the source can seek).
    fn seekable(&self) -> bool {
        self.seekable
    }

    /// Up to `size` bytes of content (all that is left if negative); fewer
    /// only at the end.
    #[pyo3(signature = (size=-1))]
    fn read<'py>(&self, py: Python<'py>, size: i64) -> PyResult<Bound<'py, PyBytes>> {
        let content = py
            .detach(|| {
                let mut reader = lock(&self.reader);
                let mut out = Vec::new();
                match u64::try_from(size) {
                    Ok(size) => reader.by_ref().take(size).read_to_end(&mut out),
                    Err(_) => reader.read_to_end(&mut out),
                }
                .map(|_| out)
            })
            .map_err(|e| self.error(e))?;
        Ok(PyBytes::new(py, &content))
    }

    /// Reads into the writable buffer `buffer` as much as one call of the
    /// decoder gives (at most the rest of one block); 0 at the end.
    fn readinto(&self, py: Python<'_>, buffer: &Bound<'_, PyAny>) -> PyResult<usize> {
        with_bytes_mut(buffer, |bytes| py.detach(|| lock(&self.reader).read(bytes)))?
            .map_err(|e| self.error(e))
    }

    /// Moves to content position `offset` relative to `whence` (0: start,
    /// 1: here, 2: end); returns the new position. The first seek reads
    /// the stream's block index; a read after it decodes only the block
    /// that holds the position.
    #[pyo3(signature = (offset, whence=0))]
    fn seek(&self, py: Python<'_>, offset: i64, whence: i32) -> PyResult<u64> {
        if !self.seekable {
            return Err(PyIOError::new_err(
                "the source of this h4 stream cannot seek",
            ));
        }
        let to =
            match whence {
                0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| {
                    PyValueError::new_err(format!("negative seek position {offset}"))
                })?),
                1 => SeekFrom::Current(offset),
                2 => SeekFrom::End(offset),
                _ => {
                    return Err(PyValueError::new_err(format!(
                        "invalid whence ({whence}, should be 0, 1 or 2)"
                    )));
                }
            };
        py.detach(|| lock(&self.reader).seek(to))
            .map_err(|e| self.error(e))
    }
}

impl Decompressor {
    fn error(&self, error: io::Error) -> PyErr {
        stream_to_py(error, self.name.as_deref())
    }
}

/// A path or a Python file object as a source, whether it seeks, and the
/// name errors give.
fn open_source(
    source: &Bound<'_, PyAny>,
    name: Option<String>,
) -> PyResult<(Source, bool, Option<String>)> {
    if let Ok(path) = source.cast::<PyString>() {
        let path = path.to_str()?.to_string();
        let (source, seekable) = Source::open(&path)?;
        return Ok((source, seekable, name.or(Some(path))));
    }
    let (source, seekable) = Source::python(source)?;
    Ok((source, seekable, name))
}

/// Where every block of the `.h4` stream in `source` (a path, or a seekable
/// binary file object from its current position) lies: one tuple per block,
/// `(frame, block, offset, compressed_bytes, uncompressed_offset,
/// uncompressed_bytes, stored)`.
#[pyfunction]
#[pyo3(signature = (source, name=None))]
#[allow(clippy::type_complexity)]
pub fn block_index(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    name: Option<String>,
) -> PyResult<Vec<(usize, usize, u64, u64, u64, u32, bool)>> {
    let (mut source, seekable, name) = open_source(source, name)?;
    if !seekable {
        return Err(PyIOError::new_err(
            "the block index needs a source that can seek",
        ));
    }
    let index = py
        .detach(|| StreamIndex::read(&mut source))
        .map_err(|e| match e {
            h4::container::ReadError::Io(e) => io_to_py(e),
            e => to_py(e.into(), name.as_deref()),
        })?;
    Ok(index
        .frames
        .iter()
        .enumerate()
        .flat_map(|(f, frame)| {
            frame.blocks.iter().enumerate().map(move |(b, block)| {
                (
                    f,
                    b,
                    block.offset,
                    block.len,
                    block.content_offset,
                    block.raw_len,
                    block.stored,
                )
            })
        })
        .collect())
}

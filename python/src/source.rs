//! Where compressed bytes are read from: a file h4 opened itself, read and
//! sought without the GIL, or any Python binary file object (an open file,
//! `io.BytesIO`, an fsspec file on S3, ...), called with the GIL.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use pyo3::prelude::*;

use crate::buffer::with_bytes;

/// A source of `.h4` bytes.
pub enum Source {
    File(File),
    Python(PythonFile),
}

impl Source {
    /// Opens the file at `path`; an error is the `OSError` Python's `open`
    /// would raise, naming the file.
    pub fn open(path: &str) -> PyResult<(Source, bool)> {
        let file = File::open(path).map_err(|e| os_error(e, path))?;
        let seekable = file.metadata().is_ok_and(|m| m.is_file());
        Ok((Source::File(file), seekable))
    }

    /// Reads from the Python file object `file`, from where it is now: a
    /// seek to content position 0 goes back there, not to the file's start.
    pub fn python(file: &Bound<'_, PyAny>) -> PyResult<(Source, bool)> {
        let seekable = file
            .call_method0("seekable")
            .and_then(|s| s.is_truthy())
            .unwrap_or(false);
        let base = if seekable {
            file.call_method0("tell")?.extract::<u64>()?
        } else {
            0
        };
        Ok((
            Source::Python(PythonFile {
                file: file.clone().unbind(),
                base,
            }),
            seekable,
        ))
    }
}

/// `OSError(errno, strerror, filename)`, which Python turns into the
/// subclass for the errno (`FileNotFoundError`, `PermissionError`, ...).
pub fn os_error(error: io::Error, path: &str) -> PyErr {
    match error.raw_os_error() {
        Some(code) => pyo3::exceptions::PyOSError::new_err((
            code,
            io::Error::from_raw_os_error(code)
                .to_string()
                .split(" (os error")
                .next()
                .unwrap_or_default()
                .to_string(),
            path.to_string(),
        )),
        None => PyErr::from(error),
    }
}

/// A Python binary file object, as `Read + Seek`. Its errors travel inside
/// `io::Error`s and come out as the exceptions it raised.
pub struct PythonFile {
    file: Py<PyAny>,
    /// Where the `.h4` stream starts in the file.
    base: u64,
}

impl Read for PythonFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let chunk = self
                .file
                .bind(py)
                .call_method1("read", (buf.len(),))
                .map_err(io::Error::other)?;
            if chunk.is_none() {
                // A non-blocking file with nothing ready.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            with_bytes(&chunk, |bytes| {
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                n
            })
            .map_err(io::Error::other)
        })
    }
}

impl Seek for PythonFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let (offset, whence): (i128, i32) = match to {
            SeekFrom::Start(n) => (i128::from(self.base) + i128::from(n), 0),
            SeekFrom::Current(d) => (i128::from(d), 1),
            SeekFrom::End(d) => (i128::from(d), 2),
        };
        Python::attach(|py| {
            let at: u64 = self
                .file
                .bind(py)
                .call_method1("seek", (offset, whence))
                .and_then(|p| p.extract())
                .map_err(io::Error::other)?;
            at.checked_sub(self.base).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "seek before the start of the .h4 stream",
                )
            })
        })
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            Source::Python(f) => f.read(buf),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            Source::File(f) => f.seek(to),
            Source::Python(f) => f.seek(to),
        }
    }
}

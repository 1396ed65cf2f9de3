//! Borrowing the memory of Python objects that export the buffer protocol
//! (`bytes`, `bytearray`, `memoryview`, `array`, NumPy arrays, ...) as byte
//! slices, so data is compressed where it lies, without a copy, and the
//! slices can cross into code that runs without the GIL.
//!
//! The binding's one `unsafe` module: every slice is made here.

use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Calls `f` with the bytes of `object`.
///
/// `bytes` are read in place; any other object must export a C-contiguous
/// buffer (of any item type: its bytes are what is compressed).
pub fn with_bytes<R>(object: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(bytes) = object.cast::<PyBytes>() {
        return Ok(f(bytes.as_bytes()));
    }
    let buffer = contiguous_buffer(object)?;
    if buffer.len_bytes() == 0 {
        return Ok(f(&[]));
    }
    // SAFETY: the buffer is C-contiguous, so its `len_bytes()` bytes start at
    // `buf_ptr()` (non-null, as the length is not zero), and it stays
    // exported, so its memory is neither freed nor moved (a bytearray cannot
    // resize while exported), until `buffer` drops after `f` returns. As in
    // every extension that works on buffers without the GIL (zlib,
    // python-zstandard), another thread writing to the object at the same
    // time makes the result meaningless: that is the caller's race.
    let bytes =
        unsafe { std::slice::from_raw_parts(buffer.buf_ptr().cast::<u8>(), buffer.len_bytes()) };
    Ok(f(bytes))
}

/// Calls `f` with the bytes of `object`, which must export a writable
/// C-contiguous buffer (a `bytearray`, a writable `memoryview`, ...).
pub fn with_bytes_mut<R>(object: &Bound<'_, PyAny>, f: impl FnOnce(&mut [u8]) -> R) -> PyResult<R> {
    let buffer = contiguous_buffer(object)?;
    if buffer.readonly() {
        return Err(PyTypeError::new_err(
            "the buffer to read into is read-only (pass a bytearray or a writable memoryview)",
        ));
    }
    if buffer.len_bytes() == 0 {
        return Ok(f(&mut []));
    }
    // SAFETY: as in `with_bytes`, and the exporter says the memory is
    // writable; no other slice of it is made here while this one lives.
    let bytes = unsafe {
        std::slice::from_raw_parts_mut(buffer.buf_ptr().cast::<u8>(), buffer.len_bytes())
    };
    Ok(f(bytes))
}

fn contiguous_buffer(object: &Bound<'_, PyAny>) -> PyResult<PyUntypedBuffer> {
    let buffer = PyUntypedBuffer::get(object).map_err(|_| {
        PyTypeError::new_err(format!(
            "a bytes-like object is required, not '{}'",
            object
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string())
        ))
    })?;
    if !buffer.is_c_contiguous() {
        return Err(PyBufferError::new_err(
            "h4 needs a C-contiguous buffer (copy the array first, e.g. numpy.ascontiguousarray)",
        ));
    }
    Ok(buffer)
}

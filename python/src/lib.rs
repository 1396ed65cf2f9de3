//! `h4._native`: the h4 library for Python. The `h4` package
//! (`python/h4/`) builds its API on these classes and functions; they are
//! not meant to be used directly.
//!
//! Every call that compresses, decompresses or reads releases the GIL, and
//! every object can be shared between threads.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod buffer;
mod engine;
mod errors;
mod source;
mod stream;

use pyo3::prelude::*;

#[pymodule]
mod _native {
    #[pymodule_export]
    use crate::engine::{PyEngine, decompress};
    #[pymodule_export]
    use crate::stream::{Compressor, Decompressor, block_index};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("FORMAT_VERSION", h4::container::FORMAT_VERSION)?;
        m.add("ABI_VERSION", h4::engine::core::ABI_VERSION)?;
        m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
        m.add("MIN_BLOCK_SIZE", h4::container::MIN_BLOCK_SIZE)?;
        m.add("MAX_BLOCK_SIZE", h4::container::MAX_BLOCK_SIZE)?;
        m.add("DEFAULT_BLOCK_SIZE", h4::container::DEFAULT_BLOCK_SIZE)?;
        Ok(())
    }
}

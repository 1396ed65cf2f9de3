//! h4: the HarmonyØ4 compression system as a Rust library.
//!
//! The crate is split the way the data flows:
//!
//! * [`engine`]: the [`engine::Engine`] trait and the built-in
//!   [`engine::Reference`] engine (run-length plus delta coding).
//! * [`container`]: the `.h4` frame format: header, checked blocks, trailer.
//! * [`pipeline`]: block-parallel, order-preserving compression and
//!   decompression of files and streams with bounded memory.
//!
//! The one-call helpers [`compress_to_vec`] and [`decompress_to_vec`] cover
//! the common case of an in-memory buffer.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
mod buffers;
pub mod container;
pub mod corpus;
pub mod engine;
mod error;
mod ordered;
pub mod pipeline;
pub mod source;
mod stream;
mod varint;
pub mod verify;

pub use container::FormatError;
pub use error::{Error, Result};
pub use stream::{Reader, Writer, WriterBuilder};

use engine::Engine;
use pipeline::{CompressOptions, DecompressOptions};

/// Compresses `data` into a complete `.h4` frame with `engine`.
///
/// The result depends only on `data`, the engine and the block size: never on
/// the thread count, the time or the machine.
pub fn compress_to_vec(
    data: &[u8],
    engine: &dyn Engine,
    options: &CompressOptions,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    pipeline::compress(source::Source::from_slice(data), engine, options, &mut out)?;
    Ok(out)
}

/// Decompresses one or more concatenated `.h4` frames held in memory.
///
/// Frames made by the reference engine need nothing else; frames made by a
/// core are decoded with the engines that `options` supplies.
pub fn decompress_to_vec(data: &[u8], options: &DecompressOptions) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(2));
    pipeline::decompress(data, options, &mut out)?;
    Ok(out)
}

/// The Rust examples of the README, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDocExamples;

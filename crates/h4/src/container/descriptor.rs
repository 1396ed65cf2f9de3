//! The frame's engine descriptor: which engine made a frame, as its header
//! records it (a kind byte and a short public name), and the rules a name
//! must follow to be written.
//!
//! It lives with the container because it is part of the format; engines
//! declare their descriptor, the container encodes and checks it.

use std::fmt;

use serde::Serialize;

/// What kind of engine made a frame, as recorded in the frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The built-in, open reference engine.
    Reference,
    /// An external shared library that exports the core C ABI.
    Core,
}

impl EngineKind {
    /// The byte that stands for this kind in a frame header.
    pub fn to_byte(self) -> u8 {
        match self {
            EngineKind::Reference => 0,
            EngineKind::Core => 1,
        }
    }

    /// The kind a frame-header byte stands for, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(EngineKind::Reference),
            1 => Some(EngineKind::Core),
            _ => None,
        }
    }
}

/// The identity of an engine: its kind and a short public name.
///
/// This is what a frame records about the engine that made it. It names
/// software, never a person, a machine, a path or a time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EngineId {
    /// Reference or core.
    pub kind: EngineKind,
    /// Printable ASCII, 1 to [`EngineId::MAX_NAME_LEN`] bytes.
    pub name: String,
}

impl EngineId {
    /// The longest name a frame header can carry.
    pub const MAX_NAME_LEN: usize = 64;

    /// Whether `name` may be written into a frame header: 1 to 64 bytes of
    /// printable ASCII (space to tilde).
    pub fn is_valid_name(name: &[u8]) -> bool {
        !name.is_empty()
            && name.len() <= Self::MAX_NAME_LEN
            && name.iter().all(|b| (0x20..=0x7e).contains(b))
    }
}

impl fmt::Display for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            EngineKind::Reference => f.write_str(&self.name),
            EngineKind::Core => write!(f, "core '{}'", self.name),
        }
    }
}

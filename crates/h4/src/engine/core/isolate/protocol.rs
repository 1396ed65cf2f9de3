//! The messages between h4 and a core helper, on a Unix socket; the bytes
//! of blocks travel in shared memory, not here.
//!
//! ```text
//! hello (helper → h4, once):  "H4CH2" 0x00 name version abi block_size levels into sandbox
//!                          or "H4CH2" 0x01 error
//! request (h4 → helper):      op:u8 in_len:u64 out_offset:u64 limit:u64 shm_len:u64 level:i32
//! reply (helper → h4):        kind:u8 len:u64
//! ```
//!
//! Integers are little-endian; strings are a u32 length and bytes, and an
//! optional value is a presence byte and the value; `levels` is the lowest and
//! highest level as two i32s, and a request's level counts only for op 3
//! (compress at a level). The input is at the
//! start of shared memory and the output at `out_offset`, at most `limit`
//! bytes; `shm_len` tells the helper when h4 has grown the memory.

use std::io::{self, Read};

use crate::engine::core::ffi::{Direction, Identity, Returned};

const MAGIC: &[u8; 5] = b"H4CH2";

/// A call for the helper to make.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub direction: Direction,
    pub in_len: usize,
    pub out_offset: usize,
    pub limit: usize,
    pub shm_len: usize,
}

impl Request {
    pub const LEN: usize = 37;

    pub fn encode(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        let level = match self.direction {
            Direction::Compress => {
                b[0] = 1;
                0
            }
            Direction::Decompress => {
                b[0] = 2;
                0
            }
            Direction::CompressAt(level) => {
                b[0] = 3;
                level
            }
        };
        b[33..].copy_from_slice(&level.to_le_bytes());
        for (i, v) in [self.in_len, self.out_offset, self.limit, self.shm_len]
            .into_iter()
            .enumerate()
        {
            b[1 + 8 * i..9 + 8 * i].copy_from_slice(&(v as u64).to_le_bytes());
        }
        b
    }

    pub fn decode(b: &[u8; Self::LEN]) -> Option<Request> {
        let word = |i: usize| {
            usize::try_from(u64::from_le_bytes(
                b[1 + 8 * i..9 + 8 * i].try_into().unwrap(),
            ))
            .ok()
        };
        Some(Request {
            direction: match b[0] {
                1 => Direction::Compress,
                2 => Direction::Decompress,
                3 => Direction::CompressAt(i32::from_le_bytes(b[33..].try_into().unwrap())),
                _ => return None,
            },
            in_len: word(0)?,
            out_offset: word(1)?,
            limit: word(2)?,
            shm_len: word(3)?,
        })
    }
}

/// What the helper answers.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// What the call returned; a copied buffer is in shared memory.
    Returned(Returned),
    /// The request did not fit the shared memory (a bug in h4).
    BadRequest,
}

impl Reply {
    pub const LEN: usize = 9;

    pub fn encode(&self) -> [u8; Self::LEN] {
        let (kind, len) = match *self {
            Reply::Returned(Returned::Data { len, copied: true }) => (1, len),
            Reply::Returned(Returned::Data { len, copied: false }) => (2, len),
            Reply::Returned(Returned::NullWithLength(len)) => (3, len),
            Reply::Returned(Returned::Null) => (4, 0),
            Reply::Returned(Returned::Empty) => (5, 0),
            Reply::BadRequest => (6, 0),
        };
        let mut b = [0u8; Self::LEN];
        b[0] = kind;
        b[1..].copy_from_slice(&(len as u64).to_le_bytes());
        b
    }

    pub fn decode(b: &[u8; Self::LEN]) -> Option<Reply> {
        let len = usize::try_from(u64::from_le_bytes(b[1..].try_into().unwrap())).ok()?;
        Some(match b[0] {
            1 => Reply::Returned(Returned::Data { len, copied: true }),
            2 => Reply::Returned(Returned::Data { len, copied: false }),
            3 => Reply::Returned(Returned::NullWithLength(len)),
            4 => Reply::Returned(Returned::Null),
            5 => Reply::Returned(Returned::Empty),
            6 => Reply::BadRequest,
            _ => return None,
        })
    }
}

/// What a helper says once it has loaded the core and entered its sandbox.
#[derive(Debug, Default)]
pub struct Hello {
    pub identity: Identity,
    pub has_decompress_into: bool,
    pub sandbox: String,
}

pub fn hello_ok(identity: &Identity, has_decompress_into: bool, sandbox: &str) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.push(0);
    put_opt(&mut b, identity.name.as_deref());
    put_opt(&mut b, identity.version.as_deref());
    put_opt(
        &mut b,
        identity
            .abi_version
            .map(u32::to_le_bytes)
            .as_ref()
            .map(|v| &v[..]),
    );
    put_opt(
        &mut b,
        identity
            .block_size
            .map(u32::to_le_bytes)
            .as_ref()
            .map(|v| &v[..]),
    );
    let levels = identity.levels.map(|(low, high)| {
        let mut v = low.to_le_bytes().to_vec();
        v.extend_from_slice(&high.to_le_bytes());
        v
    });
    put_opt(&mut b, levels.as_deref());
    b.push(u8::from(has_decompress_into));
    put_bytes(&mut b, sandbox.as_bytes());
    b
}

pub fn hello_err(why: &str) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.push(1);
    put_bytes(&mut b, why.as_bytes());
    b
}

/// Reads a hello: the helper's identity, or the reason it could not load
/// the core (`Err(Ok(why))`), or an I/O failure (`Err(Err(_))`).
pub fn read_hello(r: &mut impl Read) -> Result<Hello, Result<String, io::Error>> {
    let mut magic = [0u8; 6];
    r.read_exact(&mut magic).map_err(Err)?;
    if &magic[..5] != MAGIC {
        return Err(Ok("the helper spoke another protocol".to_string()));
    }
    if magic[5] != 0 {
        let why = get_bytes(r).map_err(Err)?;
        return Err(Ok(String::from_utf8_lossy(&why).into_owned()));
    }
    let u32_of = |v: Option<Vec<u8>>| v.and_then(|v| v.try_into().ok()).map(u32::from_le_bytes);
    let name = get_opt(r).map_err(Err)?;
    let version = get_opt(r).map_err(Err)?;
    let abi_version = u32_of(get_opt(r).map_err(Err)?);
    let block_size = u32_of(get_opt(r).map_err(Err)?);
    let levels = get_opt(r).map_err(Err)?.and_then(|v| {
        let v: [u8; 8] = v.try_into().ok()?;
        let (low, high) = v.split_at(4);
        Some((
            i32::from_le_bytes(low.try_into().ok()?),
            i32::from_le_bytes(high.try_into().ok()?),
        ))
    });
    let mut into = [0u8; 1];
    r.read_exact(&mut into).map_err(Err)?;
    let sandbox = get_bytes(r).map_err(Err)?;
    Ok(Hello {
        identity: Identity {
            name,
            version,
            abi_version,
            block_size,
            levels,
        },
        has_decompress_into: into[0] == 1,
        sandbox: String::from_utf8_lossy(&sandbox).into_owned(),
    })
}

fn put_bytes(b: &mut Vec<u8>, v: &[u8]) {
    b.extend_from_slice(&(v.len() as u32).to_le_bytes());
    b.extend_from_slice(v);
}

fn put_opt(b: &mut Vec<u8>, v: Option<&[u8]>) {
    match v {
        Some(v) => {
            b.push(1);
            put_bytes(b, v);
        }
        None => b.push(0),
    }
}

/// The longest string a hello may carry (identity strings are at most
/// 257 bytes; the sandbox report and errors are short).
const MAX_STRING: usize = 4096;

fn get_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_STRING {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "string too long",
        ));
    }
    let mut v = vec![0u8; len];
    r.read_exact(&mut v)?;
    Ok(v)
}

fn get_opt(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut present = [0u8; 1];
    r.read_exact(&mut present)?;
    if present[0] == 0 {
        Ok(None)
    } else {
        get_bytes(r).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let request = Request {
            direction: Direction::Decompress,
            in_len: 5,
            out_offset: 4096,
            limit: 1 << 20,
            shm_len: 3 << 20,
        };
        assert_eq!(Request::decode(&request.encode()), Some(request));
        let at_level = Request {
            direction: Direction::CompressAt(-5),
            in_len: 5,
            out_offset: 4096,
            limit: 1 << 20,
            shm_len: 3 << 20,
        };
        assert_eq!(Request::decode(&at_level.encode()), Some(at_level));
        for reply in [
            Reply::Returned(Returned::Data {
                len: 7,
                copied: true,
            }),
            Reply::Returned(Returned::Data {
                len: 9,
                copied: false,
            }),
            Reply::Returned(Returned::Null),
            Reply::Returned(Returned::Empty),
            Reply::Returned(Returned::NullWithLength(3)),
            Reply::BadRequest,
        ] {
            assert_eq!(Reply::decode(&reply.encode()), Some(reply));
        }
        let identity = Identity {
            name: Some(b"zstd".to_vec()),
            version: None,
            abi_version: Some(1),
            block_size: Some(6 << 20),
            levels: Some((-7, 22)),
        };
        let hello = read_hello(&mut &hello_ok(&identity, true, "sandboxed")[..]).unwrap();
        assert_eq!(hello.identity.name.as_deref(), Some(&b"zstd"[..]));
        assert_eq!(hello.identity.block_size, Some(6 << 20));
        assert_eq!(hello.identity.levels, Some((-7, 22)));
        assert!(hello.has_decompress_into);
        assert_eq!(hello.sandbox, "sandboxed");
        let err = read_hello(&mut &hello_err("missing symbol h4_free")[..]).unwrap_err();
        assert_eq!(err.unwrap(), "missing symbol h4_free");
    }
}

#!/usr/bin/env python3
"""Independent reference implementation of the .h4 format, version 1.

Written from docs/FORMAT.md alone (no Rust source was consulted), as an
auditable second implementation:

- encode_payload / decode_payload: the reference engine payload (section 2),
- compress_frame: one container frame with the reference engine (section 1),
- decompress_stream: decodes a stream of frames, validating every check the
  document describes; raises ValueError on any error.

Usage:  h4_reference.py compress BLOCK_SIZE < in > out
        h4_reference.py decompress < in > out
BLOCK_SIZE is a byte count, optionally with a K or M suffix (e.g. 4096, 1M).
"""
import struct
import sys

import xxhash

MAGIC = b"\x48\x34\xd8\x04"
VERSION = 1
MIN_BLOCK, MAX_BLOCK = 1024, 64 * 1024 * 1024
ENGINE_NAME = b"reference"
U64_MAX = 2**64 - 1


def xxh3(data, seed=0):
    return xxhash.xxh3_64_intdigest(data, seed=seed)


def low32(v):
    return v & 0xFFFFFFFF


# --- 2.1 varint --------------------------------------------------------------

def put_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def get_varint(buf, pos):
    """Return (value, new_pos)."""
    value = 0
    for i in range(10):
        if pos + i >= len(buf):
            raise ValueError("varint runs past the end")
        b = buf[pos + i]
        value |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            if i > 0 and b == 0:
                raise ValueError("overlong varint")
            if value > U64_MAX:
                raise ValueError("varint above 2^64-1")
            return value, pos + i + 1
    raise ValueError("varint longer than 10 bytes")


# --- 2.2 RLE tokens ------------------------------------------------------------

def _token(literals, run_len, run_byte):
    L = len(literals)
    t_lit, lit_extra = (L, b"") if L < 15 else (15, put_varint(L - 15))
    if run_len == 0:
        t_run, run_extra = 0, b""
    elif run_len <= 17:
        t_run, run_extra = run_len - 3, bytes([run_byte])
    else:
        t_run, run_extra = 15, put_varint(run_len - 18) + bytes([run_byte])
    return bytes([(t_lit << 4) | t_run]) + lit_extra + literals + run_extra


def rle_encode(x):
    out = bytearray()
    n = len(x)
    start = 0  # end of the previous run
    j = 0
    while j + 3 < n:
        c = x[j]
        if x[j + 1] == c and x[j + 2] == c and x[j + 3] == c:
            k = j + 4
            while k < n and x[k] == c:
                k += 1
            out += _token(x[start:j], k - j, c)
            start = j = k
        else:
            j += 1
    if start < n:
        out += _token(x[start:], 0, 0)
    return bytes(out)


def rle_decode(body, n):
    out = bytearray()
    pos = 0
    while pos < len(body):
        t = body[pos]
        pos += 1
        L, R = t >> 4, t & 15
        if L == 15:
            extra, pos = get_varint(body, pos)
            L = 15 + extra
        if pos + L > len(body):
            raise ValueError("literals run past the end of the payload")
        if len(out) + L > n:
            raise ValueError("tokens decode to more than the raw length")
        out += body[pos:pos + L]
        pos += L
        if R:
            if R == 15:
                extra, pos = get_varint(body, pos)
                run = 18 + extra
            else:
                run = R + 3
            if pos >= len(body):
                raise ValueError("run byte missing")
            if len(out) + run > n:
                raise ValueError("tokens decode to more than the raw length")
            out += bytes([body[pos]]) * run
            pos += 1
    if len(out) != n:
        raise ValueError("tokens decode to fewer bytes than the raw length")
    return bytes(out)


# --- 2.3 delta -----------------------------------------------------------------

def delta(x, s):
    return bytes(x[:s]) + bytes((x[i] - x[i - s]) & 0xFF for i in range(s, len(x)))


def undelta(d, s):
    x = bytearray(d)
    for i in range(s, len(x)):
        x[i] = (x[i] + x[i - s]) & 0xFF
    return bytes(x)


STRIDE = {2: 1, 3: 2, 4: 3, 5: 4}  # mode -> delta stride


def body_for(x, mode):
    return rle_encode(x if mode == 1 else delta(x, STRIDE[mode]))


# --- 2.4 mode choice and the payload ------------------------------------------

def sample_windows(x):
    n = len(x)
    if n <= 32768:
        return [x]
    return [x[k * (n - 4096) // 7:][:4096] for k in range(8)]


def encode_payload(data):
    data = bytes(data)
    n = len(data)
    windows = sample_windows(data)
    sample_len = sum(len(w) for w in windows)
    best_mode, best_total = 0, None
    for mode in range(1, 6):
        total = sum(len(body_for(w, mode)) for w in windows)
        if best_total is None or total < best_total:
            best_mode, best_total = mode, total
    if best_total >= sample_len:
        return bytes([0]) + put_varint(n) + data
    body = body_for(data, best_mode)
    if len(body) >= n:
        return bytes([0]) + put_varint(n) + data
    return bytes([best_mode]) + put_varint(n) + body


def decode_payload(payload, limit):
    if not payload:
        raise ValueError("empty payload")
    mode = payload[0]
    if mode > 5:
        raise ValueError("unknown mode %d" % mode)
    n, pos = get_varint(payload, 1)
    if n > limit:
        raise ValueError("raw length exceeds the expected length")
    body = payload[pos:]
    if mode == 0:
        if len(body) != n:
            raise ValueError("stored body length is not the raw length")
        return bytes(body)
    d = rle_decode(body, n)
    return d if mode == 1 else undelta(d, STRIDE[mode])


# --- 1. container ----------------------------------------------------------------

def frame_header(block_size):
    h = MAGIC + bytes([VERSION]) + struct.pack("<I", block_size) + bytes([0, len(ENGINE_NAME)]) + ENGINE_NAME
    return h + struct.pack("<I", low32(xxh3(h)))


def compress_frame(data, block_size=1048576):
    if not MIN_BLOCK <= block_size <= MAX_BLOCK:
        raise ValueError("block size out of range")
    data = bytes(data)
    out = bytearray(frame_header(block_size))
    digests = bytearray()
    count = 0
    for off in range(0, len(data), block_size):
        raw = data[off:off + block_size]
        payload = encode_payload(raw)
        if len(payload) >= len(raw):
            payload = raw  # stored block
        lengths = struct.pack("<II", len(raw), len(payload))
        seed = struct.unpack("<Q", lengths)[0]
        out += lengths + struct.pack("<II", low32(xxh3(payload, seed)), low32(xxh3(raw)))
        out += payload
        digests += struct.pack("<Q", xxh3(raw))
        count += 1
    trailer = struct.pack("<IQQQ", 0, count, len(data), xxh3(bytes(digests)))
    out += trailer + struct.pack("<I", low32(xxh3(trailer)))
    return bytes(out)


def _take(buf, pos, size, what):
    if pos + size > len(buf):
        raise ValueError("truncated " + what)
    return buf[pos:pos + size], pos + size


def _decode_frame(buf, pos, out):
    start = pos
    fixed, pos = _take(buf, pos, 11, "frame header")
    if fixed[:4] != MAGIC:
        raise ValueError("bad magic")
    if fixed[4] != VERSION:
        raise ValueError("unsupported version %d" % fixed[4])
    block_size = struct.unpack("<I", fixed[5:9])[0]
    kind, name_len = fixed[9], fixed[10]
    name, pos = _take(buf, pos, name_len, "frame header")
    check, pos = _take(buf, pos, 4, "frame header")
    if struct.unpack("<I", check)[0] != low32(xxh3(buf[start:start + 11 + name_len])):
        raise ValueError("header check mismatch")
    if not MIN_BLOCK <= block_size <= MAX_BLOCK:
        raise ValueError("block size out of range")
    if kind not in (0, 1):
        raise ValueError("unknown engine kind %d" % kind)
    if not 1 <= name_len <= 64 or any(not 0x20 <= b <= 0x7E for b in name):
        raise ValueError("bad engine name")
    # The name picks the payload format; only the reference is built in here.
    if name != b"reference":
        raise ValueError("engine %r is not available" % name.decode())

    digests = bytearray()
    count = total = 0
    partial_seen = False
    while True:
        r_bytes, pos = _take(buf, pos, 4, "block header")
        r = struct.unpack("<I", r_bytes)[0]
        if r == 0:
            break
        rest, pos = _take(buf, pos, 12, "block header")
        p, pcheck, rcheck = struct.unpack("<III", rest)
        if r > block_size:
            raise ValueError("block %d: raw length exceeds the block size" % count)
        if p > r or p == 0:
            raise ValueError("block %d: bad payload length" % count)
        if partial_seen:
            raise ValueError("block %d follows a partial block" % count)
        payload, pos = _take(buf, pos, p, "block payload")
        seed = struct.unpack("<Q", r_bytes + rest[:4])[0]
        if low32(xxh3(payload, seed)) != pcheck:
            raise ValueError("block %d: payload check mismatch" % count)
        if p == r:
            raw = payload
        else:
            raw = decode_payload(payload, r)
        if len(raw) != r:
            raise ValueError("block %d: decoded length is not the raw length" % count)
        if low32(xxh3(raw)) != rcheck:
            raise ValueError("block %d: raw check mismatch" % count)
        out += raw
        digests += struct.pack("<Q", xxh3(raw))
        count += 1
        total += r
        partial_seen = r < block_size

    rest, pos = _take(buf, pos, 28, "trailer")
    trailer = r_bytes + rest
    n_blocks, length, content_check, tcheck = struct.unpack("<QQQI", rest)
    if low32(xxh3(trailer[:28])) != tcheck:
        raise ValueError("trailer check mismatch")
    if n_blocks != count:
        raise ValueError("block count mismatch")
    if length != total:
        raise ValueError("content length mismatch")
    if content_check != xxh3(bytes(digests)):
        raise ValueError("content check mismatch")
    return pos


def decompress_stream(data):
    data = bytes(data)
    if not data:
        raise ValueError("empty input is not a valid stream")
    out = bytearray()
    pos = 0
    while True:
        pos = _decode_frame(data, pos, out)
        if pos == len(data):
            return bytes(out)
        if data[pos:pos + 4] != MAGIC:
            raise ValueError("unexpected data after the last frame")


def parse_size(text):
    mult = {"K": 1024, "M": 1024 * 1024}.get(text[-1:].upper(), 1)
    return int(text[:-1] if mult > 1 else text) * mult


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if len(argv) == 2 and argv[0] == "compress":
            sys.stdout.buffer.write(compress_frame(sys.stdin.buffer.read(), parse_size(argv[1])))
        elif len(argv) == 1 and argv[0] == "decompress":
            sys.stdout.buffer.write(decompress_stream(sys.stdin.buffer.read()))
        else:
            sys.stderr.write(__doc__.split("Usage:")[1])
            return 2
    except ValueError as e:
        sys.stderr.write("h4_reference: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

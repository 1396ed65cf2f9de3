#!/usr/bin/env python3
"""Independent reference implementation of the .h4 format.

Written from docs/FORMAT.md alone (no Rust source was consulted), as an
auditable second implementation:

- encode_payload / decode_payload: the reference engine payload (section 2),
- compress_frame: one container frame with the reference engine, in
  container format 1 (section 1) or 2 (section 3),
- decompress_stream: decodes a stream of frames of either format, validating
  every check the document describes; raises ValueError on any error,
- read_range: content bytes [start, end) of a stream, found through the
  block indexes of format 2 frames read from the end (section 3.5).

Usage:  h4_reference.py compress BLOCK_SIZE [FORMAT] < in > out
        h4_reference.py decompress < in > out
        h4_reference.py range START END < in > out
BLOCK_SIZE is a byte count, optionally with a K or M suffix (e.g. 4096, 1M);
FORMAT is 1 or 2 (the default).
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


def compress_frame(data, block_size=1048576, fmt=2):
    if fmt == 2:
        return compress_frame2(data, block_size)
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
    fixed, pos = _take(buf, pos, 5, "frame header")
    if fixed[:4] != MAGIC:
        raise ValueError("bad magic")
    if fixed[4] == 2:
        return _decode_frame2(buf, start, out)
    if fixed[4] != VERSION:
        raise ValueError("unsupported version %d" % fixed[4])
    pos = start
    fixed, pos = _take(buf, pos, 11, "frame header")
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


# --- 3. container format 2 ------------------------------------------------------

SINGLE_BLOCK, CORE_MADE, NAMED = 1, 2, 4
STORED, SIZED = 1, 2


def put_reversed_varint(v):
    return put_varint(v)[::-1]


def get_reversed_varint(buf, end):
    """Return (value, start) of the reversed varint that ends at end."""
    forward = bytearray()
    at = end
    while True:
        if at == 0 or len(forward) == 10:
            raise ValueError("footer size runs past the start")
        at -= 1
        forward.append(buf[at])
        if not buf[at] & 0x80:
            break
    value, used = get_varint(bytes(forward), 0)
    return value, at


def header2(block_size, single):
    h = MAGIC + bytes([2, SINGLE_BLOCK if single else 0])
    if not single:
        h += put_varint(block_size)
    return h + struct.pack("<I", low32(xxh3(h)))


def block_seed(header_check, k):
    return (header_check << 32) | (k & 0xFFFFFFFF)


def token_fields(payload_len, raw_len, stored, sized):
    fields = put_varint((payload_len << 2) | (STORED if stored else 0) | (SIZED if sized else 0))
    if sized and not stored:
        fields += put_varint(raw_len)
    return fields


def compress_frame2(data, block_size=1048576):
    if not MIN_BLOCK <= block_size <= MAX_BLOCK:
        raise ValueError("block size out of range")
    data = bytes(data)
    single = len(data) <= block_size
    header = header2(block_size, single)
    hcheck = struct.unpack("<I", header[-4:])[0]
    out = bytearray(header)
    index = bytearray()
    for k, off in enumerate(range(0, len(data), block_size)):
        raw = data[off:off + block_size]
        payload = encode_payload(raw)
        stored = len(payload) >= len(raw)
        if stored:
            payload = raw
        sized = single or len(raw) != block_size
        fields = token_fields(len(payload), len(raw), stored, sized)
        seed = block_seed(hcheck, k)
        out += fields + struct.pack("<I", low32(xxh3(payload, xxh3(fields, seed))))
        if not stored:
            out += struct.pack("<I", low32(xxh3(raw, seed)))
        out += payload
        index += fields
    footer = bytes([0]) + put_varint(len(header)) + bytes(index)
    footer += struct.pack("<I", low32(xxh3(footer, hcheck)))
    out += footer + put_reversed_varint(len(footer))
    return bytes(out)


def _parse_header2(buf, pos):
    """Return (block_size or None, name, header_check, header_len)."""
    start = pos
    fixed, pos = _take(buf, pos, 6, "frame header")
    desc = fixed[5]
    if desc & ~(SINGLE_BLOCK | CORE_MADE | NAMED):
        raise ValueError("reserved descriptor bits are set")
    block_size = None
    if not desc & SINGLE_BLOCK:
        block_size, pos = get_varint(buf, pos)
    name = b"reference"
    if desc & NAMED:
        n, pos = _take(buf, pos, 1, "frame header")
        name, pos = _take(buf, pos, n[0], "frame header")
    check, pos = _take(buf, pos, 4, "frame header")
    hcheck = struct.unpack("<I", check)[0]
    if hcheck != low32(xxh3(buf[start:pos - 4])):
        raise ValueError("header check mismatch")
    if block_size is not None and not MIN_BLOCK <= block_size <= MAX_BLOCK:
        raise ValueError("block size out of range")
    if desc & NAMED:
        if not 1 <= len(name) <= 64 or any(not 0x20 <= b <= 0x7E for b in name):
            raise ValueError("bad engine name")
        if name == b"reference":
            raise ValueError("the reference engine must not be named")
    return block_size, name, hcheck, pos - start


def _shape(token, raw_len, block_size, k):
    """Check a block's token (and raw length) against its frame; return
    (payload_len, raw_len, stored, sized)."""
    p, stored, sized = token >> 2, bool(token & STORED), bool(token & SIZED)
    limit = block_size if block_size is not None else MAX_BLOCK
    if p == 0:
        raise ValueError("block %d: empty payload" % k)
    if p > limit:
        raise ValueError("block %d: payload longer than the block size" % k)
    if block_size is None and not sized:
        raise ValueError("block %d: a single-block frame's block gives no length" % k)
    if not sized:
        r = limit
    elif stored:
        r = p
    else:
        r = raw_len
    if r > limit:
        raise ValueError("block %d: raw length exceeds the block size" % k)
    if sized and r == block_size:
        raise ValueError("block %d: a full block gives its length" % k)
    if not stored and p >= r:
        raise ValueError("block %d: coded payload not smaller than its raw length" % k)
    return p, r, stored, sized


def _decode_frame2(buf, pos, out):
    start = pos
    block_size, name, hcheck, hlen = _parse_header2(buf, pos)
    if name != b"reference":
        raise ValueError("engine %r is not available" % name.decode())
    pos = start + hlen
    index = bytearray()
    k = 0
    last_sized = False
    while True:
        tpos = pos
        token, pos = get_varint(buf, pos)
        if token == 0:
            break
        if last_sized:
            raise ValueError("block %d follows a partial block" % k)
        if block_size is None and k > 0:
            raise ValueError("second block in a single-block frame")
        raw_len = None
        if token & SIZED and not token & STORED:
            raw_len, pos = get_varint(buf, pos)
        p, r, stored, sized = _shape(token, raw_len, block_size, k)
        fields = buf[tpos:pos]
        seed = block_seed(hcheck, k)
        pcheck, pos = _take(buf, pos, 4, "block header")
        rcheck = None
        if not stored:
            rcheck, pos = _take(buf, pos, 4, "block header")
        payload, pos = _take(buf, pos, p, "block payload")
        if low32(xxh3(payload, xxh3(fields, seed))) != struct.unpack("<I", pcheck)[0]:
            raise ValueError("block %d: payload check mismatch" % k)
        raw = payload if stored else decode_payload(payload, r)
        if len(raw) != r:
            raise ValueError("block %d: decoded length is not the raw length" % k)
        if rcheck is not None and low32(xxh3(raw, seed)) != struct.unpack("<I", rcheck)[0]:
            raise ValueError("block %d: raw check mismatch" % k)
        out += raw
        index += fields
        last_sized = sized
        k += 1
    fstart = pos - 1
    size, pos = get_varint(buf, pos)
    if size != hlen:
        raise ValueError("footer: header size mismatch")
    got, pos = _take(buf, pos, len(index), "footer")
    if got != bytes(index):
        raise ValueError("footer: block index mismatch")
    check, pos = _take(buf, pos, 4, "footer")
    if struct.unpack("<I", check)[0] != low32(xxh3(buf[fstart:pos - 4], hcheck)):
        raise ValueError("footer check mismatch")
    want = put_reversed_varint(pos - fstart)
    got, pos = _take(buf, pos, len(want), "footer")
    if got != want:
        raise ValueError("footer size mismatch")
    return pos


def frame_index(buf, end):
    """The index of the format 2 frame that ends at end, read from its
    footer: (frame start, [(offset, block bytes, raw offset, raw len,
    stored, fields)]) with raw offsets relative to the frame. Raises
    ValueError when the frame has no valid footer."""
    size, size_start = get_reversed_varint(buf, end)
    fstart = size_start - size
    if fstart < 0 or size < 6 or buf[fstart] != 0:
        raise ValueError("no footer")
    body = buf[fstart:size_start - 4]
    hlen, pos = get_varint(body, 1)
    entries = []
    while pos < len(body):
        tpos = pos
        token, pos = get_varint(body, pos)
        raw_len = None
        if token & SIZED and not token & STORED:
            raw_len, pos = get_varint(body, pos)
        entries.append((token, raw_len, bytes(body[tpos:pos])))
    blocks_len = sum(len(f) + (4 if t & STORED else 8) + (t >> 2) for t, _, f in entries)
    start = fstart - blocks_len - hlen
    if start < 0:
        raise ValueError("frame runs past the start")
    if buf[start:start + 5] != MAGIC + bytes([2]):
        raise ValueError("no format 2 header where the footer says")
    block_size, name, hcheck, real_hlen = _parse_header2(buf, start)
    if real_hlen != hlen:
        raise ValueError("header size mismatch")
    if struct.unpack("<I", buf[size_start - 4:size_start])[0] != low32(xxh3(bytes(buf[fstart:size_start - 4]), hcheck)):
        raise ValueError("footer check mismatch")
    blocks = []
    offset, raw_off = start + hlen, 0
    for k, (token, raw_len, fields) in enumerate(entries):
        p, r, stored, sized = _shape(token, raw_len, block_size, k)
        length = len(fields) + (4 if stored else 8) + p
        blocks.append((offset, length, raw_off, r, stored))
        offset += length
        raw_off += r
    if offset != fstart:
        raise ValueError("index does not reach the footer")
    return start, blocks, hcheck


def read_range(buf, first, last):
    """Content bytes [first, last) of a stream of format 2 frames, decoding
    only the blocks that overlap, found from the end of the stream."""
    buf = bytes(buf)
    frames = []
    end = len(buf)
    while end > 0:
        start, blocks, hcheck = frame_index(buf, end)
        frames.append((start, blocks, hcheck))
        end = start
    frames.reverse()
    out = bytearray()
    base = 0
    for start, blocks, hcheck in frames:
        for k, (offset, length, raw_off, r, stored) in enumerate(blocks):
            lo, hi = base + raw_off, base + raw_off + r
            if hi <= first or lo >= last:
                continue
            one = bytearray()
            # A block read alone is checked exactly as in a sequential read.
            token, pos = get_varint(buf, offset)
            raw_len = None
            if token & SIZED and not token & STORED:
                raw_len, pos = get_varint(buf, pos)
            fields = buf[offset:pos]
            seed = block_seed(hcheck, k)
            pcheck = struct.unpack("<I", buf[pos:pos + 4])[0]
            pos += 4
            rcheck = None
            if not stored:
                rcheck = struct.unpack("<I", buf[pos:pos + 4])[0]
                pos += 4
            payload = buf[pos:offset + length]
            if low32(xxh3(payload, xxh3(fields, seed))) != pcheck:
                raise ValueError("block %d: payload check mismatch" % k)
            one = payload if stored else decode_payload(payload, r)
            if rcheck is not None and low32(xxh3(one, seed)) != rcheck:
                raise ValueError("block %d: raw check mismatch" % k)
            out += one[max(first - lo, 0):min(last, hi) - lo]
        base += sum(b[3] for b in blocks)
    return bytes(out)


def parse_size(text):
    mult = {"K": 1024, "M": 1024 * 1024}.get(text[-1:].upper(), 1)
    return int(text[:-1] if mult > 1 else text) * mult


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if len(argv) in (2, 3) and argv[0] == "compress":
            fmt = int(argv[2]) if len(argv) == 3 else 2
            sys.stdout.buffer.write(compress_frame(sys.stdin.buffer.read(), parse_size(argv[1]), fmt))
        elif len(argv) == 3 and argv[0] == "range":
            sys.stdout.buffer.write(read_range(sys.stdin.buffer.read(), int(argv[1]), int(argv[2])))
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

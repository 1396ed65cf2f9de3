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
import math
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


# --- 2.5 bit streams -------------------------------------------------------------

class BitWriter:
    """Least significant bit first; the last byte padded with zeros."""

    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, bits):
        self.acc |= value << self.n
        self.n += bits
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def finish(self):
        if self.n:
            self.out.append(self.acc & 0xFF)
        return bytes(self.out)


class BitReader:
    """Reads zeros past the end; finish() checks the stream ended in its last byte."""

    def __init__(self, data):
        self.data = data
        self.pos = 0  # in bits

    def peek(self, bits):
        p = self.pos
        chunk = self.data[p >> 3:(p >> 3) + 8]
        return (int.from_bytes(chunk, "little") >> (p & 7)) & ((1 << bits) - 1)

    def get(self, bits):
        v = self.peek(bits) if bits else 0
        self.pos += bits
        return v

    def finish(self):
        return (self.pos + 7) // 8 == len(self.data)


# --- 2.6 Huffman codes -----------------------------------------------------------

MAX_BITS = 11


def code_lengths(freq):
    lens = [0] * len(freq)
    used = [s for s in range(len(freq)) if freq[s]]
    if not used:
        return lens
    if len(used) == 1:
        lens[used[0]] = 1
        return lens
    counts = list(freq)
    while True:
        leaves = sorted((counts[s], s) for s in used)
        n = len(leaves)
        weight = [w for w, _ in leaves]
        parent = [0] * (2 * n - 1)
        nl, nn = 0, n
        for _ in range(n - 1):
            pair = []
            for _ in range(2):
                if nl < n and (nn >= len(weight) or weight[nl] <= weight[nn]):
                    pair.append(nl)
                    nl += 1
                else:
                    pair.append(nn)
                    nn += 1
            parent[pair[0]] = parent[pair[1]] = len(weight)
            weight.append(weight[pair[0]] + weight[pair[1]])
        depth = [0] * (2 * n - 1)
        for node in range(2 * n - 3, -1, -1):
            depth[node] = depth[parent[node]] + 1
        for i, (_, s) in enumerate(leaves):
            lens[s] = depth[i]
        if max(lens) <= MAX_BITS:
            return lens
        for s in used:
            counts[s] = (counts[s] + 1) // 2


def canonical_codes(lens):
    """Codes bit-reversed, ready to be written least significant bit first."""
    count = [0] * (MAX_BITS + 1)
    for l in lens:
        if l:
            count[l] += 1
    nxt = [0] * (MAX_BITS + 2)
    code = 0
    for bits in range(1, MAX_BITS + 1):
        code = (code + count[bits - 1]) << 1
        nxt[bits] = code
    out = []
    for l in lens:
        if not l:
            out.append(0)
            continue
        c = nxt[l]
        nxt[l] += 1
        out.append(int(format(c, "0%db" % l)[::-1], 2))
    return out


def write_table(lens):
    count = max(i + 1 for i, l in enumerate(lens) if l)
    out = bytearray(put_varint(count))
    for i in range(0, count, 2):
        hi = lens[i + 1] if i + 1 < count else 0
        out.append(lens[i] | (hi << 4))
    return bytes(out)


def read_table(body, pos, alphabet):
    count, pos = get_varint(body, pos)
    if count == 0 or count > alphabet:
        raise ValueError("bad Huffman table")
    nbytes = (count + 1) // 2
    if pos + nbytes > len(body):
        raise ValueError("Huffman table runs past the end")
    lens = [0] * alphabet
    for s in range(count):
        lens[s] = (body[pos + s // 2] >> (4 * (s % 2))) & 15
    return lens, pos + nbytes


def huffman_decoder(lens):
    """A dict from (length, reversed code) to symbol, after validating the lengths."""
    used = [s for s in range(len(lens)) if lens[s]]
    if any(l > MAX_BITS for l in lens):
        raise ValueError("bad Huffman table")
    if len(used) == 1:
        if lens[used[0]] != 1:
            raise ValueError("bad Huffman table")
        return {(1, 0): used[0], (1, 1): used[0]}
    if sum(1 << (MAX_BITS - lens[s]) for s in used) != 1 << MAX_BITS:
        raise ValueError("bad Huffman table")
    codes = canonical_codes(lens)
    return {(lens[s], codes[s]): s for s in used}


def huffman_decode(reader, table):
    for l in range(1, MAX_BITS + 1):
        s = table.get((l, reader.peek(l)))
        if s is not None:
            reader.pos += l
            return s
    raise AssertionError("complete code")


# --- 2.7 LZ bodies (modes 6 to 10) -------------------------------------------------

MIN_MATCH = 4
LEN_CODES, OFF_CODES, STREAMS = 44, 33, 4
HASH_PRIME = 0x9E3779B185EBCA87
M64 = (1 << 64) - 1
TRIAL_HASH_BITS = 12
# level -> (hash bits, hash length, skip)
LEVELS = {1: (13, 5, 4), 2: (14, 5, 5), 3: (14, 5, 6), 4: (15, 5, 6), 5: (16, 5, 6),
          6: (16, 5, 7), 7: (17, 5, 8), 8: (17, 5, 10), 9: (18, 5, 12)}
DEFAULT_LEVEL = 2


def common(x, a, b):
    n = len(x)
    i = 0
    while b + i + 32 <= n and x[a + i:a + i + 32] == x[b + i:b + i + 32]:
        i += 32
    while b + i < n and x[a + i] == x[b + i]:
        i += 1
    return i


def lz_parse(x, hash_bits, hash_len, skip):
    """Returns (sequences as (literal length, match length, offset), literals)."""
    n = len(x)
    table = [0] * (1 << hash_bits)
    keep, shift = 64 - 8 * hash_len, 64 - hash_bits
    seqs, lits = [], bytearray()
    anchor = pos = misses = rep = 0
    frombytes = int.from_bytes

    def hash_at(p):
        return ((((frombytes(x[p:p + 8], "little") << keep) & M64) * HASH_PRIME) & M64) >> shift

    while pos + 8 <= n:
        h = hash_at(pos)
        cand = table[h]
        table[h] = pos
        cur = x[pos:pos + 4]
        rep_len = cand_len = 0
        if rep and pos >= rep and x[pos - rep:pos - rep + 4] == cur:
            rep_len = MIN_MATCH + common(x, pos - rep + MIN_MATCH, pos + MIN_MATCH)
        if cand < pos and x[cand:cand + 4] == cur:
            cand_len = MIN_MATCH + common(x, cand + MIN_MATCH, pos + MIN_MATCH)
        if rep_len >= cand_len:
            src, length = pos - rep, rep_len
        else:
            src, length = cand, cand_len
        if length == 0:
            pos += 1 + (misses >> skip)
            misses += 1
            continue
        at = pos
        while at > anchor and src > 0 and x[at - 1] == x[src - 1]:
            at -= 1
            src -= 1
            length += 1
        lits += x[anchor:at]
        rep = at - src
        seqs.append((at - anchor, length, rep))
        pos = anchor = at + length
        misses = 0
        if pos + 6 <= n:
            table[hash_at(pos - 2)] = pos - 2
    lits += x[anchor:]
    return seqs, bytes(lits)


def len_code(v):
    if v < 16:
        return v, 0, 0
    k = v.bit_length() - 1
    return 12 + k, k, v - (1 << k)


def off_code(o):
    k = o.bit_length() - 1
    return 1 + k, k, o - (1 << k)


def encode_literals(lits):
    freq = [0] * 256
    for b in lits:
        freq[b] += 1
    lens = code_lengths(freq)
    codes = canonical_codes(lens)
    q = -(-len(lits) // STREAMS)
    streams = []
    for i in range(STREAMS):
        w = BitWriter()
        for b in lits[i * q:(i + 1) * q]:
            w.put(codes[b], lens[b])
        streams.append(w.finish())
    coded = bytes([1]) + write_table(lens) + b"".join(put_varint(len(s)) for s in streams) + b"".join(streams)
    if len(coded) < 1 + len(lits):
        return coded
    return bytes([0]) + lits


def encode_sequences(seqs):
    symbols = []
    prev = 0
    for ll, ml, off in seqs:
        oc = (0, 0, 0) if off == prev else off_code(off)
        prev = off
        symbols.append((len_code(ll), len_code(ml - MIN_MATCH), oc))
    tables = []
    for which, size in ((0, LEN_CODES), (1, LEN_CODES), (2, OFF_CODES)):
        freq = [0] * size
        for sym in symbols:
            freq[sym[which][0]] += 1
        lens = code_lengths(freq)
        tables.append((lens, canonical_codes(lens)))
    out = bytearray(b"".join(write_table(lens) for lens, _ in tables))
    w = BitWriter()
    for sym in symbols:
        for which in range(3):
            lens, codes = tables[which]
            w.put(codes[sym[which][0]], lens[sym[which][0]])
        for which in range(3):
            w.put(sym[which][2], sym[which][1])
    return bytes(out) + w.finish()


def lz_encode(x, params, parsed=None, raw_literals=False):
    """The LZ body of `x`; `params` None codes every byte as a literal.
    `parsed` is lz_parse's result if it was already made; with
    `raw_literals` the literal section is raw whatever Huffman would save."""
    if parsed is None:
        parsed = lz_parse(x, *params) if params is not None else ([], x)
    seqs, lits = parsed
    out = put_varint(len(lits)) + put_varint(len(seqs))
    if lits:
        out += bytes([0]) + bytes(lits) if raw_literals else encode_literals(lits)
    if seqs:
        out += encode_sequences(seqs)
    return out


def lz_decode(body, n):
    n_lit, pos = get_varint(body, 0)
    n_seq, pos = get_varint(body, pos)
    if n_lit > n:
        raise ValueError("more literals than the raw length")
    if n_seq > n // MIN_MATCH:
        raise ValueError("more sequences than the raw length allows")
    lits = b""
    if n_lit:
        if pos >= len(body):
            raise ValueError("literal section missing")
        kind = body[pos]
        pos += 1
        if kind == 0:
            if pos + n_lit > len(body):
                raise ValueError("literals run past the end")
            lits = body[pos:pos + n_lit]
            pos += n_lit
        elif kind == 1:
            lens, pos = read_table(body, pos, 256)
            table = huffman_decoder(lens)
            sizes = []
            for _ in range(STREAMS):
                v, pos = get_varint(body, pos)
                sizes.append(v)
            q = -(-n_lit // STREAMS)
            out = bytearray()
            for i, size in enumerate(sizes):
                if size > len(body) - pos:
                    raise ValueError("literal stream runs past the end")
                r = BitReader(body[pos:pos + size])
                pos += size
                for _ in range(max(0, min(n_lit, (i + 1) * q) - i * q)):
                    out.append(huffman_decode(r, table))
                if not r.finish():
                    raise ValueError("literal stream length is wrong")
            lits = bytes(out)
        else:
            raise ValueError("unknown literal section kind")
    if n_seq == 0:
        if pos != len(body):
            raise ValueError("data after the literals")
        if n_lit != n:
            raise ValueError("literals differ from the raw length")
        return lits
    tables = []
    for size in (LEN_CODES, LEN_CODES, OFF_CODES):
        lens, pos = read_table(body, pos, size)
        tables.append(huffman_decoder(lens))
    r = BitReader(body[pos:])
    out = bytearray()
    lp = prev = 0
    for _ in range(n_seq):
        lc, mc, oc = (huffman_decode(r, t) for t in tables)
        ll = lc if lc < 16 else (1 << (lc - 12)) + r.get(lc - 12)
        ml = (mc if mc < 16 else (1 << (mc - 12)) + r.get(mc - 12)) + MIN_MATCH
        off = prev if oc == 0 else (1 << (oc - 1)) + r.get(oc - 1)
        prev = off
        if ll > n_lit - lp:
            raise ValueError("sequences use more literals than there are")
        if ll + ml > n - len(out):
            raise ValueError("sequences decode past the raw length")
        out += lits[lp:lp + ll]
        lp += ll
        if off == 0 or off > len(out):
            raise ValueError("match offset before the block start")
        start = len(out) - off
        for i in range(ml):
            out.append(out[start + i])
    if not r.finish():
        raise ValueError("sequence stream length is wrong")
    if n_lit - lp != n - len(out):
        raise ValueError("literals left over differ from the raw length")
    out += lits[lp:]
    return bytes(out)


# --- 2.8 PCM bodies (modes 11 to 13), 2.10 striped (modes 14 to 16) -------------

SUBBLOCK, PARTITION, ESCAPE, RAW_BITS, MAX_K, ZERO_PARTITION = 4096, 256, 24, 24, 20, 31
LPC, LPC_ORDER, COEF_BITS, HISTORY = 5, 8, 14, 8
WASTED, WASTED_BITS, MAX_WASTED = 6, 4, 15
MODE_SIGNALS = {0: (0, 1), 1: (0, 2), 2: (2, 1), 3: (3, 2)}  # L R, L S, S R, M S
STRIPE, ANCHORS, START_BITS, MAX_U = 512, 8, 17, 1 << 24


def predict(order, h):
    if order == 0:
        return 0
    if order == 1:
        return h[0]
    if order == 2:
        return 2 * h[0] - h[1]
    if order == 3:
        return 3 * h[0] - 3 * h[1] + h[2]
    return 4 * h[0] - 6 * h[1] + 4 * h[2] - h[3]


def wrap(v, bits):
    half = 1 << (bits - 1)
    return ((v + half) & ((1 << bits) - 1)) - half


def zigzag(r):
    return 2 * r if r >= 0 else -2 * r - 1


def stereo_signals(l, r):
    return (l, r, l - r, (l + r) >> 1)


def pcm_samples(x, frames, channels):
    return struct.unpack("<%dh" % (frames * channels), x[:2 * frames * channels])


def drop_wasted_bits(s):
    """(w, s divided by 2^w): w the zero bits at the bottom of every value
    after the history, at most 15."""
    every = 0
    for v in s[HISTORY:]:
        every |= v
    if every == 0:
        return 0, s
    w = min((every & -every).bit_length() - 1, MAX_WASTED)
    return w, [v >> w for v in s]


def best_order(s):
    """s: the signal with HISTORY values of history first."""
    sums = [0] * 5
    for i in range(HISTORY, len(s)):
        h = (s[i - 1], s[i - 2], s[i - 3], s[i - 4])
        for order in range(5):
            sums[order] += abs(s[i] - predict(order, h))
    best = 0
    for order in range(1, 5):
        if sums[order] < sums[best]:
            best = order
    return sums[best], best


def lpc_residuals(s, coefs, shift):
    res = []
    for i in range(HISTORY, len(s)):
        pred = sum(c * s[i - 1 - j] for j, c in enumerate(coefs))
        res.append(s[i] - (pred >> shift))
    return res


def lpc(s):
    """(coefficients, shift, sum of |residual|) of the linear predictor, or None."""
    x = s[HISTORY:]
    n = len(x)
    q = n // 8

    def weight(i):
        edge = min(i, n - 1 - i)
        return 256 if edge >= q else 256 - 256 * (q - edge) ** 2 // (q * q)

    y = [float(v * weight(i)) for i, v in enumerate(x)]
    # Autocorrelation in doubles: eight partial sums (positions i mod 8),
    # each in increasing i, added pairwise; y is 0 before its start.
    r = []
    for lag in range(LPC_ORDER + 1):
        sums = [0.0] * 8
        for i in range(n):
            sums[i % 8] += y[i] * (y[i - lag] if i >= lag else 0.0)
        r.append(((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7])))
    if r[0] == 0.0:
        return None
    a = [0.0] * (LPC_ORDER + 1)
    err = r[0]
    for i in range(1, LPC_ORDER + 1):
        acc = r[i]
        for j in range(1, i):
            acc -= a[j] * r[i - j]
        k = acc / err
        prev = a[:]
        a[i] = k
        for j in range(1, i):
            a[j] = prev[j] - k * prev[i - j]
        err *= 1.0 - k * k
        if not err > 0.0:
            return None
    largest = max(abs(c) for c in a[1:])
    limit = float(1 << (COEF_BITS - 1)) - 1.0
    shift = 15
    while largest * float(1 << shift) > limit:
        if shift == 0:
            return None
        shift -= 1
    coefs = [math.floor(v * float(1 << shift) + 0.5) for v in a[1:]]
    res = lpc_residuals(s, coefs, shift)
    if any(abs(e) >= 1 << 22 for e in res):
        return None
    return coefs, shift, sum(abs(e) for e in res)


def rice_parameter(part):
    """2.8: the largest k from 0 to 20 with count * 2^k <= sum of u (0 if none)."""
    total, k = sum(part), 0
    while k < MAX_K and len(part) << (k + 1) <= total:
        k += 1
    return k


def encode_partitions(u, w):
    for p in range(0, len(u), PARTITION):
        part = u[p:p + PARTITION]
        if not any(part):
            w.put(ZERO_PARTITION, 5)
            continue
        k = rice_parameter(part)
        w.put(k, 5)
        for v in part:
            q = v >> k
            if q < ESCAPE:
                w.put(1 << q, q + 1)
                w.put(v & ((1 << k) - 1), k)
            else:
                w.put(0, ESCAPE)
                w.put(v, RAW_BITS)


def row_order(n):
    """2.10: the indexes 0..n of a signal by index within the stripe, then by stripe."""
    stripes = (n + STRIPE - 1) // STRIPE
    return [st * STRIPE + j for j in range(min(n, STRIPE)) for st in range(stripes) if st * STRIPE + j < n]


def striped_parameter(part):
    """2.10: 31 for all-zero u; else 2.8's k, raised while that saves bits."""
    if not any(part):
        return ZERO_PARTITION
    k = rice_parameter(part)

    def bits(k):
        return sum(v >> k for v in part) + len(part) * (k + 1)
    while k < MAX_K and bits(k + 1) < bits(k):
        k += 1
    return k


def is_anchor(i):
    """2.10: one of the first ANCHORS values of a stripe after the first."""
    return i >= STRIPE and i % STRIPE < ANCHORS


def anchor_indexes(n):
    """2.10: the anchors after each stripe's start, stripe by stripe."""
    return [i for first in range(STRIPE, n, STRIPE) for i in range(first + 1, min(n, first + ANCHORS))]


def encode_striped(vals, res, w, anchor_order):
    """2.10: a signal's anchor section, parameters, low bits and quotients.
    vals are its values in the subblock (divided by 2^w), res their
    residuals of 2.8, anchor_order its best fixed order."""
    n = len(vals)
    if n > STRIPE:
        w.put(anchor_order, 3)
        for first in range(STRIPE, n, STRIPE):
            w.put(vals[first] & ((1 << START_BITS) - 1), START_BITS)
        au = []
        for i in anchor_indexes(n):
            order = min(anchor_order, i % STRIPE)
            h = (vals[i - 1], vals[i - 2], vals[i - 3], vals[i - 4])
            au.append(zigzag(vals[i] - predict(order, h)))
        if au:
            k = striped_parameter(au)
            w.put(k, 5)
            if k != ZERO_PARTITION:
                for v in au:
                    assert v < MAX_U
                    w.put(1 << (v >> k), (v >> k) + 1)
                    w.put(v & ((1 << k) - 1), k)
    u = [0 if is_anchor(i) else zigzag(e) for i, e in enumerate(res)]
    ks = []
    for p in range(0, n, PARTITION):
        ks.append(striped_parameter([u[i] for i in range(p, min(n, p + PARTITION)) if not is_anchor(i)]))
        w.put(ks[-1], 5)
    coded = [i for i in row_order(n) if not is_anchor(i) and ks[i // PARTITION] != ZERO_PARTITION]
    for i in coded:
        k = ks[i // PARTITION]
        w.put(u[i] & ((1 << k) - 1), k)
    for i in coded:
        assert u[i] < MAX_U  # no escape; |r| < 2^22 (2.8) keeps u below
        q = u[i] >> ks[i // PARTITION]
        w.put(1 << q, q + 1)


def pcm_encode(x, channels, linear=True, striped=False):
    """The PCM body of 2.8 (modes 11 to 13), or with striped=True the
    striped body of 2.10 (modes 14 to 16), of the frames of x."""
    frame = 2 * channels
    frames = len(x) // frame
    samples = pcm_samples(x, frames, channels)
    w = BitWriter()
    for start in range(0, frames, SUBBLOCK):
        end = min(frames, start + SUBBLOCK)
        sig = [[], [], [], []]
        for i in range(start - HISTORY, end):
            if i < 0:
                v = (0, 0, 0, 0)
            elif channels == 1:
                v = (samples[i], 0, 0, 0)
            else:
                v = stereo_signals(samples[2 * i], samples[2 * i + 1])
            for j in range(4):
                sig[j].append(v[j])
        wasted = [0] * 4
        for j in range(4):
            wasted[j], sig[j] = drop_wasted_bits(sig[j])
        best = [best_order(sig[j]) for j in range(channels if channels == 1 else 4)]
        if channels == 1:
            pair = (0,)
        else:
            mode = 0
            for m in (1, 2, 3):
                if sum(best[j][0] for j in MODE_SIGNALS[m]) < sum(best[j][0] for j in MODE_SIGNALS[mode]):
                    mode = m
            w.put(mode, 2)
            pair = MODE_SIGNALS[mode]
        plans = []
        for j in pair:
            if wasted[j]:
                w.put(WASTED, 3)
                w.put(wasted[j], WASTED_BITS)
            fitted = lpc(sig[j]) if linear else None
            if fitted is not None and fitted[2] < best[j][0]:
                plans.append(("lpc", fitted[0], fitted[1]))
                w.put(LPC, 3)
            else:
                plans.append(("fixed", best[j][1]))
                w.put(best[j][1], 3)
        for j, plan in zip(pair, plans):
            s = sig[j]
            if plan[0] == "lpc":
                _, coefs, shift = plan
                w.put(LPC_ORDER, 4)
                w.put(shift, 4)
                for c in coefs:
                    w.put(c & ((1 << COEF_BITS) - 1), COEF_BITS)
                res = lpc_residuals(s, coefs, shift)
            else:
                order = plan[1]
                res = [s[i] - predict(order, (s[i - 1], s[i - 2], s[i - 3], s[i - 4])) for i in range(HISTORY, len(s))]
            if striped:
                encode_striped(s[HISTORY:], res, w, best[j][1])
            else:
                encode_partitions([zigzag(e) for e in res], w)
    return x[frames * frame:] + w.finish()


def read_rice(r, length):
    """2.8: a signal's partitions, interleaved Rice codes; returns the u."""
    u = []
    done = 0
    while done < length:
        part = min(PARTITION, length - done)
        k = r.get(5)
        if k != ZERO_PARTITION and k > MAX_K:
            raise ValueError("Rice parameter above 20")
        for _ in range(part):
            if k == ZERO_PARTITION:
                u.append(0)
                continue
            zeros = 0
            while zeros < ESCAPE and r.get(1) == 0:
                zeros += 1
            u.append(r.get(RAW_BITS) if zeros == ESCAPE else (zeros << k) | r.get(k))
        done += part
    return u


def read_unary(r, limit):
    """q zero bits then a one bit; q must be below limit. Past its end a
    stream reads as zeros (2.5), so a code that runs past the end would
    reach the limit: it is rejected at once."""
    q = 0
    while True:
        if r.pos >= 8 * len(r.data):
            raise ValueError("unary code runs past the end of the stream")
        chunk = r.peek(32)
        if chunk:
            zeros = (chunk & -chunk).bit_length() - 1
            q += zeros
            r.pos += zeros + 1
            break
        q += 32
        r.pos += 32
        if q >= limit:
            break
    if q >= limit:
        raise ValueError("Rice value of 2^24 or more")
    return q


def read_striped(r, length):
    """2.10: a signal's anchor section, parameters, low bits and quotients;
    returns (anchor order, starts, anchor residuals' u by index, u).
    starts[t] is stripe t's start (None for stripe 0)."""
    stripes = (length + STRIPE - 1) // STRIPE
    anchor_order, starts, anchors = 0, [None], {}
    if stripes > 1:
        anchor_order = r.get(3)
        if anchor_order > 4:
            raise ValueError("anchor order above 4")
        for _ in range(1, stripes):
            v = r.get(START_BITS)
            starts.append(v - (1 << START_BITS) if v >> (START_BITS - 1) else v)
        indexes = anchor_indexes(length)
        if indexes:
            k = r.get(5)
            if k != ZERO_PARTITION and k > MAX_K:
                raise ValueError("Rice parameter above 20")
            for i in indexes:
                if k == ZERO_PARTITION:
                    anchors[i] = 0
                else:
                    q = read_unary(r, 1 << (ESCAPE - k))
                    anchors[i] = (q << k) | r.get(k)
    ks = []
    for _ in range(0, length, PARTITION):
        k = r.get(5)
        if k != ZERO_PARTITION and k > MAX_K:
            raise ValueError("Rice parameter above 20")
        ks.append(k)
    u = [0] * length
    coded = [i for i in row_order(length) if not is_anchor(i) and ks[i // PARTITION] != ZERO_PARTITION]
    for i in coded:
        u[i] = r.get(ks[i // PARTITION])
    for i in coded:
        k = ks[i // PARTITION]
        u[i] |= read_unary(r, 1 << (ESCAPE - k)) << k
    return anchor_order, starts, anchors, u


def pcm_decode(body, n, channels, striped=False):
    """The PCM body of 2.8 (modes 11 to 13), or with striped=True the
    striped body of 2.10 (modes 14 to 16)."""
    frame = 2 * channels
    frames = n // frame
    tail = n - frames * frame
    if len(body) < tail:
        raise ValueError("PCM tail missing")
    r = BitReader(body[tail:])
    out = []  # samples, interleaved
    for start in range(0, frames, SUBBLOCK):
        length = min(SUBBLOCK, frames - start)
        mode = r.get(2) if channels == 2 else 0
        orders, wasted = [], []
        for _ in range(channels):
            order, w = r.get(3), 0
            if order == WASTED:
                w = r.get(WASTED_BITS)
                if w == 0:
                    raise ValueError("wasted bits of 0")
                order = r.get(3)
            if order > LPC:
                raise ValueError("unknown predictor order")
            orders.append(order)
            wasted.append(w)
        chans = []
        for c in range(channels):
            which = MODE_SIGNALS[mode][c]
            h = [0] * HISTORY
            for back in range(HISTORY):
                i = start - back - 1
                if i >= 0:
                    h[back] = out[i] if channels == 1 else stereo_signals(out[2 * i], out[2 * i + 1])[which]
            h = [v >> wasted[c] for v in h]
            bits = 17 if channels == 2 and which == 2 else 16
            coefs = None
            if orders[c] == LPC:
                order = r.get(4)
                if not 1 <= order <= LPC_ORDER:
                    raise ValueError("LPC order not 1 to 8")
                shift = r.get(4)
                coefs = []
                for _ in range(order):
                    v = r.get(COEF_BITS)
                    coefs.append(v - (1 << COEF_BITS) if v >> (COEF_BITS - 1) else v)
            if striped:
                anchor_order, starts, anchors, u = read_striped(r, length)
            else:
                anchor_order, starts, anchors, u = 0, [None], {}, read_rice(r, length)
            vals = []
            for i, ui in enumerate(u):
                j = i % STRIPE
                if striped and is_anchor(i):
                    # An anchor: predicted within its stripe, from its
                    # start or by the anchor order's fixed polynomial.
                    ui = anchors.get(i, 0)
                    pred = starts[i // STRIPE] if j == 0 else predict(min(anchor_order, j), h)
                res = (ui >> 1) if ui % 2 == 0 else -(ui >> 1) - 1
                if striped and is_anchor(i):
                    pass
                elif coefs is None:
                    pred = predict(orders[c], h)
                else:
                    pred = sum(cf * hv for cf, hv in zip(coefs, h)) >> shift
                v = wrap(pred + res, bits)
                vals.append(v)
                h = [v] + h[:-1]
            chans.append([wrap(v << wasted[c], bits) for v in vals])
        if channels == 1:
            out += chans[0]
        else:
            for a, b in zip(*chans):
                if mode == 0:
                    l, rr = a, b
                elif mode == 1:
                    l, rr = a, a - b
                elif mode == 2:
                    l, rr = a + b, b
                else:
                    total = 2 * a + (b & 1)
                    l, rr = (total + b) >> 1, (total - b) >> 1
                out += [wrap(l, 16), wrap(rr, 16)]
    if not r.finish():
        raise ValueError("PCM stream length is wrong")
    return struct.pack("<%dh" % len(out), *out) + body[:tail]


# --- 2.4 mode choice and the payload ------------------------------------------

MODE_MAX = 16
PCM_MODES = {11: (1, False, 0), 12: (2, False, 0), 13: (2, False, 2),
             14: (1, True, 0), 15: (2, True, 0), 16: (2, True, 2)}  # channels, striped, lead


def body_for(x, mode, params, linear=True):
    if mode == 1:
        return rle_encode(x)
    if mode <= 5:
        return rle_encode(delta(x, mode - 1))
    if mode == 6:
        return lz_encode(x, params)
    if mode <= 10:
        return lz_encode(delta(x, mode - 6), params)
    channels, striped, lead = PCM_MODES[mode]
    lead = min(lead, len(x))
    return x[:lead] + pcm_encode(x[lead:], channels, linear, striped)


def sample_windows(x):
    n = len(x)
    if n <= 32768:
        return [x]
    return [x[k * (n - 4096) // 7 // 4 * 4:][:4096] for k in range(8)]


def small_deltas(windows, s):
    return sum(1 for w in windows for i in range(s, len(w)) if (w[i] - w[i - s] + 8) & 255 < 17)


def coded_margin(length):
    """What an entropy-coded mode must save over RLE (or storing) on `length` bytes."""
    return length // 256 + 8


def busiest_windows(x):
    """The second sample of a block the first one misled about (2.4): the
    8 whole 4096-byte slots in which most bytes differ from the one before
    them (the earlier slot on ties), in the block's order."""
    slots = [x[j * 4096:(j + 1) * 4096] for j in range(len(x) // 4096)]
    changes = [sum(1 for a, b in zip(w[1:], w[:-1]) if a != b) for w in slots]
    picked = sorted(sorted(range(len(slots)), key=lambda j: (-changes[j], j))[:8])
    return [slots[j] for j in picked]


def choose(data, windows, params, trial):
    """(sample total, mode, whether an LZ mode finds matches) by the trials
    on the sample `windows` (2.4)."""
    n = len(data)
    sample_len = sum(len(w) for w in windows)
    # One LZ-of-delta trial at most: the stride with the most small deltas.
    stride, most = 1, 0
    for s in range(1, 5):
        d = small_deltas(windows, s)
        if d > most:
            stride, most = s, d
    lz_delta = 6 + stride if most * 5 > sample_len * 2 else None
    simple, coded = (sample_len, 0, True), None
    best_lz = best_pcm = None
    striped = {}
    for mode in range(1, (MODE_MAX if n < 2**32 else 5) + 1):
        if 7 <= mode <= 10 and mode != lz_delta:
            continue
        # The sample tries the striped PCM bodies (14 to 16); 11 to 13 only
        # ever replace them after the choice.
        if 11 <= mode <= 13:
            continue
        # Mode 16 only where PCM came within 3/2 of LZ.
        if mode == 16 and not (best_pcm * 2 < best_lz * 3):
            continue
        # PCM trials use fixed predictors only.
        total = sum(len(body_for(w, mode, trial, linear=False)) for w in windows)
        if 6 <= mode <= 10:
            best_lz = total if best_lz is None else min(best_lz, total)
        if mode in (14, 15):
            best_pcm = total if best_pcm is None else min(best_pcm, total)
            striped[mode] = total
        if mode <= 5 and total < simple[0]:
            simple = (total, mode, True)
        if mode >= 6 and (coded is None or total < coded[0]):
            coded = (total, mode, True)
    # The best LZ mode codes without matches where they save no more than
    # the margin.
    if coded is not None and 6 <= coded[1] <= 10:
        literal_total = sum(len(body_for(w, coded[1], None)) for w in windows)
        if literal_total <= coded[0] + coded_margin(sample_len):
            coded = (literal_total, coded[1], False)
    # Modes 14 and 15 with linear predictors, made once for both looks.
    linear = {}

    def linear_total(mode):
        if mode not in linear:
            linear[mode] = sum(len(body_for(w, mode, trial, linear=True)) for w in windows)
        return linear[mode]

    # Stereo chosen with mono within an eighth of it: both again with
    # linear predictors (a tone near the top of the band looks like stereo
    # to fixed ones).
    if coded is not None and coded[1] == 15 and striped[15] * 8 >= striped[14] * 7:
        mono, stereo = linear_total(14), linear_total(15)
        coded = (mono, 14, True) if mono < stereo else (stereo, 15, True)
    # Where no mode saved a quarter of the sample, modes 14 and 15 are
    # tried again with linear predictors (a tone defeats fixed ones).
    if n < 2**32 and min(simple[0], coded[0] if coded else simple[0]) * 4 >= sample_len * 3:
        for mode in (14, 15):
            total = linear_total(mode)
            if coded is None or total < coded[0]:
                coded = (total, mode, True)
    if coded is not None and coded[0] + coded_margin(sample_len) < simple[0]:
        return coded
    return simple


def code_block(data, mode, params):
    """(mode, body) of the block under a chosen coded mode (`params` None:
    an LZ mode without matches); a striped PCM body gives way to its
    classic twin (11 to 13) where that is shorter by more than a 32nd
    (2.10)."""
    body = body_for(data, mode, params)
    if 14 <= mode <= 16:
        classic = body_for(data, mode - 3, None)
        if len(classic) + len(body) // 32 < len(body):
            return mode - 3, classic
    return mode, body


def encode_payload(data, level=DEFAULT_LEVEL):
    data = bytes(data)
    n = len(data)
    params = LEVELS[level]
    trial = (min(params[0], TRIAL_HASH_BITS),) + params[1:]
    windows = sample_windows(data)
    sample_len = sum(len(w) for w in windows)
    best_total, best_mode, matches = choose(data, windows, params, trial)
    if best_mode == 0:
        # The sample showed nothing to compress: the whole block's matches
        # may still (2.4).
        if n > 32768:
            parsed = lz_parse(data, *params)
            if n - len(parsed[1]) > n // 1024:
                lz = lz_encode(data, params, parsed, raw_literals=True)
                if len(lz) + 16 < n:
                    return bytes([6]) + put_varint(n) + lz
        return bytes([0]) + put_varint(n) + data
    # A block that is its own sample is coded with the trial's parameters.
    chosen = (best_mode, matches)
    best_mode, body = code_block(data, best_mode, None if not matches else trial if n <= 32768 else params)
    # A second look at plain LZ: when the sample misled, or after RLE.
    if n > 32768 and chosen != (6, True):
        estimate = best_total * n // sample_len
        b = min(len(body), n)
        misled = b > estimate + estimate // 4 + 64
        margin = 0 if misled else coded_margin(n)
        if misled or (best_mode <= 5 and b > margin):
            lz = body_for(data, 6, params)
            if len(lz) < n and len(lz) + margin < b:
                body, best_mode = lz, 6
        # Where the sample misled, a second sample of the busiest slots
        # chooses again, and its mode's body is kept if it is smallest.
        if misled:
            _, mode2, matches2 = choose(data, busiest_windows(data), params, trial)
            if mode2 != 0 and (mode2, matches2) != chosen and (mode2, matches2) != (6, True):
                mode2, body2 = code_block(data, mode2, params if matches2 else None)
                if len(body2) < min(len(body), n):
                    body, best_mode = body2, mode2
    # An LZ mode chosen without matches, or a PCM mode: the first 16384
    # bytes of what LZ would code show whether the block has repeats of 32
    # bytes or more, from 32 or more back, that the windows were too short
    # to see (2.4, "Long repeats").
    again = chosen[0] if 6 <= chosen[0] <= 10 and not chosen[1] else 6 if chosen[0] >= 11 else None
    if n > 32768 and again is not None:
        head = data[:16384] if again == 6 else delta(data[:16384], again - 6)
        seqs, _ = lz_parse(head, *trial)
        if sum(length for _, length, offset in seqs if length >= 32 and offset >= 32) > 16384 // 8:
            mode2, body2 = code_block(data, again, params)
            if len(body2) < min(len(body), n):
                body, best_mode = body2, mode2
    if len(body) >= n:
        return bytes([0]) + put_varint(n) + data
    return bytes([best_mode]) + put_varint(n) + body


def decode_payload(payload, limit):
    if not payload:
        raise ValueError("empty payload")
    mode = payload[0]
    if mode > MODE_MAX:
        raise ValueError("unknown mode %d" % mode)
    n, pos = get_varint(payload, 1)
    if n > limit:
        raise ValueError("raw length exceeds the expected length")
    body = payload[pos:]
    if mode == 0:
        if len(body) != n:
            raise ValueError("stored body length is not the raw length")
        return bytes(body)
    if mode <= 5:
        d = rle_decode(body, n)
        return d if mode == 1 else undelta(d, mode - 1)
    if mode <= 10:
        d = lz_decode(body, n)
        return d if mode == 6 else undelta(d, mode - 6)
    channels, striped, lead = PCM_MODES[mode]
    lead = min(lead, n)
    if len(body) < lead:
        raise ValueError("PCM stream length is wrong")
    return body[:lead] + pcm_decode(body[lead:], n - lead, channels, striped)


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

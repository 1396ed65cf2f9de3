#!/usr/bin/env python3
"""Compare h4 against scripts/h4_reference.py (written from docs/FORMAT.md).

Usage: check_spec.py PATH/TO/h4

For every input and block size: the frames must be byte-identical, each
implementation must decode the other's frame, and both must reject every
single-byte corruption of a few small frames, and both must agree on
accepting or rejecting hand-made edge-case frames. Exits non-zero on any
mismatch.
"""
import math
import os
import random
import subprocess
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import h4_reference as ref  # noqa: E402


def h4(binary, args, data):
    p = subprocess.run([binary] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def inputs():
    rnd = random.Random(4)
    rand = lambda n: bytes(rnd.getrandbits(8) for _ in range(n))
    yield "empty", b""
    yield "1 byte", b"A"
    yield "text", b"hello, world\n"
    yield "text x20", b"The quick brown fox jumps over the lazy dog.\n" * 20
    yield "FORMAT.md", open(os.path.join(os.path.dirname(__file__), "..", "docs", "FORMAT.md"), "rb").read()
    for n in list(range(1, 41)) + [126, 127, 128, 129, 254, 255, 256, 257, 65534, 65535, 65536, 65537]:
        yield "run %d" % n, b"x" * n
        yield "lit+run %d+lit" % n, b"abc" + b"\0" * n + b"def"
    yield "literals 14..17 then run", b"".join(bytes(range(1, L + 1)) + b"z" * 5 for L in range(12, 256))
    for n in (2, 3, 15, 16, 17, 100, 1000, 32768, 32769, 40000):
        yield "random %d" % n, rand(n)
    yield "ramp 1", bytes(i & 255 for i in range(5000))
    yield "ramp 3", bytes((i * 3) & 255 for i in range(70000))
    yield "all zero 100000", bytes(100000)
    yield "rgb flat", bytes([200, 100, 50]) * 20000
    yield "rgb gradient", bytes(c for i in range(30000) for c in (i & 255, (i // 3) & 255, 7))
    yield "rgba", bytes(c for i in range(20000) for c in (i & 255, 0, 255 - (i & 255), 255))
    # Smooth rasters under sensor noise: their deltas' short matches cost
    # more than they save, so LZ of the delta codes literals only (2.4).
    noise = random.Random(9)
    grey = lambda n, w: bytes((128 + int(60 * math.sin(i % w / 50.0) * math.cos(i // w / 40.0))
                               + noise.randint(-4, 4)) & 255 for i in range(n))
    yield "noisy grey 20000", grey(20000, 200)
    yield "noisy grey 90000", grey(90000, 300)
    yield "noisy rgb 60000", bytes(c for i in range(20000)
                                   for c in ((i // 7 + noise.randint(-3, 3)) & 255, (i // 11) & 255,
                                             (90 + noise.randint(-5, 5)) & 255))
    for stride, name in ((2, "pcm16 mono"), (4, "pcm16 stereo")):
        out = bytearray()
        for i in range(60000):
            v = int(12000 * math.sin(i / 40.0)) & 0xFFFF
            out += v.to_bytes(2, "little") * (stride // 2)
        yield name, bytes(out)
    # wasted bits (section 2.8): 8-bit samples widened to 16 bits; a right
    # channel that is minus the left (M = 0, S = 2L); and wasted bits that
    # change from subblock to subblock, so a history is not a multiple
    def sine(i, amp=12000):
        return int(amp * math.sin(i / 40.0))
    yield "pcm16 mono from 8 bits", b"".join(((sine(i, 100) << 8) & 0xFFFF).to_bytes(2, "little") for i in range(30000))
    yield "pcm16 stereo, R = -L", b"".join(
        (sine(i) & 0xFFFF).to_bytes(2, "little") + (-sine(i) & 0xFFFF).to_bytes(2, "little") for i in range(30000))
    changing = bytearray()
    for i in range(20000):
        w = (0, 4, 1, 15, 3)[i // 4096]
        left = (sine(i, 3000) >> w << w) if w < 15 else (-32768 if i % 2 else 0)
        changing += (left & 0xFFFF).to_bytes(2, "little") + ((sine(i + 7, 2000) << 2) & 0xFFFF).to_bytes(2, "little")
    yield "pcm16 stereo, wasted bits per subblock", bytes(changing)
    # stereo whose frames start at byte 2 (a WAV header of 46 bytes): mode 13
    yield "pcm16 stereo at byte 2", b"RI" + b"".join(
        (sine(i) & 0xFFFF).to_bytes(2, "little") + ((sine(i) + (i % 3) - 1) & 0xFFFF).to_bytes(2, "little")
        for i in range(30000))
    # the striped PCM body (section 2.10): music-like signals (a few
    # partials; with little noise some partitions raise k) in full
    # subblocks of 4096 frames and in short ones (below one stripe of 512
    # frames, and between 512 and 4096), with a silent partition, a lone
    # full-scale spike, wasted bits, and at byte 2 (mode 16)
    def music(n, seed, amp=9000, noise=0):
        r = random.Random(seed)
        parts = [(r.uniform(0.002, 0.3), r.uniform(0.1, 1.0), r.uniform(0, 6.28)) for _ in range(6)]
        total = sum(a for _, a, _ in parts)
        return [int(amp / total * sum(a * math.sin(f * i + ph) for f, a, ph in parts)) + r.randint(-noise, noise)
                for i in range(n)]

    def s16(v):
        return (v & 0xFFFF).to_bytes(2, "little")

    def mono(vals):
        return b"".join(s16(v) for v in vals)

    def stereo(left, right):
        return b"".join(s16(a) + s16(b) for a, b in zip(left, right))
    tune = music(9000, 1)
    yield "striped mono 9000", mono(tune)
    yield "striped mono 400", mono(music(400, 2, noise=30))
    yield "striped mono 2500", mono(music(2500, 3, noise=3))
    yield "striped stereo 1500", stereo(music(1500, 8), music(1500, 9, noise=20))
    # partition 5 (values 1280 to 1535, the second half of stripe 2) silent
    yield "striped mono, a silent partition", mono(tune[:1100] + [0] * 500 + tune[1600:])
    r = random.Random(5)
    spike = [r.randint(-20, 20) for _ in range(6000)]
    spike[1400] = 32767
    yield "striped mono, a full-scale spike", mono(spike)
    # clicks over quiet noise: the classic twin (mode 11, 12 or 13) is
    # shorter than the striped body by more than a 32nd (2.4, 2.10)
    quiet = [int(r.gauss(0, 8)) + (20000 if i % 500 == 0 else 0) for i in range(40000)]
    yield "PCM mono, clicks over quiet noise", mono(quiet)
    yield "PCM stereo, clicks over quiet noise", stereo(quiet, [v // 2 for v in quiet])
    # mode 16 whose classic twin is shorter by exactly a 32nd with the
    # two lead bytes counted (stays striped), by more without them
    boundary = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors", "pcm-twin-boundary.raw")
    with open(boundary, "rb") as f:
        yield "PCM stereo at byte 2, the twin rule's boundary", f.read()
    # mono music under a 19 kHz pilot tone: fixed predictors make it look
    # like stereo (each channel sees the tone's alias), linear ones code
    # it as mono smaller (2.4: stereo within an eighth of mono); 8 windows,
    # and a block that is its own sample
    pilot = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors", "pcm-mono-19khz-pilot.raw")
    with open(pilot, "rb") as f:
        pilot = f.read()
    yield "PCM mono, music under a 19 kHz pilot", pilot
    yield "PCM mono, a short piece of music under a 19 kHz pilot", pilot[:28000]
    left = music(9000, 6)
    right = [a // 2 + b for a, b in zip(left, music(9000, 7, 3000))]
    yield "striped stereo, wasted bits", stereo([v >> 2 << 2 for v in left], [v >> 2 << 2 for v in right])
    yield "striped stereo at byte 2", b"RI" + stereo(left, right)
    yield "striped stereo 16000", stereo(music(16000, 10, noise=2), music(16000, 11, noise=2))
    # tones above a few kHz, where every fixed predictor does worse than
    # none: no mode saves a quarter of the sample, and the PCM modes'
    # second trial, with linear predictors, wins (2.4); a sample of 8
    # windows (n > 32768) and one that is the whole block
    hiss = random.Random(12)
    tone = [int(20000 * math.sin(2 * math.pi * 15000 * i / 44100)) + hiss.randint(-2, 2) for i in range(24000)]
    yield "PCM mono, a 15 kHz tone", mono(tone)
    yield "PCM mono, a short 15 kHz tone", mono(
        [int(20000 * math.sin(2 * math.pi * 15000 * i / 44100)) + hiss.randint(-4, 4) for i in range(12000)])
    yield "PCM stereo, 11 and 13 kHz tones", stereo(
        [int(15000 * math.sin(2 * math.pi * 11000 * i / 44100)) + hiss.randint(-6, 6) for i in range(8000)],
        [int(12000 * math.sin(2 * math.pi * 13000 * i / 44100 + 1)) + hiss.randint(-6, 6) for i in range(8000)])
    phase, sweep = 0.0, []
    for i in range(30000):
        phase += 2 * math.pi * (8000 + 12000 * i / 30000) / 44100
        sweep.append(int(25000 * math.sin(phase)))
    yield "PCM mono, a chirp from 8 to 20 kHz", mono(sweep)
    # mixed data whose sample (section 2.4) differs from the whole block
    def mixed(n, seed):
        r = random.Random(seed)
        out = bytearray()
        while len(out) < n:
            kind = r.randrange(5)
            size = r.randrange(1, 3000)
            if kind == 0:
                out += bytes(r.getrandbits(8) for _ in range(size))
            elif kind == 1:
                out += bytes([r.getrandbits(8)]) * size
            elif kind == 2:
                out += bytes((i * r.randrange(1, 4)) & 255 for i in range(size))
            elif kind == 3:
                out += bytes([r.getrandbits(8), r.getrandbits(8), r.getrandbits(8)]) * size
            else:
                out += b"some text, some text. " * (size // 20 + 1)
        return bytes(out[:n])
    yield "mixed 100K", mixed(100 * 1024, 1)
    yield "mixed 1.5M", mixed(1536 * 1024, 2)
    # 100000 bytes: windows start at k*13700; random in windows, runs elsewhere
    n = 100000
    starts = [k * (n - 4096) // 7 for k in range(8)]
    a = bytearray(b"\x55" * n)
    for s in starts:
        a[s:s + 4096] = rand(4096)
    yield "random windows, runs between", bytes(a)
    b = bytearray(rand(n))
    for s in starts:
        b[s:s + 4096] = bytes(4096)
    yield "run windows, random between", bytes(b)
    c = bytearray(bytes(i & 255 for i in range(n)))
    for s in starts:
        c[s:s + 4096] = bytes([9, 8, 7]) * 1365 + b"\0"
    yield "stride-3 windows, ramp between", bytes(c)
    # flat windows, repeated phrases between: the sample says RLE, the
    # block as a whole codes far smaller with plain LZ (the second look)
    phrases = [rand(300) for _ in range(6)]
    d = bytearray()
    while len(d) < n:
        d += phrases[rnd.randrange(6)]
    d = d[:n]
    for s in starts:
        d[s:s + 4096] = bytes([17]) * 4096
    yield "flat windows, phrases between", bytes(d)
    # music, but digital silence in every window: the sample chooses RLE,
    # the block misleads it, and a second sample of the busiest slots
    # chooses PCM (the second look, 2.4), mono and stereo
    for channels, seed in ((1, 13), (2, 14)):
        tune = music(n // 2, seed, noise=3)
        f = bytearray(mono(tune) if channels == 1 else stereo(tune[0::2], tune[1::2]))
        for s in starts:
            f[s:s + 4096] = bytes(4096)
        yield "PCM %d channel(s), silent windows" % channels, bytes(f)
    # a chart: white rows longer than a window, a few dots, each row
    # repeated; RLE wins on the sample, LZ on the block (the second look
    # after RLE), and plain runs where LZ does not win by the margin
    rows = []
    for _ in range(20):
        row = bytearray(b"\xff" * 6000)
        for _ in range(40):
            at = rnd.randrange(2000) * 3
            row[at:at + 3] = bytes([rnd.getrandbits(8), rnd.getrandbits(8), 40])
        rows.append(bytes(row))
    yield "chart, rows repeated", b"".join(rows[r // 5 % 20] for r in range(100))
    yield "runs of 5000", bytes((i // 5000) & 255 for i in range(200000))
    # a noisy RGB raster whose rows (4500 bytes, longer than a window) are
    # each written twice: the sample codes its deltas without matches, the
    # block's first 65536 bytes show long repeats (2.4, "Long repeats")
    grain = random.Random(17)
    doubled = bytearray()
    for y in range(24):
        row = bytes((int(100 + 50 * math.sin(x / 90.0 + c) * math.cos(y / 7.0)) + grain.randint(-6, 6)) & 255
                    for x in range(1500) for c in range(3))
        doubled += row * 2
    yield "noisy RGB rows written twice", bytes(doubled)
    # PCM whose 8 KiB chunks are each written twice: the windows see PCM,
    # the block's first 16384 bytes long repeats, and plain LZ codes it
    # smaller (2.4, "Long repeats")
    sensor = stereo(music(30000, 21, noise=40), music(30000, 22, noise=40))
    yield "PCM stereo, 8 KiB chunks written twice", b"".join(
        sensor[i:i + 8192] * 2 for i in range(0, len(sensor), 8192))
    # random windows, random between, but 8000 bytes between two windows
    # repeat 8000 bytes seen before: the sample says store, the whole
    # block's matches say LZ with raw literals ("stored by the sample");
    # 64 repeated bytes are too few (at most n / 1024), and it is stored
    for copy in (8000, 64):
        e = bytearray(rand(n))
        e[60000:60000 + copy] = e[30000:30000 + copy]
        yield "random, %d bytes repeated between windows" % copy, bytes(e)


def crafted(blocks, bs=1024, name=b"reference"):
    """A reference-engine frame with the given (raw, payload) blocks, checks computed."""
    h = ref.MAGIC + bytes([1]) + struct.pack("<I", bs) + bytes([0, len(name)]) + name
    out = bytearray(h + struct.pack("<I", ref.low32(ref.xxh3(h))))
    digests = bytearray()
    for raw, payload in blocks:
        lengths = struct.pack("<II", len(raw), len(payload))
        seed = struct.unpack("<Q", lengths)[0]
        out += lengths + struct.pack("<II", ref.low32(ref.xxh3(payload, seed)), ref.low32(ref.xxh3(raw))) + payload
        digests += struct.pack("<Q", ref.xxh3(raw))
    t = struct.pack("<IQQQ", 0, len(blocks), sum(len(r) for r, _ in blocks), ref.xxh3(bytes(digests)))
    return bytes(out + t + struct.pack("<I", ref.low32(ref.xxh3(t))))


def crafted2(blocks, bs=1024, desc=None, name=None, index=None, header_size=None, size_delta=0):
    """A format 2 frame with the given blocks, each (raw, payload, stored,
    sized), checks computed; keyword arguments bend one field."""
    single = desc is not None and desc & ref.SINGLE_BLOCK
    d = desc if desc is not None else 0
    h = ref.MAGIC + bytes([2, d])
    if not d & ref.SINGLE_BLOCK:
        h += ref.put_varint(bs)
    if name is not None:
        h += bytes([len(name)]) + name
    header = h + struct.pack("<I", ref.low32(ref.xxh3(h)))
    hcheck = struct.unpack("<I", header[-4:])[0]
    out = bytearray(header)
    entries = bytearray()
    for k, (raw, payload, stored, sized) in enumerate(blocks):
        fields = ref.token_fields(len(payload), len(raw), stored, sized)
        seed = ref.block_seed(hcheck, k)
        out += fields + struct.pack("<I", ref.low32(ref.xxh3(payload, ref.xxh3(fields, seed))))
        if not stored:
            out += struct.pack("<I", ref.low32(ref.xxh3(raw, seed)))
        out += payload
        entries += fields
    footer = bytes([0]) + ref.put_varint(header_size if header_size is not None else len(header))
    footer += bytes(index if index is not None else entries)
    footer += struct.pack("<I", ref.low32(ref.xxh3(footer, hcheck)))
    return bytes(out + footer + ref.put_reversed_varint(len(footer) + size_delta))


def edge_cases2():
    """Format 2 frames that bend one rule each."""
    x = b"x" * 1024
    xp = ref.encode_payload(x)
    single = ref.SINGLE_BLOCK
    yield "f2 ok: two blocks", crafted2([(x, xp, False, False), (b"yz", b"yz", True, True)])
    yield "f2 ok: single block", crafted2([(b"abc", b"abc", True, True)], desc=single)
    yield "f2 ok: empty single", crafted2([], desc=single)
    yield "f2 ok: empty multi", crafted2([])
    yield "f2 reserved bit", crafted2([], desc=single | 0x08)
    yield "f2 reserved bit 7", crafted2([], desc=single | 0x80)
    yield "f2 reference named", crafted2([], desc=single | ref.NAMED, name=b"reference")
    yield "f2 unknown engine", crafted2([(b"abc", b"abc", True, True)], desc=single | ref.NAMED, name=b"zzz")
    yield "f2 two blocks in single frame", crafted2([(b"ab", b"ab", True, True), (b"c", b"c", True, True)], desc=single)
    yield "f2 single block without length", crafted2([(x, xp, False, False)], desc=single)
    yield "f2 full block gives its length", crafted2([(x, xp, False, True)])
    yield "f2 full stored block gives its length", crafted2([(x, x, True, True)])
    yield "f2 short block without length", crafted2([(b"x" * 100, ref.encode_payload(b"x" * 100), False, False)])
    yield "f2 block after a short one", crafted2([(b"yz", b"yz", True, True), (x, xp, False, False)])
    yield "f2 coded not smaller", crafted2([(b"abc", b"abc", False, True)], desc=single)
    yield "f2 index differs", crafted2([(x, xp, False, False)], index=ref.token_fields(len(xp) + 1, 1024, False, False))
    yield "f2 index missing", crafted2([(x, xp, False, False)], index=b"")
    yield "f2 header size wrong", crafted2([], header_size=11)
    yield "f2 footer size wrong", crafted2([], size_delta=1)
    yield "f2 block size 1023", crafted2([], bs=1023)
    yield "f2 block size 64M+1", crafted2([], bs=(64 << 20) + 1)
    for t in (1, 2, 3):
        frame = bytearray(crafted2([], desc=single))
        yield "f2 token %d" % t, bytes(frame[:10]) + bytes([t]) + bytes(frame[10:])
    overlong = bytearray(crafted2([(b"abc", b"abc", True, True)], desc=single))
    overlong[10:11] = bytes([overlong[10] | 0x80, 0x00])
    yield "f2 overlong token varint", bytes(overlong)
    yield "f2 then f1 frame", crafted2([(b"abc", b"abc", True, True)], desc=single) + crafted([(b"d", b"d")])


def edge_cases():
    """(label, frame): decoders must agree on accept/reject (and output)."""
    yield from edge_cases2()
    b118 = b"b" * 118
    yield "non-final token with R=0", crafted([(b"a" + b"b" * 118, bytes([1, 119, 0x10]) + b"a" + bytes([0x0F, 100]) + b"b")])
    yield "empty token 0x00", crafted([(b118, bytes([1, 118, 0x00, 0x0F, 100]) + b"b" + b"\x00")])
    yield "run split in two tokens", crafted([(b118, bytes([1, 118, 0x0F, 50]) + b"b" + bytes([0x0F, 32]) + b"b")])
    yield "run inside literals", crafted([(b"b" * 31, bytes([1, 31, 0x50]) + b"bbbbb" + bytes([0x0F, 8]) + b"b")])
    yield "overlong raw length varint", crafted([(b118, bytes([1, 0xF6, 0x00, 0x0F, 100]) + b"b")])
    yield "overlong run varint", crafted([(b118, bytes([1, 118, 0x0F, 0xE4, 0x00]) + b"b")])
    yield "missing run byte", crafted([(b118, bytes([1, 118, 0x0F, 100]))])
    yield "mode 6", crafted([(b118, bytes([6, 118, 0x0F, 100]) + b"b")])
    yield "payload n < r", crafted([(b118, bytes([1, 117, 0x0F, 99]) + b"b")])
    yield "payload n > r", crafted([(b118, bytes([1, 119, 0x0F, 101]) + b"b")])
    yield "mode 0 with n < r", crafted([(b"abcdef", bytes([0, 2]) + b"ab")])
    yield "block size 1025", crafted([(b"x" * 1025, ref.encode_payload(b"x" * 1025)), (b"y", b"y")], bs=1025)
    for bs in (1023, 64 << 20, (64 << 20) + 1):
        yield "block size %d" % bs, crafted([], bs=bs)
    for name in (b"", b"r" * 65, b"ref\x7f"):
        yield "engine name %r" % name[:8], crafted([], name=name)
    # The entropy-coded modes: hostile tables, parameters and offsets. 200
    # bytes of "a": one literal, then a match of 199 (match-length code 19,
    # 7 extra bits: 67) at the offset the offset table's only code gives.
    a200 = b"a" * 200
    ml19 = [0] * 19 + [1]

    def lz(of_lens, stream=bytes([0x18, 0x02])):
        body = bytes([1, 1, 0]) + b"a" + ref.write_table([0, 1]) + ref.write_table(ml19) + ref.write_table(of_lens)
        return bytes([6]) + ref.put_varint(200) + body + stream
    yield "mode 17", crafted([(b118, bytes([17, 118, 0x0F, 100]) + b"b")])
    yield "mode 14 with an RLE body", crafted([(b118, bytes([14, 118, 0x0F, 100]) + b"b")])
    yield "mode 13 without its PCM stream", crafted([(b118, bytes([13, 118, 0x0F, 100]) + b"b")])
    yield "mode 13 of 1 byte without its lead", crafted([(b"z", bytes([13, 1]))], bs=1024)
    yield "mode 16 without its PCM stream", crafted([(b118, bytes([16, 118, 0x0F, 100]) + b"b")])
    # 3 bytes, so that the 2-byte payload is shorter than the block and
    # reaches the decoder, which misses the first 2 bytes
    yield "mode 13 of 3 bytes without its lead", crafted([(b"xyz", bytes([13, 3]))], bs=1024)
    yield "mode 16 of 3 bytes without its lead", crafted([(b"xyz", bytes([16, 3]))], bs=1024)
    yield "mode 16 of 1 byte without its lead", crafted([(b"z", bytes([16, 1]))], bs=1024)
    yield "LZ match at offset 1", crafted([(a200, lz([0, 1]))])
    yield "LZ match before the block start", crafted([(a200, lz([0, 0, 1]))])
    yield "LZ offset code 0 first", crafted([(a200, lz([1]))])
    yield "LZ sequence stream too long", crafted([(a200, lz([0, 1], bytes([0x18, 0x02, 0])))])
    yield "LZ sequence stream too short", crafted([(a200, lz([0, 1], bytes([0x18])))])
    yield "LZ over-subscribed table", crafted([(a200, lz([1, 1, 1]))])
    yield "LZ incomplete table", crafted([(a200, lz([0, 1, 2]))])
    yield "LZ table longer than the alphabet", crafted([(a200, lz([1] + [0] * 40 + [1]))])
    yield "LZ literal kind 2", crafted([(a200, bytes([6, 200, 1, 1, 1, 2]) + b"a" * 20)])
    yield "LZ too many sequences", crafted([(a200, bytes([6, 200, 1, 1, 51, 0]) + b"a" * 20)])
    # "ab" x 100 as Huffman-coded literals only: four streams of 50 one-bit
    # codes (a = 0, b = 1), 7 bytes each.
    ab = b"ab" * 100
    lit_table = ref.write_table([0] * 97 + [1, 1])
    streams = (b"\xaa" * 6 + b"\x02") * 4
    head = bytes([6, 200, 1, 200, 1, 0, 1]) + lit_table
    yield "LZ Huffman literals only", crafted([(ab, head + bytes([7, 7, 7, 7]) + streams)])
    yield "LZ Huffman literal stream too long", crafted([(ab, head + bytes([8, 6, 7, 7]) + streams)])
    yield "LZ Huffman literals, data after", crafted([(ab, head + bytes([7, 7, 7, 7]) + streams + b"\x00")])
    # PCM (section 2.8), mode 11 as the encoder of document 3.5 wrote it;
    # the body starts at byte 3 (the raw length 200 is a 2-byte varint)
    mono = b"".join(((3 * i * i - 100 * i) & 0xFFFF).to_bytes(2, "little") for i in range(100))
    good = bytes([11]) + ref.put_varint(len(mono)) + ref.pcm_encode(mono, 1, striped=False)
    yield "PCM mono", crafted([(mono, good)])
    yield "PCM order 6", crafted([(mono, good[:3] + bytes([(good[3] & 0xF8) | 6]) + good[4:])])
    yield "PCM order 5 (LPC), order field 0", crafted([(mono, good[:3] + bytes([(good[3] & 0x80) | 5]) + good[4:])])
    yield "PCM Rice parameter 25", crafted([(mono, good[:3] + bytes([(good[3] & 7) | (25 << 3)]) + good[4:])])
    yield "PCM zero partition", crafted([(mono, good[:3] + bytes([(good[3] & 7) | (31 << 3)]) + good[4:])])
    yield "PCM extra byte", crafted([(mono, good + b"\x00")])
    yield "PCM truncated", crafted([(mono, good[:-1])])
    # the striped PCM body (section 2.10), mode 14: 1100 frames, so three
    # stripes (512, 512, 76) and five partitions; a fixed order, so the
    # fields start with the order (3 bits), the anchor order A (3), P_1
    # and P_2 (17 each), then k_A (5)
    r = random.Random(14)
    tone = [int(5000 * math.sin(i / 9.0)) + r.randint(-40, 40) for i in range(1100)]
    pcm = b"".join((v & 0xFFFF).to_bytes(2, "little") for v in tone)
    good = bytes([14]) + ref.put_varint(len(pcm)) + ref.pcm_encode(pcm, 1, linear=False, striped=True)
    at = 1 + len(ref.put_varint(len(pcm)))

    def bend(payload, bit, width, value):
        """payload with `width` bits at body bit `bit` set to `value`."""
        body = bytearray(payload[at:])
        for b in range(width):
            byte, shift = divmod(bit + b, 8)
            body[byte] = body[byte] & ~(1 << shift) & 0xFF | ((value >> b) & 1) << shift
        return payload[:at] + bytes(body)
    assert ref.decode_payload(good, len(pcm)) == pcm and good[at] & 7 < 5
    yield "PCM striped mono", crafted([(pcm, good)], bs=4096)
    yield "PCM striped extra byte", crafted([(pcm, good + b"\x00")], bs=4096)
    yield "PCM striped truncated", crafted([(pcm, good[:-1])], bs=4096)
    yield "PCM striped order 7", crafted([(pcm, bend(good, 0, 3, 7))], bs=4096)
    for a_order in (5, 7):
        yield "PCM striped anchor order %d" % a_order, crafted([(pcm, bend(good, 3, 3, a_order))], bs=4096)
    yield "PCM striped anchor k = 25", crafted([(pcm, bend(good, 40, 5, 25))], bs=4096)
    # a start 2^16 away from the value: the anchor, reduced to 16 bits, is
    # the same sample (both accept, same output)
    yield "PCM striped start + 2^16", crafted([(pcm, bend(good, 6 + 16, 1, 1 ^ (tone[512] >> 16 & 1)))], bs=4096)

    def striped_mono(frames, ks, u, k_anchor=31):
        """A mode 14 payload: order 0, anchor order 0, every start 0, the
        anchors' parameter (their u 1 when it is not 31), partitions' k
        and u given."""
        w = ref.BitWriter()
        w.put(0, 3)
        if frames > 512:
            w.put(0, 3)
            w.put(0, 17 * ((frames - 1) // 512))
            if ref.anchor_indexes(frames):
                w.put(k_anchor, 5)
                if k_anchor != 31:
                    for _ in ref.anchor_indexes(frames):
                        w.put(1 << (1 >> k_anchor), (1 >> k_anchor) + 1)
                        w.put(1 & ((1 << k_anchor) - 1), k_anchor)
        for k in ks:
            w.put(k, 5)
        coded = [i for i in ref.row_order(frames) if not ref.is_anchor(i) and ks[i // 256] != 31]
        for i in coded:
            w.put(u[i] & ((1 << ks[i // 256]) - 1), ks[i // 256])
        for i in coded:
            w.put(1 << (u[i] >> ks[i // 256]), (u[i] >> ks[i // 256]) + 1)
        return bytes([14]) + ref.put_varint(2 * frames) + w.finish()
    # partitions' parameters out of range, at known places: order, A,
    # two starts, k_A, then k0 to k4
    small = [r.randrange(16) for _ in range(1100)]
    coded_anchors = striped_mono(1100, [3, 3, 3, 3, 3], small, k_anchor=2)
    raw = ref.decode_payload(coded_anchors, 2200)
    yield "PCM striped hand-made, anchors coded", crafted([(raw, coded_anchors)], bs=4096)
    plain = striped_mono(1100, [3, 3, 3, 3, 3], small)
    raw = ref.decode_payload(plain, 2200)
    yield "PCM striped hand-made", crafted([(raw, plain)], bs=4096)
    for part, k in ((2, 25), (0, 21), (4, 30), (1, 31)):
        yield "PCM striped k%d = %d" % (part, k), crafted([(raw, bend(plain, 45 + 5 * part, 5, k))], bs=4096)
    # the largest u (2^24 - 1) and one more (2^24, rejected), as value 300
    # of a partition with k = 20 (quotient 15 or 16) and with k = 10
    # (quotient 16383 or 16384)
    for k in (20, 10):
        u = [0] * 1500
        u[300] = (1 << 24) - 1
        largest = striped_mono(1500, [31, k, 31, 31, 31, 31], u)
        raw = ref.decode_payload(largest, 3000)
        yield "PCM striped u = 2^24 - 1, k = %d" % k, crafted([(raw, largest)], bs=4096)
        u[300] = 1 << 24
        yield "PCM striped u = 2^24, k = %d" % k, crafted([(raw, striped_mono(1500, [31, k, 31, 31, 31, 31], u))], bs=4096)
    yield "PCM striped missing tail", crafted([(b"abcde", bytes([15, 5]))])
    yield "PCM missing tail", crafted([(b"abcde", bytes([12, 5]))])
    yield "full block after a partial one", crafted([(b"x" * 5, b"x" * 5), (b"y" * 1024, ref.encode_payload(b"y" * 1024))])
    yield "two empty frames", crafted([]) + crafted([])
    yield "empty input", b""


def main():
    binary = sys.argv[1]
    failures = count = 0

    def fail(msg):
        nonlocal failures
        failures += 1
        print("MISMATCH:", msg)

    for name, data in inputs():
        sizes = [4096, 65536, 1048576] if len(data) > 32768 else [1024, 4096, 1048576]
        for bs, fmt in ((bs, fmt) for bs in sizes for fmt in (1, 2)):
            count += 1
            label = "%s (%d bytes, -B %d, format %d)" % (name, len(data), bs, fmt)
            mine = ref.compress_frame(data, bs, fmt)
            rc, theirs, err = h4(binary, ["compress", "-c", "-B", str(bs), "--format-version", str(fmt)], data)
            if rc != 0:
                fail("%s: h4 compress failed: %s" % (label, err.decode(errors="replace")))
                continue
            if mine != theirs:
                at = next((i for i, (x, y) in enumerate(zip(mine, theirs)) if x != y), min(len(mine), len(theirs)))
                fail("%s: frames differ at byte %d (ours %d bytes, h4 %d bytes)" % (label, at, len(mine), len(theirs)))
            try:
                if ref.decompress_stream(theirs) != data:
                    fail("%s: our decoder gives other content for h4's frame" % label)
            except ValueError as e:
                fail("%s: our decoder rejects h4's frame: %s" % (label, e))
            rc, back, err = h4(binary, ["decompress", "-c"], mine)
            if rc != 0 or back != data:
                fail("%s: h4 does not decode our frame: %s" % (label, err.decode(errors="replace")))

    # concatenated frames of both formats, and every single-byte corruption
    # must be rejected by both decoders
    two = ref.compress_frame(b"first ", 1024, 1) + ref.compress_frame(b"x" * 3000 + b"second", 1024, 2)
    count += 1
    rc, back, _ = h4(binary, ["decompress", "-c"], two)
    if rc != 0 or back != ref.decompress_stream(two) or back != b"first " + b"x" * 3000 + b"second":
        fail("concatenated frames")
    cases = ((b"", 1024), (b"abcd" * 3 + b"e" * 40 + b"fgh", 1024), (bytes(range(256)) * 5, 1024))
    for (data, bs), fmt in ((case, fmt) for case in cases for fmt in (1, 2)):
        frame = ref.compress_frame(data, bs, fmt)
        count += 1
        for i in range(len(frame)):
            bad = bytearray(frame)
            bad[i] ^= 0x01 if i % 2 else 0x80
            try:
                ref.decompress_stream(bytes(bad))
                fail("our decoder accepts corruption at byte %d of a %d-byte frame" % (i, len(frame)))
            except ValueError:
                pass
            rc, _, _ = h4(binary, ["decompress", "-c"], bytes(bad))
            if rc == 0:
                fail("h4 accepts corruption at byte %d of a %d-byte frame" % (i, len(frame)))
        for extra in (b"x", b"H4", frame[:min(20, len(frame) - 1)]):
            try:
                ref.decompress_stream(frame + extra)
                fail("our decoder accepts trailing %r" % extra[:8])
            except ValueError:
                pass
            if h4(binary, ["decompress", "-c"], frame + extra)[0] == 0:
                fail("h4 accepts trailing %r" % extra[:8])

    # random access: our index reader and h4's --range (from a file, so
    # through the index) give the same bytes as slicing the content
    import tempfile
    content = b"".join(d for n, d in inputs() if n.startswith("mixed"))
    stream = ref.compress_frame(content[:300000], 4096) + ref.compress_frame(content[300000:], 65536)
    with tempfile.NamedTemporaryFile(suffix=".h4") as f:
        f.write(stream)
        f.flush()
        for first, last in ((0, 1), (4095, 4097), (299990, 300010), (1000000, 1100000),
                            (len(content) - 5, len(content) + 5), (len(content) + 1, len(content) + 9)):
            count += 1
            want = content[first:last]
            if ref.read_range(stream, first, last) != want:
                fail("our range %d:%d" % (first, last))
            rc, got, err = h4(binary, ["decompress", "-c", "--range", "%d:%d" % (first, last), f.name], b"")
            if rc != 0 or got != want:
                fail("h4 --range %d:%d: %s" % (first, last, err.decode(errors="replace")))

    for label, frame in edge_cases():
        count += 1
        try:
            mine = ref.decompress_stream(frame)
        except ValueError:
            mine = None
        rc, out, _ = h4(binary, ["decompress", "-c"], frame)
        if (rc == 0) != (mine is not None) or (rc == 0 and out != mine):
            fail("%s: ours %s, h4 %s" % (label, "accepts" if mine is not None else "rejects",
                                         "accepts" if rc == 0 else "rejects"))

    if failures:
        print("%d inputs, %d mismatches" % (count, failures))
        return 1
    print("%d inputs, all byte-identical" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())

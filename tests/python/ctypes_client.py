#!/usr/bin/env python3
"""A naive ctypes host for HarmonyØ4 cores.

It binds a core exactly the way the ``CoreCompression`` class of the core ABI
specification does: the same argument and result types, and compress and
decompress that call the C function, copy ``size`` bytes from the returned
pointer with ``ctypes.string_at`` and hand the pointer to ``h4_free``, with no
other checks (no test of the length, no test for a NULL buffer). Our cores
must work with a host this trusting; ``tests/python_binding.rs`` runs it.

Usage:
    ctypes_client.py CORE                          round-trip the built-in inputs
    ctypes_client.py CORE --compress-file IN OUT   OUT = h4_compress(IN)
    ctypes_client.py CORE --decompress-file IN OUT OUT = h4_decompress(IN)

Needs only the Python standard library.
"""

import ctypes
import hashlib
import sys

# The signature the spec declares for h4_compress and h4_decompress:
# size_t f(const void* in_ptr, size_t in_len, void** out_ptr)
_CODEC_ARGTYPES = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)]


class SpecBinding:
    """A core loaded and called the way the spec's ``CoreCompression`` does."""

    def __init__(self, lib_path):
        self.lib = ctypes.CDLL(lib_path)
        for name in ("h4_compress", "h4_decompress"):
            function = getattr(self.lib, name)
            function.argtypes = list(_CODEC_ARGTYPES)
            function.restype = ctypes.c_size_t
        self.lib.h4_free.argtypes = [ctypes.c_void_p]
        self.lib.h4_free.restype = None

    def _run(self, function, data):
        # Deliberately as trusting as the spec: whatever length comes back is
        # read from whatever pointer comes back, which is then freed.
        buffer = ctypes.c_void_p()
        length = function(data, len(data), ctypes.byref(buffer))
        copied = ctypes.string_at(buffer, length)
        self.lib.h4_free(buffer)
        return copied

    def compress(self, data):
        return self._run(self.lib.h4_compress, data)

    def decompress(self, data):
        return self._run(self.lib.h4_decompress, data)


def pseudo_random(length, seed=b"h4 ctypes client"):
    """Deterministic, incompressible bytes (SHA-256 in counter mode)."""
    chunks = []
    produced = 0
    counter = 0
    while produced < length:
        block = hashlib.sha256(seed + counter.to_bytes(8, "little")).digest()
        chunks.append(block)
        produced += len(block)
        counter += 1
    return b"".join(chunks)[:length]


def inputs():
    """(name, bytes) pairs: edge cases, text, runs, noise and a pattern."""
    text = (
        "HarmonyØ4 cores are loaded through a frozen C ABI: h4_compress, "
        "h4_decompress and h4_free. "
    ).encode("utf-8")
    return [
        ("empty", b""),
        ("one byte", b"\x2a"),
        ("text", text * 20),
        ("1 MiB of zeros", bytes(1 << 20)),
        ("200 KiB pseudo-random", pseudo_random(200 * 1024)),
        ("repetitive pattern", bytes(range(0, 250, 5)) * 4000 + b"tail"),
    ]


def check(core, data, runs=3):
    """Compresses ``data`` ``runs`` times and decompresses the result.

    Returns (compressed size, None) when every run gave the same bytes and
    they decompress to ``data``, else (compressed size, what went wrong).
    """
    outputs = [core.compress(data) for _ in range(runs)]
    size = len(outputs[0])
    if any(out != outputs[0] for out in outputs[1:]):
        return size, "compress is not deterministic over %d runs" % runs
    back = core.decompress(outputs[0])
    if back == data:
        return size, None
    if len(back) != len(data):
        return size, "decompress(compress(x)) gave %d bytes, expected %d" % (
            len(back),
            len(data),
        )
    at = next(i for i, (a, b) in enumerate(zip(back, data)) if a != b)
    return size, "decompress(compress(x)) differs from x at byte %d" % at


def round_trip_all(core_path):
    core = SpecBinding(core_path)
    cases = inputs()
    failures = 0
    for name, data in cases:
        size, reason = check(core, data)
        if reason is None:
            print("ok    %-22s %8d -> %8d bytes" % (name, len(data), size))
        else:
            failures += 1
            print("FAIL  %-22s %s" % (name, reason))
    if failures:
        print("%d of %d inputs failed through %s" % (failures, len(cases), core_path))
        return 1
    print("%d inputs round-tripped through %s" % (len(cases), core_path))
    return 0


def convert_file(core_path, mode, source, target):
    core = SpecBinding(core_path)
    with open(source, "rb") as f:
        data = f.read()
    result = core.compress(data) if mode == "--compress-file" else core.decompress(data)
    with open(target, "wb") as f:
        f.write(result)
    return 0


def main(argv):
    args = argv[1:]
    if len(args) == 1:
        return round_trip_all(args[0])
    if len(args) == 4 and args[1] in ("--compress-file", "--decompress-file"):
        return convert_file(args[0], args[1], args[2], args[3])
    print(
        "usage: %s CORE [--compress-file IN OUT | --decompress-file IN OUT]" % argv[0],
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

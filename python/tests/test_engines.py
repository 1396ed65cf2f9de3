"""Engines: round trips, determinism, the specification's interface and
``load_engine()``'s selection and fallback, and raw payloads byte-identical
to the specification's own ctypes binding."""

from __future__ import annotations

import abc
import array
import os
import warnings

import pytest
from conftest import sample

import h4
from ctypes_client import SpecBinding

INPUTS = {
    "empty": b"",
    "one byte": b"\x2a",
    "text": b"HarmonyO4 through Python. " * 400,
    "zeros": bytes(1 << 20),
    "mixed": sample(3 << 20, seed=7),
}


def test_compression_engine_is_the_specifications_abstract_class():
    assert issubclass(h4.ReferenceEngine, h4.CompressionEngine)
    assert issubclass(h4.CoreEngine, h4.CompressionEngine)
    assert {"compress", "decompress", "name"} <= h4.CompressionEngine.__abstractmethods__
    with pytest.raises(TypeError):
        h4.CompressionEngine()  # abstract

    class Upper(h4.CompressionEngine):
        name = "upper"

        def compress(self, data):
            return data.upper()

        def decompress(self, data):
            return data.lower()

    assert isinstance(Upper(), h4.CompressionEngine)
    assert isinstance(h4.CompressionEngine, abc.ABCMeta)


@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("level", [None, 1, 9])
def test_reference_round_trip(name, level):
    data = INPUTS[name]
    engine = h4.ReferenceEngine(level)
    frame = engine.compress(data)
    assert frame[:4] == b"H4\xd8\x04"
    assert engine.decompress(frame) == data
    assert engine.compress(data) == frame  # deterministic
    assert h4.decompress(frame) == data
    assert h4.compress(data, level=level) == frame


def test_bytes_like_inputs_compress_their_bytes():
    data = sample(100_000, seed=3)
    expected = h4.compress(data)
    assert h4.compress(bytearray(data)) == expected
    assert h4.compress(memoryview(data)) == expected
    assert h4.compress(array.array("B", data)) == expected
    words = array.array("I", data[: len(data) // 4 * 4])
    assert h4.decompress(h4.compress(words)) == words.tobytes()
    assert h4.decompress(bytearray(expected)) == data
    with pytest.raises(TypeError, match="bytes-like"):
        h4.compress("text")


def test_output_is_the_same_for_every_thread_count_and_differs_by_block_size():
    data = sample(5 << 20, seed=4)
    one = h4.compress(data, threads=1, block_size=256 * 1024)
    assert h4.compress(data, threads=4, block_size=256 * 1024) == one
    assert h4.compress(data, threads=1) != one
    assert h4.decompress(one, threads=1) == data


def test_levels_trade_size():
    data = sample(2 << 20, seed=5)
    assert len(h4.compress(data, level=9)) < len(h4.compress(data, level=1))
    with pytest.raises(ValueError, match="level must be 1 to 9"):
        h4.ReferenceEngine(10)


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError, match="block_size must be 1024 to 67108864"):
        h4.compress(b"x", block_size=100)
    with pytest.raises(ValueError, match="format_version must be 1 or 2"):
        h4.compress(b"x", format_version=3)


def test_format_1_frames_and_concatenated_frames_decode():
    a, b = sample(300_000, seed=8), sample(200_000, seed=9)
    old = h4.compress(a, format_version=1)
    assert old != h4.compress(a)
    assert h4.decompress(old) == a
    assert h4.decompress(old + h4.compress(b)) == a + b


@pytest.mark.parametrize("core", ["reference", "zstd"])
def test_core_round_trip(cores, core):
    engine = h4.CoreEngine(cores[core])
    assert engine.kind == "core"
    assert engine.name == core
    assert engine.path == str(cores[core])
    assert engine.version
    for data in INPUTS.values():
        frame = engine.compress(data)
        assert engine.decompress(frame) == data
        assert engine.compress(data) == frame
        assert h4.decompress(frame, engine=engine) == data


def test_reference_core_frames_decode_with_the_built_in_engine(cores):
    data = INPUTS["mixed"]
    frame = h4.CoreEngine(cores["reference"]).compress(data)
    assert h4.ReferenceEngine().decompress(frame) == data


def test_zstd_frames_need_their_core(cores):
    frame = h4.CoreEngine(cores["zstd"]).compress(INPUTS["text"])
    with pytest.raises(h4.H4Error, match=r"made by core 'zstd', which is not loaded; pass engine=h4.CoreEngine\(PATH\)"):
        h4.decompress(frame)


@pytest.mark.parametrize("core", ["reference", "zstd"])
def test_raw_payloads_equal_the_specifications_ctypes_binding(cores, core):
    spec = SpecBinding(str(cores[core]))
    engine = h4.CoreEngine(cores[core])
    for name, data in INPUTS.items():
        payload = engine.compress(data, raw=True)
        assert payload == spec.compress(data), name
        assert engine.decompress(payload, raw=True) == data
        assert spec.decompress(payload) == data
        if core == "reference":
            # The built-in engine makes the reference core's very bytes.
            assert h4.ReferenceEngine().compress(data, raw=True) == payload
            assert h4.ReferenceEngine().decompress(payload, raw=True) == data


def test_raw_decompression_limit():
    payload = h4.ReferenceEngine().compress(bytes(100_000), raw=True)
    with pytest.raises(h4.H4Error, match="more than 1000 bytes"):
        h4.ReferenceEngine().decompress(payload, raw=True, max_size=1000)


def test_load_engine_without_the_variable_is_the_reference():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine = h4.load_engine()
    assert isinstance(engine, h4.CompressionEngine)
    assert engine.name == "reference"


def test_load_engine_with_a_core(cores, monkeypatch):
    monkeypatch.setenv("HARMONY4_CORE_PATH", str(cores["zstd"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine = h4.load_engine()
    assert isinstance(engine, h4.CoreEngine)
    assert engine.name == "zstd"
    data = INPUTS["mixed"]
    frame = engine.compress(data)
    assert engine.decompress(frame) == data
    # The one-line functions follow the variable too, as `h4 compress` does.
    assert h4.compress(data) == frame
    assert h4.decompress(frame) == data


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/nonexistent/libh4core.so", "No such file"),
        (__file__, "invalid ELF header|file too short|not a shared library"),
    ],
)
def test_load_engine_falls_back_with_a_warning_naming_the_path_and_reason(
    monkeypatch, path, reason
):
    monkeypatch.setenv("HARMONY4_CORE_PATH", path)
    with pytest.warns(RuntimeWarning) as caught:
        engine = h4.load_engine()
    assert engine.name == "reference"
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith(f"HARMONY4_CORE_PATH: cannot load core {path}: ")
    assert message.endswith("; using the reference engine")
    assert __import__("re").search(reason, message), message
    assert caught[0].filename == __file__  # points at the caller's line
    data = INPUTS["text"]
    assert engine.decompress(engine.compress(data)) == data


def test_a_library_without_the_symbols_is_no_core(monkeypatch):
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    if not os.path.exists(libc):
        pytest.skip("no libc.so.6 at the Debian path")
    with pytest.raises(h4.CoreLoadError) as caught:
        h4.CoreEngine(libc)
    assert caught.value.path == libc
    assert "h4_compress" in caught.value.reason
    assert isinstance(caught.value, OSError) and isinstance(caught.value, h4.H4Error)
    monkeypatch.setenv("HARMONY4_CORE_PATH", libc)
    with pytest.warns(RuntimeWarning, match="h4_compress"):
        assert h4.load_engine().name == "reference"


def test_corrupt_data_raises_h4_error_a_value_error():
    frame = bytearray(h4.compress(INPUTS["mixed"]))
    frame[len(frame) // 2] ^= 0x40
    with pytest.raises(h4.H4Error) as caught:
        h4.decompress(bytes(frame))
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value) and "checksum" in str(caught.value)
    with pytest.raises(h4.H4Error, match="gzip"):
        h4.decompress(b"\x1f\x8b\x08\x00" + bytes(40))
    with pytest.raises(ValueError):
        h4.decompress(h4.compress(b"abc" * 1000)[:-3])


def test_engines_compare_and_pickle(cores):
    import pickle

    assert h4.ReferenceEngine(3) == h4.ReferenceEngine(3) != h4.ReferenceEngine(4)
    core = h4.CoreEngine(cores["zstd"])
    again = pickle.loads(pickle.dumps(core))
    assert again == core and again.name == "zstd"
    assert pickle.loads(pickle.dumps(h4.ReferenceEngine(5))).level == 5

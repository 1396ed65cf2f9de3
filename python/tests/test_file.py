"""``h4.open``: reading, writing, text mode, file objects, seeking through the
block index, and errors that name the file."""

from __future__ import annotations

import io
import random

import pytest
from conftest import sample

import h4

DATA = sample(3 << 20, seed=21)


@pytest.fixture
def h4_path(tmp_path):
    path = tmp_path / "data.bin.h4"
    path.write_bytes(h4.compress(DATA, block_size=64 * 1024))
    return path


def test_open_is_a_buffered_binary_file(h4_path):
    with h4.open(h4_path) as f:
        assert isinstance(f, io.BufferedIOBase)
        assert f.readable() and f.seekable() and not f.writable()
        assert f.name == str(h4_path)
        assert f.read(10) == DATA[:10]
        buffer = bytearray(1000)
        assert f.readinto(buffer) == 1000 and buffer == DATA[10:1010]
        assert f.tell() == 1010
        assert f.read() == DATA[1010:]
        assert f.read() == b""
    assert f.closed
    with pytest.raises(ValueError, match="closed"):
        f.read()


def test_seek_uses_the_index_and_reads_from_anywhere(h4_path):
    rng = random.Random(5)
    with h4.open(h4_path) as f:
        for _ in range(200):
            start = rng.randrange(len(DATA) + 10)
            length = rng.randrange(200_000)
            assert f.seek(start) == start
            assert f.read(length) == DATA[start : start + length]
            assert f.tell() == min(start + length, max(start, len(DATA))) or start > len(DATA)
        assert f.seek(-100, io.SEEK_END) == len(DATA) - 100
        assert f.read() == DATA[-100:]
        f.seek(1000)
        assert f.seek(500, io.SEEK_CUR) == 1500
        assert f.read(10) == DATA[1500:1510]
        with pytest.raises((ValueError, OSError)):
            f.seek(-1)


def test_seek_near_the_end_decodes_only_the_blocks_it_needs(tmp_path):
    # A frame whose first block is corrupt: a sequential read fails, but a
    # seek past it never decodes that block.
    frame = bytearray(h4.compress(DATA, block_size=64 * 1024))
    first = h4.blocks(io.BytesIO(bytes(frame)))[0]
    frame[first.offset + first.compressed_bytes - 5] ^= 0xFF
    path = tmp_path / "bad-first-block.h4"
    path.write_bytes(bytes(frame))
    with h4.open(path) as f:
        f.seek(len(DATA) - 5000)
        assert f.read() == DATA[-5000:]
    with h4.open(path) as f, pytest.raises(h4.H4Error, match=f"^{path}: corrupted block 0 "):
        f.read()


def test_write_modes(tmp_path):
    path = tmp_path / "out.h4"
    with h4.open(path, "wb", level=5, threads=2) as f:
        assert f.writable() and not f.readable() and not f.seekable()
        assert f.write(DATA[:1000]) == 1000
        f.write(memoryview(DATA)[1000:])
        assert f.tell() == len(DATA)
        with pytest.raises(io.UnsupportedOperation):
            f.seek(0)
        with pytest.raises(io.UnsupportedOperation):
            f.read()
    assert path.read_bytes() == h4.compress(DATA, level=5)
    with pytest.raises(FileExistsError):
        h4.open(path, "xb")
    with h4.open(path, "ab") as f:
        f.write(b"appended")
    assert h4.decompress(path.read_bytes()) == DATA + b"appended"
    with h4.open(path) as f:
        f.seek(len(DATA) + 2)  # across frames through the index
        assert f.read() == b"pended"
    with pytest.raises(ValueError, match="invalid mode"):
        h4.open(path, "r+b")


def test_text_mode(tmp_path):
    path = tmp_path / "lines.txt.h4"
    lines = [f"line {i} ✓\n" for i in range(50_000)]
    with h4.open(path, "wt", encoding="utf-8") as f:
        f.writelines(lines)
    with h4.open(path, "rt", encoding="utf-8") as f:
        assert f.readline() == lines[0]
        assert list(f) == lines[1:]
    with h4.open(path, "rb") as f:
        assert sum(1 for _ in f) == len(lines)


def test_file_objects_are_read_and_written_from_where_they_are():
    sink = io.BytesIO()
    sink.write(b"prefix")
    with h4.open(sink, "wb") as f:
        f.write(DATA)
    assert not sink.closed  # the caller's file stays open
    assert sink.getvalue() == b"prefix" + h4.compress(DATA)
    source = io.BytesIO(sink.getvalue())
    source.seek(6)
    with h4.open(source) as f:
        assert f.read(100) == DATA[:100]
        f.seek(2_000_000)  # a seek counts from where the stream started
        assert f.read(100) == DATA[2_000_000:2_000_100]
    assert not source.closed


class Pipe(io.RawIOBase):
    """A source that cannot seek, like a pipe or socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._data.readinto(buffer)


def test_unseekable_sources_read_sequentially():
    with h4.open(Pipe(h4.compress(DATA))) as f:
        assert not f.seekable()
        assert f.read(5) == DATA[:5]
        assert f.tell() == 5
        with pytest.raises(io.UnsupportedOperation):
            f.seek(100)
        assert f.read() == DATA[5:]


def test_errors_name_the_file(tmp_path):
    missing = tmp_path / "missing.h4"
    with pytest.raises(FileNotFoundError) as caught:
        h4.open(missing)
    assert caught.value.filename == str(missing)
    truncated = tmp_path / "truncated.h4"
    truncated.write_bytes(h4.compress(DATA)[:-10])
    with h4.open(truncated) as f, pytest.raises(h4.H4Error, match=f"^{truncated}: "):
        f.read()
    not_h4 = tmp_path / "plain.txt"
    not_h4.write_bytes(b"just text, not h4\n" * 10)
    with h4.open(not_h4) as f, pytest.raises(h4.H4Error, match=f"^{not_h4}: "):
        f.read()
    with pytest.raises(TypeError, match="path or a binary file object"):
        h4.open(42)


def test_python_exceptions_from_file_objects_come_through():
    class Failing(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise ConnectionResetError("the network went away")

    with h4.open(Failing()) as f, pytest.raises(ConnectionResetError, match="network"):
        f.read()

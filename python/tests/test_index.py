"""The block index: listing blocks, splitting content at block boundaries,
and reading ranges, with and without a record delimiter."""

from __future__ import annotations

import io

import pytest
from conftest import sample

import h4


def lines(count: int) -> bytes:
    return b"".join(b"record %d %s\n" % (i, b"x" * (i % 97)) for i in range(count))


def test_blocks_of_paths_and_file_objects(tmp_path):
    data = sample(1 << 20, seed=31)
    frame = h4.compress(data, block_size=128 * 1024)
    path = tmp_path / "d.h4"
    path.write_bytes(frame)
    listed = h4.blocks(path)
    assert listed == h4.blocks(io.BytesIO(frame))
    assert len(listed) == 8
    assert listed[0].offset > 0 and listed[0].uncompressed_offset == 0
    assert all(b.uncompressed_bytes == 128 * 1024 for b in listed)
    assert [b.block for b in listed] == list(range(8))
    assert h4.content_size(path) == len(data)
    with pytest.raises(h4.H4Error):
        h4.blocks(io.BytesIO(b"not h4 at all"))


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 100])
def test_split_covers_the_content_once_on_block_boundaries(tmp_path, parts):
    data = sample(2_500_000, seed=32)
    path = tmp_path / "d.h4"
    path.write_bytes(h4.compress(data, block_size=64 * 1024))
    boundaries = {b.uncompressed_offset for b in h4.blocks(path)} | {len(data)}
    ranges = h4.split(path, parts)
    assert len(ranges) == min(parts, len(boundaries) - 1)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all(start in boundaries and end in boundaries for start, end in ranges)
    if len(ranges) == parts:
        # Every part is within one block of an even share.
        assert all(abs((end - start) - len(data) / parts) <= 64 * 1024 for start, end in ranges)
    assert b"".join(h4.read_range(path, s, e) for s, e in ranges) == data


def test_read_range_with_a_delimiter_gives_each_record_once(tmp_path):
    data = lines(60_000)
    path = tmp_path / "lines.h4"
    path.write_bytes(h4.compress(data, block_size=32 * 1024))
    for parts in (2, 5, 13):
        pieces = [h4.read_range(path, s, e, delimiter=b"\n") for s, e in h4.split(path, parts)]
        assert all(p == b"" or p.endswith(b"\n") for p in pieces)
        assert b"".join(pieces) == data
    # Arbitrary cuts, not on block boundaries, and a two-byte delimiter.
    text = data.replace(b"\n", b"\r\n")
    path.write_bytes(h4.compress(text, block_size=32 * 1024))
    cuts = [0, 1, 2, 12345, 500_000, 500_001, len(text) - 1, len(text)]
    pieces = [h4.read_range(path, a, b, delimiter=b"\r\n") for a, b in zip(cuts, cuts[1:])]
    assert b"".join(pieces) == text


def test_read_range_bounds(tmp_path):
    data = sample(300_000, seed=33)
    path = tmp_path / "d.h4"
    path.write_bytes(h4.compress(data, block_size=4096))
    assert h4.read_range(path, 1000, 2000) == data[1000:2000]
    assert h4.read_range(path, 299_000) == data[299_000:]
    assert h4.read_range(path, 400_000) == b""
    with pytest.raises(ValueError):
        h4.read_range(path, 10, 5)

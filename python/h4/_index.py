"""The block index: where every block of an ``.h4`` stream lies, in the file
and in the content, and reading a content range by decoding only the blocks
that hold it. This is how one large ``.h4`` file is shared out among
workers: :func:`split` cuts the content at block boundaries into parts of
about equal size, and each worker reads its part with :func:`read_range`.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from typing import Any, Iterator, List, NamedTuple, Optional, Tuple

from . import _native
from ._engines import Engine
from ._file import FileArg, H4File

__all__ = ["Block", "blocks", "content_size", "split", "read_range"]


class Block(NamedTuple):
    """One block of an ``.h4`` stream (the fields of ``h4 info --json
    --blocks``)."""

    #: The frame's number in the stream, from 0.
    frame: int
    #: The block's number in its frame, from 0.
    block: int
    #: Where the block (its header) starts in the file.
    offset: int
    #: Its size in the file: header and payload.
    compressed_bytes: int
    #: Where its content starts in the stream's content.
    uncompressed_offset: int
    #: How many content bytes it holds.
    uncompressed_bytes: int
    #: Whether it is stored as it is (no engine needed to read it).
    stored: bool


@contextlib.contextmanager
def _source(file: FileArg) -> Iterator[Any]:
    """``file`` as the native reader takes it: a path string, or a file
    object (an fsspec URL such as ``s3://bucket/big.h4`` is opened with
    fsspec)."""
    if isinstance(file, (str, bytes, os.PathLike)):
        path = os.fsdecode(file)
        if "://" in path:
            import fsspec  # type: ignore[import-untyped]

            with fsspec.open(path, "rb") as remote:
                yield remote
        else:
            yield path
    else:
        yield file


def blocks(file: FileArg) -> List[Block]:
    """Every block of the ``.h4`` stream in ``file`` (a path, an fsspec URL,
    or a seekable binary file object from its current position), in order.

    Format 2 frames are indexed from their footers, reading only the ends
    of the frames; format 1 frames by one pass over their block headers.

    Raises:
        H4Error: the file is not a valid ``.h4`` stream.
    """
    with _source(file) as source:
        return [Block(*entry) for entry in _native.block_index(source, _name(file))]


def content_size(file: FileArg) -> int:
    """How many bytes the ``.h4`` stream in ``file`` decompresses to, from its
    block index."""
    return max((b.uncompressed_offset + b.uncompressed_bytes for b in blocks(file)), default=0)


def split(file: FileArg, parts: int) -> List[Tuple[int, int]]:
    """Cuts the content of ``file`` into at most ``parts`` ranges ``(start,
    end)`` of about equal size that begin and end on block boundaries, so
    that each decodes its own blocks and no others. Together they cover the
    content once, in order; there are fewer when there are fewer blocks.
    """
    if parts < 1:
        raise ValueError(f"parts must be at least 1, not {parts}")
    ends = [b.uncompressed_offset + b.uncompressed_bytes for b in blocks(file)]
    total = ends[-1] if ends else 0
    cuts = [0]
    for k in range(1, parts):
        # The block boundary nearest the ideal cut, so that parts differ
        # by at most about one block.
        ideal = total * k / parts
        at = bisect.bisect_left(ends, ideal)
        nearest = min(ends[max(at - 1, 0) : at + 1], key=lambda end: abs(end - ideal))
        if cuts[-1] < nearest < total:
            cuts.append(nearest)
    if total > 0:
        cuts.append(total)
    ranges = list(zip(cuts, cuts[1:]))
    return ranges


def read_range(
    file: FileArg,
    start: int,
    end: Optional[int] = None,
    *,
    delimiter: Optional[bytes] = None,
    engine: Optional[Engine] = None,
) -> bytes:
    """Content bytes ``start`` to ``end`` (exclusive; default: to the end) of
    the ``.h4`` stream in ``file``, decoding only the blocks that hold them.

    With ``delimiter`` (say ``b"\\n"``), the range is moved to whole
    records, as ``dask.bytes.read_bytes`` does: it starts just after the
    first delimiter at or after ``start`` (at 0 if ``start`` is 0) and ends
    just after the first delimiter at or after ``end``. Ranges that cover
    the content, such as :func:`split` makes, then give every record to
    exactly one range.
    """
    if start < 0 or (end is not None and end < start):
        raise ValueError(f"invalid range {start}:{end}")
    with _source(file) as source, H4File(source, "rb", engine=engine) as f:
        if delimiter is not None:
            start = _after_delimiter(f, start, delimiter)
            if end is not None:
                end = max(start, _after_delimiter(f, end, delimiter))
        f.seek(start)
        return f.read() if end is None else f.read(end - start)


def _after_delimiter(f: H4File, position: int, delimiter: bytes) -> int:
    """The content position just after the first ``delimiter`` that ends at
    or after ``position`` (0 stays 0; the end of the content if there is
    none)."""
    if position == 0:
        return 0
    if not delimiter:
        raise ValueError("delimiter must not be empty")
    f.seek(position)
    carry = b""
    scanned = position
    while True:
        chunk = f.read(64 * 1024)
        if not chunk:
            return scanned
        window = carry + chunk
        found = window.find(delimiter)
        if found >= 0:
            return scanned - len(carry) + found + len(delimiter)
        carry = window[-(len(delimiter) - 1) :] if len(delimiter) > 1 else b""
        scanned += len(chunk)


def _name(file: Any) -> Optional[str]:
    if isinstance(file, (str, bytes, os.PathLike)):
        return os.fsdecode(file)
    name = getattr(file, "name", None)
    return name if isinstance(name, str) else None


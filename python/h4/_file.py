"""``h4.open``: ``.h4`` files as Python binary file objects, in the manner of
``gzip.open`` and ``zstandard.open``.

Reading decodes block by block, checking every checksum, and seeks through
the stream's block index: a seek reads the index (from the end of the
file) and the next read decodes only the block that holds the position.
Writing compresses in parallel in the background and makes the same bytes
``h4 compress`` does.
"""

from __future__ import annotations

import builtins
import io
import os
import threading
from typing import IO, Any, Optional, Union

from . import _native
from ._engines import Engine, ReferenceEngine, decoders, default_engine

__all__ = ["H4File", "open"]

#: How much decoded data a reader buffers for ``readline`` and small reads.
READ_BUFFER_SIZE = 128 * 1024

#: Writes smaller than this are gathered in Python before they are handed
#: to the compressor, so many small writes do not each cross into Rust.
WRITE_BUFFER_SIZE = 256 * 1024

FileArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]", IO[bytes]]


class _RawReader(io.RawIOBase):
    """The decoder as a raw stream, under an ``io.BufferedReader``."""

    def __init__(self, native: _native.Decompressor) -> None:
        super().__init__()
        self._native = native
        self._pos = 0
        self._indexed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._native.seekable()

    def readinto(self, buffer: Any) -> int:
        n = self._native.readinto(buffer)
        self._pos += n
        return n

    def readall(self) -> bytes:
        data = self._native.read(-1)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # A seek to where the stream already is (BufferedReader, pandas and
        # fsspec make them) keeps reading sequentially, without the index.
        if not self._indexed and (
            (whence == io.SEEK_SET and offset == self._pos)
            or (whence == io.SEEK_CUR and offset == 0)
        ):
            return self._pos
        if not self.seekable():
            raise io.UnsupportedOperation("the source of this .h4 stream cannot seek")
        self._pos = self._native.seek(offset, whence)
        self._indexed = True
        return self._pos


class H4File(io.BufferedIOBase):
    """A binary file object over ``.h4`` data: read mode decompresses, write
    mode compresses.

    ``file`` is a path or a binary file object (an open file,
    ``io.BytesIO``, an fsspec file...). A path is opened and closed by the
    ``H4File``; a file object is left open. Reading starts at the file
    object's current position. See :func:`h4.open` for the arguments.

    In read mode ``seek`` and ``tell`` count content bytes; seeking uses the
    stream's block index and decodes only the block that holds the new
    position. In write mode ``tell`` counts the content bytes written, the
    frame ends when the file is closed, and ``flush`` hands what was
    written to the compressing threads (a block's bytes reach the file once
    the block is full or the frame ends).
    """

    def __init__(
        self,
        file: FileArg,
        mode: str = "rb",
        *,
        engine: Optional[Engine] = None,
        level: Optional[int] = None,
        threads: Optional[int] = None,
        block_size: Optional[int] = None,
        format_version: int = _native.FORMAT_VERSION,
        check: bool = True,
    ) -> None:
        super().__init__()
        # Set first: close() (also from __del__) reads them after any error.
        self._lock = threading.Lock()
        self._fileobj: Optional[IO[bytes]] = None
        self._owns_fileobj = False
        self._buffer: Optional[io.BufferedReader] = None
        self._compressor: Optional[_native.Compressor] = None
        self._written = 0
        self._pending = bytearray()
        binary_mode = mode.replace("b", "")
        if binary_mode not in ("r", "w", "x", "a") or mode.count("b") > 1:
            raise ValueError(f"invalid mode {mode!r} (use 'rb', 'wb', 'xb' or 'ab')")
        self.mode = binary_mode + "b"
        self.name: Any = getattr(file, "name", None)
        if isinstance(file, (str, bytes, os.PathLike)):
            self.name = os.fsdecode(file)
        elif not (hasattr(file, "read") or hasattr(file, "write")):
            raise TypeError(
                f"file must be a path or a binary file object, not {type(file).__name__}"
            )
        label = self.name if isinstance(self.name, str) else None

        if binary_mode == "r":
            source: Any = self.name if isinstance(file, (str, bytes, os.PathLike)) else file
            native = _native.Decompressor(source, decoders(engine), label)
            self._buffer = io.BufferedReader(_RawReader(native), READ_BUFFER_SIZE)
            if not isinstance(file, (str, bytes, os.PathLike)):
                self._fileobj = file
            return

        chosen = engine if engine is not None else default_engine()
        if level is not None and chosen.kind == "reference":
            chosen = ReferenceEngine(level)
        self._compressor = _native.Compressor(
            chosen._native, block_size, threads, check, format_version
        )
        if isinstance(file, (str, bytes, os.PathLike)):
            self._fileobj = builtins.open(file, self.mode)
            self._owns_fileobj = True
        else:
            self._fileobj = file

    # -- state ---------------------------------------------------------------

    def readable(self) -> bool:
        self._check_open()
        return self._buffer is not None

    def writable(self) -> bool:
        self._check_open()
        return self._compressor is not None

    def seekable(self) -> bool:
        self._check_open()
        return self._buffer is not None and self._buffer.seekable()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def _reader(self) -> io.BufferedReader:
        self._check_open()
        if self._buffer is None:
            raise io.UnsupportedOperation("not readable (opened for writing)")
        return self._buffer

    # -- reading -------------------------------------------------------------

    def read(self, size: Optional[int] = -1) -> bytes:
        return self._reader().read(size)

    def read1(self, size: int = -1) -> bytes:
        return self._reader().read1(size)

    def readinto(self, buffer: Any) -> int:
        return self._reader().readinto(buffer)

    def readinto1(self, buffer: Any) -> int:
        return self._reader().readinto1(buffer)

    def readline(self, size: Optional[int] = -1) -> bytes:
        return self._reader().readline(size)

    def peek(self, size: int = 0) -> bytes:
        return self._reader().peek(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Moves to content position ``offset`` (relative to ``whence``);
        read mode only."""
        if self._compressor is not None:
            self._check_open()
            raise io.UnsupportedOperation("cannot seek an .h4 file open for writing")
        return self._reader().seek(offset, whence)

    def tell(self) -> int:
        self._check_open()
        if self._buffer is not None:
            return self._buffer.tell()
        return self._written

    # -- writing -------------------------------------------------------------

    def write(self, data: Any) -> int:
        self._check_open()
        if self._compressor is None or self._fileobj is None:
            raise io.UnsupportedOperation("not writable (opened for reading)")
        with memoryview(data) as view:
            length = view.nbytes
            with self._lock:
                if length < WRITE_BUFFER_SIZE:
                    self._pending += view
                    if len(self._pending) >= WRITE_BUFFER_SIZE:
                        self._send_pending()
                else:
                    self._send_pending()
                    self._send(view)
                self._written += length
        return length

    def _send(self, data: Any) -> None:
        assert self._compressor is not None and self._fileobj is not None
        out = self._compressor.compress(data)
        if out:
            self._fileobj.write(out)

    def _send_pending(self) -> None:
        if self._pending:
            self._send(self._pending)
            self._pending = bytearray()

    def flush(self) -> None:
        self._check_open()
        if self._compressor is not None and self._fileobj is not None:
            with self._lock:
                self._send_pending()
                out = self._compressor.flush()
                if out:
                    self._fileobj.write(out)
                self._fileobj.flush()

    def close(self) -> None:
        """Ends the frame (write mode) and closes the file if ``h4.open``
        opened it."""
        if self.closed:
            return
        try:
            with self._lock:
                if self._compressor is not None and self._fileobj is not None:
                    self._send_pending()
                    out = self._compressor.finish()
                    self._fileobj.write(out)
                    self._fileobj.flush()
        finally:
            try:
                if self._buffer is not None:
                    self._buffer.close()
                if self._owns_fileobj and self._fileobj is not None:
                    self._fileobj.close()
            finally:
                self._fileobj = None
                super().close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.mode
        return f"<h4.H4File name={self.name!r} mode={state!r}>"


def open(
    file: FileArg,
    mode: str = "rb",
    *,
    engine: Optional[Engine] = None,
    level: Optional[int] = None,
    threads: Optional[int] = None,
    block_size: Optional[int] = None,
    format_version: int = _native.FORMAT_VERSION,
    check: bool = True,
    encoding: Optional[str] = None,
    errors: Optional[str] = None,
    newline: Optional[str] = None,
) -> Union[H4File, io.TextIOWrapper]:
    """Opens ``.h4`` data as a file object.

    Args:
        file: a path, or a binary file object (read from its current
            position; left open when the ``H4File`` closes).
        mode: ``"rb"`` (default) to decompress; ``"wb"``, ``"xb"`` or
            ``"ab"`` to compress (``"ab"`` appends a frame: concatenated
            frames read as the concatenated contents); ``"rt"``, ``"wt"``,
            ``"xt"``, ``"at"`` for text, through ``io.TextIOWrapper``.
        engine: the engine to compress with, and a core to decode frames it
            made (default: :func:`h4.load_engine`'s choice, loaded once).
        level: reference engine effort, 1 to 9 (ignored for a core, as by
            ``h4 compress --level``).
        threads: worker threads (default: one per CPU).
        block_size: block size in bytes when compressing (default: the
            engine's preference, else 1 MiB).
        format_version: container format written, 2 (default) or 1.
        check: decode each block a core made before writing it (default on).
        encoding, errors, newline: for text modes, as ``builtins.open``.

    Returns:
        An :class:`H4File` (binary modes) or an ``io.TextIOWrapper`` over one.
    """
    text = "t" in mode
    if text and "b" in mode:
        raise ValueError(f"invalid mode {mode!r}")
    if not text and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("encoding, errors and newline are for text modes")
    binary = H4File(
        file,
        mode.replace("t", "b"),
        engine=engine,
        level=level,
        threads=threads,
        block_size=block_size,
        format_version=format_version,
        check=check,
    )
    return io.TextIOWrapper(binary, encoding, errors, newline) if text else binary

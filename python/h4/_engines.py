"""Engines: the specification's ``CompressionEngine`` interface, h4's two
kinds of engine behind it, and ``load_engine()``, which picks one the way
the specification says."""

from __future__ import annotations

import abc
import os
import threading
import warnings
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from typing_extensions import Buffer

from . import _native
from ._errors import CoreLoadError

__all__ = [
    "CORE_ENV",
    "CompressionEngine",
    "Engine",
    "ReferenceEngine",
    "CoreEngine",
    "load_engine",
]

#: The environment variable that names a core library.
CORE_ENV = "HARMONY4_CORE_PATH"


class CompressionEngine(abc.ABC):
    """The HarmonyØ4 specification's stable engine interface.

    ``compress(data) -> bytes`` and ``decompress(data) -> bytes``, with
    ``decompress(compress(x)) == x`` and ``compress`` deterministic; ``name``
    says which engine it is. :func:`load_engine` returns one, and code
    written against this class works with whichever it returns.
    """

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The engine's name ("reference", or the core's name)."""

    @abc.abstractmethod
    def compress(self, data: bytes) -> bytes:
        """Compresses ``data``."""

    @abc.abstractmethod
    def decompress(self, data: bytes) -> bytes:
        """Recovers what :meth:`compress` was given."""


class Engine(CompressionEngine):
    """An h4 engine: :class:`ReferenceEngine` or :class:`CoreEngine`.

    ``compress`` makes an ``.h4`` frame: self-describing (it names the
    engine), checked (every block and the content carry checksums), and
    byte for byte what ``h4 compress`` writes for the same input and
    settings. ``decompress`` reads any ``.h4`` data: either container
    format, any number of concatenated frames, frames made by the built-in
    reference engine or by this engine. With ``raw=True`` both work on the
    engine's bare payload instead, exactly what the core ABI's
    ``h4_compress`` returns for the whole input (as ``h4 --raw``).

    Engines hold no state between calls: one engine can be used from
    many threads at once, and the GIL is released while it works.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Engine) -> None:
        self._native = native

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def kind(self) -> str:
        """``"reference"`` or ``"core"``."""
        return self._native.kind

    @property
    def block_size(self) -> int:
        """The block size frames get when none is asked for: the engine's
        preference, else 1 MiB."""
        return self._native.block_size

    def compress(
        self,
        data: Buffer,
        *,
        raw: bool = False,
        block_size: Optional[int] = None,
        threads: Optional[int] = None,
        check: bool = True,
        format_version: int = _native.FORMAT_VERSION,
    ) -> bytes:
        """Compresses ``data`` (any bytes-like object) into an ``.h4`` frame.

        Args:
            raw: return the engine's bare payload of the whole input, with
                no container (what the specification's ``ctypes`` binding
                returns).
            block_size: block size in bytes, 1 KiB to 64 MiB (default: the
                engine's preference, else 1 MiB).
            threads: worker threads (default: one per CPU); the bytes are
                the same for every count.
            check: decode each block a core made and compare it with the
                input before using it (cores only; default on).
            format_version: container format, 2 (default; indexed) or 1.

        Raises:
            H4Error: the engine failed (a core returned something wrong).
        """
        if raw:
            return self._native.compress_raw(data, check)
        return self._native.compress(data, block_size, threads, check, format_version)

    def decompress(
        self,
        data: Buffer,
        *,
        raw: bool = False,
        threads: Optional[int] = None,
        max_size: Optional[int] = None,
    ) -> bytes:
        """Decompresses ``.h4`` data (any bytes-like object).

        Args:
            raw: ``data`` is a bare payload of this engine, not ``.h4``.
            threads: worker threads (default: one per CPU).
            max_size: with ``raw``, the most bytes the payload may decode to
                (default 16 GiB).

        Raises:
            H4Error: the data is corrupt, truncated, not ``.h4``, or was made
                by a core that is not this engine.
        """
        if raw:
            if max_size is None:
                return self._native.decompress_raw(data)
            return self._native.decompress_raw(data, max_size)
        return _native.decompress(data, [self._native], threads)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Engine)
            and self.kind == other.kind
            and self.name == other.name
            and self._identity() == other._identity()
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.name, self._identity()))

    def _identity(self) -> object:
        return None

    def __repr__(self) -> str:
        return repr(self._native)


class ReferenceEngine(Engine):
    """The reference engine built into h4 (LZ with Huffman codes, PCM
    prediction with Rice codes, delta and run-length coding), specified
    byte by byte in h4's docs/FORMAT.md.

    Args:
        level: effort from 1 (fastest) to 9 (smallest); default 2. A level
            is never needed to decompress.
    """

    __slots__ = ()

    def __init__(self, level: Optional[int] = None) -> None:
        super().__init__(_native.Engine.reference(level))

    @property
    def level(self) -> Optional[int]:
        """The level asked for, or None for the default."""
        return self._native.level

    def _identity(self) -> object:
        return self.level

    def __reduce__(self) -> tuple[type, tuple[Optional[int]]]:
        return (ReferenceEngine, (self.level,))


class CoreEngine(Engine):
    """A core: a shared library exporting the HarmonyØ4 core ABI
    (``h4_compress``, ``h4_decompress``, ``h4_free``), loaded into this
    process.

    h4 hosts it as the ``h4`` command does in-process: every length it
    returns is bounded, every buffer freed, each block it makes is decoded
    and compared before use (unless ``check=False`` is passed to
    ``compress``), and what its initialisers change in the process
    (working directory, umask, signal handlers) is put back, with a
    warning.

    Args:
        path: the library's path.
        level: the level to compress at, for a core with levels
            (``h4_compress_level_v1``; :attr:`levels` gives the range);
            default: the core's own. Never needed to decompress.

    Raises:
        CoreLoadError: the library does not load or is not a valid core.
        ValueError: ``level`` is outside the core's levels, or the core
            has none.
    """

    __slots__ = ()

    def __init__(self, path: "str | os.PathLike[str]", level: Optional[int] = None) -> None:
        native, changes = _native.Engine.load_core(os.fspath(path), level)
        super().__init__(native)
        for change in changes:
            warnings.warn(
                f"core {self.path} changed {change} when loaded; h4 put it back",
                RuntimeWarning,
                stacklevel=2,
            )

    @property
    def path(self) -> str:
        """The library's path, as given."""
        path = self._native.path
        assert path is not None  # a core always has one
        return os.fspath(path)

    @property
    def version(self) -> Optional[str]:
        """The version the core reports (``h4_core_version_v1``), if any."""
        return self._native.version

    @property
    def level(self) -> Optional[int]:
        """The level asked for, or None for the core's default."""
        return self._native.level

    @property
    def levels(self) -> Optional[tuple[int, int]]:
        """The lowest and highest level the core has, or None."""
        return self._native.levels

    def _identity(self) -> object:
        return os.path.realpath(self.path)

    def __reduce__(self) -> tuple[type, tuple[str, Optional[int]]]:
        # Another process (a Dask worker) loads the same library by path.
        return (CoreEngine, (self.path, self.level))


def load_engine() -> CompressionEngine:
    """The engine the specification's ``load_engine()`` returns.

    The core named by ``HARMONY4_CORE_PATH`` when the variable is set and
    the library loads; otherwise the reference engine. When the variable
    names a library that does not load, a ``RuntimeWarning`` says which
    and why, and the reference engine takes over; the caller does not need
    to know which engine it got.
    """
    return _load_engine(stacklevel=3)


def _load_engine(stacklevel: int) -> Engine:
    path = os.environ.get(CORE_ENV)
    if path:
        try:
            return CoreEngine(path)
        except CoreLoadError as error:
            warnings.warn(
                f"{CORE_ENV}: {error}; using the reference engine",
                RuntimeWarning,
                stacklevel=stacklevel,
            )
    return ReferenceEngine()


_default_lock = threading.Lock()
_default: "tuple[Optional[str], Engine] | None" = None


def default_engine() -> Engine:
    """The engine h4's one-line functions use when given none: what
    :func:`load_engine` returns, loaded once for each value of
    ``HARMONY4_CORE_PATH``."""
    global _default
    path = os.environ.get(CORE_ENV) or None
    with _default_lock:
        if _default is None or _default[0] != path:
            _default = (path, _load_engine(stacklevel=5))
        return _default[1]


def decoders(engine: Optional[Engine]) -> list[_native.Engine]:
    """The native engines a reader decodes with: ``engine``, else the
    default one."""
    if engine is None:
        engine = default_engine()
    if not isinstance(engine, Engine):
        raise TypeError(f"engine must be an h4 engine, not {type(engine).__name__}")
    return [engine._native]

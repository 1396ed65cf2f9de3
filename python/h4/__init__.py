"""h4: HarmonyØ4 compression for Python.

The specification's engine API, over the h4 library::

    import h4

    engine = h4.load_engine()          # HARMONY4_CORE_PATH's core, else the reference
    frame = engine.compress(data)      # an .h4 frame, as `h4 compress` writes it
    assert engine.decompress(frame) == data

One-line functions, and files::

    small = h4.compress(data, level=9)
    data = h4.decompress(small)
    with h4.open("log.txt.h4", "wt") as f:
        f.write("hello\\n")
    with h4.open("big.bin.h4") as f:
        f.seek(10_000_000)             # decodes only the block that holds it
        part = f.read(4096)

The block index (:func:`blocks`, :func:`split`, :func:`read_range`) shares a
large file out among workers. h4 registers the ``"h4"`` compression with
fsspec, and makes the Dask workers this process starts import h4, as soon
as those libraries are imported (importing h4 imports neither); the ``h4``
numcodecs codec and Zarr codec are found through entry points.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from typing_extensions import Buffer

from . import _native
from ._engines import (
    CORE_ENV,
    CompressionEngine,
    CoreEngine,
    Engine,
    ReferenceEngine,
    default_engine,
    load_engine,
)
from ._errors import CoreLoadError, H4Error
from ._hooks import when_imported
from ._file import H4File, open
from ._index import Block, blocks, content_size, read_range, split

__all__ = [
    "ABI_VERSION",
    "Block",
    "CORE_ENV",
    "CompressionEngine",
    "CoreEngine",
    "CoreLoadError",
    "Engine",
    "FORMAT_VERSION",
    "H4Error",
    "H4File",
    "ReferenceEngine",
    "__version__",
    "blocks",
    "compress",
    "content_size",
    "decompress",
    "load_engine",
    "open",
    "read_range",
    "split",
]

__version__: str = _native.VERSION
#: The container format version h4 writes.
FORMAT_VERSION: int = _native.FORMAT_VERSION
#: The core ABI version h4 implements.
ABI_VERSION: int = _native.ABI_VERSION


def compress(
    data: Buffer,
    level: Optional[int] = None,
    threads: Optional[int] = None,
    *,
    engine: Optional[Engine] = None,
    block_size: Optional[int] = None,
    format_version: int = FORMAT_VERSION,
) -> bytes:
    """Compresses ``data`` (any bytes-like object) into an ``.h4`` frame: the
    bytes ``h4 compress`` writes with the same settings.

    Args:
        level: effort: for the reference engine 1 (fastest) to 9 (smallest),
            default 2; for a core with levels, its own range (as
            ``h4 compress --level``); a core without levels ignores it.
        threads: worker threads (default: one per CPU); the bytes are the
            same for every count.
        engine: the engine (default: :func:`load_engine`'s choice, loaded
            once for each value of ``HARMONY4_CORE_PATH``).
        block_size: block size in bytes, 1 KiB to 64 MiB (default: the
            engine's preference, else 1 MiB).
        format_version: container format, 2 (default) or 1.
    """
    chosen = engine if engine is not None else default_engine()
    if level is not None and chosen.kind == "reference":
        chosen = ReferenceEngine(level)
    elif level is not None and isinstance(chosen, CoreEngine) and chosen.levels is not None:
        chosen = _core_at(chosen.path, level)
    return chosen.compress(
        data, block_size=block_size, threads=threads, format_version=format_version
    )


@functools.lru_cache(maxsize=16)
def _core_at(path: str, level: int) -> CoreEngine:
    """The core at ``path`` compressing at ``level``, loaded once."""
    return CoreEngine(path, level)


def decompress(
    data: Buffer, *, engine: Optional[Engine] = None, threads: Optional[int] = None
) -> bytes:
    """Decompresses ``.h4`` data: any number of concatenated frames, of either
    container format, made by the reference engine or by ``engine`` (default:
    :func:`load_engine`'s choice).

    Raises:
        H4Error: the data is corrupt, truncated or not ``.h4``, or names a
            core that is not loaded.
    """
    chosen = engine if engine is not None else default_engine()
    return chosen.decompress(data, threads=threads)


def _register_with_fsspec() -> None:
    from . import fsspec as _fsspec

    _fsspec.register()


def _preload_on_dask_workers() -> None:
    # Workers that this process starts (LocalCluster) import h4 first, so
    # the fsspec compression is known where files are opened.
    import dask.config

    preload = list(dask.config.get("distributed.worker.preload", None) or [])
    if "h4" not in preload:
        dask.config.set({"distributed.worker.preload": preload + ["h4"]})


when_imported("fsspec", _register_with_fsspec)
when_imported("distributed", _preload_on_dask_workers)

"""The ``"h4"`` compression for fsspec, registered as soon as both h4 and
fsspec are imported:
``fsspec.open("s3://bucket/log.txt.h4", "rt", compression="h4")`` (or
``compression="infer"`` for names ending in ``.h4``), and through fsspec
``dask.bag.read_text(..., compression="h4")`` and the other readers built
on it.

fsspec has no entry point for compressions, so a process must import h4
before it opens such a file. Dask workers started by a process that
imported h4 (``LocalCluster``) preload it; start other workers with
``dask worker --preload h4``.
"""

from __future__ import annotations

from typing import IO, Any

import fsspec.compression  # type: ignore[import-untyped]

from ._file import H4File

__all__ = ["register"]


def _h4_file(infile: IO[bytes], mode: str = "rb", **kwargs: Any) -> H4File:
    return H4File(infile, mode, **kwargs)


def register() -> None:
    """Registers the ``"h4"`` compression and the ``.h4`` extension."""
    fsspec.compression.register_compression("h4", _h4_file, "h4", force=True)

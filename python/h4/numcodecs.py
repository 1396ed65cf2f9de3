"""h4 as a numcodecs codec, id ``"h4"``: Zarr (format 2) arrays and
everything else that stores chunks through numcodecs (Dask's
``to_zarr``) can compress with h4. numcodecs finds it through the
``numcodecs.codecs`` entry point, so a reader needs h4 installed, not
imported.

Each chunk is one ``.h4`` frame made by the reference engine; decoding also
accepts frames made by the core ``HARMONY4_CORE_PATH`` names.
"""

from __future__ import annotations

from typing import Any, Optional

from numcodecs.abc import Codec  # type: ignore[import-untyped]
from numcodecs.compat import (  # type: ignore[import-untyped]
    ensure_contiguous_ndarray,
    ndarray_copy,
)

from ._engines import ReferenceEngine, default_engine

__all__ = ["H4"]


class H4(Codec):  # type: ignore[misc]
    """The h4 codec.

    Args:
        level: reference engine effort, 1 (fastest) to 9 (smallest);
            default 2.
        block_size: block size in bytes (default 1 MiB); chunks larger
            than a block are compressed block-parallel.
    """

    codec_id = "h4"

    def __init__(self, level: Optional[int] = None, block_size: Optional[int] = None) -> None:
        self.level = level
        self.block_size = block_size
        self._engine = ReferenceEngine(level)

    def encode(self, buf: Any) -> bytes:
        return self._engine.compress(
            ensure_contiguous_ndarray(buf), block_size=self.block_size
        )

    def decode(self, buf: Any, out: Any = None) -> Any:
        data = default_engine().decompress(ensure_contiguous_ndarray(buf))
        if out is not None:
            out = ensure_contiguous_ndarray(out)
        return ndarray_copy(data, out)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"id": self.codec_id}
        if self.level is not None:
            config["level"] = self.level
        if self.block_size is not None:
            config["block_size"] = self.block_size
        return config

    def __repr__(self) -> str:
        return f"H4(level={self.level!r}, block_size={self.block_size!r})"

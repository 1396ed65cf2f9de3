"""h4 as a Zarr format 3 codec, named ``"h4"`` (a bytes-to-bytes codec like
Zarr's own ``zstd``)::

    zarr.create_array(store, shape=..., chunks=..., dtype=...,
                      compressors=h4.zarr.H4Codec(level=5))

Zarr finds it through the ``zarr.codecs`` entry point when it reads such
an array. Each chunk is one ``.h4`` frame of the reference engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from zarr.abc.codec import BytesBytesCodec
from zarr.core.buffer.cpu import as_numpy_array_wrapper
from zarr.core.common import parse_named_configuration

from ._engines import ReferenceEngine, default_engine

if TYPE_CHECKING:
    from zarr.core.array_spec import ArraySpec
    from zarr.core.buffer import Buffer

__all__ = ["H4Codec"]


@dataclass(frozen=True)
class H4Codec(BytesBytesCodec):
    """The h4 codec for Zarr format 3 arrays.

    Args:
        level: reference engine effort, 1 to 9 (default 2).
    """

    is_fixed_size = False

    level: Optional[int] = None

    def __init__(self, *, level: Optional[int] = None) -> None:
        object.__setattr__(self, "level", level)
        # Checks the level now rather than at the first chunk.
        ReferenceEngine(level)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "H4Codec":
        _, configuration = parse_named_configuration(data, "h4", require_configuration=False)
        level = (configuration or {}).get("level")
        if level is not None and not isinstance(level, int):
            raise TypeError(f"h4 codec level must be an integer, not {level!r}")
        return cls(level=level)

    def to_dict(self) -> dict[str, Any]:
        configuration: dict[str, Any] = {}
        if self.level is not None:
            configuration["level"] = self.level
        return {"name": "h4", "configuration": configuration}

    def _encode_sync(self, chunk: "Buffer", spec: "ArraySpec") -> "Buffer":
        engine = ReferenceEngine(self.level)
        return as_numpy_array_wrapper(
            # numpy's stubs give arrays the buffer protocol on Python 3.12+ only.
            lambda array: engine.compress(array),  # type: ignore[arg-type]
            chunk,
            spec.prototype,
        )

    def _decode_sync(self, chunk: "Buffer", spec: "ArraySpec") -> "Buffer":
        engine = default_engine()
        return as_numpy_array_wrapper(
            # numpy's stubs give arrays the buffer protocol on Python 3.12+ only.
            lambda array: engine.decompress(array),  # type: ignore[arg-type]
            chunk,
            spec.prototype,
        )

    async def _encode_single(self, chunk: "Buffer", spec: "ArraySpec") -> "Buffer":
        return await asyncio.to_thread(self._encode_sync, chunk, spec)

    async def _decode_single(self, chunk: "Buffer", spec: "ArraySpec") -> "Buffer":
        return await asyncio.to_thread(self._decode_sync, chunk, spec)

    def compute_encoded_size(self, input_byte_length: int, chunk_spec: Any) -> int:
        raise NotImplementedError

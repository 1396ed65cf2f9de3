"""Types of h4's native module (``python/src``); the ``h4`` package wraps it."""

from os import PathLike
from pathlib import Path
from typing import Any, final

from typing_extensions import Buffer

__all__ = [
    "ABI_VERSION",
    "Compressor",
    "DEFAULT_BLOCK_SIZE",
    "Decompressor",
    "Engine",
    "FORMAT_VERSION",
    "MAX_BLOCK_SIZE",
    "MIN_BLOCK_SIZE",
    "VERSION",
    "block_index",
    "decompress",
]

FORMAT_VERSION: int
ABI_VERSION: int
VERSION: str
MIN_BLOCK_SIZE: int
MAX_BLOCK_SIZE: int
DEFAULT_BLOCK_SIZE: int

@final
class Engine:
    @staticmethod
    def reference(level: int | None = None) -> Engine: ...
    @staticmethod
    def load_core(
        path: str | PathLike[str], level: int | None = None
    ) -> tuple[Engine, list[str]]: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def level(self) -> int | None: ...
    @property
    def levels(self) -> tuple[int, int] | None: ...
    @property
    def path(self) -> Path | None: ...
    @property
    def version(self) -> str | None: ...
    @property
    def block_size(self) -> int: ...
    def compress(
        self,
        data: Buffer,
        block_size: int | None = None,
        threads: int | None = None,
        check: bool = True,
        format_version: int = 2,
    ) -> bytes: ...
    def compress_raw(self, data: Buffer, check: bool = True) -> bytes: ...
    def decompress_raw(self, data: Buffer, limit: int = ...) -> bytes: ...

def decompress(data: Buffer, engines: list[Engine], threads: int | None = None) -> bytes: ...
def block_index(
    source: str | Any, name: str | None = None
) -> list[tuple[int, int, int, int, int, int, bool]]: ...
@final
class Compressor:
    def __new__(
        cls,
        engine: Engine,
        block_size: int | None = None,
        threads: int | None = None,
        check: bool = True,
        format_version: int = 2,
    ) -> Compressor: ...
    def compress(self, data: Buffer) -> bytes: ...
    def flush(self) -> bytes: ...
    def finish(self) -> bytes: ...

@final
class Decompressor:
    def __new__(
        cls, source: str | Any, engines: list[Engine], name: str | None = None
    ) -> Decompressor: ...
    def seekable(self) -> bool: ...
    def read(self, size: int = ...) -> bytes: ...
    def readinto(self, buffer: Buffer) -> int: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...

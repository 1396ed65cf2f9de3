"""The exceptions h4 raises (defined in Python so that the native module
and the package share them, and so that ``CoreLoadError`` can be both an
``H4Error`` and an ``OSError``)."""

from __future__ import annotations

__all__ = ["H4Error", "CoreLoadError"]


class H4Error(ValueError):
    """Data h4 cannot decode, or an engine that failed: corrupt or truncated
    ``.h4`` data, a checksum that does not match, a frame made by a core that
    is not loaded, a core that returned something wrong.

    ``str(error)`` is h4's one-line message, the same words ``h4`` prints,
    with the file's name in front when there is a file.
    """


class CoreLoadError(H4Error, OSError):
    """A core library that could not be loaded (missing, not a shared
    library, missing symbols, a bad identity).

    Attributes:
        path: the library's path, as given.
        reason: what went wrong, without the path.
    """

    def __init__(self, message: str, path: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

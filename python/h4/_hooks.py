"""Registering h4 with other libraries when they are imported, not before.

Importing fsspec (and dask) costs more than a tenth of a second, which a
program that never uses them should not pay for importing h4. So h4
registers with each the moment it is imported: at once if it already is,
else from an import hook that runs the registration right after the
library's own module has run.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import Callable, Optional, Sequence

__all__ = ["when_imported"]

_lock = threading.Lock()


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when ``name`` is about to be imported, wraps
    its loader so that ``callback`` runs once the module has run."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]],
        target: object = None,
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != self.name:
            return None
        with _lock:
            if self not in sys.meta_path:
                return None
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module
        callback = self.callback

        def exec_module(module: types.ModuleType) -> None:
            run_module(module)
            callback()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def when_imported(name: str, callback: Callable[[], None]) -> None:
    """Runs ``callback`` now if module ``name`` is imported, else right after
    it is (nothing if it never is)."""
    if name in sys.modules:
        callback()
        return
    with _lock:
        sys.meta_path.insert(0, _AfterImport(name, callback))

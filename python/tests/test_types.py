"""The package's type information holds: the native module's stub matches
the compiled module (mypy's stubtest), and the package checks under
``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("mypy")


def run(*args: str, cwd) -> None:
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr


def test_stub_matches_the_native_module(tmp_path):
    run("mypy.stubtest", "h4._native", cwd=tmp_path)


def test_package_passes_mypy_strict(tmp_path):
    run("mypy", "--strict", "--no-incremental", "-p", "h4", cwd=tmp_path)

"""Shared fixtures of the Python suite: the h4 command and the project's
cores (built with cargo when the environment does not name them), and
test data.

``scripts/test`` runs this suite after ``cargo test --workspace``, which
has built both already; run alone, ``pytest python/tests`` builds them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The specification's own ctypes binding, as tests/python_binding.rs runs it.
sys.path.insert(0, str(ROOT / "tests" / "python"))


def _cargo(*args: str, env: dict | None = None) -> None:
    subprocess.run(
        [os.environ.get("CARGO", "cargo"), *args],
        cwd=ROOT,
        check=True,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def h4_cli() -> Path:
    """The h4 command: $H4_BIN, else target/debug/h4 built now."""
    if "H4_BIN" in os.environ:
        return Path(os.environ["H4_BIN"])
    _cargo("build", "--quiet", "--bin", "h4")
    return ROOT / "target" / "debug" / "h4"


@pytest.fixture(scope="session")
def cores() -> dict[str, Path]:
    """The project's cores by name ("reference", "zstd"), built in release
    mode where the Rust tests build them (target/test-cores)."""
    target = ROOT / "target" / "test-cores"
    _cargo(
        "build",
        "--release",
        "--quiet",
        "-p",
        "h4-core-reference",
        "-p",
        "h4-core-zstd",
        env={"CARGO_TARGET_DIR": str(target)},
    )
    found = {name: target / "release" / f"libh4_core_{name}.so" for name in ("reference", "zstd")}
    for path in found.values():
        assert path.exists(), path
    return found


@pytest.fixture(autouse=True)
def no_core_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no HARMONY4_CORE_PATH; tests that want one set it."""
    monkeypatch.delenv("HARMONY4_CORE_PATH", raising=False)


def sample(size: int, seed: int = 1) -> bytes:
    """``size`` bytes of mixed content: text-like runs, repeats and noise,
    so every path of the engines is taken."""
    rng = random.Random(seed)
    words = [b"harmony", b"h4", b"block", b"frame", b"index", b"seek", b"\n", b" "]
    parts: list[bytes] = []
    total = 0
    while total < size:
        kind = rng.randrange(4)
        if kind == 0:
            piece = b" ".join(rng.choice(words) for _ in range(rng.randrange(50, 500)))
        elif kind == 1:
            piece = bytes([rng.randrange(256)]) * rng.randrange(10, 3000)
        elif kind == 2:
            piece = rng.randbytes(rng.randrange(10, 2000))
        else:
            piece = bytes(range(256)) * rng.randrange(1, 8)
        parts.append(piece)
        total += len(piece)
    return b"".join(parts)[:size]


def run_h4(cli: Path, *args: str, input: bytes = b"", env: dict | None = None) -> bytes:
    """Runs ``h4 ARGS`` with no core in its environment; returns stdout."""
    environment = {k: v for k, v in os.environ.items() if k != "HARMONY4_CORE_PATH"}
    environment.update(env or {})
    done = subprocess.run(
        [str(cli), *args], input=input, capture_output=True, env=environment
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def zarr_array(path: Path, like, chunks: tuple, **options):
    """A new Zarr array at ``path`` shaped and typed like ``like``."""
    import zarr

    return zarr.create_array(
        str(path), shape=like.shape, chunks=chunks, dtype=like.dtype, **options
    )

"""The h4 command and the Python package make and read the same bytes, both
ways."""

from __future__ import annotations

import pytest
from conftest import run_h4, sample

import h4

DATA = {
    "empty": b"",
    "small": b"hello, h4\n" * 3,
    "several blocks": sample(5 << 20, seed=11),
}


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize(
    "args, kwargs",
    [
        ([], {}),
        (["--level", "7"], {"level": 7}),
        (["-B", "64K", "-T", "3"], {"block_size": 65536, "threads": 3}),
        (["--format-version", "1"], {"format_version": 1}),
    ],
)
def test_python_frames_are_the_cli_s_bytes(h4_cli, name, args, kwargs):
    data = DATA[name]
    from_cli = run_h4(h4_cli, "compress", "-c", *args, input=data)
    assert h4.compress(data, **kwargs) == from_cli
    assert h4.decompress(from_cli) == data
    assert run_h4(h4_cli, "decompress", "-c", input=h4.compress(data, **kwargs)) == data


def test_files_written_by_h4_open_are_the_cli_s_bytes(h4_cli, tmp_path):
    data = DATA["several blocks"]
    path = tmp_path / "data.bin.h4"
    with h4.open(path, "wb", block_size=128 * 1024) as f:
        for at in range(0, len(data), 100_000):
            f.write(data[at : at + 100_000])
    assert path.read_bytes() == run_h4(h4_cli, "compress", "-c", "-B", "128K", input=data)
    (tmp_path / "data.bin").write_bytes(data)
    run_h4(h4_cli, "compress", "-f", str(tmp_path / "data.bin"))
    with h4.open(path) as f:
        assert f.read() == data


@pytest.mark.parametrize("core", ["reference", "zstd"])
def test_core_frames_and_payloads_match_the_cli(h4_cli, cores, core):
    data = DATA["several blocks"]
    engine = h4.CoreEngine(cores[core])
    core_arg = ["--core", str(cores[core])]
    assert engine.compress(data) == run_h4(h4_cli, "compress", "-c", *core_arg, input=data)
    raw = run_h4(h4_cli, "compress", "--raw", "-c", *core_arg, input=data)
    assert engine.compress(data, raw=True) == raw
    assert run_h4(h4_cli, "decompress", "--raw", "-c", *core_arg, input=engine.compress(data, raw=True)) == data
    assert engine.decompress(raw, raw=True) == data
    # The variable selects the same core for the CLI and for Python.
    env = {"HARMONY4_CORE_PATH": str(cores[core])}
    assert run_h4(h4_cli, "decompress", "-c", input=engine.compress(data), env=env) == data


def test_block_index_matches_h4_info(h4_cli, tmp_path):
    import json

    path = tmp_path / "big.h4"
    first, second = sample(700_000, seed=12), sample(300_000, seed=13)
    path.write_bytes(h4.compress(first, block_size=65536) + h4.compress(second, block_size=1024 * 1024))
    info = json.loads(run_h4(h4_cli, "info", "--json", "--blocks", str(path)))
    expected = [
        h4.Block(frame=f, block=b, **block)
        for f, frame in enumerate(info[0]["frames"])
        for b, block in enumerate(frame["block_list"])
    ]
    assert len(expected) == 11 + 1
    assert h4.blocks(path) == expected
    assert h4.content_size(path) == len(first) + len(second)


@pytest.mark.parametrize("level", [1, 19])
def test_core_levels_are_the_cli_s(h4_cli, cores, level, monkeypatch):
    data = DATA["several blocks"]
    zstd = str(cores["zstd"])
    from_cli = run_h4(h4_cli, "-c", "--core", zstd, f"-{level}", input=data)
    engine = h4.CoreEngine(zstd, level=level)
    assert engine.level == level
    assert engine.levels is not None and engine.levels[0] <= level <= engine.levels[1]
    assert engine.compress(data) == from_cli
    # The one-liner takes the level to the environment's core, as the CLI.
    monkeypatch.setenv("HARMONY4_CORE_PATH", zstd)
    assert h4.compress(data, level=level) == from_cli
    assert h4.decompress(from_cli, engine=engine) == data


def test_a_level_outside_a_core_s_range_is_refused(cores):
    with pytest.raises(ValueError, match="outside"):
        h4.CoreEngine(str(cores["zstd"]), level=99)

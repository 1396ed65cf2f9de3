"""The ``"h4"`` fsspec compression, and pandas reading and writing through it
and through ``h4.open``."""

from __future__ import annotations

import fsspec
import pandas as pd
import pytest
from conftest import run_h4

import h4


def test_fsspec_reads_and_writes_h4(tmp_path, h4_cli):
    text = "".join(f"{i},{i * i}\n" for i in range(20_000))
    path = tmp_path / "squares.csv.h4"
    path.write_bytes(run_h4(h4_cli, "compress", "-c", input=text.encode()))
    with fsspec.open(str(path), "rt", compression="h4") as f:
        assert f.read() == text
    with fsspec.open(str(path), "rt", compression="infer") as f:
        assert f.readline() == "0,0\n"
    with fsspec.open(f"file://{path}", "rb", compression="h4") as f:
        f.seek(6)
        assert f.read(4) == text.encode()[6:10]
    out = tmp_path / "written.h4"
    with fsspec.open(str(out), "wb", compression="h4") as f:
        f.write(text.encode())
    assert run_h4(h4_cli, "decompress", "-c", str(out)) == text.encode()
    assert "h4" in fsspec.available_compressions()


def test_fsspec_memory_filesystem_and_blocks():
    fs = fsspec.filesystem("memory")
    data = bytes(range(256)) * 10_000
    with fs.open("/data.bin.h4", "wb") as f:
        f.write(h4.compress(data, block_size=16 * 1024))
    with fsspec.open("memory://data.bin.h4", "rb", compression="infer") as f:
        f.seek(100_000)
        assert f.read(1000) == data[100_000:101_000]
    # The index functions take fsspec URLs.
    assert h4.content_size("memory://data.bin.h4") == len(data)
    assert h4.read_range("memory://data.bin.h4", 5, 10) == data[5:10]


def test_pandas_through_fsspec_and_h4_open(tmp_path):
    frame = pd.DataFrame({"n": range(10_000), "name": [f"row {i}" for i in range(10_000)]})
    path = tmp_path / "frame.csv.h4"
    with h4.open(path, "wt", encoding="utf-8") as f:
        frame.to_csv(f, index=False)
    with fsspec.open(str(path), "rb", compression="h4") as f:
        pd.testing.assert_frame_equal(pd.read_csv(f), frame)
    with h4.open(path) as f:
        pd.testing.assert_frame_equal(pd.read_csv(f), frame)
    with pytest.raises(h4.H4Error, match="not an .h4|magic"):
        pd.read_csv(h4.open(__file__))


def test_h4_registers_with_fsspec_whichever_is_imported_first():
    import subprocess
    import sys

    check = "import fsspec.compression as c; assert 'h4' in c.compr and c.compr['h4'] is not None"
    for order in ("import h4, fsspec", "import fsspec, h4"):
        subprocess.run([sys.executable, "-c", f"{order}; {check}"], check=True)
    # Importing h4 alone imports neither fsspec nor dask.
    subprocess.run(
        [sys.executable, "-c", "import sys, h4; assert not {'fsspec', 'dask'} & set(sys.modules)"],
        check=True,
    )

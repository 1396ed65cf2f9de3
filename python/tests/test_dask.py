"""A Dask cluster of two worker processes reads h4 data: several ``.h4``
files through fsspec (``dask.bag.read_text``), one large file shared out by
its block index, and a Zarr array stored with the h4 codec."""

from __future__ import annotations

import os

import pytest
from conftest import run_h4, zarr_array

import h4

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402


@pytest.fixture(scope="module")
def client():
    # No preload given: importing h4 here made the workers this process
    # starts import it (fsspec has no entry point for compressions).
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_two_worker_processes_that_imported_h4(client):
    info = client.scheduler_info()["workers"]
    assert len(info) == 2
    pids = client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    assert all(client.run(lambda: "h4" in __import__("sys").modules).values())


def test_read_text_over_several_h4_files(client, tmp_path, h4_cli):
    expected = 0
    for n in range(6):
        lines = [f"file {n} line {i} {'word ' * (i % 7)}\n" for i in range(5000 + n)]
        expected += sum(len(line.split()) for line in lines)
        data = "".join(lines).encode()
        # Half made by the CLI, half by Python.
        path = tmp_path / f"part{n}.txt.h4"
        path.write_bytes(run_h4(h4_cli, "compress", "-c", input=data) if n % 2 else h4.compress(data))
    bag = db.read_text(str(tmp_path / "*.txt.h4"), compression="h4")
    assert bag.npartitions == 6
    assert bag.map(lambda line: len(line.split())).sum().compute() == expected
    assert bag.count().compute() == sum(5000 + n for n in range(6))
    # The same through the extension.
    assert db.read_text(str(tmp_path / "*.txt.h4"), compression="infer").count().compute() == bag.count().compute()


def test_one_large_file_split_among_workers_by_its_block_index(client, tmp_path):
    lines = [f"{i},{i % 13},{'x' * (i % 50)}\n".encode() for i in range(300_000)]
    data = b"".join(lines)
    path = str(tmp_path / "big.csv.h4")
    with h4.open(path, "wb", block_size=256 * 1024) as f:
        f.write(data)
    ranges = h4.split(path, 8)
    assert len(ranges) == 8

    def count(bounds):
        start, end = bounds
        chunk = h4.read_range(path, start, end, delimiter=b"\n")
        return (os.getpid(), chunk.count(b"\n"), sum(int(line.split(b",")[1]) for line in chunk.splitlines()))

    results = db.from_sequence(ranges, npartitions=len(ranges)).map(count).compute()
    assert sum(r[1] for r in results) == len(lines)
    assert sum(r[2] for r in results) == sum(i % 13 for i in range(300_000))
    assert len({r[0] for r in results}) == 2  # both workers took part


def test_zarr_chunks_decoded_on_workers(client, tmp_path):
    import dask.array as da
    import numpy as np

    import h4.numcodecs

    values = np.arange(1_000_000, dtype="<i4").reshape(1000, 1000) % 251
    store = zarr_array(
        tmp_path / "c.zarr", values, (250, 1000), zarr_format=2, compressors=h4.numcodecs.H4()
    )
    da.from_array(values, chunks=(250, 1000)).to_zarr(store)
    back = da.from_zarr(str(tmp_path / "c.zarr"))
    assert int(back.sum().compute()) == int(values.sum())

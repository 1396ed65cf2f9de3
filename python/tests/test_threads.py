"""The GIL is released while h4 works, and engines and files can be used
from several threads at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import sample

import h4

BIG = sample(48 << 20, seed=41)


def ticks_during(work) -> tuple[int, float]:
    """Runs ``work`` on a thread while this one counts how often it gets to
    run in the middle of it; returns (ticks, seconds)."""
    times: dict[str, float] = {}

    def run():
        times["start"] = time.perf_counter()
        work()
        times["end"] = time.perf_counter()

    worker = threading.Thread(target=run)
    stamps = []
    worker.start()
    while worker.is_alive():
        stamps.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = times["start"], times["end"]
    margin = (end - start) * 0.1
    inside = [t for t in stamps if start + margin < t < end - margin]
    return len(inside), end - start


def test_compress_and_decompress_release_the_gil():
    frame = h4.compress(BIG, threads=1)
    # With the GIL held for the whole call, this thread could not run in
    # its middle at all; released, it ticks about once a millisecond.
    ticks, seconds = ticks_during(lambda: h4.compress(BIG, threads=1))
    assert ticks >= 5, f"main thread ran {ticks} times in {seconds:.3f} s of compress"
    ticks, seconds = ticks_during(lambda: h4.decompress(frame, threads=1))
    assert ticks >= 5, f"main thread ran {ticks} times in {seconds:.3f} s of decompress"


def test_one_engine_and_one_file_from_many_threads(tmp_path):
    engine = h4.ReferenceEngine(3)
    inputs = [sample(300_000 + i * 1000, seed=100 + i) for i in range(16)]
    expected = [engine.compress(x, threads=1) for x in inputs]
    with ThreadPoolExecutor(8) as pool:
        frames = list(pool.map(lambda x: engine.compress(x, threads=2), inputs))
        assert frames == expected
        assert list(pool.map(engine.decompress, frames)) == inputs

    path = tmp_path / "shared.h4"
    path.write_bytes(h4.compress(BIG[: 8 << 20], block_size=64 * 1024))
    data = BIG[: 8 << 20]
    with h4.open(path) as f:
        # Each read is whole: a lock keeps seek+read pairs from interleaving.
        lock = threading.Lock()

        def read_at(start: int) -> bool:
            with lock:
                f.seek(start)
                return f.read(5000) == data[start : start + 5000]

        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(read_at, range(0, len(data), 97_331)))
        # And unsynchronised reads still hand out every byte exactly once.
        f.seek(0)
        with ThreadPoolExecutor(4) as pool:
            chunks = list(pool.map(lambda _: f.read(100_000), range(90)))
        assert sorted(len(c) for c in chunks if c) and sum(map(len, chunks)) == len(data)

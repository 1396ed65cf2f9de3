"""The numcodecs codec (id "h4", found through its entry point) and the Zarr
format 3 codec, with Zarr and Dask arrays."""

from __future__ import annotations

import numcodecs
import numpy as np
import pytest
import zarr
from conftest import zarr_array

import h4
import h4.numcodecs
import h4.zarr


def test_codec_found_by_id_round_trips_arrays():
    codec = numcodecs.get_codec({"id": "h4", "level": 6})
    assert isinstance(codec, h4.numcodecs.H4)
    assert codec.get_config() == {"id": "h4", "level": 6}
    assert numcodecs.get_codec(codec.get_config()) == codec
    values = np.arange(1_000_000, dtype="<i8") % 977
    encoded = codec.encode(values)
    assert encoded == h4.compress(values.tobytes(), level=6)
    assert len(encoded) < values.nbytes / 5
    assert np.array_equal(np.frombuffer(codec.decode(encoded), dtype="<i8"), values)
    out = np.empty_like(values)
    codec.decode(encoded, out=out)
    assert np.array_equal(out, values)
    # Non-contiguous views are made contiguous first.
    strided = np.arange(100, dtype="f8").reshape(10, 10)[:, ::2]
    assert np.array_equal(
        np.frombuffer(codec.decode(codec.encode(np.ascontiguousarray(strided))), "f8"),
        strided.ravel(),
    )


def test_entry_point_names_the_codec():
    from importlib.metadata import entry_points

    assert [e.value for e in entry_points(group="numcodecs.codecs", name="h4")] == ["h4.numcodecs:H4"]
    assert [e.value for e in entry_points(group="zarr.codecs", name="h4")] == ["h4.zarr:H4Codec"]


def test_zarr_format_2_array_with_the_numcodecs_codec(tmp_path):
    data = (np.sin(np.linspace(0, 200, 400_000)) * 1000).astype("<i2").reshape(400, 1000)
    array = zarr_array(
        tmp_path / "v2.zarr", data, (100, 1000), zarr_format=2, compressors=h4.numcodecs.H4(level=4)
    )
    array[:] = data
    reopened = zarr.open_array(str(tmp_path / "v2.zarr"), mode="r")
    assert reopened.metadata.compressor.get_config() == {"id": "h4", "level": 4}
    assert np.array_equal(reopened[:], data)
    chunk = (tmp_path / "v2.zarr" / "0.0").read_bytes()
    assert chunk[:4] == b"H4\xd8\x04" and h4.decompress(chunk) == data[:100].tobytes()


def test_zarr_format_3_array_with_the_zarr_codec(tmp_path):
    data = np.arange(300_000, dtype="<f4").reshape(300, 1000)
    array = zarr_array(tmp_path / "v3.zarr", data, (100, 500), compressors=h4.zarr.H4Codec(level=3))
    array[:] = data
    reopened = zarr.open_array(str(tmp_path / "v3.zarr"), mode="r")
    assert reopened.compressors[0].to_dict() == {"name": "h4", "configuration": {"level": 3}}
    assert np.array_equal(reopened[:], data)
    metadata = (tmp_path / "v3.zarr" / "zarr.json").read_text()
    assert '"name": "h4"' in metadata
    with pytest.raises(ValueError, match="level"):
        h4.zarr.H4Codec(level=0)


def test_dask_array_stored_with_h4(tmp_path):
    import dask.array as da

    values = da.random.default_rng(7).integers(0, 50, size=(2000, 500), chunks=(500, 500))
    store = zarr_array(
        tmp_path / "dask.zarr", values, (500, 500), zarr_format=2, compressors=h4.numcodecs.H4()
    )
    values.to_zarr(store)
    back = da.from_zarr(str(tmp_path / "dask.zarr"))
    assert int(back.sum().compute()) == int(values.sum().compute())

"""summarize_to_arrow: the rows as an Arrow stream, read batch by batch; closing it stops the
run."""

from __future__ import annotations

import gc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ocpagg
from conftest import GENERATED_SOURCE


def options(data, **more):
    return dict(input=data, source=GENERATED_SOURCE, year=2025, month=10, cluster_id="c",
                **more)


def sorted_rows(table: pa.Table) -> pa.Table:
    table = table.drop_columns(["uuid"])
    return table.sort_by([(c, "ascending") for c in table.column_names])


def test_batches_give_the_files_sink_rows(generated, tmp_path):
    ocpagg.summarize(**options(generated, mode="serial"), output=tmp_path, format="parquet")
    written = pa.concat_tables(pq.ParquetFile(p).read()
                               for p in sorted(tmp_path.rglob("*.parquet")))
    stream = ocpagg.summarize_to_arrow(**options(generated, mode="serial"))
    batches = list(stream)
    assert len(batches) > 10
    assert all(0 < b.num_rows <= 1024 for b in batches)
    days = [d.as_py() for b in batches for d in b.column("usage_start")]
    assert days == sorted(days)  # days in date order
    streamed = pa.Table.from_batches(batches)
    assert sorted_rows(streamed).equals(sorted_rows(written))
    assert sum(stream.report["rows_written"].values()) == streamed.num_rows


def test_pyarrow_reads_it_through_the_capsule(generated):
    stream = ocpagg.summarize_to_arrow(**options(generated))
    assert stream.schema == pa.schema(stream)
    table = pa.table(stream)
    assert table.schema == stream.schema
    assert table.num_rows == sum(stream.report["rows_written"].values())
    with pytest.raises(ocpagg.UsageError, match="read once"):
        pa.table(stream)


def test_closing_early_stops_the_run_and_records_nothing(generated, tmp_path):
    nodes = tmp_path / "nodes.yaml"
    with ocpagg.summarize_to_arrow(**options(generated), nodes_file=nodes) as stream:
        first = next(iter(stream))
        assert first.num_rows > 0
    assert stream.report is None
    assert not nodes.exists()


def test_dropping_a_partly_read_stream_stops_the_run(generated, tmp_path):
    nodes = tmp_path / "nodes.yaml"
    stream = ocpagg.summarize_to_arrow(**options(generated), nodes_file=nodes)
    reader = pa.RecordBatchReader.from_stream(stream)
    reader.read_next_batch()
    del stream, reader
    gc.collect()
    assert not nodes.exists()
    assert not list(tmp_path.iterdir())


def test_stop_token_ends_the_stream_with_stopped_error(generated):
    token = ocpagg.StopToken()
    stream = ocpagg.summarize_to_arrow(**options(generated), stop=token)
    batches = iter(stream)
    next(batches)
    token.stop()
    with pytest.raises(ocpagg.StoppedError, match="stopped by the caller"):
        for _ in batches:
            pass


def test_a_whole_run_read_to_the_end_records_koku_state(generated, tmp_path):
    nodes = tmp_path / "nodes.yaml"
    stream = ocpagg.summarize_to_arrow(**options(generated), nodes_file=nodes)
    stream.read_all()
    assert nodes.exists()

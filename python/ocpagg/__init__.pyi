"""Type hints of the ocpagg package (python/ocpagg/__init__.py holds the docstrings)."""

import datetime
import os
from typing import Any, Iterable, Iterator, Literal, Mapping, TypedDict

import pyarrow
from typing_extensions import NotRequired, Required, Unpack

from ._errors import (BadInputError as BadInputError, Error as Error,
                      InternalError as InternalError, MemoryLimitError as MemoryLimitError,
                      NoDataError as NoDataError, SinkError as SinkError,
                      StoppedError as StoppedError, UsageError as UsageError)
from ._ocpagg import StopToken as StopToken

__version__: str

_Path = str | os.PathLike[str]
_Date = str | datetime.date
_Size = str | int

class _S3Options(TypedDict, total=False):
    """The S3 settings of s3:// paths (`--s3-*`)."""

    s3_endpoint: str | None
    s3_region: str | None
    s3_access_key: str | None
    s3_secret_key: str | None
    s3_addressing: Literal["path", "virtual"] | None
    s3_scheme: Literal["http", "https"] | None

class _RunOptions(_S3Options, total=False):
    """The options of a summary run: the flags of `ocpagg summarize`, by the same names."""

    input: Required[_Path]
    source: Required[str]
    year: Required[int]
    month: Required[int]
    cluster_id: Required[str]
    start_date: _Date | None
    end_date: _Date | None
    account: str | None
    cluster_alias: str | None
    compat: Literal["postgres", "trino"] | None
    postgres: str | None
    schema: str | None
    create_schema: bool
    enabled_keys: _Path | Iterable[str] | None
    cost_categories: _Path | Iterable[tuple[int, str]] | Mapping[int, str] | None
    report_period_id: int | None
    nodes_file: _Path | None
    config: _Path | None
    mode: Literal["auto", "in-memory", "serial", "parallel"] | None
    threads: int | None
    memory_limit: _Size | None
    max_days_in_flight: int | None
    batch_rows: int | None
    no_spill: bool
    spill_dir: _Path | None
    max_state_memory: _Size | None
    connect_timeout: int | None
    statement_timeout: int | None
    lock_timeout: int | None

class SummarizeOptions(_RunOptions, total=False):
    """summarize's options: a run's, and where its rows go."""

    output: _Path | None
    format: Literal["csv", "parquet", "both"] | None
    tables: Literal["all", "daily"] | None

class RunReport(TypedDict):
    """The run report: the fields of `ocpagg summarize --report` (engine/run_report.cc)."""

    start_date: str
    end_date: str
    report_period_id: int
    mode: str
    threads: int
    memory_limit_bytes: int
    days_planned: int
    days_with_rows: int
    row_groups: int
    bytes_read: int | None  # bytes requested from storage (local disk or S3); None from PostgreSQL
    read_requests: int | None  # read calls on local disk, GET requests on S3; None from PostgreSQL
    files: dict[str, int]
    rows_read: dict[str, int]
    rows_read_total: int
    rows_written: dict[str, int]
    seconds: dict[str, float]
    rows_per_second: float
    peak_rss_bytes: int
    average_rss_bytes: int
    spill_bytes: int
    days_spilled: int
    baseline_rss_bytes: int
    state_budget_bytes: int
    batch_rows: int

class IngestedFile(TypedDict):
    path: str
    report_type: str
    daily: bool
    rows: int

class ReportTypeCounts(TypedDict):
    csv_files: int
    csv_rows: int
    anomalous_rows: int
    hourly_rows: int
    hourly_files: int
    daily_rows: int
    daily_files: int

class SkippedFile(TypedDict):
    file: str
    reason: str

class LoadedLineItems(TypedDict):
    rows: int
    rows_replaced: int

class IngestReport(TypedDict):
    months: int
    elapsed_seconds: float
    report_types: dict[str, ReportTypeCounts]
    files: list[IngestedFile]
    skipped: list[SkippedFile]
    unlisted_files: list[str]
    bad_lines_skipped: int
    label_keys: list[str]
    line_items: NotRequired[LoadedLineItems]

def summarize(*, stop: StopToken | None = None, report: _Path | None = None,
              **options: Unpack[SummarizeOptions]) -> RunReport: ...
def summarize_to_arrow(*, stop: StopToken | None = None,
                       **options: Unpack[_RunOptions]) -> SummaryStream: ...
def ingest(payload: _Path, *, source: str, output: _Path | None = None,
           postgres: str | None = None, schema: str | None = None,
           create_schema: bool | None = None, account: str | None = None,
           manifest_id: int | None = None, chunk_rows: int | None = None,
           row_group_rows: int | None = None, config: _Path | None = None,
           stop: StopToken | None = None, **s3: Unpack[_S3Options]) -> IngestReport: ...

class SummaryStream:
    def __init__(self, native: Any) -> None: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    @property
    def schema(self) -> pyarrow.Schema: ...
    @property
    def report(self) -> RunReport | None: ...
    def __iter__(self) -> Iterator[pyarrow.RecordBatch]: ...
    def read_all(self) -> pyarrow.Table: ...
    def close(self) -> None: ...
    def __enter__(self) -> SummaryStream: ...
    def __exit__(self, *exc_info: object) -> None: ...

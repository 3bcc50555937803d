"""The native part of the ocpagg package (src/python/module.cc): use the functions of
:mod:`ocpagg` instead."""

__version__: str

class StopToken:
    """A stop request for the runs given it (``stop=``): ``stop()`` from any thread ends them
    between batches with :class:`ocpagg.StoppedError`, nothing written."""

    def __init__(self) -> None: ...
    def stop(self) -> None:
        """Asks the runs given this token to stop."""
    @property
    def stopped(self) -> bool:
        """True once ``stop()`` was called (or a signal stopped a run given the token)."""

class S3Request:
    s3_endpoint: str
    s3_region: str
    s3_access_key: str
    s3_secret_key: str
    s3_addressing: str
    s3_scheme: str
    def __init__(self) -> None: ...

class SummarizeRequest(S3Request):
    input: str
    source: str
    year: int
    month: int
    start_date: str
    end_date: str
    account: str
    cluster_id: str
    cluster_alias: str
    compat: str
    output: str
    postgres: str
    schema: str
    create_schema: bool
    format: str
    tables: str
    enabled_keys: str
    cost_categories: str
    enabled_key_list: list[str] | None
    cost_category_list: list[tuple[int, str]] | None
    report_period_id: int
    nodes_file: str
    config: str
    threads: int | None
    mode: str
    memory_limit: str
    max_days_in_flight: int | None
    batch_rows: int | None
    no_spill: bool
    spill_dir: str
    max_state_memory: str
    connect_timeout: int | None
    statement_timeout: int | None
    lock_timeout: int | None
    def __init__(self) -> None: ...

class IngestRequest(S3Request):
    payload: str
    output: str
    config: str
    source: str
    account: str
    manifest_id: int
    chunk_rows: int
    row_group_rows: int
    postgres: str
    schema: str
    create_schema: bool
    def __init__(self) -> None: ...

class SummaryStream:
    def export(self) -> object: ...
    def close(self) -> None: ...
    def report_json(self) -> str | None: ...
    def error(self) -> tuple[int, str] | None: ...

def summarize(request: SummarizeRequest, stop: StopToken | None, report: str) -> str: ...
def ingest(request: IngestRequest, stop: StopToken | None) -> dict[str, object]: ...
def start_stream(request: SummarizeRequest, stop: StopToken | None,
                 batch_rows: int) -> SummaryStream: ...
def summary_schema() -> object: ...
def finalize_s3() -> None: ...

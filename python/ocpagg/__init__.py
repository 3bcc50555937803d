"""ocpagg from Python: koku's OpenShift daily usage summary, built in-process.

The functions take the options of the ``ocpagg`` command as keyword arguments named as its
flags are (``--input`` is ``input``, ``--cluster-id`` is ``cluster_id``, ``--memory-limit`` is
``memory_limit``) and mean the same: the same checks, the same ``OCPAGG_*`` environment
variables and ``config`` file beneath them, the same defaults. They run without the GIL, so that
other Python threads go on (two summaries in two threads run at once), and raise the
exceptions of :mod:`ocpagg` (:class:`UsageError`, :class:`BadInputError`, ...) whose class says
what the command's exit code says, with its message.

- :func:`ingest`: an operator payload into koku's Parquet layout, or into koku's on-prem
  PostgreSQL line-item tables (``ocpagg ingest``).
- :func:`summarize`: the summary of one source and month, into PostgreSQL or files
  (``ocpagg summarize``); returns the run report.
- :func:`summarize_to_arrow`: the same summary as an Arrow stream the caller reads, batch by
  batch, with bounded memory (``pyarrow.table(...)``, polars, duckdb).

A run's ``memory_limit`` bounds the resident memory of the whole process, as the run sees it:
the interpreter, what the caller keeps, and other runs of the same process count against it.
"""

from __future__ import annotations

import atexit
import datetime
import json
import os
from typing import Any, Iterator

# First: the extension links the Arrow C++ libraries of this pyarrow (one Arrow in the process).
import pyarrow

from . import _ocpagg
from ._errors import (BadInputError, Error, InternalError, MemoryLimitError, NoDataError,
                      SinkError, StoppedError, UsageError, error_class)

__version__: str = _ocpagg.__version__
StopToken = _ocpagg.StopToken

__all__ = [
    "BadInputError", "Error", "InternalError", "MemoryLimitError", "NoDataError", "SinkError",
    "StopToken", "StoppedError", "SummaryStream", "UsageError", "ingest", "summarize",
    "summarize_to_arrow",
]

# Arrow's S3 client, if a run started it, must be shut down before the process exits (pyarrow
# does the same for its own use of it).
atexit.register(_ocpagg.finalize_s3)


def _path(value: Any) -> str:
    return os.fspath(value)


def _date(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _size(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _same(value: Any) -> Any:
    return value


# summarize's keyword arguments and how each becomes a field of the request (named as the field).
_RUN_OPTIONS = {
    "input": _path, "source": _same, "year": _same, "month": _same, "cluster_id": _same,
    "start_date": _date, "end_date": _date, "account": _same, "cluster_alias": _same,
    "compat": _same, "postgres": _same, "schema": _same, "create_schema": _same,
    "report_period_id": _same, "nodes_file": _path, "config": _path, "mode": _same,
    "threads": _same, "memory_limit": _size, "max_days_in_flight": _same, "batch_rows": _same,
    "no_spill": _same, "spill_dir": _path, "max_state_memory": _size, "connect_timeout": _same,
    "statement_timeout": _same, "lock_timeout": _same,
}
# The S3 settings of s3:// paths, for both summarize and ingest.
_S3_OPTIONS = {
    "s3_endpoint": _same, "s3_region": _same, "s3_access_key": _same, "s3_secret_key": _same,
    "s3_addressing": _same, "s3_scheme": _same,
}
_RUN_OPTIONS.update(_S3_OPTIONS)
_REQUIRED = ("input", "source", "year", "month", "cluster_id")
_SINK_OPTIONS = {"output": _path, "format": _same, "tables": _same}


def _request(function: str, options: dict[str, Any], known: dict[str, Any]) -> Any:
    request = _ocpagg.SummarizeRequest()
    missing = [name for name in _REQUIRED if options.get(name) is None]
    if missing:
        raise TypeError(f"{function}() missing required keyword argument(s): "
                        + ", ".join(repr(name) for name in missing))
    for name, value in options.items():
        if value is None:
            continue
        if name == "enabled_keys":
            if isinstance(value, (str, os.PathLike)):
                request.enabled_keys = _path(value)
            else:
                request.enabled_key_list = list(value)
        elif name == "cost_categories":
            if isinstance(value, (str, os.PathLike)):
                request.cost_categories = _path(value)
            else:
                pairs = value.items() if hasattr(value, "items") else value
                request.cost_category_list = [(int(i), str(p)) for i, p in pairs]
        elif name in known:
            setattr(request, name, known[name](value))
        else:
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}")
    return request


def summarize(*, stop: StopToken | None = None, report: str | os.PathLike[str] | None = None,
              **options: Any) -> dict[str, Any]:
    """Summarizes one source and one month into PostgreSQL or files, as ``ocpagg summarize``.

    Required: ``input`` (koku's Parquet layout: a directory or a URI such as ``s3://...``; or
    a ``postgresql://`` URL whose ``schema`` holds koku's on-prem line-item tables, see
    :func:`ingest`, the summary then going to that database unless ``postgres`` or ``output``
    says otherwise), ``source`` (UUID), ``year``, ``month``, ``cluster_id``; and either
    ``postgres`` (a libpq URL, with ``schema``) or ``output`` (a directory or
    ``s3://bucket/prefix``; ``format``
    ``"csv"``, ``"parquet"`` or ``"both"``); ``tables`` ``"all"`` (the default: also the tables
    koku's summary step fills besides the daily summary) or ``"daily"``. Every other flag of the
    command is a keyword argument of the same name:
    ``start_date``/``end_date`` (``"YYYY-MM-DD"`` or :class:`datetime.date`), ``account``,
    ``cluster_alias``, ``compat``, ``create_schema``, ``enabled_keys`` and
    ``cost_categories`` (a file as for the command, or the values: a list of keys, a list of
    ``(id, pattern)`` pairs or a dict ``{id: pattern}``), ``report_period_id``,
    ``nodes_file``, ``config``, ``mode``, ``threads``, ``memory_limit`` (``"256MB"`` or bytes),
    ``max_days_in_flight``, ``batch_rows``, ``no_spill``, ``spill_dir``,
    ``max_state_memory``, ``connect_timeout``, ``statement_timeout``, ``lock_timeout``, and
    for ``s3://`` paths ``s3_endpoint``, ``s3_region``, ``s3_access_key``, ``s3_secret_key``,
    ``s3_addressing`` (``"path"`` or ``"virtual"``) and ``s3_scheme`` (``"http"`` or
    ``"https"``), which win over ``OCPAGG_S3_*``, the ``config`` file's ``s3:`` section, the
    URI's parameters and the ``AWS_*`` variables, in that order. ``report``, a path, also writes the report there as ``--report`` does. The command's display
    flags (``--print``, ``--progress``, ``--quiet``) have no keyword: nothing is printed.

    ``stop``: a :class:`StopToken` another thread may stop; the run then ends with
    :class:`StoppedError`. A signal whose handler raises (Ctrl-C) stops the run the same way,
    and its exception is raised once the run has unwound.

    Returns the run report: the fields of the command's ``--report`` JSON (rows read and
    written, seconds per phase, peak RSS, ...). Raises an :class:`Error` subclass on failure,
    after which nothing was written.
    """
    request = _request("summarize", options, {**_RUN_OPTIONS, **_SINK_OPTIONS})
    return json.loads(_ocpagg.summarize(request, stop, _path(report) if report else ""))


class SummaryStream:
    """The summary rows of a run, read once as an Arrow stream (made by
    :func:`summarize_to_arrow`).

    It implements the Arrow PyCapsule interface (``__arrow_c_stream__``), so that
    ``pyarrow.table(stream)``, ``pyarrow.RecordBatchReader.from_stream(stream)``, polars and
    duckdb read it without a copy; iterating it yields :class:`pyarrow.RecordBatch` es. The run
    makes batches only as fast as they are read, a few ahead, so memory stays bounded whatever
    the number of rows (unless the reader keeps them all, as ``pyarrow.table`` does). Days come
    in date order; the columns are those of koku's summary table (``schema``).

    Closing the stream before its end (``close()``, leaving a ``with`` block, or dropping the
    stream and every reader of it) stops the run, which unwinds as on an error: koku's state
    (a ``postgres`` database, a ``nodes_file``) is left as it was.

    An error after the first rows ends the stream: iterating it (or :meth:`read_all`) raises
    the :class:`Error` subclass of the failure; through ``__arrow_c_stream__`` other readers
    raise their own exception with ocpagg's message.
    """

    def __init__(self, native: Any) -> None:
        self._native = native

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The stream as an ``arrow_array_stream`` PyCapsule (once). ``requested_schema`` is
        not used: the rows come in :attr:`schema`."""
        return self._native.export()

    def __arrow_c_schema__(self) -> object:
        """The schema of the rows as an ``arrow_schema`` PyCapsule."""
        return _ocpagg.summary_schema()

    @property
    def schema(self) -> pyarrow.Schema:
        """The columns of koku's summary table, as written to files."""
        return pyarrow.Schema._import_from_c_capsule(self.__arrow_c_schema__())

    @property
    def report(self) -> dict[str, Any] | None:
        """The run report (as :func:`summarize` returns it) once every row was read, else
        None."""
        text = self._native.report_json()
        return json.loads(text) if text is not None else None

    def __iter__(self) -> Iterator[pyarrow.RecordBatch]:
        reader = pyarrow.RecordBatchReader.from_stream(self)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pyarrow.ArrowException as e:
                self._raise_run_error(e)
                raise
            yield batch

    def read_all(self) -> pyarrow.Table:
        """Every row, as one table."""
        try:
            return pyarrow.RecordBatchReader.from_stream(self).read_all()
        except pyarrow.ArrowException as e:
            self._raise_run_error(e)
            raise

    def close(self) -> None:
        """Stops the run if it is still going and waits for it to end."""
        self._native.close()

    def __enter__(self) -> SummaryStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _raise_run_error(self, cause: BaseException) -> None:
        error = self._native.error()
        if error is not None:
            code, message = error
            raise error_class(code)(message) from cause


def summarize_to_arrow(*, stop: StopToken | None = None, **options: Any) -> SummaryStream:
    """Summarizes one source and one month into an Arrow stream the caller reads.

    The keyword arguments are :func:`summarize`'s, without those of a destination
    (``output``, ``format``, ``report``): koku's settings come from the files state
    (``enabled_keys``, ``cost_categories``, ``report_period_id``, ``nodes_file``) or, with
    ``postgres`` and ``schema``, from koku's tables (the report period and node rows are then
    recorded there, committed once the last row was read).

    The run starts at once, on a thread of its own. Failures before its first row (options,
    input, koku's state, no data) are raised here; the rows then come as
    :class:`SummaryStream` is read::

        table = pyarrow.table(ocpagg.summarize_to_arrow(input=..., source=..., year=2025,
                                                        month=10, cluster_id="c"))
    """
    request = _request("summarize_to_arrow", options, _RUN_OPTIONS)
    return SummaryStream(_ocpagg.start_stream(request, stop, 0))


def ingest(payload: str | os.PathLike[str], *, source: str,
           output: str | os.PathLike[str] | None = None, postgres: str | None = None,
           schema: str | None = None, create_schema: bool | None = None,
           account: str | None = None, manifest_id: int | None = None,
           chunk_rows: int | None = None, row_group_rows: int | None = None,
           config: str | os.PathLike[str] | None = None, stop: StopToken | None = None,
           **s3: str) -> dict[str, Any]:
    """Converts an operator payload into koku's Parquet layout under ``output``, as
    ``ocpagg ingest PAYLOAD``; or, with ``postgres`` and ``schema`` instead of ``output``, into
    koku's on-prem line-item tables, as ``ocpagg ingest PAYLOAD --postgres URL --schema S``.

    ``payload``: a month directory with ``manifest.json``, a directory above such directories,
    or a ``.tar.gz`` of one. ``source``: the source UUID. ``account`` (the tenant schema,
    default ``org1234567``), ``manifest_id``, ``chunk_rows`` and ``row_group_rows`` are the
    command's options of the same names, with its defaults. ``output`` may be
    ``s3://bucket/prefix``: the keyword arguments ``s3_endpoint``, ``s3_region``,
    ``s3_access_key``, ``s3_secret_key``, ``s3_addressing`` and ``s3_scheme`` and the
    ``config`` file's ``s3:`` section then apply, as for :func:`summarize`.

    ``postgres`` (a libpq URL) and ``schema`` (the tenant schema holding the tables) load the
    payload in one transaction, the source's rows on the payload's days replaced;
    ``create_schema=True`` first creates the schema and those of the eight tables that are
    missing. The rows are then read with ``summarize(input=postgres, schema=schema, ...)``.

    Returns what was written: ``files`` (path under ``output``, report type, hourly or daily,
    rows; with ``postgres``, the files converted in a scratch directory, gone by now, and
    ``line_items``: the ``rows`` loaded and the ``rows_replaced`` of an earlier load), counts
    per report type, skipped and unlisted files, dropped lines, label keys seen. Bad input
    raises :class:`BadInputError` naming file, line and column; nothing is written then.
    """
    request = _ocpagg.IngestRequest()
    request.payload = _path(payload)
    request.source = source
    for name, value in (("output", _path(output) if output is not None else None),
                        ("postgres", postgres), ("schema", schema),
                        ("create_schema", create_schema), ("account", account),
                        ("manifest_id", manifest_id), ("chunk_rows", chunk_rows),
                        ("row_group_rows", row_group_rows),
                        ("config", _path(config) if config is not None else None)):
        if value is not None:
            setattr(request, name, value)
    for name, value in s3.items():
        if name not in _S3_OPTIONS:
            raise TypeError(f"ingest() got an unexpected keyword argument {name!r}")
        if value is not None:
            setattr(request, name, value)
    return _ocpagg.ingest(request, stop)

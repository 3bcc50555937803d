"""The exceptions of ocpagg: one class per exit code of the ``ocpagg`` command."""

from __future__ import annotations


class Error(Exception):
    """A run of ocpagg failed; nothing was written or changed.

    The message is the one the ``ocpagg`` command prints after ``ocpagg: error:``, naming the
    option, file, column or row at fault. ``exit_code`` is the command's exit code for it.
    """

    exit_code: int = 1


class UsageError(Error):
    """Bad options or configuration (exit code 2): a value out of range, a malformed date or
    size, a missing file, options that do not go together."""

    exit_code = 2


class BadInputError(Error):
    """Input data that cannot be read as koku's format (exit code 3); the message names the
    file, column and row or line."""

    exit_code = 3


class SinkError(Error):
    """The database or the output files failed (exit code 4); they are left as they were."""

    exit_code = 4


class MemoryLimitError(Error):
    """The work does not fit the memory limit and may not spill (exit code 5); the message says
    what limit would work."""

    exit_code = 5


class NoDataError(Error):
    """Nothing to summarize (exit code 6): no pod or storage rows of the source in the range.
    Existing rows are kept; a caller running many months may treat it as "skipped"."""

    exit_code = 6


class StoppedError(Error):
    """The run was stopped before it finished (exit code 130 or 143 for the command): its
    :class:`~ocpagg.StopToken` was stopped or its stream closed. Nothing was written; its
    scratch was removed."""

    exit_code = 130


class InternalError(Error):
    """A broken invariant: a bug in ocpagg (exit code 70). Please report it."""

    exit_code = 70


_BY_EXIT_CODE: dict[int, type[Error]] = {
    cls.exit_code: cls
    for cls in (UsageError, BadInputError, SinkError, MemoryLimitError, NoDataError,
                StoppedError, InternalError)
}


def error_class(exit_code: int) -> type[Error]:
    """The exception class of an exit code of the command (used by the native module)."""
    return _BY_EXIT_CODE.get(exit_code, InternalError)

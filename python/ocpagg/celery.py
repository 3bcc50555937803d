"""ocpagg on Celery: one summary job per source and month, for a fleet of workers.

:func:`register` adds the task ``ocpagg.summarize_month`` to a Celery app, such as koku's,
which then runs it on its own workers and queues (``summary``, ``summary_xl``)::

    import ocpagg.celery

    summarize_month = ocpagg.celery.register(
        app, queue="summary", defaults={"postgres": DATABASE_URL, "input": "s3://koku-bucket"})
    summarize_month.apply_async(
        (source_uuid, 2025, 10), {"cluster_id": cluster_id, "schema": schema_name},
        queue="summary_xl")

Without an app of its own, a worker runs the default app of this module, configured from the
environment (:func:`default_app`)::

    OCPAGG_CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A ocpagg.celery worker -c 2

A job is :func:`ocpagg.summarize` of one source and one month into PostgreSQL, and returns the
run report. Jobs stay one per (source, month): runs of the same source wait for each other (an
advisory lock per schema and source), a run replaces what an earlier run wrote for its month in
one transaction (koku's delete of the report period's date range), and a run that dies commits
nothing. So a job may run twice (a worker killed mid-job and the message delivered again, a
retry) and the month still holds exactly one copy of its rows. The task is ``acks_late`` and
``reject_on_worker_lost``: the broker gives a job whose worker died to another worker; it
retries, with exponential backoff, a failure of the database (:class:`ocpagg.SinkError`: the
server unreachable, the connection lost, the lock timeout); bad options or input, a month with
no data and a memory limit too small fail at once, as running again would fail the same way.

Needs Celery and its Redis transport: ``pip install 'ocpagg[celery]'``.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

try:
    import celery
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        "ocpagg.celery needs Celery and its Redis client, which are an optional part of ocpagg: "
        "pip install 'ocpagg[celery]' (celery[redis] 5.5.3, redis 5.2.1)") from e

from . import SinkError, summarize

__all__ = ["TASK_NAME", "default_app", "register"]

TASK_NAME = "ocpagg.summarize_month"

# Failures that may pass by themselves: the database (unreachable, connection lost, another run
# holding the source's lock past lock_timeout). Every other error of ocpagg would repeat.
RETRY_FOR: tuple[type[BaseException], ...] = (SinkError,)

_TASK_DEFAULTS: dict[str, Any] = {
    # The message is acknowledged once the job has ended, so that the broker gives it to another
    # worker if this one dies (SIGKILL, out of memory, a lost machine) in the middle of it.
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRY_FOR,
    "max_retries": 8,
    "retry_backoff": True,  # 1 s, 2 s, 4 s, ... with jitter
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "track_started": True,
}


def register(app: celery.Celery, *, queue: str | None = None, name: str = TASK_NAME,
             defaults: Mapping[str, Any] | None = None, **task_options: Any) -> celery.Task:
    """Adds the task ``summarize_month(source, year, month, **options)`` to ``app`` and
    returns it.

    The task calls :func:`ocpagg.summarize` with ``source``, ``year``, ``month`` and the
    keyword arguments of the job over ``defaults``: keyword arguments of
    :func:`ocpagg.summarize` that every job of this worker shares, kept on the worker rather
    than in the broker's messages (the ``postgres`` URL with its password, the ``input`` root,
    ``memory_limit``, ``threads``). A job gives what is its own, typically ``cluster_id`` and
    ``schema``. It returns the run report (a dict, as :func:`ocpagg.summarize` returns it) with
    a ``"job"`` entry: source, year, month, task id, worker host name, retries and whether the
    broker delivered the message again.

    ``queue``: the queue the task goes to when a call names none (``apply_async(...,
    queue="summary_xl")`` names one). ``name``: the task's name, the same on the callers and
    the workers. ``task_options`` override the task's Celery options (``max_retries``,
    ``retry_backoff_max``, ``soft_time_limit``, ...); by default it is ``acks_late`` and
    ``reject_on_worker_lost``, and retries a :class:`ocpagg.SinkError` up to 8 times with
    exponential backoff.
    """
    shared = dict(defaults or {})
    # Not shared: a shared task would also be added to every app finalized later in the process,
    # with this registration's queue and defaults.
    options = {**_TASK_DEFAULTS, **task_options, "name": name, "bind": True, "shared": False}
    if queue is not None:
        options["queue"] = queue

    def summarize_month(task: celery.Task, source: str, year: int, month: int,
                        **job: Any) -> dict[str, Any]:
        report = summarize(source=source, year=year, month=month, **{**shared, **job})
        request = task.request
        report["job"] = {
            "source": source, "year": year, "month": month, "task_id": request.id,
            "hostname": request.hostname, "retries": request.retries,
            "redelivered": bool((request.delivery_info or {}).get("redelivered")),
        }
        return report

    summarize_month.__doc__ = "Summarizes one source and month with ocpagg; returns the report."
    return app.task(**options)(summarize_month)


def _env(name: str, fallback: str | None = None, default: str | None = None) -> str | None:
    value = os.environ.get(name) or (os.environ.get(fallback) if fallback else None)
    return value or default


def _env_seconds(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{name}={text!r}: expected a whole number of seconds above 0")
    return value


def default_app() -> celery.Celery:
    """The Celery app of ``celery -A ocpagg.celery worker``, configured from the environment
    when first asked for (also as the module attribute ``app``):

    - ``OCPAGG_CELERY_BROKER_URL`` (else ``CELERY_BROKER_URL``; default
      ``redis://127.0.0.1:6379/0``): the broker.
    - ``OCPAGG_CELERY_RESULT_BACKEND`` (else ``CELERY_RESULT_BACKEND``; default none): where the
      run reports go.
    - ``OCPAGG_CELERY_QUEUE`` (default ``ocpagg``): the queue the worker takes jobs from.
    - ``OCPAGG_CELERY_VISIBILITY_TIMEOUT`` (seconds, default 3600): how long Redis waits before
      it gives a job whose worker died to another worker. Longer than the longest job, or a
      running job is also given to a second worker, which waits for the first (the source's
      lock) and then runs it again.
    - ``OCPAGG_CELERY_POSTGRES`` and ``OCPAGG_CELERY_INPUT``: the ``postgres`` URL and the
      ``input`` of every job that does not give its own.

    The rest of a run's settings come from ocpagg's own variables (``OCPAGG_MEMORY_LIMIT``,
    ``OCPAGG_THREADS``, ``OCPAGG_LOCK_TIMEOUT``, ...), as for the command. The worker takes one
    job at a time per process (prefetch 1) and has the task as :data:`TASK_NAME`.
    """
    global _app
    if _app is None:
        queue = _env("OCPAGG_CELERY_QUEUE", default="ocpagg")
        app = celery.Celery("ocpagg", set_as_current=False)
        app.conf.update(
            broker_url=_env("OCPAGG_CELERY_BROKER_URL", "CELERY_BROKER_URL",
                            "redis://127.0.0.1:6379/0"),
            result_backend=_env("OCPAGG_CELERY_RESULT_BACKEND", "CELERY_RESULT_BACKEND"),
            broker_transport_options={
                "visibility_timeout": _env_seconds("OCPAGG_CELERY_VISIBILITY_TIMEOUT", 3600)},
            broker_connection_retry_on_startup=True,
            task_default_queue=queue,
            task_serializer="json", result_serializer="json", accept_content=["json"],
            worker_prefetch_multiplier=1,
        )
        defaults = {key: value for key, value in (
            ("postgres", os.environ.get("OCPAGG_CELERY_POSTGRES")),
            ("input", os.environ.get("OCPAGG_CELERY_INPUT"))) if value}
        register(app, queue=queue, defaults=defaults)
        _app = app
    return _app


_app: celery.Celery | None = None


def __getattr__(name: str) -> Any:
    # `celery -A ocpagg.celery` looks for `app`; importing the module creates no app, so that a
    # program with its own app (koku) only registers the task there.
    if name == "app":
        return default_app()
    if name == "summarize_month":
        return default_app().tasks[TASK_NAME]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

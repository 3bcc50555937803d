"""Runs release the GIL: other threads go on, two summaries run at once, and a signal stops a
run."""

from __future__ import annotations

import os
import signal
import threading

import pytest

import ocpagg
from conftest import GENERATED_SOURCE, summary_csv_rows


def options(data, **more):
    return dict(input=data, source=GENERATED_SOURCE, year=2025, month=10, cluster_id="c",
                mode="serial", format="csv", **more)


def test_two_summaries_in_threads_give_the_rows_of_one_at_a_time(generated, tmp_path):
    ocpagg.summarize(**options(generated), output=tmp_path / "alone")
    reports, errors = {}, []

    def run(name):
        try:
            reports[name] = ocpagg.summarize(**options(generated), output=tmp_path / name)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = summary_csv_rows(tmp_path / "alone")
    assert summary_csv_rows(tmp_path / "a") == expected
    assert summary_csv_rows(tmp_path / "b") == expected
    assert reports["a"]["rows_written"] == reports["b"]["rows_written"]


def test_other_threads_run_while_a_summary_runs(generated, tmp_path):
    done = threading.Event()
    worker = threading.Thread(
        target=lambda: (ocpagg.summarize(**options(generated), output=tmp_path), done.set()))
    spins = 0
    worker.start()
    while worker.is_alive():
        spins += 1
    worker.join()
    assert done.is_set()
    assert spins > 10_000  # the GIL was free while the run went on


def test_a_signal_whose_handler_raises_stops_the_run(generated, tmp_path):
    # SIGINT, from the moment the run has started (its staging folder is there) until it ends;
    # the handler raises KeyboardInterrupt once.
    raised, finished = [], threading.Event()

    def handler(signum, frame):
        if not raised:
            raised.append(signum)
            raise KeyboardInterrupt

    def interrupt():
        while not finished.is_set() and not any(tmp_path.iterdir()):
            finished.wait(0.001)
        while not finished.is_set():
            os.kill(os.getpid(), signal.SIGINT)
            finished.wait(0.02)

    previous = signal.signal(signal.SIGINT, handler)
    sender = threading.Thread(target=interrupt)
    sender.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ocpagg.summarize(**options(generated), output=tmp_path)
    finally:
        finished.set()
        sender.join()
        signal.signal(signal.SIGINT, previous)
    assert raised == [signal.SIGINT]
    assert not any(tmp_path.rglob("*.csv"))
    assert [p.name for p in tmp_path.iterdir()] == []

"""Where shards run: local threads driving subprocesses, or a Dask cluster; one interface.

A shard job is a plain dict and its result another (:func:`grade_shard`; a job holds
no secret), so an executor only has to run ``grade_shard(job)`` somewhere and hand
back results as they finish. :func:`executor_for` picks the backend from the
command line: :class:`LocalExecutor` (``--workers`` nbgrader runs at once on this machine) or
:class:`DaskExecutor` (``--scheduler``: a Dask cluster with the same packages).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any, Protocol

from autograder.class_grading.shard import grade_shard


class Executor(Protocol):
    """Runs shard jobs; ``threads`` is how many it runs at once."""

    threads: int

    def results(self, jobs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Run :func:`grade_shard` on every job; yield the results as they finish."""

    def close(self) -> None:
        """Release what the executor holds (threads, a cluster connection)."""

    def describe(self) -> str:
        """One line for the instructor, e.g. ``4 workers``."""


class LocalExecutor:
    """``threads`` threads, each driving one ``nbgrader autograde`` subprocess."""

    def __init__(self, threads: int) -> None:
        self.threads = max(1, threads)

    def results(self, jobs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        pool = ThreadPoolExecutor(max_workers=self.threads)
        try:
            futures: list[Future] = [pool.submit(grade_shard, job) for job in jobs]
            for future in as_completed(futures):
                yield future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"{self.threads} workers"


def _loopback(address: str) -> bool:
    """Whether a Dask address is on this machine only (``tcp://127.0.0.1:8786``, ``inproc``)."""
    if address.startswith("inproc://"):
        return True
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")


class DaskExecutor:
    """The shards run as tasks of the Dask cluster whose scheduler is at ``address``.

    A job carries students' submissions (never the course secret: only the hidden
    cases' seeds), so a scheduler on another machine must be reached over TLS
    (``tls://``; certificates from Dask's configuration, ``distributed.comm.tls``,
    e.g. ``DASK_DISTRIBUTED__COMM__TLS__CA_FILE``); plain ``tcp://`` is refused
    unless it stays on this machine.
    """

    def __init__(self, address: str) -> None:
        from distributed import Client

        if not address.startswith("tls://") and not _loopback(address):
            raise SystemExit(
                f"refusing the Dask scheduler {address}: shard jobs carry students' work, so "
                "a scheduler on another machine must be reached over TLS (tls://host:port, "
                "with certificates in Dask's configuration distributed.comm.tls.*; see "
                "book/guides/large_class.md).")
        self.address = address
        self.client = Client(address)
        self.threads = max(1, sum(self.client.nthreads().values()))

    def results(self, jobs: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        from distributed import as_completed as dask_completed

        futures = [self.client.submit(grade_shard, job, pure=False) for job in jobs]
        for future in dask_completed(futures):
            yield future.result()

    def close(self) -> None:
        self.client.close()

    def describe(self) -> str:
        return f"Dask at {self.address} ({self.threads} threads)"


def executor_for(workers: int, scheduler: str | None) -> Executor:
    """A :class:`DaskExecutor` when a scheduler address is given, else a :class:`LocalExecutor`."""
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)

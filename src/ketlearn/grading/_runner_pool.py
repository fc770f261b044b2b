"""Where ``ketlearn grade`` runs its jobs: local warm workers on threads, or a Dask cluster.

Private part of :mod:`ketlearn.grading.runner` (which prepares submissions and records results):
each backend takes the prepared jobs and calls ``on_result`` with each result as it arrives,
in the caller's thread, so the gradebook keeps a single writer. ``stop`` (a
:class:`threading.Event`, set by Ctrl-C) ends a run between two results.
"""

from __future__ import annotations

import os
import queue
import threading

from ketlearn.grading.engine import Worker, WorkerDied, grade_on_dask_worker
from ketlearn.grading.gradebook import CourseError

__all__ = ["available_cores", "run_dask", "run_local"]


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in a batch job)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_local(n: int, jobs: list[dict], modules: list[str], prefix, on_result, stop) -> None:
    """N threads, each owning one warm worker process; results are recorded by the caller.

    ``stop`` (a :class:`threading.Event`, set by Ctrl-C) ends the run between two records: the
    workers and their student processes are killed, unrecorded submissions stay ungraded.
    """
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    done: queue.Queue = queue.Queue()
    live: list[Worker] = []

    def drive() -> None:
        try:
            worker = Worker(modules, prefix)
        except Exception as exc:  # a worker that cannot start: the others carry on
            done.put({"fatal": f"{type(exc).__name__}: {exc}"})
            return
        live.append(worker)
        try:
            while not stop.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    done.put(_grade_retrying(worker, job, stop))
                except Exception as exc:  # an internal error: report this job, go on
                    detail = f"internal error: {type(exc).__name__}: {exc}"
                    done.put({"key": job["key"], "worker_died": detail})
                    try:
                        worker.restart()
                    except Exception as exc2:
                        done.put({"fatal": f"{type(exc2).__name__}: {exc2}"})
                        return
        finally:
            worker.close()

    # no more workers than submissions (each worker's start imports the warm modules: seconds)
    threads = [threading.Thread(target=drive, daemon=True) for _ in range(min(n, len(jobs)))]
    for t in threads:
        t.start()
    remaining = len(jobs)
    fatal = 0
    while remaining:
        try:
            result = done.get(timeout=0.2)
        except queue.Empty:
            if stop.is_set():
                for worker in list(live):
                    worker.kill()
                return
            continue
        if stop.is_set():
            for worker in list(live):
                worker.kill()
            return
        if "fatal" in result:
            fatal += 1
            if fatal == len(threads):
                raise RuntimeError(f"no grading worker could run: {result['fatal']}")
            continue
        remaining -= 1
        on_result(result)
    for t in threads:
        t.join()


def _grade_retrying(worker: Worker, job: dict, stop=None) -> dict:
    for attempt in range(2):
        try:
            return worker.grade(job)
        except WorkerDied as exc:
            if stop is not None and stop.is_set():
                return {"key": job["key"], "worker_died": "interrupted"}
            worker.restart()
            if attempt == 1:
                return {"key": job["key"], "worker_died": str(exc)}
    raise AssertionError("unreachable")


def run_dask(
    scheduler: str, jobs: list[dict], modules, hide, sandbox: bool, on_result, stop=None
) -> None:
    """Submit each job as a task to an existing Dask cluster; record results as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise CourseError(
            "--scheduler needs dask distributed: pip install 'ketlearn[grading]'"
        ) from exc
    client = scheduler if not isinstance(scheduler, str) else Client(scheduler)
    futures = [
        client.submit(
            grade_on_dask_worker,
            job,
            modules,
            hide,
            sandbox,
            pure=False,
            key=f"grade-{'-'.join(job['key'])}-{i}",
        )
        for i, job in enumerate(jobs)
    ]
    for future in as_completed(futures):
        if stop is not None and stop.is_set():
            client.cancel(futures)
            break
        on_result(future.result())
    if isinstance(scheduler, str):
        client.close()

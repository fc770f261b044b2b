"""Driving grading workers: one submission through a warm worker and the clean checker.

:class:`Worker` starts a :mod:`ketlearn.grading.kernel` process (inside a Linux user/mount/pid/
network namespace when ``unshare`` is available, see :func:`sandbox_prefix`) and
:func:`Worker.grade` grades one prepared job: it sends the student's cells, receives cell outputs
and plain answer values, runs every test with :func:`ketlearn.grading.checker.check_item` in
*this* process, and returns a plain result dict. The same function runs inside Dask workers
(:func:`grade_on_dask_worker`), which keep one warm worker each, so a cluster needs nothing
home-made beyond this module being importable.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ketlearn.grading.checker import check_item, needed_names
from ketlearn.grading.kernel import LineReader, name_hash

__all__ = ["Worker", "WorkerDied", "grade_on_dask_worker", "sandbox_prefix"]


class WorkerDied(RuntimeError):
    """The worker process itself stopped (not just the student's child process)."""


def _protected() -> list[Path]:
    import ketlearn

    return [
        Path(p).resolve() for p in (sys.prefix, sys.base_prefix, Path(ketlearn.__file__).parent)
    ]


def sandbox_prefix(hide: list[str | os.PathLike]) -> list[str] | None:
    """Command prefix running the worker in fresh user, mount, pid and network namespaces.

    Inside, ``/tmp`` and every folder in ``hide`` (the course folder, the gradebook's folder)
    are covered by empty in-memory file systems, the worker is process 1 (it cannot see or
    signal the grader's processes) and there is no network. Returns ``None`` when the system
    does not allow unprivileged namespaces.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    protected = _protected()
    mounts: list[str] = []
    covered: list[Path] = []
    for item in [Path("/tmp"), *map(Path, hide)]:
        p = item.resolve()
        if any(q == p or p in q.parents for q in protected):
            continue  # never hide Python or ketlearn themselves
        if any(c == p or c in p.parents for c in covered):
            continue  # already under a hidden folder
        covered.append(p)
        mounts.append(f"mount -t tmpfs tmpfs {shlex.quote(str(p))}")
    script = " && ".join([*mounts, 'exec "$@"'])
    prefix = [unshare, "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child"]
    prefix += ["--mount-proc", "--net", "sh", "-c", script, "ketlearn-sandbox"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


class Worker:
    """A long-lived worker process (warm imports) and the checker that talks to it."""

    def __init__(self, modules: list[str], prefix: list[str] | None = None, log=None) -> None:
        self.modules = list(modules)
        self.prefix = list(prefix or [])
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.reader: LineReader | None = None
        self.started_s = 0.0
        self.start()

    def start(self) -> None:
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        env["PYTHONUNBUFFERED"] = "1"
        cmd = [*self.prefix, sys.executable, "-m", "ketlearn.grading.kernel", *self.modules]
        t0 = time.perf_counter()
        old = getattr(self, "_stderr", None)
        if old is not None and old is not self.log:
            old.close()
        self._stderr = self.log if self.log is not None else tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd="/",
            env=env,
        )
        self.reader = LineReader(self.proc.stdout.fileno())
        try:
            ready = self._recv(timeout=300)
        except WorkerDied as exc:
            raise WorkerDied(
                f"worker did not start: {exc}; its last messages: {self.stderr_tail()}"
            ) from exc
        if ready.get("ev") != "ready":
            raise WorkerDied(f"worker did not start: {ready}")
        self.started_s = time.perf_counter() - t0

    def stderr_tail(self, chars: int = 1500) -> str:
        """The end of what the worker wrote to stderr (for error messages)."""
        try:
            self._stderr.flush()
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - chars))
            return self._stderr.read().decode("utf-8", "replace").strip()
        except (AttributeError, OSError, ValueError):
            return ""

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        self.start()

    def _send(self, message: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(f"worker stopped: {exc}") from exc

    def _recv(self, timeout: float | None = None) -> dict:
        line = self.reader.readline(timeout)
        if line is None:
            raise WorkerDied("worker did not answer in time")
        if line == b"":
            raise WorkerDied("worker stopped")
        return json.loads(line)

    def grade(self, job: dict) -> dict:
        """Grade one prepared job (see :mod:`ketlearn.grading.prepare`); return a plain result."""
        t0 = time.perf_counter()
        salt = secrets.token_hex(16)
        tests = job["tests"]
        tables = []
        for test in tests:
            names = needed_names(test["source"])
            tables.append({name_hash(salt, n): n for n in names})
        self._send(
            {
                "op": "run",
                "cells": job["cells"],
                "points": [
                    {"after": t["after"], "hashes": sorted(tab)}
                    for t, tab in zip(tests, tables, strict=True)
                ],
                "salt": salt,
                "timeout": job.get("timeout", 120),
                "files": job.get("files", {}),
            }
        )
        cell_outputs: dict[int, list] = {}
        points: dict[int, dict] = {}
        faults: list[dict] = []
        died = ""
        died_at = None
        slack = float(job.get("timeout", 120)) + 30
        while True:
            message = self._recv(timeout=slack)
            ev = message.get("ev")
            if ev == "cell":
                i = int(message["i"])
                cell_outputs[i] = message.get("outputs", [])
                if message.get("timeout"):
                    faults.append(
                        {"kind": "timeout", "detail": f"code cell {i + 1} was interrupted"}
                    )
            elif ev == "point":
                points[int(message["i"])] = message.get("values", {})
            elif ev == "done":
                break
            elif ev == "died":
                died, died_at = str(message.get("reason", "kernel died")), message.get("cell")
                kind = "timeout" if died.startswith("timeout") else "kernel death"
                faults.append({"kind": kind, "detail": f"{died} (in code cell {int(died_at) + 1})"})
                break
        run_s = time.perf_counter() - t0

        budget = {"left": 2.0 * float(job.get("timeout", 120))}  # for all calls the tests make

        def call(name, args, kwargs):
            if budget["left"] <= 0:
                return {"died": "the time allowed for calling student functions was used up"}
            t_call = time.perf_counter()
            self._send({"op": "call", "name": name, "args": args, "kwargs": kwargs})
            reply = self._recv(timeout=slack)
            budget["left"] -= time.perf_counter() - t_call
            if reply.get("ev") != "result":
                raise WorkerDied(f"unexpected reply {reply.get('ev')}")
            return reply

        items = {}
        carry: dict = {}  # what earlier test cells defined, as in nbgrader's shared kernel
        for j, (test, table) in enumerate(zip(tests, tables, strict=True)):
            if j not in points:
                items[test["grade_id"]] = {
                    "passed": False,
                    "message": f"not checked: the notebook stopped before this test ({died})",
                    "outputs": [
                        {
                            "output_type": "error",
                            "ename": "NotGraded",
                            "evalue": f"the notebook stopped before this test ({died})",
                            "traceback": [
                                f"NotGraded: the notebook stopped before this test ({died})"
                            ],
                        }
                    ],
                }
                continue
            values = {table[h]: v for h, v in points[j].items() if h in table}
            outcome = check_item(
                test["grade_id"], test["source"], values, call, carry=carry, modules=self.modules
            )
            carry.update(outcome.defined)
            faults.extend(outcome.faults)
            items[test["grade_id"]] = {
                "passed": outcome.passed,
                "message": outcome.message,
                "outputs": outcome.outputs,
            }
        self._send({"op": "end"})
        while self._recv(timeout=30).get("ev") != "ended":
            pass
        return {
            "key": job["key"],
            "cells": {str(k): v for k, v in cell_outputs.items()},
            "items": items,
            "faults": faults,
            "seconds": {"run": run_s, "total": time.perf_counter() - t0},
        }


_DASK_LOCAL = threading.local()


def grade_on_dask_worker(job: dict, modules: list[str], hide: list[str], sandbox: bool) -> dict:
    """Task run by a Dask worker: grade ``job`` with this thread's warm worker process."""
    worker = getattr(_DASK_LOCAL, "worker", None)
    if worker is None or worker.modules != list(modules):
        prefix = sandbox_prefix(hide) if sandbox else None
        worker = Worker(modules, prefix)
        _DASK_LOCAL.worker = worker
    try:
        return worker.grade(job)
    except WorkerDied:
        worker.restart()
        try:
            return worker.grade(job)
        except WorkerDied as exc:
            worker.restart()
            return {"key": job["key"], "worker_died": str(exc)}

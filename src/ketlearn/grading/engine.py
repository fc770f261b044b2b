"""Driving grading workers: one submission through a warm worker and the clean checker.

:class:`Worker` starts a :mod:`ketlearn.grading.kernel` process (inside the sandbox of
:mod:`ketlearn.grading.sandbox` when available, see :func:`sandbox_prefix`) and
:func:`Worker.grade` grades one prepared job: it sends the student's cells, receives cell outputs
and plain answer values, runs every test with :func:`ketlearn.grading.checker.check_item` in
*this* process, and returns a plain result dict. The same function runs inside Dask workers
(:func:`grade_on_dask_worker`), which keep one warm worker each, so a cluster needs nothing
home-made beyond this module being importable; a Dask worker that cannot sandbox refuses the
task when a sandbox was asked for. Workers get an environment built from an allowlist
(:func:`ketlearn.grading.sandbox.worker_env`) and run in their own session; the audit events
of each submission come back with its result as ``flags``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from ketlearn.grading.audit import summarise
from ketlearn.grading.checker import check_item, needed_names, submission_folder
from ketlearn.grading.kernel import LineReader, name_hash
from ketlearn.grading.sandbox import find_sandbox, worker_env

__all__ = ["Worker", "WorkerDied", "grade_on_dask_worker", "sandbox_prefix"]


class WorkerDied(RuntimeError):
    """The worker process itself stopped (not just the student's child process)."""


def sandbox_prefix(hide: list[str | os.PathLike]) -> list[str] | None:
    """Command prefix running a worker in the sandbox (:mod:`ketlearn.grading.sandbox`).

    ``hide`` lists folders that must never be visible inside (course, gradebook, staging).
    Returns ``None`` when neither bubblewrap nor ``unshare`` works on this system.
    """
    box = find_sandbox([str(h) for h in hide])
    return None if box is None else list(box.prefix)


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
        env = worker_env()  # an allowlist: no instructor tokens reach student code
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
            start_new_session=True,  # Ctrl-C on the grader's terminal is the grader's to handle
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
                self.kill()
            self.proc = None

    def kill(self) -> None:
        """Kill the worker and everything in its session (student processes included)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.kill()
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
                "student": _learner(job),  # draws the student's variants (ketlearn.variant)
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
                if "[output truncated by the grader]" in json.dumps(cell_outputs[i])[-2000:]:
                    faults.append({"kind": "output truncated", "detail": f"code cell {i + 1}"})
                if message.get("timeout"):
                    faults.append(
                        {"kind": "timeout", "detail": f"code cell {i + 1} was interrupted"}
                    )
            elif ev == "point":
                points[int(message["i"])] = message.get("values", {})
                if any(
                    v == {"$": "opaque", "type": "too large"}
                    for v in points[int(message["i"])].values()
                ):
                    fault = {"kind": "answer too large", "detail": "an answer was not read"}
                    if fault not in faults:
                        faults.append(fault)
            elif ev == "done":
                break
            elif ev == "died":
                died, died_at = str(message.get("reason", "kernel died")), message.get("cell")
                kind = "timeout" if died.startswith("timeout") else "kernel death"
                faults.append({"kind": kind, "detail": f"{died} (in code cell {int(died_at) + 1})"})
                break
        run_s = time.perf_counter() - t0

        budget = {"left": 2.0 * float(job.get("timeout", 120))}  # for all calls the tests make

        def call(name, args, kwargs, hide=()):
            if budget["left"] <= 0:
                return {"died": "the time allowed for calling student functions was used up"}
            t_call = time.perf_counter()
            hashes = sorted(name_hash(salt, n) for n in hide)  # names the test deleted
            self._send({"op": "call", "name": name, "args": args, "kwargs": kwargs, "hide": hashes})
            reply = self._recv(timeout=slack)
            budget["left"] -= time.perf_counter() - t_call
            if reply.get("ev") != "result":
                raise WorkerDied(f"unexpected reply {reply.get('ev')}")
            error = reply.get("error") or {}
            if reply.get("died") or error.get("ename") == "KeyboardInterrupt":
                faults.append(
                    {"kind": "timeout", "detail": f"a test's call of {name}() was interrupted"}
                )
            return reply

        items = {}
        carry: dict = {}  # what earlier test cells defined, as in nbgrader's shared kernel
        workdir = submission_folder(job.get("files", {}))  # tests open files where nbgrader would
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
            with _as_learner(_learner(job)):  # hidden tests compute this student's variant
                outcome = check_item(
                    test["grade_id"],
                    test["source"],
                    values,
                    call,
                    carry=carry,
                    modules=self.modules,
                    workdir=workdir,
                )
            carry.update(outcome.defined)
            faults.extend(outcome.faults)
            items[test["grade_id"]] = {
                "passed": outcome.passed,
                "message": outcome.message,
                "outputs": outcome.outputs,
                "answers": values,  # hook for `ketlearn report` (issue 15): the plain data read
            }
        shutil.rmtree(workdir, ignore_errors=True)
        self._send({"op": "end"})
        flags: list[dict] = []
        while True:
            message = self._recv(timeout=30)
            if message.get("ev") == "audit":
                lines = [x for x in message.get("lines", []) if isinstance(x, dict)]
                flags = summarise(
                    lines, bool(message.get("closed_early")), int(message.get("dropped", 0))
                )
            elif message.get("ev") == "ended":
                ended = message
                break
        return {
            "flags": flags,
            "key": job["key"],
            "cells": {str(k): v for k, v in cell_outputs.items()},
            "items": items,
            "written": ended.get("written") or {},  # files the notebook wrote (for autograded/)
            "faults": faults,
            "seconds": {"run": run_s, "total": time.perf_counter() - t0},
        }


def _learner(job: dict) -> str:
    """The student id of a job (its folder name under ``submitted/``), if usable as a learner."""
    from ketlearn.variant import _ID

    key = job.get("key") or ["", ""]
    student = str(key[1]) if len(key) > 1 else ""
    return student if _ID.match(student) else ""


def _as_learner(student: str):
    """Hidden tests run for ``student``'s variants (a no-op without a usable id)."""
    import contextlib

    from ketlearn.variant import as_learner

    return as_learner(student) if student else contextlib.nullcontext()


_DASK_LOCAL = threading.local()


def grade_on_dask_worker(job: dict, modules: list[str], hide: list[str], sandbox: bool) -> dict:
    """Task run by a Dask worker: grade ``job`` with this thread's warm worker process."""
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # the checker's tests see it, as in nbgrader
    worker = getattr(_DASK_LOCAL, "worker", None)
    if worker is None or worker.modules != list(modules):
        prefix = sandbox_prefix(hide) if sandbox else None
        if sandbox and prefix is None:  # never run student code unsandboxed when asked not to
            return {
                "key": job["key"],
                "refused": f"Dask worker on {socket.gethostname()} (pid {os.getpid()}) "
                "cannot sandbox (no working bwrap or unshare); it refused the task",
            }
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

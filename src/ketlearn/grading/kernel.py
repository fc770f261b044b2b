"""The grading worker: a warm "zygote" process that runs student notebooks in forked children.

Why this shape
--------------
Most of a submission's grading time under ``nbgrader autograde`` is start-up paid again for
every submission: a new kernel, then ``import numpy, pandas, scipy, matplotlib`` inside it, then
a graceful shutdown. This worker pays the imports **once**: it imports the course's modules and
builds an IPython shell, and then, for each submission, ``fork``\\ s a child that is an exact,
pristine copy of that warm state. The child runs the student's cells (and only the visible
part of each test, as nbgrader would run it), so every submission still starts from a clean
interpreter, and whatever the student patches (``math``, numpy, ``builtins``, IPython's
machinery) dies with the child.

What crosses the boundary
-------------------------
The worker never receives hidden test code: only the student's cells (with visible test
parts), salted hashes of the names the tests need, and later the arguments of calls the checker
wants made (and salted hashes of names a test deleted). The child answers with
plain data (:mod:`ketlearn.grading.codec`), never pickles. Timeouts are enforced here, in the
parent: a cell that runs too long gets SIGINT (like Jupyter's interrupt), then SIGKILL.

Protocol (JSON lines on stdin/stdout; stray prints of imported libraries go to stderr)::

    -> {"op": "run", "cells": [...], "points": [{"after": k, "hashes": [...]}, ...],
        "salt": s, "timeout": seconds, "files": {path: base64}}
    <- {"ev": "cell", "i": k, "outputs": [...]}         once per cell
    <- {"ev": "point", "i": j, "values": {hash: encoded}}
    <- {"ev": "done"} | {"ev": "died", "reason": text, "cell": k}
    -> {"op": "call", "name": n, "args": encoded, "kwargs": encoded}
    <- {"ev": "result", "value": encoded} | {"ev": "result", "error": {...}}
    -> {"op": "call", ..., "hide": [hash, ...]}           (names a test deleted, for that call)
    -> {"op": "end"}                  <- {"ev": "ended", "written": {path: base64}}
                                         (files the notebook wrote, read after it stopped)

Run it as ``python -m ketlearn.grading.kernel [module ...]`` (the modules to pre-import).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import stat
import sys
import tempfile
import time

from ketlearn.grading import guard as _guard
from ketlearn.grading._kernel_child import LineReader, make_shell, name_hash, run_child

__all__ = ["LineReader", "main", "name_hash"]

GRACE_S = 3.0  # after SIGINT, how long a cell gets to stop before SIGKILL

# --------------------------------------------------------------------------- the parent side


class _Zygote:
    def __init__(self, modules: list[str]) -> None:
        self.out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)  # anything printed by imported libraries goes to stderr, not the protocol
        self.inp = LineReader(0)
        for name in modules:
            try:
                __import__(name)
            except Exception as exc:
                print(
                    f"ketlearn-grade worker: could not pre-import {name}: {exc}",
                    file=sys.stderr,
                )
        self.shell = make_shell()
        _warm_up()
        from ketlearn.grading import audit

        _guard.prctl(4, 0)  # PR_SET_DUMPABLE 0: student processes cannot ptrace the worker
        if os.getpid() != 1:
            _guard.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphaned student processes come back here
        self.snapshot = audit.snapshot(self.shell)
        self.read_roots = _guard.read_roots()

    def send(self, message: dict) -> None:
        self.out.write(json.dumps(message, separators=(",", ":")) + "\n")
        self.out.flush()

    def serve(self) -> None:
        self.send({"ev": "ready", "pid": os.getpid()})
        while True:
            line = self.inp.readline(None)
            if not line:
                return
            job = json.loads(line)
            if job.get("op") == "run":
                self.run(job)

    def run(self, job: dict) -> None:
        job["workdir"] = workdir = _make_workdir(job.get("files", {}))
        try:
            self._run(job)
        finally:
            written = _written_files(workdir, job.get("files", {}))
            _guard.wipe(workdir)
            self.send({"ev": "ended", "written": written})

    def _run(self, job: dict) -> None:
        up_r, up_w = os.pipe()
        down_r, down_w = os.pipe()
        audit_r, audit_w = os.pipe()
        workdir = job["workdir"]
        guard = {
            "fd": audit_w,
            "workdir": workdir,
            "snapshot": self.snapshot,
            "read_roots": self.read_roots,
        }
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.setpgid(0, 0)  # its own process group, so its own children die with it
                _guard.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: dies with the worker
                for fd in (up_r, down_w, audit_r, 0):
                    os.close(fd)
                self.out.close()
                run_child(self.shell, job, up_w, down_r, guard)
            finally:
                os._exit(0)
        os.close(up_w)
        os.close(down_r)
        os.close(audit_w)
        collector = _guard.AuditCollector(audit_r)
        reader = LineReader(up_r)
        timeout = float(job.get("timeout", 120))
        state = {"cell": 0}
        closed_early = False
        try:
            alive = self._run_cells(pid, reader, timeout, len(job["cells"]), state)
            closed_early = alive and collector.closed.is_set()
            while True:
                line = self.inp.readline(None)
                if not line:
                    break
                request = json.loads(line)
                if request.get("op") != "call":
                    break
                if not alive:
                    self.send({"ev": "result", "died": "the notebook's process had stopped"})
                    continue
                os.write(down_w, (json.dumps(request) + "\n").encode())
                message, why = self._wait(pid, reader, timeout, expect="result")
                if message is None:
                    alive = False
                    self.send({"ev": "result", "died": why})
                else:
                    self.send(message)
        finally:
            for fd in (up_r, down_w):
                try:
                    os.close(fd)
                except OSError:
                    pass
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # already collected when its death was noticed
                pass
            survivors = _guard.kill_strays()
            _guard.reap()
            lines, dropped = collector.finish()
            written = _guard.tree_bytes(workdir) + (
                _guard.tree_bytes("/tmp") if os.getpid() == 1 else 0
            )
        if survivors:
            lines.append(
                {
                    "k": "trusted",
                    "event": "process outlived its notebook",
                    "detail": f"{survivors} killed",
                }
            )
        if written > 32 * 2**20:
            lines.append(
                {
                    "k": "trusted",
                    "event": "disk use",
                    "detail": f"{written / 2**20:.0f} MiB written",
                }
            )
        self.send(
            {
                "ev": "audit",
                "lines": lines,
                "closed_early": closed_early,
                "dropped": dropped,
            }
        )

    def _run_cells(self, pid, reader, timeout, n_cells, state) -> bool:
        while True:
            message, why = self._wait(pid, reader, timeout, expect=None)
            if message is None:
                self.send({"ev": "died", "reason": why, "cell": state["cell"]})
                return False
            if message.get("ev") == "cell":
                state["cell"] = int(message.get("i", 0)) + 1
            self.send(message)
            if message.get("ev") == "done":
                return True

    def _wait(self, pid, reader, timeout, expect):
        """Next message from the child, interrupting then killing it if it is too slow."""
        interrupted = False
        limit = timeout
        while True:
            try:
                line = reader.readline(limit)
            except OverflowError:
                os.kill(pid, signal.SIGKILL)
                return None, "an output was too large"
            if line is None:
                if not interrupted:
                    interrupted = True
                    os.kill(pid, signal.SIGINT)
                    limit = GRACE_S
                    continue
                os.kill(pid, signal.SIGKILL)
                return (
                    None,
                    f"timeout: no reply within {timeout:g} s, even after an interrupt",
                )
            if line == b"":
                return None, _death_reason(pid)
            try:
                message = json.loads(line)
            except ValueError:
                os.kill(pid, signal.SIGKILL)
                return None, "the notebook's process sent malformed data"
            if type(message) is not dict or message.get("ev") not in (
                "cell",
                "point",
                "done",
                "result",
            ):
                os.kill(pid, signal.SIGKILL)
                return None, "the notebook's process sent malformed data"
            if interrupted and message.get("ev") == "cell":
                message["timeout"] = True
            if expect and message.get("ev") != expect:
                continue
            return message, ""


MAX_WRITTEN_BYTES = 50_000_000  # files a notebook writes that are sent back, in total


def _make_workdir(files: dict) -> str:
    """A fresh folder holding the submission's files (where the notebook runs, as in nbgrader)."""
    workdir = tempfile.mkdtemp(prefix=f"ketlearn-sub-{os.getpid()}-")  # hygiene.py knows it
    for rel, b64 in files.items():
        path = os.path.normpath(os.path.join(workdir, rel))
        if not path.startswith(workdir + os.sep):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(b64))
    return workdir


def _written_files(workdir: str, given: dict) -> dict:
    """Regular files the notebook created or changed (base64), read after its process is gone.

    Links are never followed (``os.walk`` without ``followlinks``, ``O_NOFOLLOW``), hidden
    files and notebooks are skipped, and at most :data:`MAX_WRITTEN_BYTES` are returned, so
    ``autograded/`` gets what nbgrader's kernel would have left there and nothing else.
    """
    found: dict[str, str] = {}
    budget = MAX_WRITTEN_BYTES
    for top, dirs, names in os.walk(workdir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, workdir)
            if name.startswith(".") or name.endswith(".ipynb"):
                continue
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                    continue
                with os.fdopen(fd, "rb", closefd=False) as fh:
                    data = fh.read(budget + 1)
            finally:
                os.close(fd)
            if len(data) > budget:
                continue
            b64 = base64.b64encode(data).decode()
            if given.get(rel) == b64:
                continue  # one of the files it was given, unchanged
            budget -= len(data)
            found[rel] = b64
    return found


def _warm_up() -> None:
    """Load what the first figure of every submission would otherwise load (fonts, PNG writer)."""
    if "matplotlib" not in sys.modules:
        return
    import io

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1], label="warm-up")
    ax.set_title("warm-up 0.5 µM")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def _death_reason(pid: int) -> str:
    """Why the child's channel closed: collect its exit status (it may still be exiting)."""
    deadline = time.monotonic() + 2.0
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return "kernel died"
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return "kernel died (it closed its channel and was stopped)"
        time.sleep(0.01)
    if os.WIFSIGNALED(status):
        return f"kernel died (signal {os.WTERMSIG(status)})"
    if os.WIFEXITED(status):
        return f"kernel died (exit status {os.WEXITSTATUS(status)})"
    return "kernel died"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the worker process: pre-import modules, then serve jobs."""
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _guard.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a killed grader takes its workers with it
    _Zygote(args).serve()


if __name__ == "__main__":
    main()

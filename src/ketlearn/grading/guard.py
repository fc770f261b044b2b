"""Guarding the grading worker's children: limits, process clean-up, the audit pipe's reader.

Used by :mod:`ketlearn.grading.kernel`. In the student's process, before its first cell:
:func:`limit_resources` (:data:`ketlearn.grading.sandbox.LIMITS`), :func:`watch_environ` and
:func:`audit_line` (one JSON line to the audit pipe). In the worker, after each submission:
:func:`kill_strays` (every process the notebook left, daemons included), :func:`wipe` (the
submission's folder and, in the sandbox, all of ``/tmp``) and :class:`AuditCollector`, which
reads the audit pipe in a thread while the notebook runs.
"""

from __future__ import annotations

import json
import os
import signal
import time

__all__ = [
    "AuditCollector",
    "audit_line",
    "kill_strays",
    "limit_resources",
    "prctl",
    "read_roots",
    "reap",
    "tree_bytes",
    "watch_environ",
    "wipe",
]


def reap() -> None:
    """Collect any exited children (the worker is process 1 in its sandbox)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def audit_line(fd: int, item: dict) -> None:
    if fd < 0:
        return
    try:
        os.write(fd, (json.dumps(item)[:2000] + "\n").encode())
    except OSError:
        pass


def limit_resources(cpu_s: float) -> None:
    """Per-submission limits (:data:`ketlearn.grading.sandbox.LIMITS`) in the student's process."""
    import resource

    from ketlearn.grading.sandbox import LIMITS

    for name, value in LIMITS.items():
        if name == "RLIMIT_CPU":
            value = int(max(value, cpu_s))
        which = getattr(resource, name, None)
        if which is None:
            continue
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def watch_environ(fd: int) -> None:
    """Report code that lists the whole environment (single variables may be read freely)."""
    environ_type = type(os.environ)

    class Watched(environ_type):
        def __iter__(self):
            audit_line(
                fd,
                {"k": "audit", "event": "environment listed", "detail": "os.environ"},
            )
            return environ_type.__iter__(self)

        def __repr__(self):
            audit_line(
                fd,
                {"k": "audit", "event": "environment listed", "detail": "os.environ"},
            )
            return environ_type.__repr__(self)

        def copy(self):
            audit_line(
                fd,
                {"k": "audit", "event": "environment listed", "detail": "os.environ"},
            )
            return environ_type.copy(self)

    try:
        os.environ.__class__ = Watched
    except TypeError:
        pass


class AuditCollector:
    """Reads the student's audit pipe in a thread while the notebook runs (it never blocks)."""

    def __init__(self, fd: int, max_bytes: int = 2_000_000) -> None:
        import threading

        self.fd, self.max_bytes = fd, max_bytes
        self.data = bytearray()
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            if len(self.data) < self.max_bytes:
                self.data.extend(chunk[: self.max_bytes - len(self.data)])
        self.closed.set()

    def finish(self) -> tuple[list[dict], int]:
        self.thread.join(timeout=5)
        try:
            os.close(self.fd)
        except OSError:
            pass
        from ketlearn.grading.audit import MAX_EVENTS

        lines, dropped = [], 0
        for raw in bytes(self.data).splitlines():
            try:
                item = json.loads(raw)
            except ValueError:
                item = {
                    "k": "audit",
                    "event": "malformed audit line",
                    "detail": raw[:200].decode("utf-8", "replace"),
                }
            if not isinstance(item, dict):
                continue
            if len(lines) < MAX_EVENTS:
                lines.append({str(k): str(v)[:400] for k, v in item.items()})
            else:
                dropped += 1
        return lines, dropped


def prctl(option: int, value: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def read_roots() -> list[str]:
    """Folders student code may read without a flag: software, datasets, system files."""
    from ketlearn.grading.sandbox import readable_roots

    roots = [
        *readable_roots(),
        "/usr",
        "/lib",
        "/lib64",
        "/etc",
        "/proc/self",
        "/proc/cpuinfo",
    ]
    roots += ["/proc/meminfo", "/sys/devices/system/cpu", "/sys/fs/cgroup", "/dev/shm"]
    try:
        import matplotlib

        roots += [
            matplotlib.get_data_path(),
            matplotlib.get_configdir(),
            matplotlib.get_cachedir(),
        ]
    except Exception:
        pass
    return [str(r) for r in roots]


def _descendants() -> list[int]:
    """Processes under this worker (all of them when it is process 1 of its sandbox)."""
    me = os.getpid()
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me:
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    stat = fh.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(stat[1])
            except (OSError, IndexError, ValueError):
                continue
    if me == 1:
        return list(parents)
    found, todo = [], [me]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def kill_strays() -> int:
    """Kill every process left by the last notebook (daemons included); return how many."""
    killed = 0
    for _ in range(3):
        strays = _descendants()
        if not strays:
            break
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        reap()
        time.sleep(0.01)
    return killed


def tree_bytes(path: str) -> int:
    total = 0
    for base, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass
    return total


def wipe(workdir: str) -> None:
    """Remove the submission's folder (and, in the sandbox, everything else in ``/tmp``)."""
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    if os.getpid() == 1:
        for name in os.listdir("/tmp"):
            if name != ".matplotlib":
                path = os.path.join("/tmp", name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass

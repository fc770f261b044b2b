"""The operating-system sandbox of grading workers (bubblewrap, else ``unshare``).

A worker (:mod:`ketlearn.grading.kernel`) runs student code. It is started inside a sandbox
built from an **allowlist**: the worker sees, read-only, only the system folders, Python, the
installed packages, ketlearn and its packaged datasets; its ``/tmp`` is a private, empty,
size-capped in-memory folder (also its ``$TMPDIR`` and ``$HOME``); it has its own user, mount,
PID, IPC, UTS and network namespaces (no network), no capabilities, and it dies with the
grader. The course folder, the gradebook, the staging folder, other courses, other students
and the instructor's home are simply not there. Resource limits (CPU time, address space,
file size, processes, open files) are set per submission by the worker (:data:`LIMITS`).

Two back-ends, tried in this order: ``bwrap`` (Debian package ``bubblewrap``) and, without
it, util-linux ``unshare`` with read-only bind mounts into a fresh root and capabilities
dropped by ``setpriv``. :func:`find_sandbox` returns ``None`` when neither works.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LIMITS", "Sandbox", "find_sandbox", "readable_roots", "worker_env"]

#: Per-submission resource limits applied in the student's process (``resource.setrlimit``).
#: CPU seconds, address space (bytes), size of one written file (bytes), processes (counted
#: per user; the kernel does not apply it to root, so the worker also refuses to start
#: processes, see :mod:`ketlearn.grading.audit`), open files.
LIMITS = {
    "RLIMIT_CPU": 600,
    "RLIMIT_AS": 6 * 2**30,
    "RLIMIT_FSIZE": 64 * 2**20,
    "RLIMIT_NPROC": 256,
    "RLIMIT_NOFILE": 256,
}
TMP_SIZE = 512 * 2**20  # bytes of the private /tmp (in memory)

#: Variables the worker may inherit from the grader; everything else (tokens, passwords,
#: cloud credentials) is dropped.
ENV_ALLOW = ("LANG", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


@dataclass(frozen=True)
class Sandbox:
    """A working sandbox: its back-end name and the command prefix that starts a worker."""

    kind: str
    prefix: tuple[str, ...]


def worker_env(extra: dict | None = None) -> dict[str, str]:
    """The worker's environment, built from :data:`ENV_ALLOW` (nothing else is passed on).

    >>> sorted(k for k in worker_env() if k.startswith("TMP"))
    ['TMPDIR']
    """
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.update(
        PATH=os.pathsep.join(
            [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        HOME="/tmp",
        TMPDIR="/tmp",
        MPLCONFIGDIR="/tmp/.matplotlib",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.update(extra or {})
    return env


def readable_roots() -> list[str]:
    """Folders a worker needs to read: Python, installed packages, ketlearn, its datasets."""
    import ketlearn
    from ketlearn.data import datasets_dir

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    roots.add(str(Path(ketlearn.__file__).resolve().parent))
    roots.add(str(datasets_dir()))
    for entry in sys.path:
        if (
            entry
            and os.path.isdir(entry)
            and (entry.endswith(("site-packages", ".zip")) or "python3" in entry)
        ):
            roots.add(entry)
    out = []
    for root in sorted({str(Path(r).resolve()) for r in roots if r and os.path.exists(r)}):
        if root == "/" or any(root == s or root.startswith(s + "/") for s in _SYSTEM):
            continue
        if not any(root.startswith(o + "/") for o in out):
            out.append(root)
    return out


def _safe_roots(hide: list[str]) -> list[str]:
    """Readable roots, except any that is a hidden folder or lies inside one."""
    hidden = _hidden(hide)
    return [r for r in readable_roots() if not any(r == h or r.startswith(h + "/") for h in hidden)]


def _hidden(hide: list[str]) -> list[str]:
    return sorted({str(Path(h).resolve()) for h in hide})


def _covered(hide: list[str], bound: list[str]) -> list[str]:
    """Hidden folders that lie inside a bound folder: each gets an empty folder on top."""
    return [
        h
        for h in _hidden(hide)
        if os.path.isdir(h) and any(h.startswith(b.rstrip("/") + "/") for b in bound)
    ]


def _bwrap(hide: list[str]) -> list[str] | None:
    exe = shutil.which("bwrap")
    if exe is None:
        return None
    cmd = [exe, "--die-with-parent", "--new-session", "--unshare-all", "--as-pid-1"]
    cmd += ["--cap-drop", "ALL", "--dev", "/dev", "--proc", "/proc"]
    for path in _SYSTEM:
        if os.path.isdir(path):
            cmd += (
                ["--ro-bind", path, path]
                if not os.path.islink(path)
                else ["--symlink", os.readlink(path), path]
            )
    roots = _safe_roots(hide)
    for root in roots:
        cmd += ["--ro-bind", root, root]
    for path in _covered(hide, [*_SYSTEM, *roots]):
        cmd += ["--tmpfs", path, "--remount-ro", path]
    cmd += ["--size", str(TMP_SIZE), "--tmpfs", "/tmp", "--chdir", "/tmp"]
    return cmd


def _unshare(hide: list[str]) -> list[str] | None:
    where = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    unshare, setpriv, chroot = (
        shutil.which(t, path=where) for t in ("unshare", "setpriv", "chroot")
    )
    if unshare is None or setpriv is None or chroot is None:
        return None
    new = "/tmp/.ketlearn-root"  # inside the worker's own in-memory /tmp
    steps = [f"mount -t tmpfs -o size={TMP_SIZE} tmpfs /tmp", f"mkdir -p {new}"]
    steps.append(f"mount -t tmpfs -o size={TMP_SIZE} tmpfs {new}")
    binds = [p for p in _SYSTEM if os.path.isdir(p) and not os.path.islink(p)]
    binds += _safe_roots(hide)
    for path in binds:
        q = shlex.quote(new + path)
        steps += [
            f"mkdir -p {q}",
            f"mount --bind {shlex.quote(path)} {q}",
            f"mount -o remount,bind,ro {q}",
        ]
    for path in _SYSTEM:
        if os.path.islink(path):
            steps.append(f"ln -s {shlex.quote(os.readlink(path))} {shlex.quote(new + path)}")
    for path in _covered(hide, binds):
        q = shlex.quote(new + path)
        steps += [f"mount -t tmpfs -o size=4096,ro tmpfs {q}"]
    steps += [
        f"mkdir -p {new}/proc {new}/dev {new}/tmp",
        f"mount -t proc proc {new}/proc",
        f"for d in null zero random urandom; do touch {new}/dev/$d; "
        f"mount --bind /dev/$d {new}/dev/$d; done",
        f"mount -t tmpfs -o size={TMP_SIZE} tmpfs {new}/tmp",
        f"cd / && exec {chroot} {new} {setpriv} --no-new-privs --bounding-set=-all "
        f'--inh-caps=-all sh -c \'cd /tmp && exec "$@"\' ketlearn-worker "$@"',
    ]
    script = " && ".join(steps)
    return [
        unshare,
        "--user",
        "--map-root-user",
        "--mount",
        "--pid",
        "--fork",
        "--kill-child",
        "--net",
        "--ipc",
        "--uts",
        "sh",
        "-c",
        script,
        "ketlearn-sandbox",
    ]


@functools.lru_cache(maxsize=16)
def _probe(prefix: tuple[str, ...]) -> bool:
    """Whether ``prefix`` really isolates: Python runs, ``/`` is read-only, ``/tmp`` is empty."""
    check = (
        "import os, socket, sys\n"
        "assert os.listdir('/tmp') in ([], ['.ketlearn-root'])\n"
        "try:\n    open(sys.prefix + '/.ketlearn-probe', 'w')\nexcept OSError:\n    pass\n"
        "else:\n    sys.exit(3)\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
        "except OSError:\n    pass\nelse:\n    sys.exit(4)\n"
    )
    try:
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", check],
            capture_output=True,
            timeout=60,
            check=False,
            env=worker_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def find_sandbox(hide: list[str | os.PathLike], backend: str | None = None) -> Sandbox | None:
    """The first back-end that works here (``bwrap``, then ``unshare``), or ``None``.

    ``hide`` lists folders that must never be visible (course, gradebook, staging); any
    readable root under them is left out. ``backend`` forces one back-end (also settable with
    the ``KETLEARN_SANDBOX`` environment variable, for tests).
    """
    backend = backend or os.environ.get("KETLEARN_SANDBOX") or None
    hide = [str(h) for h in hide]
    builders = {"bwrap": _bwrap, "unshare": _unshare}
    for kind in [backend] if backend else ["bwrap", "unshare"]:
        prefix = builders[kind](hide)
        if prefix is not None and _probe(tuple(prefix)):
            return Sandbox(kind, tuple(prefix))
    return None

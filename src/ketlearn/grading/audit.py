"""Tamper detection: what student code tried, reported with evidence even when it earned nothing.

Student side (in the forked child, installed before the first student cell):

- a PEP 578 audit hook (:func:`install_hook`) that reports opening or listing files outside the
  submission's folder and the read-only software folders, starting processes (refused: the hook
  raises ``PermissionError``), sockets, ``ctypes``, signals, ``gc`` object walks, tracing and new
  audit hooks. A hook cannot be removed; what it writes goes straight to a pipe opened before
  student code ran, whose other end the trusted worker reads while the notebook runs. A
  student can add lines to that pipe (only accusing themself) or close it, which the worker
  notices and reports (``audit channel closed``).
- a comparison of the warm interpreter after the student's cells with the state before them
  (:func:`snapshot`, :func:`state_changes`): builtins, ``sys`` hooks, IPython's input
  transformers, event callbacks, custom exception handlers and patched methods, and attributes
  of sensitive modules (``math``, ``operator``, numpy, pandas, ``ketlearn.checks`` ...).
- answer types (:func:`answer_flags`): subclasses of plain types, objects of notebook classes
  that redefine comparison or conversion.

Trusted side: :func:`summarise` turns the collected events into flags for the summary, the
gradebook comment and the per-student evidence file (:func:`write_evidence`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

__all__ = [
    "SENSITIVE_MODULES",
    "answer_flags",
    "install_hook",
    "snapshot",
    "state_changes",
    "summarise",
    "write_evidence",
]

SENSITIVE_MODULES = (
    "builtins",
    "math",
    "operator",
    "cmath",
    "numpy",
    "numpy.testing",
    "pandas",
    "pandas.testing",
    "ketlearn.checks",
    "ketlearn.grading.codec",
    "json",
    "IPython.core.interactiveshell",
)
MAX_EVENTS = 200  # lines kept per submission; the rest are counted
_PROCESS = {
    "os.fork",
    "os.forkpty",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "subprocess.Popen",
    "pty.spawn",
    "os.startfile",
}
_ALWAYS = {
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "socket.sendto",
    "ctypes.dlopen",
    "ctypes.dlsym",
    "ctypes.cdata",
    "ctypes.addressof",
    "ctypes.string_at",
    "sys.addaudithook",
    "sys.settrace",
    "sys.setprofile",
    "sys._current_frames",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
    "gc.get_objects",
    "gc.get_referrers",
    "gc.get_referents",
    "sys.remote_exec",
    "mmap.__new__",
    "os.chroot",
    "setopencode",
    "cpython.PyInterpreterState_Clear",
    "sys.unraisablehook",
}
_CHANGE = {
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.chmod",
    "os.chown",
    "os.utime",
    "shutil.rmtree",
    "shutil.move",
    "os.chdir",
}
_LIST = {"os.listdir", "os.scandir", "glob.glob", "os.walk", "os.fwalk"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _under(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def install_hook(fd: int, workdir: str, read_roots: list[str]) -> None:
    """Install the audit hook in the student's process; events go to pipe ``fd`` as JSON lines.

    Process creation is refused (``PermissionError``) and reported; everything else is only
    reported. ``read_roots`` are folders any code may read (software, datasets, ``/proc/self``).
    """
    write, dumps, monotonic = os.write, json.dumps, time.monotonic
    abspath, fspath, getpid = os.path.abspath, os.fspath, os.getpid
    own = (workdir,)
    readable = (*tuple(read_roots), workdir, "/dev/null", "/dev/urandom", "/dev/random")
    tmp_ok = ("/tmp",)
    state = {"busy": False, "n": 0}

    def report(event: str, detail) -> None:
        state["n"] += 1
        if state["n"] > MAX_EVENTS:
            return
        line = dumps(
            {"k": "audit", "event": event, "detail": detail[:400], "t": round(monotonic(), 3)}
        )
        try:
            write(fd, (line + "\n").encode())
        except OSError:
            pass

    def where(arg) -> str | None:
        if isinstance(arg, int) or arg is None:
            return None
        try:
            path = fspath(arg)
        except TypeError:
            return None
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        path = abspath(path)
        pid = f"/proc/{getpid()}"
        if path == pid or path.startswith(pid + "/"):
            path = "/proc/self" + path[len(pid) :]
        return path

    def hook(event: str, args) -> None:
        if state["busy"]:
            return
        state["busy"] = True
        try:
            if event in _PROCESS:
                report(event, repr(args)[:400])
                raise PermissionError(f"starting processes is not allowed while grading ({event})")
            if event == "open":
                path = where(args[0])
                if path is None:
                    return
                mode, flags = args[1] if len(args) > 1 else "r", args[2] if len(args) > 2 else 0
                writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
                    (flags or 0) & _WRITE_FLAGS
                )
                if writes and not _under(path, own + tmp_ok):
                    report("open for writing", path)
                elif "ketlearn-grade-stage" in path or (
                    not _under(path, readable + tmp_ok) and not _under(path, ("/proc/self",))
                ):
                    report("open outside the submission", path)
            elif event in _LIST:
                path = where(args[0]) if args else None
                if path is not None and not _under(path, readable):
                    report("listing a folder", f"{event} {path}")
            elif event in _CHANGE:
                path = where(args[0]) if args else None
                if path is None or not _under(path, own + tmp_ok):
                    report(event, repr(args)[:400])
            elif event in _ALWAYS:
                report(event, repr(args)[:400])
        finally:
            state["busy"] = False

    sys.addaudithook(hook)


def _ids(mapping: dict) -> dict[str, int]:
    return {str(k): id(v) for k, v in list(mapping.items())}


def snapshot(shell) -> dict:
    """State of the warm interpreter that student code must not change (ids of objects)."""
    snap = {"modules": {}, "sys": {}, "shell": {}}
    for name in SENSITIVE_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            snap["modules"][name] = (id(module), _ids(vars(module)))
    for attr in ("excepthook", "displayhook", "breakpointhook", "unraisablehook"):
        snap["sys"][attr] = id(getattr(sys, attr, None))
    snap["sys"]["meta_path"] = [id(x) for x in sys.meta_path]
    snap["sys"]["path_hooks"] = [id(x) for x in sys.path_hooks]
    snap["sys"]["trace"] = (id(sys.gettrace()), id(sys.getprofile()))
    snap["shell"] = _shell_state(shell)
    snap["shell_class"] = {
        cls.__name__: _ids(vars(cls)) for cls in type(shell).__mro__ if cls is not object
    }
    return snap


def _shell_state(shell) -> dict:
    def ids(items):
        return [id(x) for x in items]

    callbacks = {k: ids(v) for k, v in shell.events.callbacks.items()}
    methods = sorted(
        k for k, v in vars(shell).items() if callable(v) and callable(getattr(type(shell), k, None))
    )
    return {
        "input_transformers_post": ids(shell.input_transformers_post),
        "input_transformers_cleanup": ids(shell.input_transformers_cleanup),
        "ast_transformers": ids(shell.ast_transformers),
        "events": callbacks,
        "custom_exceptions": repr(shell.custom_exceptions),
        "CustomTB": id(shell.CustomTB),
        "instance_methods": methods,
    }


def _student_made(obj) -> bool:
    return getattr(obj, "__module__", None) in ("__main__", None) or "<ipython-input" in str(
        getattr(getattr(obj, "__code__", None), "co_filename", "")
    )


def state_changes(shell, before: dict) -> list[str]:
    """What the student's cells changed in the warm state (plain sentences, empty if nothing)."""
    out: list[str] = []
    for name, (mid, attrs) in before["modules"].items():
        module = sys.modules.get(name)
        if module is None or id(module) != mid:
            out.append(f"module {name} replaced in sys.modules")
            continue
        now = vars(module)
        for key, ident in attrs.items():
            if key not in now:
                out.append(f"{name}.{key} deleted")
            elif id(now[key]) != ident and not key.startswith("__") and key != "_":
                out.append(f"{name}.{key} replaced by {type(now[key]).__name__}")
    for attr, ident in before["sys"].items():
        if attr == "meta_path":
            now = [id(x) for x in sys.meta_path]
        elif attr == "path_hooks":
            now = [id(x) for x in sys.path_hooks]
        elif attr == "trace":
            now = (id(sys.gettrace()), id(sys.getprofile()))
        else:
            now = id(getattr(sys, attr, None))
        if now != ident:
            out.append(f"sys.{attr} changed")
    after = _shell_state(shell)
    for key, ident in before["shell"].items():
        if key == "events":
            for ev, _cbs in after["events"].items():
                new = [c for c in shell.events.callbacks[ev] if id(c) not in ident.get(ev, [])]
                out += [
                    f"IPython event callback added to {ev}: {c!r}"[:300]
                    for c in new
                    if _student_made(c)
                ]
        elif after[key] != ident:
            out.append(f"IPython shell {key} changed: {after[key]!r}"[:300])
    for cls in type(shell).__mro__:
        if cls is object or cls.__name__ not in before["shell_class"]:
            continue
        old = before["shell_class"][cls.__name__]
        out += [
            f"IPython {cls.__name__}.{k} replaced"
            for k, v in list(vars(cls).items())
            if k in old and id(v) != old[k]
        ]
    return out


_PLAIN = (bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset)


def answer_flags(name_hash_value: str, value) -> list[str]:
    """Why an answer value looks forged (subclass of a plain type, rigged notebook class)."""
    t = type(value)
    bases = list(_PLAIN)
    for modname, attrs in (("numpy", ("ndarray", "generic")), ("pandas", ("DataFrame", "Series"))):
        module = sys.modules.get(modname)
        if module is not None:
            bases += [getattr(module, a) for a in attrs]
    library = str(getattr(t, "__module__", "")).split(".")[0] in ("builtins", "numpy", "pandas")
    for base in bases:
        if isinstance(value, base) and t is not base and not library:
            return [
                f"answer of type {t.__module__}.{t.__qualname__}, a subclass of {base.__name__}"
            ]
    if t.__module__ == "__main__" and any(
        k in vars(t)
        for k in ("__eq__", "__float__", "__index__", "__int__", "__array__", "__bool__")
    ):
        return [f"answer is a {t.__qualname__} defined in the notebook that redefines comparison"]
    return []


# --------------------------------------------------------------------------- trusted side


def summarise(lines: list[dict], closed_early: bool, dropped: int) -> list[dict]:
    """Flags (``kind``, ``detail``, ``evidence``) from the events a worker collected."""
    evidence = [line for line in lines if isinstance(line, dict)][:MAX_EVENTS]
    flags = []
    kinds: dict[str, list[str]] = {}
    for item in evidence:
        label = str(item.get("event") or item.get("k"))
        kinds.setdefault(label, []).append(str(item.get("detail", ""))[:120])
    for label, details in kinds.items():
        shown = "; ".join(sorted(set(details))[:3])
        flags.append(f"{label} x{len(details)}: {shown}")
    if closed_early:
        flags.append("audit channel closed by student code before the notebook finished")
    if dropped:
        flags.append(f"{dropped} further event line(s) dropped (flooding)")
    if not flags:
        return []
    return [{"kind": "tampering", "detail": " | ".join(flags)[:1500], "evidence": evidence}]


def write_evidence(root: Path, assignment: str, student: str, flags: list[dict]) -> Path:
    """Write ``evidence/<assignment>/<student>.json`` in the course folder; return its path."""
    folder = Path(root) / "evidence" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{student}.json"
    path.write_text(
        json.dumps({"assignment": assignment, "student": student, "flags": flags}, indent=1)
    )
    return path

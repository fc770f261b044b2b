"""The grading worker's child side: what runs inside the forked copy of the warm process.

Private half of :mod:`ketlearn.grading.kernel` (split off to keep each module about one idea):
the protocol pieces both sides share (:func:`name_hash`, :class:`LineReader`, the size limits)
and the child: an IPython shell with plain-MIME display, bounded output streams, the loop that
runs the student's cells and answers the checker's ``call`` requests with plain data
(:mod:`ketlearn.grading.codec`). The parent side (forking, timeouts, work folders) stays in
:mod:`ketlearn.grading.kernel`; see its docstring for the protocol.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import sys
import time

from ketlearn.grading import guard as _guard

__all__ = [
    "MAX_LINE",
    "MAX_OUTPUT_CHARS",
    "LineReader",
    "hide_names",
    "make_shell",
    "name_hash",
    "run_child",
]

MAX_LINE = 256_000_000  # bytes in one message from a child (huge-output defence)
MAX_OUTPUT_CHARS = 200_000  # text kept per cell output stream; the rest is cut


def name_hash(salt: str, name: str) -> str:
    """The salted hash under which a name the tests need is requested.

    >>> len(name_hash("s", "answer"))
    64
    """
    return hashlib.sha256(f"{salt}\x00{name}".encode()).hexdigest()


class LineReader:
    """Read newline-terminated messages from a file descriptor with a timeout."""

    def __init__(self, fd: int, max_line: int = MAX_LINE) -> None:
        self.fd = fd
        self.buf = bytearray()
        self.max_line = max_line
        self.eof = False

    def readline(self, timeout: float | None) -> bytes | None:
        """Return one line (without newline), ``b""`` at end of file, ``None`` on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line = bytes(self.buf[:nl])
                del self.buf[: nl + 1]
                return line
            if self.eof:
                return b""
            if len(self.buf) > self.max_line:
                raise OverflowError("message too large")
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.eof = True
            self.buf.extend(chunk)


# --------------------------------------------------------------------------- the child side


class _Sink:
    """Collects a cell's outputs in nbformat shape, capping text."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []
        self.chars = 0

    def reset(self) -> None:
        self.outputs = []
        self.chars = 0

    def stream(self, name: str, text: str) -> None:
        if self.chars >= MAX_OUTPUT_CHARS or not text:
            return
        text = str(text)[: MAX_OUTPUT_CHARS - self.chars]
        self.chars += len(text)
        if self.chars >= MAX_OUTPUT_CHARS:
            text += "\n[output truncated by the grader]\n"
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def add(self, output: dict) -> None:
        size = len(json.dumps(output, default=str))
        if self.chars + size > 20 * MAX_OUTPUT_CHARS:
            return
        self.chars += size
        self.outputs.append(output)


SINK = _Sink()


class _Stream:
    def __init__(self, name: str) -> None:
        self.name = name
        self.encoding = "utf-8"

    def write(self, text) -> int:
        SINK.stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _plain_mime(data: dict) -> dict:
    out = {}
    for key, value in dict(data).items():
        if isinstance(value, (str, dict, list)):
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out


def make_shell():
    """An IPython shell whose displays, results and tracebacks become nbformat outputs."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(
            self,
            data,
            metadata=None,
            source=None,
            *,
            transient=None,
            update=False,
            **kw,
        ):
            SINK.add(
                {
                    "output_type": "display_data",
                    "data": _plain_mime(data),
                    "metadata": json.loads(json.dumps(metadata or {}, default=str)),
                }
            )

        def clear_output(self, wait=False):
            SINK.reset()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            SINK.add(
                {
                    "output_type": "execute_result",
                    "execution_count": self.prompt_count,
                    "data": _plain_mime(format_dict),
                    "metadata": json.loads(json.dumps(md_dict or {}, default=str)),
                }
            )

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # like ipykernel: only the inline backend is used
            pass

        def _showtraceback(self, etype, evalue, stb):
            SINK.add(
                {
                    "output_type": "error",
                    "ename": str(getattr(etype, "__name__", etype)),
                    "evalue": str(evalue)[:2000],
                    "traceback": [str(line)[:4000] for line in list(stb)[:60]],
                }
            )

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    return Shell.instance(config=config, display_pub_class=Publisher, displayhook_class=Hook)


def _send(fh, message: dict) -> None:
    from ketlearn.grading.codec import dumps

    fh.write(dumps(message) + "\n")
    fh.flush()


def _values(shell, salt: str, hashes: set, fd: int = -1) -> dict:
    from ketlearn.grading.audit import answer_flags
    from ketlearn.grading.codec import CodecError, encode

    found = {}
    for name in list(shell.user_ns):
        key = name_hash(salt, name)
        if key in hashes:
            try:
                for why in answer_flags(key, shell.user_ns[name]):
                    _guard.audit_line(
                        fd,
                        {"k": "answer", "event": "forged answer type", "detail": why},
                    )
            except Exception:
                _guard.audit_line(
                    fd,
                    {
                        "k": "answer",
                        "event": "forged answer type",
                        "detail": "uninspectable",
                    },
                )
            try:
                found[key] = encode(shell.user_ns[name])
            except (CodecError, RecursionError, MemoryError):
                found[key] = {"$": "opaque", "type": "too large"}
            except Exception as exc:
                found[key] = {"$": "opaque", "type": type(exc).__name__}
    return found


def run_child(shell, job: dict, to_parent: int, from_parent: int, guard: dict) -> None:
    from ketlearn.grading import audit
    from ketlearn.grading.codec import decode, encode

    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    out = os.fdopen(to_parent, "w", encoding="utf-8")
    inp = LineReader(from_parent)
    workdir = guard["workdir"]  # made, with the submission's files, before the fork
    os.chdir(workdir)
    os.environ["HOME"] = workdir  # libraries that look in the home folder look here
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # as nbgrader autograde sets it
    if job.get("student"):  # the student's own variants (ketlearn.variant.learner_id)
        os.environ["KETLEARN_STUDENT_ID"] = str(job["student"])
    else:
        os.environ.pop("KETLEARN_STUDENT_ID", None)
    sys.path[:] = [
        workdir,
        *(p for p in sys.path if p not in ("", "/tmp", ".")),
    ]  # like Jupyter's ''
    _guard.limit_resources(float(job.get("timeout", 120)) * (len(job["cells"]) + 2))
    _guard.watch_environ(guard["fd"])
    audit.install_hook(guard["fd"], workdir, guard["read_roots"])
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    salt = job["salt"]
    points = job["points"]
    cells = job["cells"]

    def send_points(after: int) -> None:
        for j, point in enumerate(points):
            if point["after"] == after:
                values = _values(shell, salt, set(point["hashes"]), guard["fd"])
                _send(out, {"ev": "point", "i": j, "values": values})

    for k, source in enumerate(cells):
        send_points(k)
        SINK.reset()
        try:
            outcome = shell.run_cell(source, store_history=True)
            if isinstance(getattr(outcome, "error_in_exec", None), SystemExit):
                _guard.audit_line(
                    guard["fd"],
                    {
                        "k": "state",
                        "event": "SystemExit raised",
                        "detail": f"cell {k + 1}",
                    },
                )
        except BaseException as exc:
            SINK.add(
                {
                    "output_type": "error",
                    "ename": type(exc).__name__,
                    "evalue": str(exc)[:2000],
                    "traceback": [],
                }
            )
        _send(out, {"ev": "cell", "i": k, "outputs": SINK.outputs})
    send_points(len(cells))
    try:
        changes = audit.state_changes(shell, guard["snapshot"])
    except Exception as exc:  # a state too broken to compare is itself evidence
        changes = [f"warm state could not be compared: {type(exc).__name__}"]
    for change in changes[:50]:
        _guard.audit_line(
            guard["fd"], {"k": "state", "event": "warm state changed", "detail": change}
        )
    _send(out, {"ev": "done"})
    while True:
        line = inp.readline(None)
        if not line:
            os._exit(0)
        request = json.loads(line)
        hidden = hide_names(shell.user_ns, salt, request.get("hide") or [])
        try:
            fn = shell.user_ns[request["name"]]
            args = decode(request["args"])
            kwargs = decode(request["kwargs"])
            SINK.reset()
            value = encode(fn(*args, **kwargs))
            _send(out, {"ev": "result", "value": value, "streams": _streams()})
        except BaseException as exc:
            error = {"ename": type(exc).__name__, "evalue": str(exc)[:2000]}
            _send(out, {"ev": "result", "error": error, "streams": _streams()})
        finally:
            shell.user_ns.update(hidden)


def hide_names(user_ns: dict, salt: str, hashes: list) -> dict:
    """Remove the names a test deleted (``del squares``) for one call; return them to restore.

    The checker sends them as salted hashes, so no identifier of a hidden test is revealed.
    """
    wanted = {h for h in hashes if isinstance(h, str)}
    if not wanted:
        return {}
    return {n: user_ns.pop(n) for n in list(user_ns) if name_hash(salt, n) in wanted}


def _streams() -> list[dict]:
    """What a called student function printed (nbgrader sees it in the test cell's output)."""
    return [
        {"name": o["name"], "text": o["text"]} for o in SINK.outputs if o["output_type"] == "stream"
    ]

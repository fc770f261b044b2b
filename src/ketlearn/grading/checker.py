"""The out-of-kernel checker: instructor tests run in a clean process against plain data.

A test cell is run here, never in the student's process. The names it needs are filled with
values rebuilt from plain data (:mod:`ketlearn.grading.codec`); a name bound to a student
*function* becomes a proxy. Calling the proxy does not run student code here: it stops the test
(:class:`NeedCall`), the call is made in the student's process with plain-data arguments, the
plain result is cached, and the test is run again from the top. Tests are short, so replaying
them is cheap, and the checker stays free of student code at every step.

Builtins, ``math``, numpy, pandas and ``ketlearn.checks`` used by the test are this process's own
modules, which student code never touched, so rigged comparison helpers have no effect here.

A name the student bound to a *module* (``import numpy as np``) arrives as a module name only.
The checker binds it to its own copy of that module, and only for modules the course declares
(the modules its source notebooks import, passed in as ``modules``, plus :data:`BASE_MODULES`):
a student can name any module, and importing it would run that module's code here. Anything
else is not imported, the test sees the name as undefined, and the item reports a
``refused module answer`` fault.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import sys
import threading
import warnings
from dataclasses import dataclass, field

from ketlearn.grading.codec import Opaque, decode, dumps, encode

__all__ = [
    "BASE_MODULES",
    "CHECK_LOCK",
    "ItemOutcome",
    "NeedCall",
    "StudentError",
    "check_item",
    "module_allowed",
    "needed_names",
]

#: Tests redirect sys.stdout/sys.stderr and warnings while they run; those are process-wide,
#: so test runs in different threads are serialised (each takes milliseconds).
CHECK_LOCK = threading.Lock()
MAX_CALLS = 200
_BUILTINS = frozenset(dir(builtins))
_MODULE_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
#: Modules a test may always take from the student's namespace (what test cells use by name).
BASE_MODULES = frozenset(
    {"math", "numpy", "pandas", "ketlearn", "ketlearn.checks", "ketlearn.answers", "ketlearn.data"}
)


class NeedCall(BaseException):
    """Raised by a student-function proxy whose result is not known yet."""

    def __init__(self, name: str, key: str, args: object, kwargs: object) -> None:
        super().__init__(name)
        self.name, self.key, self.args_enc, self.kwargs_enc = name, key, args, kwargs


class StudentError(Exception):
    """A student function raised an exception (or stopped) when the checker called it."""


@dataclass
class ItemOutcome:
    """The result of one test cell: nbformat outputs plus a short summary."""

    grade_id: str
    passed: bool
    message: str = ""
    outputs: list = field(default_factory=list)
    defined: dict = field(default_factory=dict)  # names the test itself defined (for later tests)
    faults: list = field(default_factory=list)  # e.g. a refused module answer, for the run's report


def needed_names(source: str) -> list[str]:
    """Names a test reads that it may take from the student's namespace (not builtins).

    >>> needed_names(
    ...     "from ketlearn import checks\\nx = checks.plain_number(answer)\\nassert x > len([])"
    ... )
    ['answer', 'checks', 'x']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        import re

        return sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source)) - _BUILTINS)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return sorted(names - _BUILTINS)


class _StudentCallable:
    def __init__(self, name: str, cache: dict) -> None:
        self._name = name
        self._cache = cache

    def __repr__(self) -> str:
        return f"<student function {self._name}>"

    def __call__(self, *args, **kwargs):
        args_enc, kwargs_enc = encode(list(args)), encode(dict(kwargs))
        key = dumps([self._name, args_enc, kwargs_enc])
        if key not in self._cache:
            raise NeedCall(self._name, key, args_enc, kwargs_enc)
        reply = self._cache[key]
        for stream in reply.get("streams") or []:
            if type(stream) is dict and type(stream.get("text")) is str:
                target = sys.stderr if stream.get("name") == "stderr" else sys.stdout
                target.write(stream["text"])
        if "value" in reply:
            return _safe_decode(reply["value"])
        if "died" in reply:
            raise StudentError(f"{self._name}() could not be called: {reply['died']}")
        error = reply.get("error") or {}
        ename, evalue = str(error.get("ename", "Exception")), str(error.get("evalue", ""))
        exc_type = getattr(builtins, ename, None)
        if isinstance(exc_type, type) and issubclass(exc_type, Exception):
            raise exc_type(evalue)
        raise StudentError(f"{self._name}() raised {ename}: {evalue}")


def _safe_decode(data):
    try:
        return decode(data)
    except Exception:
        return Opaque("undecodable")


def module_allowed(modname: str, declared: frozenset[str]) -> bool:
    """May the checker bind a student's name to module ``modname``?

    Yes for a module the course declares (exact name), and for a submodule of a declared
    package that this process has already imported (binding it runs no code). Never for
    anything else, however harmless its name looks.

    >>> module_allowed("numpy", BASE_MODULES), module_allowed("antigravity", BASE_MODULES)
    (True, False)
    """
    if not modname or not set(modname) <= _MODULE_OK or modname.startswith("."):
        return False
    if modname in declared:
        return True
    return modname in sys.modules and modname.split(".")[0] in declared


def _namespace(
    values: dict,
    cache: dict,
    carry: dict | None = None,
    declared: frozenset[str] = BASE_MODULES,
    refused: list | None = None,
) -> dict:
    ns: dict = {**(carry or {}), "__builtins__": builtins, "__name__": "__main__"}
    for name, data in values.items():
        if type(data) is dict and data.get("$") == "module":
            modname = str(data.get("name", ""))[:200]
            if module_allowed(modname, declared):
                with contextlib.suppress(Exception):
                    ns[name] = importlib.import_module(modname)
            elif refused is not None:
                refused.append((name, modname))
            continue
        if type(data) is dict and data.get("$") == "callable":
            ns[name] = _StudentCallable(name, cache)
            continue
        ns[name] = _safe_decode(data)
    return ns


def _run(source: str, ns: dict, grade_id: str) -> tuple[list, str]:
    """Run test code like a notebook cell; return (outputs, error message or "")."""
    outputs: list = []
    out, err = io.StringIO(), io.StringIO()
    message = ""
    tree = ast.parse(source)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    with CHECK_LOCK, warnings.catch_warnings():
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                exec(compile(tree, f"<test {grade_id}>", "exec"), ns)
                result = None
                if last is not None:
                    result = eval(compile(last, f"<test {grade_id}>", "eval"), ns)
            except NeedCall:
                raise
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}".strip()
                result = None
                error = {
                    "output_type": "error",
                    "ename": type(exc).__name__,
                    "evalue": str(exc),
                    "traceback": [message],
                }
    for name, buf in (("stdout", out), ("stderr", err)):
        if buf.getvalue():
            outputs.append({"output_type": "stream", "name": name, "text": buf.getvalue()})
    if message:
        outputs.append(error)
    elif result is not None:
        outputs.append(
            {
                "output_type": "execute_result",
                "execution_count": None,
                "metadata": {},
                "data": {"text/plain": repr(result)},
            }
        )
    return outputs, message


def check_item(
    grade_id: str,
    source: str,
    values: dict,
    call,
    max_calls: int = MAX_CALLS,
    carry: dict | None = None,
    modules=None,
):
    """Run one test cell against plain ``values``; ``call(name, args, kwargs)`` asks the student.

    ``values`` maps names to *encoded* plain data; ``call`` returns the worker's reply
    (``{"value": ...}``, ``{"error": ...}`` or ``{"died": ...}``). ``carry`` holds what earlier
    test cells of the notebook defined (in nbgrader they share the kernel's namespace).
    ``modules`` are the course's declared modules (see :func:`module_allowed`); a module
    answer outside them is refused and listed in the outcome's ``faults``.

    >>> ok = check_item("t", "assert answer == 3", {"answer": 3}, call=None)
    >>> ok.passed, ok.outputs
    (True, [])
    >>> bad = check_item(
    ...     "t", "assert answer == 3, 'not yet'", {"answer": {"$": "opaque", "type": "X"}}, None
    ... )
    >>> bad.passed, bad.message
    (False, 'AssertionError: not yet')
    """
    cache: dict = {}
    declared = BASE_MODULES | frozenset(modules or ())
    refused: list = []
    faults = []
    while True:
        ns = _namespace(values, cache, carry, declared, refused)
        if refused and not faults:
            faults = [
                {
                    "kind": "refused module answer",
                    "detail": f"{grade_id}: {name} names module {modname[:80]!r}, which the "
                    "course does not use; it was not imported",
                }
                for name, modname in refused
            ]
        try:
            outputs, message = _run(source, ns, grade_id)
        except NeedCall as need:
            if len(cache) >= max_calls:
                return ItemOutcome(
                    grade_id, False, "too many calls to student functions", faults=faults
                )
            cache[need.key] = call(need.name, need.args_enc, need.kwargs_enc)
            continue
        except SyntaxError as exc:
            return ItemOutcome(
                grade_id, False, f"the test itself does not compile: {exc}", faults=faults
            )
        failed = bool(message) or any(o.get("name") == "stderr" for o in outputs)
        if not message and failed:
            message = "the test wrote to stderr (nbgrader scores that as a failure)"
        defined = {
            k: v
            for k, v in ns.items()
            if k not in values and not k.startswith("__") and not isinstance(v, _StudentCallable)
        }
        return ItemOutcome(grade_id, not failed, message, outputs, defined, faults)

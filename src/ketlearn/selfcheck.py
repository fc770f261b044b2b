"""Self-checks: "is my answer right?" for learners without an instructor, without the answer.

Every autograded item of every assignment has a visible self-check cell::

    from ketlearn import selfcheck

    selfcheck.check("00-orientation", "q2_tests")

It reads the item's variables from the notebook, says **right** or **not right yet** with a hint
that points back to the section to reread, and records the result for the progress view
(:mod:`ketlearn.progress`). It needs only ketlearn, numpy and the standard library (no nbgrader),
so it works on Binder and in ``make lab``.

Same verdict as the autograder
------------------------------
The expected data in ``_selfcheck_data.json`` is generated from the *source* notebooks' solutions
by ``python tools/selfcheck_data.py``, using the same conversion to plain data
(:mod:`ketlearn.checks`) and the same tolerance rule as the hidden tests
(``|answer - expected| <= max(rel*|expected|, abs_tol)``); both come from the one answer model,
:mod:`ketlearn.answers`, which the grading codec also uses to decide what crosses to the
autograder's checker. ``tests/test_answers_parity.py`` checks on generated answers of every kind
that self-check and autograder agree.
``tests/test_selfcheck_verdicts.py`` runs both on every item: the solution passes both, a blank
answer fails both, and plausible wrong answers fail both. Answers of the wrong type or shape get
a message saying what was expected (type, shape, unit), never a traceback.

What is stored, and what that protects (threat model)
----------------------------------------------------
The data file holds, per item, the public description of the answer (variable names, kinds,
units, tolerances, shapes, allowed labels), a random salt, the *offsets* of the tolerance
lattice, and a single scrypt hash (32 MiB, about 0.1-0.3 s per query) of all parts of the answer
quantised on that lattice; anticipated wrong answers are hashes on the same salt and lattice, so
a check costs one hash however many hints an item has. It never holds an expected value. So:

- A check answers one question, "is this whole answer right?", and each question costs a
  memory-hard hash. Scanning the plausible range of a number answered to 1e-6 relative
  precision takes millions of queries (a percentage in 0-100: about 3.5 million, some 100
  CPU-hours); multi-part answers multiply the ranges. Coarse tolerances are weaker: an interval
  in years to +-0.02 within 0-70 falls in about 1,750 queries (minutes).
  ``python tools/selfcheck_data.py --cost`` prints this estimate for every item.
- Agreement with the autograder is exact up to floating-point rounding: an answer within about
  1e-15 (relative) of the tolerance boundary may get a different verdict.
- **Residual risk, stated plainly.** Answers with few possible values are *not* protected by
  hashing: a multiple-choice letter (A-D), a route out of five, or a small count (say 0-50 rows)
  can be found by trying each value, in seconds to minutes, exactly as a learner could by
  retyping answers in the self-check cell. Hashing cannot change that; what we do instead is
  (1) hash all parts of an item together, so a letter is only confirmed together with the
  numbers asked with it where an item has both, (2) count attempts, and show them in the
  progress view, so guessing is visible to the learner, and (3) rely on the fact that the grade
  comes from the autograder, not from the self-check. A self-check is feedback, not an exam.
- Function answers are called on fixed probe inputs, the same ones the hidden test uses; the
  inputs are public, the expected outputs are not.
- There is no rate limit: a limit kept in the learner's own kernel or files could simply be
  reset. The cost of each query is the limit.
- Also public: the number of entries of an answer (array shape, number of labels in a mapping),
  and, per number, whether the tolerance is relative or absolute there (one bit about its size).
- Worked solutions (:func:`worked`) are stored encrypted under a key derived from the right
  answer's tokens with another salt (:mod:`ketlearn.answers.sealed`): they are exactly as
  protected as the answer, so an item with few possible answers opens by trying each.
- Anyone with the source notebooks (instructors, the public repository) has the answers anyway;
  the protection is about learners working from the released notebooks.
- Like every check inside the learner's own kernel, a determined user can edit the package; the
  graded result comes from the instructor's autograder, outside the learner's kernel.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import _worked, progress, variant
from ._selfcheck_items import item_ids, load_data
from ._selfcheck_items import item_spec as _stored_spec
from .answers import canonical as codec
from .answers import regions
from .answers.plain import AnswerTypeError

__all__ = [
    "Verdict",
    "check",
    "evaluate",
    "evaluate_spec",
    "for_learner",
    "item_ids",
    "item_spec",
    "load_data",
    "misconception_hint",
    "student_function",
    "worked",
]

_MISSING = object()


@dataclass(frozen=True)
class Verdict:
    """The outcome of one self-check.

    Attributes
    ----------
    assignment, item : str
        e.g. ``"00-orientation"`` and ``"q2_tests"`` (the autograder cell's grade_id).
    passed : bool
        True if the answer would pass the autograder's test for this item.
    kind : str
        ``"correct"``, ``"wrong"`` (right kind, wrong value), ``"type"`` (wrong type, shape or
        unit), or ``"missing"`` (a variable is not defined yet).
    message : str
        What the learner sees.
    seconds : float
        How long the check took (each query costs a slow hash on purpose).
    """

    assignment: str
    item: str
    passed: bool
    kind: str
    message: str
    seconds: float = field(default=0.0, compare=False)

    def __str__(self) -> str:
        return self.message


def for_learner(spec: dict, assignment: str, item: str, learner: str | None = None) -> dict:
    """An item's stored data for one learner's variant (:mod:`ketlearn.variant`).

    Items with variants store one ``record`` (and misconceptions, sealed worked solution) per
    parameter set under ``"variants"``; this returns the item with the learner's set merged in
    (``learner=None``: the current learner). Items without variants are returned unchanged.
    """
    if "variants" not in spec:
        return spec
    stored = spec["variants"]
    if len(stored) != variant.count(assignment, item):
        raise RuntimeError(
            f"{assignment} {item}: the self-check data has {len(stored)} variants but the "
            f"package declares {variant.count(assignment, item)}; regenerate it "
            "(tools/selfcheck_data.py)"
        )
    k = variant.index(assignment, item, learner)
    base = {key: value for key, value in spec.items() if key != "variants"}
    return {**base, **stored[k], "variant": k}


def item_spec(assignment: str, item: str) -> dict:
    """The stored description and record of one item, for the current learner's variant."""
    return for_learner(_stored_spec(assignment, item), assignment, item)


def _expected_words(part: dict) -> str:
    unit = f" (unit: {part['unit']})" if part.get("unit") else ""
    kind = part["kind"]
    if kind == "number":
        what = "a whole number" if part.get("whole") else "a plain number (int or float)"
        return what + unit
    if kind == "array":
        shape = f" of shape {tuple(part['shape'])}" if part.get("shape") else ""
        return f"a list, tuple or numpy array of numbers{shape}{unit}"
    if kind == "choice":
        return "text, one of " + ", ".join(repr(c) for c in part["choices"])
    if kind == "text_list":
        return "a list of text items (str)"
    if kind == "choice_map":
        return f"a dict with keys {part['keys']} and values from {part['choices']}"
    if kind == "column_values":
        return f"a pandas DataFrame that keeps the column {part['column']!r}"
    if kind == "mapping":
        return f"a pandas Series (or dict) from labels to numbers{unit}"
    if kind == "table_mapping":
        return f"a pandas DataFrame with exactly the columns {part['columns']}"
    if kind == "function":
        outs = {c["out"]["kind"] for c in part["calls"]}
        arrays = any(c.get("array") or c.get("array_args") for c in part["calls"])
        takes = "numbers or numpy arrays" if arrays else "numbers"
        return f"a function that takes {takes} and returns {' or '.join(sorted(outs))}{unit}"
    if kind == "figure":
        return "a matplotlib Figure with axes"
    return kind


def _figure_problem(part: dict, value: object, sizes: dict[str, int]) -> str | None:
    t = type(value)
    if t.__name__ != "Figure" or not t.__module__.startswith("matplotlib"):
        raise AnswerTypeError(f"{part['name']} must be a matplotlib Figure; got a {t.__name__}")
    axes = value.axes
    if not axes:
        return f"{part['name']} has no axes: draw into the figure's axes"
    need = sizes.get(part.get("min_bars_from", ""), 0)
    if len(axes[0].patches) < need:
        return f"{part['name']} should draw one bar per row of {part['min_bars_from']}"
    return None


def _footer(spec: dict) -> str:
    bits = []
    if spec.get("hint"):
        bits.append(f"Hint: {spec['hint']}")
    if spec.get("section"):
        bits.append(f"Reread: {spec['section']}.")
    return (" " + " ".join(bits)) if bits else ""


def evaluate(assignment: str, item: str, namespace: dict | None = None) -> Verdict:
    """Check an item's answer without printing or recording anything.

    Parameters
    ----------
    assignment : str
        The assignment folder name, e.g. ``"00-orientation"``.
    item : str
        The grade_id of the item's autograder test cell, e.g. ``"q2_tests"``.
    namespace : dict, optional
        Where to find the answer's variables; by default the caller's global namespace (in a
        notebook: the learner's variables).

    Examples
    --------
    >>> evaluate("00-orientation", "q2_tests", {"weighted_f_intranasal_pct": "15"}).kind
    'type'
    >>> print(evaluate("00-orientation", "q2_tests", {}).message)  # doctest: +ELLIPSIS
    ○ Exercise 2... — not answered yet: weighted_f_intranasal_pct is not defined yet. ...
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    spec = item_spec(assignment, item)
    result = evaluate_spec(spec, namespace, load_data()["kdf"], assignment=assignment, item=item)
    if result.passed and spec.get("worked"):
        how = f"selfcheck.worked({assignment!r}, {item!r})"
        message = f"{result.message}\n  Worked solution (how an expert does it, pitfalls): {how}"
        result = dataclasses.replace(result, message=message)
    return result


def evaluate_spec(
    spec: dict, namespace: dict, kdf: dict, *, assignment: str = "", item: str = ""
) -> Verdict:
    """Check an answer against one item description and its stored record.

    :func:`evaluate` calls this with the item from the package's data file; tools and tests
    may pass their own ``spec`` (``parts`` and ``record``, as made by
    :func:`ketlearn.answers.make_record`) and a cheaper ``kdf``.
    """
    start = time.perf_counter()
    label = spec.get("title", item)

    def verdict(passed: bool, kind: str, message: str) -> Verdict:
        return Verdict(assignment, item, passed, kind, message, seconds=time.perf_counter() - start)

    atoms: list[tuple] = []
    sizes: dict[str, int] = {}
    figures = []
    for part in spec["parts"]:
        value = namespace.get(part["name"], _MISSING)
        if value is _MISSING or value is ...:
            still = "still holds the ... stub" if value is ... else "is not defined yet"
            return verdict(
                False,
                "missing",
                f"○ {label} — not answered yet: {part['name']} {still}. Write your answer in "
                "its answer cell and run it (and the cells above it).",
            )
        if part["kind"] == "figure":
            figures.append((part, value))
            continue
        try:
            part_atoms = codec.flatten(part, value)
        except codec.Unfinished as exc:
            return verdict(
                False,
                "missing",
                f"○ {label} — not answered yet: {exc}. Fill them in and run its cell.",
            )
        except codec.Mismatch as exc:
            return verdict(False, "wrong", f"✘ {label} — not right yet: {exc}.{_footer(spec)}")
        except AnswerTypeError as exc:
            return verdict(
                False,
                "type",
                f"✘ {label} — {exc}. Expected {part['name']} to be {_expected_words(part)}.",
            )
        sizes[part["name"]] = sum(1 for a in part_atoms if a[0] == "n")
        atoms.extend(part_atoms)
    for part, value in figures:
        try:
            problem = _figure_problem(part, value, sizes)
        except AnswerTypeError as exc:
            return verdict(False, "type", f"✘ {label} — {exc}.")
        if problem:
            return verdict(False, "wrong", f"✘ {label} — not right yet: {problem}.")
    digests = codec.answer_digests(atoms, spec["record"], kdf)  # the check's one slow hash
    if codec.any_digest_in(digests, [spec["record"]["digest"]]):
        return verdict(
            True,
            "correct",
            f"✔ {label} — right: it matches the expected answer within the autograder's tolerance.",
        )
    hint = misconception_hint(spec, atoms, kdf, digests=digests)
    if hint:
        return verdict(
            False, "wrong", f"✘ {label} — not right yet. {hint}{_footer({**spec, 'hint': ''})}"
        )
    return verdict(False, "wrong", f"✘ {label} — not right yet.{_footer(spec)}")


def misconception_hint(
    spec: dict, atoms: list[tuple], kdf: dict, *, digests: list[str] | None = None
) -> str | None:
    """The hint of the first anticipated wrong answer that ``atoms`` match, else None.

    Each misconception is stored as scrypt hashes of the right answer's lattice tokens near the
    wrong value, with the right record's salt (the wrong value itself is never stored), next to
    the specific hint a teacher would give for that mistake; see
    :func:`ketlearn.answers.regions.region_digests`. So the answer's one hash (``digests``,
    from the check against the right record) is compared with every hint: no further hashing.
    Only called after the right record failed, so a right answer never gets a hint.
    """
    hint, _ = regions.first_hint(
        spec.get("misconceptions", []), atoms, spec["record"], kdf, digests=digests
    )
    return hint


def check(assignment: str, item: str, namespace: dict | None = None) -> None:
    """Check an item's answer, print the verdict and record it for :func:`ketlearn.progress.show`.

    This is the call in the notebooks' self-check cells. It is the only function in ketlearn
    that writes a file: the progress record (see :mod:`ketlearn.progress` for where, and how to
    turn it off). It never raises for a wrong or malformed answer; it explains instead.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    result = evaluate(assignment, item, namespace)
    print(result.message)
    try:
        progress.record(result)
    except OSError as exc:  # a read-only home folder must not break the notebook
        print(f"(Progress not saved: {exc}. Set KETLEARN_PROGRESS_FILE to a writable path.)")


def student_function(
    assignment: str,
    item: str,
    name: str,
    fallback: Callable,
    namespace: dict | None = None,
) -> Callable:
    """The learner's function if it passes its item's self-check, else the package's version.

    Build, then reuse: a learner writes a function from a scaffold in one exercise, and later
    cells and widgets use it. So that the notebook still runs when that function is missing or
    not right yet, later cells ask for it through this call, which says calmly which one they
    use. Nothing is recorded in the progress file.

    Parameters
    ----------
    assignment, item : str
        The exercise that asked for the function, e.g. ``"00-orientation"``, ``"q4_tests"``.
    name : str
        The function's name in the notebook, e.g. ``"ng_per_ml_to_um"``.
    fallback : callable
        The package's function with the same signature and units.
    namespace : dict, optional
        Where the learner's function lives; by default the caller's global namespace.

    Returns
    -------
    callable
        The learner's function, or ``fallback``.

    Examples
    --------
    >>> from ketlearn import selfcheck
    >>> f = selfcheck.student_function(
    ...     "00-orientation", "q4_tests", "ng_per_ml_to_um", fallback=abs, namespace={}
    ... )  # doctest: +ELLIPSIS
    ℹ Your ng_per_ml_to_um is not written yet, so the cells below use ketlearn's abs instead...
    >>> f is abs
    True
    """
    if not callable(fallback):
        raise ValueError(f"fallback must be a function; got {type(fallback).__name__}")
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    theirs = namespace.get(name, _MISSING)
    ours = getattr(fallback, "__qualname__", repr(fallback))
    module = getattr(fallback, "__module__", "") or ""
    if module.startswith("ketlearn."):
        ours = f"{module.removeprefix('ketlearn.')}.{ours}"
    if theirs is _MISSING or theirs is ... or not callable(theirs):
        why = "is not written yet"
    else:
        result = evaluate(assignment, item, namespace)
        if result.passed:
            print(f"✔ The cells below use your {name}.")
            return theirs
        why = "is not finished yet" if result.kind == "missing" else "is not right yet"
    print(
        f"ℹ Your {name} {why}, so the cells below use ketlearn's {ours} instead; the notebook "
        f"still runs. When {item.removesuffix('_tests')}'s self-check says ✔, re-run these cells "
        "to use yours."
    )
    return fallback


def worked(assignment: str, item: str, namespace: dict | None = None) -> None:
    """Show an item's worked solution, once the answer in the notebook is right.

    The worked solution (how an expert does it, common pitfalls) is shipped encrypted under a
    key derived from the right answer (:mod:`ketlearn.answers.sealed`), so only a right answer
    opens it: this call re-reads the answer's variables, checks them like :func:`check` (without
    recording progress) and, when they are right, derives the key from them and shows the text
    (rendered markdown in a notebook, printed elsewhere). A wrong or missing answer gets the
    self-check's verdict instead.

    Examples
    --------
    >>> worked("00-orientation", "q1_tests", {"available_mg_wafer": 3.0})  # doctest: +ELLIPSIS
    ✘ Exercise 1... — not right yet. ...
    The worked solution opens once the self-check says ✔.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    spec = item_spec(assignment, item)
    if not spec.get("worked"):
        print(f"{spec.get('title', item)} has no worked solution yet.")
        return
    result = evaluate_spec(spec, namespace, load_data()["kdf"], assignment=assignment, item=item)
    text = None
    if result.passed:
        text = _worked.open_item(
            spec, namespace, load_data()["kdf"], assignment=assignment, item=item
        )
    if text is None:
        print(
            result.message if not result.passed else f"✘ {spec.get('title', item)} — not right yet."
        )
        print("The worked solution opens once the self-check says ✔.")
        return
    _worked.show(text)

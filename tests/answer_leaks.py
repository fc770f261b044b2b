"""Find expected answers that a student can already read above an item's answer cell.

Used by ``tests/test_selfcheck_verdicts.py`` (the answer-leak test of issue 12): for every
autograded item, the numbers the autograder expects (from the source notebook's solution, see
``_expected_numbers`` there) are compared with every number visible in the *student version*
executed top to bottom (markdown, code, and outputs: streams, plain text, HTML tables, error
messages) in the cells above the item's answer cell.

What counts as "visible" (and what does not):

- A visible number ``x`` shows an expected value ``e`` if it equals ``e``, ``100 e`` (the
  percentage form) or ``e / 100`` (the fraction form of a percentage) within the item's
  tolerance **or** within the rounding of how ``x`` is written (``0.78`` shows 0.7812; ``115``
  shows 114.6): a rounded value shown is still a leak. Rounding counts only for numbers written
  with at least two significant digits (a bare ``2`` shows nothing).
- Expected values with a single significant digit (3, 0.5, 200) are skipped: such a number
  appears in any text (section numbers, "3 compartments"), so a match says nothing.
- Citation keys (``[@author2019title]``, ``{cite}`...```), URLs, DOIs and ISO dates are removed
  first; they are not answers.
- An item may list justified exceptions in its test cell's metadata, e.g. a dose the prompt
  gives that the student must use: ``"ketlearn": {"leak_ok": [{"value": 0.5, "why": "..."}]}``.
"""

from __future__ import annotations

import math
import re
from html import unescape

__all__ = ["find_leaks", "numbers_in", "significant_digits", "visible_text"]

_NOISE = re.compile(
    r"\[@[^\]]*\]"  # [@key] citations
    r"|\{cite[^}]*\}`[^`]*`"  # MyST citations
    r"|https?://\S+"  # URLs
    r"|\b10\.\d{4,9}/\S+"  # DOIs
    r"|\b\d{4}-\d{2}-\d{2}\b"  # ISO dates
    r"|\b[A-Za-z_][A-Za-z_]*\d+[A-Za-z_0-9]*"  # identifiers with digits (q2_tests, log10, CI95)
)
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?")
_TAGS = re.compile(r"<[^>]+>")


def visible_text(cell: dict) -> str:
    """Everything a student sees of one executed cell: its source and its outputs."""
    bits = [cell.get("source", "")]
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            bits.append(out.get("text", ""))
        elif kind == "error":
            bits.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
        else:
            data = out.get("data", {})
            if "text/plain" in data:
                bits.append(data["text/plain"])
            if "text/html" in data:
                bits.append(unescape(_TAGS.sub(" ", data["text/html"])))
            if "text/markdown" in data:
                bits.append(data["text/markdown"])
    return "\n".join(b if isinstance(b, str) else "".join(b) for b in bits)


def numbers_in(text: str) -> list[tuple[float, float]]:
    """``(value, half a unit in the last shown digit)`` of every number written in ``text``.

    >>> numbers_in("Cmax 0.78 µM after 115 min; see [@domino1965pharmacologic] and q2_tests")
    [(0.78, 0.005), (115.0, 0.5)]
    >>> numbers_in("1,234.5 and −2e-3")
    [(1234.5, 0.05), (-0.002, 0.0005)]
    """
    found = []
    for m in _NUMBER.finditer(_NOISE.sub(" ", text)):
        raw = m.group(0).replace("−", "-").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        decimals = len(m.group(1) or "")
        exponent = int(m.group(2) or 0)
        found.append((value, 0.5 * 10.0 ** (exponent - decimals)))
    return found


def significant_digits(x: float) -> int:
    """How many significant digits ``x`` needs (at most 12).

    >>> (
    ...     significant_digits(3.0),
    ...     significant_digits(0.5),
    ...     significant_digits(0.78),
    ...     significant_digits(115),
    ... )
    (1, 1, 2, 3)
    """
    if x == 0 or not math.isfinite(x):
        return 1
    for digits in range(1, 13):
        if math.isclose(float(f"{x:.{digits}g}"), x, rel_tol=1e-9, abs_tol=0.0):
            return digits
    return 12


def find_leaks(
    expected: list[tuple[float, float]],
    text: str,
    allowed: list[float] = (),
) -> list[str]:
    """Which expected values (with their tolerances) ``text`` shows, as readable strings.

    >>> find_leaks([(114.62, 0.1)], "the half-life is about 115 minutes")
    ['expected 114.62 shown as 115 (same value)']
    >>> find_leaks([(0.153, 1e-6)], "an intranasal median of 15.3 %")
    ['expected 0.153 shown as 15.3 (as a percentage)']
    >>> find_leaks([(0.153, 1e-6)], "an intranasal median of 15.3 %", allowed=[15.3])
    []
    >>> find_leaks([(3.0, 1e-9)], "section 3 of 3")
    []
    >>> find_leaks([(2.3, 1e-6)], "step 2 of the method")
    []
    """
    shown = numbers_in(text)
    leaks = []
    for e, tol in expected:
        if significant_digits(e) < 2:
            continue
        forms = [(e, tol, "same value"), (100 * e, 100 * tol, "as a percentage")]
        forms.append((e / 100, tol / 100, "as a fraction"))
        for x, rounding in shown:
            if any(abs(x - a) <= max(1e-9 * abs(a), 1e-12) for a in allowed):
                continue
            # Rounding counts only for numbers written with two or more significant digits:
            # a bare "2" or "3" is in every text and shows nothing.
            fuzz = rounding if x != 0 and rounding / abs(x) <= 0.05 else 0.0
            for target, t, how in forms:
                if target != 0 and abs(x - target) <= max(t, fuzz):
                    leaks.append(f"expected {e:g} shown as {x:g} ({how})")
                    break
    return sorted(set(leaks))

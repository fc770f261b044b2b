"""Cost of misconception hints in the autograder's feedback (issue 12), and of opening a worked solution.

Each anticipated wrong answer is a salted scrypt record (the package's KDF: 32 MiB), so matching
a failed item costs one derivation per misconception tried (per candidate token, usually one).
:class:`ketlearn.grading.hints.SelfcheckHints` matches failed items only and caches by answer,
so a class that repeats a mistake pays once. Printed: one derivation, a failed item with three
misconceptions (matching the last, matching none), a cached repeat, and a simulated class
(100 students x 5 failed items, 10 distinct wrong answers per item).

Target: a class's hints add well under a minute to ``ketlearn feedback`` on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_hints.py``
"""

from __future__ import annotations

import random
import secrets
import time

from _timing import median_ms

from ketlearn.answers import KDF, canonical, make_record, sealed
from ketlearn.grading.hints import SelfcheckHints

PARTS = [{"name": "f_pct", "kind": "number", "low": 0, "high": 100, "rel": 1e-3}]
RIGHT = 45.0
WRONG = [RIGHT / 100, RIGHT * 2, RIGHT / 2]  # fraction for percent, two slips


def _data(n_items: int) -> dict:
    items = {}
    for i in range(n_items):
        items[f"q{i + 1}_tests"] = {
            "parts": PARTS,
            "record": make_record(PARTS, {"f_pct": RIGHT}, secrets.token_hex(16)),
            "misconceptions": [
                {"hint": f"hint {k}", "record": make_record(PARTS, {"f_pct": w},
                                                             secrets.token_hex(16))}
                for k, w in enumerate(WRONG)
            ],
        }  # fmt: skip
    return {"kdf": KDF, "assignments": {"a": items}}


def main() -> None:
    one = median_ms(lambda: canonical.digest('["r+1"]', "00" * 16), repeats=5)
    print(
        f"one scrypt derivation (n={KDF['n']}, {KDF['n'] * 128 * KDF['r'] >> 20} MiB): {one:.0f} ms"
    )

    data = _data(5)
    last = median_ms(
        lambda: SelfcheckHints(data).match("a", "q1_tests", {"f_pct": WRONG[-1]}), repeats=3
    )
    none = median_ms(lambda: SelfcheckHints(data).match("a", "q1_tests", {"f_pct": 7.0}), repeats=3)
    hints = SelfcheckHints(data)
    hints.match("a", "q1_tests", {"f_pct": 7.0})
    cached = median_ms(lambda: hints.match("a", "q1_tests", {"f_pct": 7.0}), repeats=50)
    print(f"failed item, 3 misconceptions, matches the last: {last:.0f} ms")
    print(f"failed item, 3 misconceptions, matches none:    {none:.0f} ms")
    print(f"the same answer again (cached):                 {cached:.3f} ms")

    rng = random.Random(1)
    pool = [WRONG[k % 3] if k < 6 else RIGHT * (0.3 + k / 30) for k in range(10)]  # in 0-100
    requests = [
        ("a", item, {"f_pct": rng.choice(pool)})
        for _student in range(100)
        for item in data["assignments"]["a"]
    ]
    for label, run in (
        ("one by one", lambda h: [h.match(*r) for r in requests]),
        ("prefetch, all cores", lambda h: h.prefetch(requests)),
    ):
        hints = SelfcheckHints(data)
        t0 = time.perf_counter()
        run(hints)
        total = time.perf_counter() - t0
        print(
            f"class of 100 x 5 failed items (10 distinct answers per item), {label}: "
            f"{total:.1f} s, {hints.derivations} derivations (target: well under 60 s)"
        )

    token = sealed.expected_token(canonical.canonical_atoms(PARTS, {"f_pct": RIGHT}))
    box = sealed.seal("A worked solution.", token, secrets.token_hex(16), "a/q1_tests")
    atoms = canonical.canonical_atoms(PARTS, {"f_pct": RIGHT})
    tokens = canonical.candidate_tokens(
        atoms, data["assignments"]["a"]["q1_tests"]["record"]["lattice"]
    )
    opened = median_ms(lambda: sealed.open_sealed(box, [token], "a/q1_tests"), repeats=3)
    print(f"opening a worked solution (selfcheck.worked, after the check): {opened:.0f} ms "
          f"({len(tokens)} candidate token(s))")  # fmt: skip


if __name__ == "__main__":
    main()

"""Cost of misconception hints in the autograder's feedback (issue 12), and of opening a worked solution.

Anticipated wrong answers are stored as hashes on the right record's salt and lattice
(:func:`ketlearn.answers.regions.region_digests`), so matching a failed item costs one scrypt
derivation (the package's KDF: 32 MiB; one per candidate token, usually one) however many
misconceptions it has; a hint stored with a record of its own (the format before) costs one
more derivation each. :class:`ketlearn.grading.hints.SelfcheckHints` matches failed items only
and caches by answer, so a class that repeats a mistake pays once. Printed: one derivation, a
failed item with three misconceptions (matching the last, matching none) in both storage forms,
a cached repeat, and a simulated class (100 students x 5 failed items, 10 distinct wrong
answers per item).

Target: a class's hints add well under a minute to ``ketlearn feedback`` on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_hints.py``
"""

from __future__ import annotations

import random
import secrets
import time

from _timing import median_ms

from ketlearn.answers import KDF, canonical, make_record, regions, sealed
from ketlearn.grading.hints import SelfcheckHints

PARTS = [{"name": "f_pct", "kind": "number", "low": 0, "high": 100, "rel": 1e-3}]
RIGHT = 45.0
WRONG = [RIGHT / 100, RIGHT * 2, RIGHT / 2]  # fraction for percent, two slips


def _data(n_items: int, own_records: bool = False) -> dict:
    items = {}
    for i in range(n_items):
        right = make_record(PARTS, {"f_pct": RIGHT}, secrets.token_hex(16))
        hints = []
        for k, w in enumerate(WRONG):
            if own_records:  # the format before: each hint its own salt and lattice
                stored = {"record": make_record(PARTS, {"f_pct": w}, secrets.token_hex(16))}
            else:
                atoms = canonical.canonical_atoms(PARTS, {"f_pct": w})
                stored = {"digests": regions.region_digests(atoms, right)}
            hints.append({"hint": f"hint {k}", **stored})
        items[f"q{i + 1}_tests"] = {"parts": PARTS, "record": right, "misconceptions": hints}
    return {"kdf": KDF, "assignments": {"a": items}}


def main() -> None:
    one = median_ms(lambda: canonical.digest('["r+1"]', "00" * 16), repeats=5)
    print(
        f"one scrypt derivation (n={KDF['n']}, {KDF['n'] * 128 * KDF['r'] >> 20} MiB): {one:.0f} ms"
    )

    for form, own in (("on the right lattice", False), ("own records (before)", True)):
        data = _data(1, own_records=own)
        last = median_ms(
            lambda d=data: SelfcheckHints(d).match("a", "q1_tests", {"f_pct": WRONG[-1]}),
            repeats=3,
        )
        none = median_ms(
            lambda d=data: SelfcheckHints(d).match("a", "q1_tests", {"f_pct": 7.0}), repeats=3
        )
        print(f"failed item, 3 misconceptions {form}: matches the last {last:.0f} ms, "
              f"none {none:.0f} ms")  # fmt: skip
    data = _data(5)
    hints = SelfcheckHints(data)
    hints.match("a", "q1_tests", {"f_pct": 7.0})
    cached = median_ms(lambda: hints.match("a", "q1_tests", {"f_pct": 7.0}), repeats=50)
    print(f"the same answer again (cached): {cached:.3f} ms")

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

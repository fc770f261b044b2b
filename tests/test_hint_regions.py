"""Misconception hints on the right answer's lattice: one hash per check, the autograder's tolerance.

:func:`ketlearn.answers.regions.region_digests` stores an anticipated wrong value ``w`` as the
hashes of the right lattice's tokens that answers near ``w`` quantise to. The properties checked
here, on generated values with a cheap stand-in hash:

- every answer within the autograder's tolerance of ``w`` (``|x - w| <= max(rel*|w|, abs_tol)``,
  the rule of :func:`ketlearn.answers.compare.tolerance`, not the lattice) gets the hint;
- no answer farther than four tolerances from ``w`` gets it (the region is at most one lattice
  cell wider than the tolerance on each side);
- the right answer's own digest is never part of a hint;
- a check with any number of hints costs the answer's own hashes only.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ketlearn.answers import canonical, regions
from ketlearn.answers.compare import tolerance

SALT = "3c" * 16
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Counting:
    """A cheap stand-in for scrypt that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, token: str, salt: str, kdf: dict) -> str:
        self.calls += 1
        return hashlib.sha256((salt + token).encode()).hexdigest()


def _atoms(part: dict, value: float) -> list[tuple]:
    return canonical.canonical_atoms([part], {part["name"]: value})


def _hinted(part: dict, right: float, wrong: float, answer: float) -> bool | None:
    """Whether ``answer`` gets the hint of ``wrong``; None when the hint needs its own record."""
    h = Counting()
    record = canonical.make_record([part], {part["name"]: right}, SALT, hasher=h)
    region = regions.region_digests(_atoms(part, wrong), record, hasher=h)
    if region is None:
        return None
    assert record["digest"] not in region
    assert region == sorted(set(region)) and len(region) <= 16
    digests = canonical.answer_digests(_atoms(part, answer), record, hasher=h)
    return canonical.any_digest_in(digests, region)


magnitudes = st.floats(1e-3, 1e6)
signs = st.sampled_from([1.0, -1.0])
rels = st.sampled_from([1e-6, 1e-4, 1e-3, 0.01, 0.05])


@SETTINGS
@given(magnitudes, signs, st.floats(0.02, 50.0), signs, rels, st.floats(-1.0, 1.0))
def test_relative_tolerance_every_answer_near_the_wrong_value_gets_the_hint(
    m, s, ratio, sw, rel, t
):
    part = {"name": "x", "kind": "number", "rel": rel}
    right, wrong = s * m, sw * m * ratio
    assume(abs(wrong - right) > 4 * (tolerance(wrong, rel) + tolerance(right, rel)))
    answer = wrong + t * tolerance(wrong, rel) * (1 - 1e-9)
    assert _hinted(part, right, wrong, answer) is True


@SETTINGS
@given(magnitudes, st.floats(0.02, 50.0), rels, st.floats(4.01, 100.0), signs)
def test_relative_tolerance_answers_far_from_the_wrong_value_get_no_hint(m, ratio, rel, k, side):
    part = {"name": "x", "kind": "number", "rel": rel}
    right, wrong = m, m * ratio
    assume(abs(wrong - right) > 4 * (tolerance(wrong, rel) + tolerance(right, rel)))
    answer = wrong + side * k * tolerance(wrong, rel)
    assume(answer > 0 and abs(answer - right) > tolerance(right, rel))
    assert _hinted(part, right, wrong, answer) is False


@SETTINGS
@given(
    st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.sampled_from([0.01, 0.5, 2.0]), st.floats(-1, 1)
)
def test_absolute_tolerance_hint_regions(right, wrong, abs_tol, t):
    part = {"name": "x", "kind": "number", "rel": 0.0, "abs_tol": abs_tol}
    assume(abs(wrong - right) > 8 * abs_tol)
    assert _hinted(part, right, wrong, wrong + t * abs_tol * (1 - 1e-9)) is True
    assert _hinted(part, right, wrong, wrong + 4.01 * abs_tol * (1 if t >= 0 else -1)) is False


@SETTINGS
@given(st.integers(0, 500), st.integers(0, 500))
def test_whole_number_hints_are_exact(right, wrong):
    part = {"name": "n", "kind": "number", "integer": True, "rel": 0.0}
    assume(right != wrong)
    assert _hinted(part, right, wrong, wrong) is True
    assert _hinted(part, right, wrong, wrong + 1) is False  # the right answer included


def test_a_region_that_reaches_zero_on_a_relative_lattice_keeps_its_own_record():
    part = {"name": "x", "kind": "number", "rel": 0.01, "abs_tol": 0.5}
    assert _hinted(part, 100.0, 0.2, 0.2) is None  # 0.2 +- 0.5 spans zero


def test_a_hint_with_another_shape_keeps_its_own_record():
    part = {"name": "xs", "kind": "mapping", "rel": 0.01}
    h = Counting()
    record = canonical.make_record([part], {"xs": {"a": 1.0, "b": 2.0}}, SALT, hasher=h)
    wrong = canonical.canonical_atoms([part], {"xs": {"a": 1.0}})
    assert regions.region_digests(wrong, record, hasher=h) is None


@SETTINGS
@given(st.floats(1.0, 100.0), st.floats(1.0, 100.0), st.floats(-1, 1), st.floats(-1, 1))
def test_two_numbers_are_hinted_together(a, b, ta, tb):
    part = {"name": "ci", "kind": "array", "shape": [2], "rel": 0.001}
    right, wrong = [a, b], [a * 3.0, b * 0.25]
    answer = [
        w + t * tolerance(w, 0.001) * (1 - 1e-9) for w, t in zip(wrong, (ta, tb), strict=True)
    ]
    h = Counting()
    record = canonical.make_record([part], {"ci": right}, SALT, hasher=h)
    region = regions.region_digests(
        canonical.canonical_atoms([part], {"ci": wrong}), record, hasher=h
    )
    assert region is not None and len(region) <= 4  # two cells per number at most
    digests = canonical.answer_digests(
        canonical.canonical_atoms([part], {"ci": answer}), record, hasher=h
    )
    assert canonical.any_digest_in(digests, region)
    half = canonical.canonical_atoms([part], {"ci": [wrong[0], b]})  # one of two numbers wrong
    assert not canonical.any_digest_in(canonical.answer_digests(half, record, hasher=h), region)


def test_one_hash_per_check_whatever_the_number_of_hints():
    part = {"name": "f_pct", "kind": "number", "rel": 1e-3}
    h = Counting()
    record = canonical.make_record([part], {"f_pct": 45.0}, SALT, hasher=h)
    wrongs = [0.45, 52.0, 4.5, 450.0, 90.0, 22.5]
    hints = [
        {
            "hint": f"mistake {k}",
            "digests": regions.region_digests(_atoms(part, w), record, hasher=h),
        }
        for k, w in enumerate(wrongs)
    ]
    for k, w in enumerate(wrongs):
        atoms = _atoms(part, w * (1 + 4e-4))
        h.calls = 0
        digests = canonical.answer_digests(atoms, record, hasher=h)
        assert not canonical.any_digest_in(digests, [record["digest"]])
        hint, made = regions.first_hint(hints, atoms, record, hasher=h, digests=digests)
        assert hint == f"mistake {k}" and made == 0 and h.calls == 1
    h.calls = 0
    hint, made = regions.first_hint(hints, _atoms(part, 7.0), record, hasher=h)
    assert hint is None and made == h.calls == 1


def test_hints_with_their_own_record_are_still_read():
    part = {"name": "f_pct", "kind": "number", "rel": 1e-3}
    h = Counting()
    record = canonical.make_record([part], {"f_pct": 45.0}, SALT, hasher=h)
    own = canonical.make_record([part], {"f_pct": 0.45}, "77" * 16, hasher=h)
    hints = [{"hint": "old style", "record": own}]
    assert regions.first_hint(hints, _atoms(part, 0.45), record, hasher=h) == ("old style", 1)
    assert regions.first_hint(hints, _atoms(part, 0.5), record, hasher=h) == (None, 1)


@pytest.mark.parametrize("value", [0.45, 52.0])
def test_the_right_answer_is_never_a_hint(value):
    part = {"name": "f_pct", "kind": "number", "rel": 0.5}  # wide enough for regions to touch
    h = Counting()
    record = canonical.make_record([part], {"f_pct": 45.0}, SALT, hasher=h)
    region = regions.region_digests(_atoms(part, value), record, hasher=h) or []
    assert record["digest"] not in region


@SETTINGS
@given(st.lists(st.floats(0.01, 1000.0), min_size=2, max_size=8), st.data())
def test_numbers_a_mistake_leaves_right_need_one_cell(values, data):
    """A mistake usually changes one number of several; the others stay on the lattice."""
    part = {"name": "xs", "kind": "array", "shape": [len(values)], "rel": 1e-3}
    k = data.draw(st.integers(0, len(values) - 1))
    wrong = list(values)
    wrong[k] *= data.draw(st.sampled_from([100.0, 0.01, 2.0, 0.5, 2.718281828]))
    h = Counting()
    record = canonical.make_record([part], {"xs": values}, SALT, hasher=h)
    region = regions.region_digests(
        canonical.canonical_atoms([part], {"xs": wrong}), record, hasher=h
    )
    assert region is not None and len(region) <= 2
    nudged = [w * (1 + data.draw(st.floats(-9.9e-4, 9.9e-4))) for w in wrong]
    digests = canonical.answer_digests(
        canonical.canonical_atoms([part], {"xs": nudged}), record, hasher=h
    )
    assert canonical.any_digest_in(digests, region)

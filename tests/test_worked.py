"""Worked solutions: sealed by the right answer in the package, readable only on the solutions site.

Independent checks: the cipher's authentication (a wrong key must fail, not decrypt to noise),
the answer model's own tolerance (an answer the autograder accepts opens the box), and the bytes
of the package and of its wheel (no sentence of any worked file may be in them).
"""

from __future__ import annotations

import base64
import re
import secrets
import zipfile

import pytest
import worked as tools_worked  # tools/worked.py (conftest puts tools/ on sys.path)
from conftest import ROOT, build_wheel

from ketlearn import _worked
from ketlearn.answers import canonical, make_record, sealed

#: Real scrypt, cheaper parameters (the package's KDF costs 32 MiB per query).
CHEAP = {"name": "scrypt", "n": 2**10, "r": 8, "p": 1, "dklen": 32}
PARTS = [{"name": "median_f_intranasal_pct", "kind": "number", "low": 0, "high": 100,
          "abs_tol": 1e-9}]  # fmt: skip
TEXT = "Select the intranasal rows, then take their median, in percent."


def _spec(expected: float, text: str = TEXT, assignment="00-orientation", item="q2_tests"):
    values = {"median_f_intranasal_pct": expected}
    record = make_record(PARTS, values, secrets.token_hex(16), CHEAP)
    token = sealed.expected_token(canonical.canonical_atoms(PARTS, values))
    box = sealed.seal(text, token, secrets.token_hex(16), f"{assignment}/{item}", CHEAP)
    return {"parts": PARTS, "record": record, "worked": box}


def _open(spec, value, assignment="00-orientation", item="q2_tests"):
    return _worked.open_item(
        spec, {"median_f_intranasal_pct": value}, CHEAP, assignment=assignment, item=item
    )


def test_the_right_answer_opens_it_within_the_autograders_tolerance():
    spec = _spec(15.0)
    assert _open(spec, 15.0) == TEXT
    assert _open(spec, 15.0 * (1 + 0.9e-6)) == TEXT  # within rel=1e-6: the autograder accepts it
    assert _open(spec, 15 + 0.0) == TEXT


@pytest.mark.parametrize("wrong", [15.0 * (1 + 3e-6), 0.15, 14.0, 16.0, 1500.0])
def test_a_wrong_answer_cannot_open_it(wrong):
    assert _open(_spec(15.0), wrong) is None


def test_missing_or_malformed_answers_open_nothing():
    spec = _spec(15.0)
    assert _worked.open_item(spec, {}, CHEAP, assignment="00-orientation", item="q2_tests") is None
    assert _open(spec, "15") is None  # text, not a number
    assert _open(spec, 150.0) is None  # outside the stated range


def test_a_box_opens_only_for_its_own_item():
    spec = _spec(15.0)
    assert _open(spec, 15.0, item="q3_tests") is None


def test_a_wrong_key_fails_authentication_rather_than_giving_noise():
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    box = sealed.seal(TEXT, '["x1"]', "11" * 16, "a/b", CHEAP)
    wrong_key = bytes.fromhex(canonical.digest('["x2"]', box["salt"], CHEAP))

    with pytest.raises(InvalidTag):
        AESGCM(wrong_key).decrypt(bytes.fromhex(box["nonce"]), base64.b64decode(box["box"]), b"a/b")


def test_the_stored_check_digest_is_not_the_key():
    values = {"median_f_intranasal_pct": 15.0}
    record = make_record(PARTS, values, "22" * 16, CHEAP)
    token = sealed.expected_token(canonical.canonical_atoms(PARTS, values))
    # same token, same scrypt: with the record's own salt the key would be the stored digest
    assert canonical.digest(token, record["salt"], CHEAP) == record["digest"]
    box = tools_worked.seal_item("a", "q1_tests", TEXT, token, record["salt"], None)
    assert box["salt"] != record["salt"]
    key = canonical.digest(token, box["salt"], canonical.KDF)
    assert key != record["digest"]
    # and the stored digest, used as a key, does not open the box
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    with pytest.raises(InvalidTag):
        AESGCM(bytes.fromhex(record["digest"])).decrypt(
            bytes.fromhex(box["nonce"]), base64.b64decode(box["box"]), b"a/q1_tests"
        )


def test_an_unchanged_text_keeps_its_box_and_a_changed_one_gets_a_fresh_salt():
    token, record_salt = '["i8"]', "33" * 16
    first = tools_worked.seal_item("a", "q1_tests", TEXT, token, record_salt, None)
    assert tools_worked.seal_item("a", "q1_tests", TEXT, token, record_salt, first) == first
    changed = tools_worked.seal_item("a", "q1_tests", TEXT + " More.", token, record_salt, first)
    assert changed["salt"] != first["salt"] and changed["nonce"] != first["nonce"]
    moved = tools_worked.seal_item("a", "q1_tests", TEXT, '["i9"]', record_salt, first)
    assert moved["salt"] != first["salt"]  # the answer changed: the old box no longer opens


def test_worked_files_parse_into_one_section_per_item():
    with pytest.raises(ValueError, match="two sections"):
        tools_worked.parse("## q1_tests\na\n## q1_tests\nb\n")
    with pytest.raises(ValueError, match="empty"):
        tools_worked.parse("## q1_tests\n\n## q2_tests\nb\n")
    for path in tools_worked.worked_files():
        items = tools_worked.read_worked(path.stem)
        assert items, f"{path.name} has no ## qN_tests sections"
        assert all(re.fullmatch(r"q\w*_tests", gid) for gid in items)


# ----------------------------------------------------------------------------- never readable
def _sentences() -> list[str]:
    """Distinctive sentences of every worked file (prose and code lines: 25+ characters and at
    least four words, so a bare API name such as ``trials.number_needed_to_treat``, which the
    package rightly holds, is not counted)."""
    out = []
    for path in tools_worked.worked_files():
        for body in tools_worked.read_worked(path.stem).values():
            flat = " ".join(body.split())
            pieces = (s.strip() for s in re.split(r"(?<=[.!?:])\s+|`", flat))
            out += [s for s in pieces if len(s) >= 25 and len(s.split()) >= 4]
    return out


def _leaks(blob: str, sentences: list[str]) -> list[str]:
    flat = " ".join(blob.split())
    return [s for s in sentences if s in flat]


def test_the_package_source_holds_no_sentence_of_a_worked_solution():
    sentences = _sentences()
    assert sentences, "no worked solutions to check"
    for path in sorted((ROOT / "src" / "ketlearn").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".bib", ".csv", ".md", ".txt"):
            leaks = _leaks(path.read_text(encoding="utf-8", errors="replace"), sentences)
            assert not leaks, f"{path.relative_to(ROOT)} holds worked text: {leaks[0]!r}"


@pytest.mark.slow
def test_the_wheel_holds_no_sentence_of_a_worked_solution(tmp_path):
    sentences = _sentences()
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            leaks = _leaks(zf.read(name).decode("utf-8", errors="replace"), sentences)
            assert not leaks, f"{name} in the wheel holds worked text: {leaks[0]!r}"


# ----------------------------------------------------------------------------- the site part
def test_the_normal_site_never_lists_worked_solutions():
    import build_site

    toc = build_site._toc(["00-orientation"])
    assert "Worked solutions" not in str(toc) and "worked/" not in str(toc)


def test_the_solutions_site_renders_every_worked_file_readable(tmp_path):
    import build_site

    pages = tools_worked.site_pages(tmp_path)
    assert pages == [f"worked/{p.stem}" for p in tools_worked.worked_files()]
    toc = build_site._toc(["00-orientation"], worked=pages)
    part = next(p for p in toc["parts"] if p["caption"] == "Worked solutions")
    assert [c["file"] for c in part["chapters"]] == pages
    text = " ".join((tmp_path / "worked" / "00-orientation.md").read_text().split())
    assert all(s in text for s in _sentences() if s in " ".join(
        (tools_worked.WORKED / "00-orientation.md").read_text().split()))  # fmt: skip
    assert "## q1_tests" in (tmp_path / "worked" / "00-orientation.md").read_text()


# ----------------------------------------------------------------------------- the package's data
def _data():
    from ketlearn.selfcheck import load_data

    return load_data()["assignments"]


def test_every_worked_section_is_sealed_in_the_package_data():
    """The data file is regenerated after a worked file changes (tools/selfcheck_data.py)."""
    data = _data()
    for path in tools_worked.worked_files():
        for gid in tools_worked.read_worked(path.stem):
            spec = data.get(path.stem, {}).get(gid, {})
            for one in spec.get("variants", [spec]):  # items with variants: one box each
                box = one.get("worked")
                assert box, (
                    f"{path.stem} {gid}: regenerate with tools/selfcheck_data.py {path.stem}"
                )
                assert box["salt"] != one["record"]["salt"]


def test_every_autograded_item_has_a_worked_solution():
    missing = [f"{a} {gid}" for a, items in _data().items() for gid, spec in items.items()
               if not all(v.get("worked") for v in spec.get("variants", [spec]))]  # fmt: skip
    assert not missing, f"no worked solution (course/worked/NN-name.md) for: {missing}"


def test_selfcheck_worked_opens_only_with_the_right_answer(capsys):
    import numpy as np

    from ketlearn import selfcheck

    if not _data()["00-orientation"]["q4_tests"].get("worked"):
        pytest.skip("00-orientation has no sealed worked solutions")
    # the expected answer, independently: ng/mL over the molar mass of C13H16ClNO (CIAAW weights)
    molar_mass = 13 * 12.011 + 16 * 1.008 + 35.45 + 14.007 + 15.999
    right = {"ng_per_ml_to_um": lambda c: np.asarray(c, dtype=float) / molar_mass}
    salt = {"ng_per_ml_to_um": lambda c: np.asarray(c, dtype=float) / (molar_mass + 36.46)}
    verdict = selfcheck.evaluate("00-orientation", "q4_tests", right)
    assert verdict.passed and "selfcheck.worked('00-orientation', 'q4_tests')" in verdict.message
    assert "selfcheck.worked" not in selfcheck.evaluate("00-orientation", "q4_tests", salt).message
    expected = tools_worked.read_worked("00-orientation")["q4_tests"]
    capsys.readouterr()
    selfcheck.worked("00-orientation", "q4_tests", salt)
    shown = capsys.readouterr().out
    assert expected not in shown and "opens once the self-check says ✔" in shown
    selfcheck.worked("00-orientation", "q4_tests", right)
    assert expected in capsys.readouterr().out

"""Tests for ketlearn.media: flagger, evaluation, rubric scoring and inter-rater agreement."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa

from ketlearn import bibliography, data, media

# --------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def corpus():
    return data.load("media_corpus_fictional")


@pytest.fixture(scope="module")
def gold():
    return data.load("media_annotations_fictional")


# SHA-256 of datasets/media_sentences_fictional.csv when its test split and labels were frozen and
# committed, BEFORE any flagger rule or model was changed (pre-registered evaluation, issue 16).
# If this test fails, the frozen split has drifted: restore the file, do not update this value.
FROZEN_SENTENCES_SHA256 = "b245920a1e004693ee331ed1602eba5876c7bbe611e3e5eddcdcd6849aa4badf"


def test_frozen_sentence_split_has_not_drifted():
    import hashlib

    path = data.datasets_dir() / "media_sentences_fictional.csv"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == FROZEN_SENTENCES_SHA256
    meta = data.describe("media_sentences_fictional")
    assert "frozen" in meta.description.lower()
    resources = {r["name"]: r for r in data._descriptor()["resources"]}
    assert resources["media_sentences_fictional"]["ketlearn"]["frozen_sha256"] == digest


def test_sentence_corpus_is_varied_fictional_and_split_by_document():
    s = data.load("media_sentences_fictional")
    assert len(s) >= 600 and s["fictional"].all()
    assert s["genre"].nunique() >= 6
    assert s["title"].str.contains("fictional", case=False).all()
    # split by document: no document on both sides; about a third of documents held out
    sides = s.groupby("doc_id", observed=True)["split"].nunique()
    assert (sides == 1).all()
    docs = s.drop_duplicates("doc_id")
    assert 0.25 <= (docs["split"] == "test").mean() <= 0.4
    # every genre appears in both parts, with promotional and hard-negative sentences
    assert set(s.loc[s["split"] == "test", "genre"]) == set(s["genre"])
    assert s["promotional"].any() and (~s["promotional"]).any()
    promo = s[s["promotional"]]
    assert promo["category"].notna().all() and s.loc[~s["promotional"], "kind"].notna().all()
    # each sentence is exactly one sentence for the splitter
    for text in s["sentence"]:
        assert len(media.split_sentences(str(text))) == 1, text


def test_corpus_is_fictional_and_split_about_a_third(corpus):
    assert bool(corpus["fictional"].all())
    assert "fictional" in data.describe("media_corpus_fictional").title.lower()
    share_test = (corpus["split"].astype(str) == "test").mean()
    assert 0.25 <= share_test <= 0.40
    genres = set(corpus["genre"].astype(str))
    for part in ("dev", "test"):
        assert set(corpus.loc[corpus["split"].astype(str) == part, "genre"].astype(str)) == genres


def test_annotations_match_the_sentence_splitter(corpus, gold):
    """Annotation offsets were computed when the texts were written; the splitter reproduces them."""
    texts = dict(zip(corpus["text_id"].astype(str), corpus["text"].astype(str), strict=True))
    for tid, text in texts.items():
        n = int(corpus.loc[corpus["text_id"] == tid, "n_sentences"].iloc[0])
        assert len(media.split_sentences(text)) == n, tid
    for tid, i, a, b in zip(
        gold["text_id"], gold["sentence_index"], gold["start"], gold["end"], strict=True
    ):
        spans = media.split_sentences(texts[str(tid)])
        assert (int(spans["start"][int(i)]), int(spans["end"][int(i)])) == (int(a), int(b))
    assert set(gold["category"].astype(str)) <= set(media.CATEGORIES)


@pytest.mark.parametrize(
    "name,column",
    [("media_claims_fictional", "source_keys"), ("media_rubric", "source_keys"),
     ("misuse_harms", "source_key")],
)  # fmt: skip
def test_every_source_key_is_in_the_bibliography(name, column):
    known = set(bibliography.keys())
    table = data.load(name)
    used = {k for cell in table[column].astype(str) for k in cell.split(";")}
    assert used and used <= known, sorted(used - known)
    assert set(data.describe(name).citation_keys) <= known


def test_claims_have_verdicts_and_explanations():
    claims = data.load("media_claims_fictional")
    assert set(claims["verdict"].astype(str)) == {
        "supported", "overstated", "misleading", "false", "unverifiable"
    }  # fmt: skip
    assert claims["explanation"].astype(str).str.len().min() > 20


def test_prevalence_figures_match_the_published_abstract():
    # Yang et al. 2025 (doi:10.1016/j.jad.2024.12.108), abstract: 0.11% (2015), 0.20% (2019),
    # 0.20% (2021), 0.28% (2022); relative increases 81.8% (2015-2019) and 40.0% (2021-2022).
    harms = data.load("misuse_harms")
    rows = harms[harms["source_key"].astype(str) == "yang2025trends"]
    by_year = dict(zip(rows["year"].astype(str), rows["value"].astype(float), strict=True))
    assert by_year == pytest.approx({"2015": 0.11, "2019": 0.20, "2021": 0.20, "2022": 0.28})
    assert 100 * (by_year["2019"] / by_year["2015"] - 1) == pytest.approx(81.8, abs=0.1)
    assert 100 * (by_year["2022"] / by_year["2021"] - 1) == pytest.approx(40.0, abs=0.1)


# --------------------------------------------------------------------------- splitting


def test_split_sentences_handles_abbreviations_decimals_quotes_and_lines():
    text = 'Dr. Lee said "it works!" Then 0.5 units. Next?\nLine two'
    assert media.split_sentences(text)["sentence"].tolist() == [
        'Dr. Lee said "it works!"', "Then 0.5 units.", "Next?", "Line two"
    ]  # fmt: skip


# --------------------------------------------------------------------------- flag_text


def test_flag_columns_and_empty_results():
    for text in ("", "   \n  ", "The weather was mild on Tuesday."):
        out = media.flag_text(text)
        assert list(out.columns) == list(media.FLAG_COLUMNS)
        assert out.empty


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["a list"], pd.Series(["x"])])
def test_non_string_input_raises(bad):
    with pytest.raises(ValueError, match="text must be a str"):
        media.flag_text(bad)


@pytest.mark.parametrize(
    "text,category",
    [
        ("This breakthrough changes lives.", "hype"),
        ("Our infusions are 100% safe.", "absolute_safety"),
        ("Ketamine is non-addictive.", "absolute_safety"),
        ("87% of members improved.", "unsourced_number"),
        ("Thousands of studies back it.", "vague_authority"),
        ("You will feel better within hours.", "speed_permanence"),
        ("It rewires the brain.", "mechanism_proof"),
        ("Side effects are rare and brief.", "absolute_safety"),
        ("Critics who call it a party drug haven't kept up.", "risk_dismissal"),
        ("The research proves it cures depression.", "causal_overclaim"),
        ("Although not significant, results showed a trend toward benefit.", "spin"),
        ('"It saved my life," says J., 30.', "testimonial"),
        ("Book your session today.", "call_to_action"),
        ("FDA-approved ketamine therapy, delivered to your door.", "approval_conflation"),
    ],
)
def test_each_category_fires_on_a_plain_example(text, category):
    assert category in set(media.flag_text(text)["category"])


@pytest.mark.parametrize(
    "text,category",
    [
        ("Ketamine is not FDA-approved for any psychiatric disorder.", "approval_conflation"),
        ("In a national survey, 0.13% of adults reported past-year use.", "unsourced_number"),
        ("Ketamine rebuilds synapses in mice.", "mechanism_proof"),
        ("Ketamine is not risk-free.", "absolute_safety"),
        ("If someone stops breathing, call emergency services.", "call_to_action"),
        ("Get 20% off today.", "unsourced_number"),
    ],
)
def test_negations_and_sourced_figures_are_not_flagged(text, category):
    assert category not in set(media.flag_text(text)["category"])


def test_offsets_point_at_the_matched_words_and_sentences():
    text = "Clinic Gamma: a MIRACLE. It’s non-habit-forming!\nLink in bio for 20% off"
    flags = media.flag_text(text)
    spans = media.split_sentences(text)
    assert len(flags) >= 3
    for _, row in flags.iterrows():
        assert text[row["start"] : row["end"]] == row["matched"]
        s = spans.iloc[int(row["sentence"])]
        assert s["start"] <= row["start"] < row["end"] <= s["end"]
    assert flags["start"].is_monotonic_increasing


def test_non_english_text_is_handled():
    for text in (
        "Ketamin ist ein Narkosemittel. Die Studie war klein und nicht verblindet.",
        "氯胺酮是一种麻醉药。研究规模很小。",
        "الكيتامين دواء مخدر. كانت الدراسة صغيرة.",
        "İSTANBUL’DA BİR KLİNİK. Ketamin hakkında bilgi.",  # lower() changes the length here
    ):
        flags = media.flag_text(text)
        assert list(flags.columns) == list(media.FLAG_COLUMNS)
        assert flags.empty


def test_case_changing_text_keeps_offsets():
    text = "İİİ Book now. A MIRACLE!"  # 'İ'.lower() is two characters long
    flags = media.flag_text(text)
    assert set(flags["category"]) == {"call_to_action", "hype"}
    for _, row in flags.iterrows():
        assert text[row["start"] : row["end"]] == row["matched"]


def test_long_text_flags_scale_with_copies(corpus):
    """Repeating a text k times gives exactly k times its flags (a linearity property)."""
    one = " ".join(corpus["text"].astype(str))
    k = 40  # about 200 kB
    assert len(media.flag_text(" ".join([one] * k))) == k * len(media.flag_text(one))


def test_adversarial_megabyte_finishes_quickly():
    """Shapes that make naive patterns backtrack quadratically (runs without sentence ends)."""
    text = (
        "1" * 150_000 + "!" * 150_000 + "x" + '."' + '"' * 100_000 + "x "
        + "i " + "a" * 150_000 + " " + ". " * 100_000 + "miracle " * 20_000
        + "FDA-approved " * 10_000 + "—" * 60_000
    )  # fmt: skip
    assert len(text) >= 1_000_000
    t0 = time.perf_counter()
    flags = media.flag_text(text)
    elapsed = time.perf_counter() - t0
    # Linear code takes well under a second here even on a busy machine; quadratic
    # backtracking on 10^5-character runs would take minutes.
    assert elapsed < 10.0, f"flag_text took {elapsed:.1f} s on 1 MB of adversarial text"
    assert (flags["category"] == "hype").sum() == 20_000


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1% .!?\n\"'’iI-")), max_size=300))
def test_random_text_never_breaks_invariants(text):
    flags = media.flag_text(text)
    assert list(flags.columns) == list(media.FLAG_COLUMNS)
    n = len(media.split_sentences(text))
    for _, row in flags.iterrows():
        assert 0 <= row["sentence"] < n
        assert text[row["start"] : row["end"]] == row["matched"]


# --------------------------------------------------------------------------- evaluation

# Sentences in the styles the issue names (issue 16); none is in the corpus. Positives: appeals to
# the volume of research, safety absolutes stated as findings, transformational and testimonial
# language, minimising criticism. Negatives: history, mechanism, supervised routes, caution,
# regulation and critical journalism that use trigger words.
GENRE_POSITIVES = [
    "Thousands of studies show that ketamine is effective for depression.",
    "There is no physical dependence with medical ketamine.",
    "Side effects are generally mild and well managed by our staff.",
    "Many patients feel better after just one session.",
    "Ketamine therapy is a revolution that offers hope for millions.",
    "It has been life-changing for so many of our patients.",
    "The bad press comes from confusion with recreational misuse.",
    "Some critics have raised concerns, but the overwhelming research supports ketamine therapy.",
]
GENRE_NEGATIVES = [
    "Ketamine was introduced as a fast-acting anaesthetic in the 1960s.",
    "Ketamine acts on NMDA receptors in the brain.",
    "Esketamine is given under medical supervision in a certified clinic.",
    "Risks include raised blood pressure, dissociation and, with frequent use, bladder damage.",
    "Critics argue that claims of a 'miracle cure' are not supported by trials.",
    "The drug can cause dependence in people who use it often.",
    "In the 1970s it was widely used in field hospitals because it is fast-acting.",
    "Ketamine is not a miracle cure.",
    "Is ketamine safe and effective for everyone?",
]


@pytest.mark.parametrize("method", ["rules", "both"])
def test_genre_examples_from_the_issue(method):
    for text in GENRE_POSITIVES:
        assert not media.flag_text(text, method).empty, text
    for text in GENRE_NEGATIVES:
        assert media.flag_text(text, method).empty, text


def test_every_rule_category_cites_a_taxonomy_in_the_bibliography():
    known = set(bibliography.keys())
    sources = media.category_sources()
    assert set(sources) == set(media.CATEGORIES) - {media.MODEL_CATEGORY}
    for cat, keys in sources.items():
        assert keys and set(keys) <= known, cat
    assert set(media.category_labels()) == set(media.CATEGORIES)


def test_model_and_both_keep_columns_and_explain_themselves():
    text = "Ketamine was first made in 1962. This life-changing treatment gave me hope!"
    for method in media.METHODS:
        out = media.flag_text(text, method)
        assert list(out.columns) == list(media.FLAG_COLUMNS)
        assert set(out["category"]) <= set(media.CATEGORIES)
        assert (out["sentence"] == 1).all() and not out.empty
        assert out["explanation"].str.len().min() > 20
    model = media.flag_text(text, "model")
    assert model["explanation"].str.contains("P(promotional)", regex=False).all()
    assert model["matched"].str.len().min() > 0  # the words that pushed the model
    spans = media.split_sentences(text)
    assert (model["start"] == spans["start"][1]).all() and (model["end"] == spans["end"][1]).all()
    assert media.flag_text("", "model").empty
    assert list(media.flag_text("The clinic opens at nine.", "both").columns) == list(
        media.FLAG_COLUMNS
    )


def test_threshold_trades_recall_for_precision():
    text = " ".join(GENRE_POSITIVES + GENRE_NEGATIVES)
    counts = [
        media.flag_text(text, "model", threshold=t)["sentence"].nunique()
        for t in (0.0, 0.2, 0.5, 0.8, 1.0)
    ]
    assert counts == sorted(counts, reverse=True)  # a higher threshold never flags more
    assert counts[0] == len(media.split_sentences(text))  # threshold 0 flags every sentence
    table = media.threshold_table("dev", [0.2, 0.5, 0.8])
    assert table["recall"].is_monotonic_decreasing
    assert table["specificity"].is_monotonic_increasing


@pytest.mark.parametrize(
    "kwargs,match",
    [({"method": "magic"}, "method must be one of"),
     ({"method": "rules", "threshold": 0.5}, "no threshold"),
     ({"method": "model", "threshold": 1.5}, "threshold"),
     ({"method": "both", "threshold": float("nan")}, "threshold")],
)  # fmt: skip
def test_flag_text_bad_method_or_threshold(kwargs, match):
    with pytest.raises(ValueError, match=match):
        media.flag_text("A miracle.", **kwargs)


def test_model_is_fitted_on_the_dev_split_only():
    from ketlearn import media_model

    s = data.load("media_sentences_fictional")
    vec, clf, names = media_model.fitted_model()
    assert clf.coef_.shape[1] == len(names)
    analyse = vec.build_analyzer()
    dev_terms = {t for x in s.loc[s["split"] == "dev", "sentence"] for t in analyse(str(x))}
    test_terms = {t for x in s.loc[s["split"] == "test", "sentence"] for t in analyse(str(x))}
    vocab = set(vec.vocabulary_)
    assert vocab <= dev_terms
    assert test_terms - dev_terms and not (test_terms - dev_terms) & vocab


def test_default_method_and_model_settings_were_chosen_on_dev():
    from ketlearn import media_model

    c, t, table = media_model.tune_on_dev()
    assert (c, t) == (media_model.MODEL_C, media_model.DEFAULT_THRESHOLD)
    assert set(table["C"]) >= {c}
    choice = media.choose_default_method().set_index("method")["balanced_accuracy"]
    best = next(m for m in media.METHODS if choice[m] == choice.max())  # ties: simplest first
    import inspect

    assert inspect.signature(media.flag_text).parameters["method"].default == best


def _independent_counts(split):
    """Read the frozen CSV with the csv module and flag each sentence: no ketlearn evaluation."""
    import csv

    path = data.datasets_dir() / "media_sentences_fictional.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == split]
    y = [r["promotional"] == "true" for r in rows]
    p = [len(media.flag_text(r["sentence"])) > 0 for r in rows]
    tp = sum(a and b for a, b in zip(y, p, strict=True))
    fp = sum(b and not a for a, b in zip(y, p, strict=True))
    fn = sum(a and not b for a, b in zip(y, p, strict=True))
    tn = sum(not a and not b for a, b in zip(y, p, strict=True))
    return tp, fp, fn, tn


def test_evaluation_matches_an_independent_count_and_intervals_make_sense():
    table = media.evaluate_flagger("test", n_boot=300)
    overall = table.iloc[0]
    assert (overall["group_type"], overall["group"]) == ("all", "all")
    assert tuple(int(overall[k]) for k in ("tp", "fp", "fn", "tn")) == _independent_counts("test")
    assert overall["n"] >= 200
    for m in ("recall", "specificity", "precision"):
        lo, hi = table[f"{m}_low"], table[f"{m}_high"]
        ok = lo.isna() | ((0 <= lo) & (lo <= hi) & (hi <= 1))
        assert ok.all(), m
        assert lo[0] <= overall[m] <= hi[0]
    cats = table[table["group_type"] == "category"]
    assert int(cats["n"].sum()) == int(overall["tp"] + overall["fn"])
    kinds = table[table["group_type"] == "kind"]
    assert int(kinds["n"].sum()) == int(overall["tn"] + overall["fp"])
    genres = table[table["group_type"] == "genre"]
    assert int(genres["n"].sum()) == int(overall["n"]) and len(genres) >= 6


def test_bootstrap_resamples_documents():
    """With every sentence of a document sharing one outcome, the interval is as wide as the
    document-level proportion's; a sentence-level bootstrap would be much narrower."""
    from ketlearn import media_eval

    frame = pd.DataFrame(
        {"doc_id": np.repeat(np.arange(10), 20), "promotional": True,
         "flagged": np.repeat(np.arange(10) < 5, 20)}
    )  # fmt: skip
    lo, hi = media_eval._bootstrap(frame, 2000, 0)["recall"]
    assert lo <= 0.25 and hi >= 0.75


def test_corpus_agreement_matches_statsmodels():
    s = data.load("media_sentences_fictional")
    table = pd.crosstab(s["pass1_promotional"], s["pass2_promotional"]).to_numpy()
    a = media.corpus_agreement()
    assert a["kappa"] == pytest.approx(sm_cohens_kappa(table)["kappa"], rel=1e-9)
    assert a["agreed"] == int(np.trace(table)) and a["n"] == len(s)


def test_dev_and_test_parts_are_disjoint(corpus):
    dev = set(corpus.loc[corpus["split"].astype(str) == "dev", "text_id"].astype(str))
    test = set(corpus.loc[corpus["split"].astype(str) == "test", "text_id"].astype(str))
    assert dev and test and not dev & test


def test_precision_recall_hand_worked():
    gold = pd.DataFrame(
        {"text_id": ["a", "a", "b", "b"], "sentence_index": [0, 1, 0, 0],
         "category": ["hype", "testimonial", "hype", "call_to_action"]}
    )  # fmt: skip
    pred = pd.DataFrame(
        {"text_id": ["a", "a", "a", "b"], "sentence": [0, 0, 2, 0],  # duplicate counts once
         "category": ["hype", "hype", "hype", "call_to_action"]}
    )  # fmt: skip
    t = media.precision_recall(pred, gold).set_index("category")
    assert (t.loc["hype", ["tp", "fp", "fn"]].tolist()) == [1, 1, 1]
    assert t.loc["all", "precision"] == pytest.approx(2 / 3)
    assert t.loc["all", "recall"] == pytest.approx(2 / 4)
    assert t.loc["all", "f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert math.isnan(t.loc["mechanism_proof", "precision"])
    assert math.isnan(t.loc["mechanism_proof", "recall"])


def test_precision_recall_bad_input():
    with pytest.raises(ValueError, match="must have the columns"):
        media.precision_recall(pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="pandas DataFrame"):
        media.precision_recall([1], pd.DataFrame())
    with pytest.raises(ValueError, match="split must be one of"):
        media.evaluate_flagger("train")
    with pytest.raises(ValueError, match="n_boot"):
        media.evaluate_flagger("dev", n_boot=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_confusion_rates_agree_with_scikit_learn(pairs):
    from sklearn.metrics import confusion_matrix, precision_score, recall_score

    truth = [t for t, _ in pairs]
    flagged = [f for _, f in pairs]
    r = media.confusion_rates(truth, flagged)
    tn, fp, fn, tp = confusion_matrix(truth, flagged, labels=[False, True]).ravel()
    assert (r["tp"], r["fp"], r["fn"], r["tn"], r["n"]) == (tp, fp, fn, tn, len(pairs))
    if tp + fp:
        assert r["precision"] == pytest.approx(precision_score(truth, flagged))
    else:
        assert math.isnan(r["precision"])
    if tp + fn:
        assert r["recall"] == pytest.approx(recall_score(truth, flagged))
    if tn + fp:
        assert r["specificity"] == pytest.approx(recall_score(truth, flagged, pos_label=False))
    else:
        assert math.isnan(r["specificity"])


def test_confusion_rates_bad_input():
    with pytest.raises(ValueError, match="flagged must have one value per sentence"):
        media.confusion_rates([True, False], [True])
    with pytest.raises(ValueError, match="promotional must be a 1-D sequence of True/False"):
        media.confusion_rates([1, 0], [True, False])


# --------------------------------------------------------------------------- rubric


def test_rubric_shape_and_sources():
    rubric = media.load_rubric()
    assert 12 <= len(rubric) <= 14
    assert rubric["criterion_id"].is_unique
    assert (rubric["scale_min"] == 0).all() and (rubric["scale_max"] == 2).all()
    text = " ".join(rubric["frameworks"].astype(str))
    for framework in ("HNR", "DISCERN", "IHC"):
        assert framework in text


def test_score_text_hand_worked():
    ids = media.load_rubric()["criterion_id"].astype(str).tolist()
    scores = dict.fromkeys(ids, 0)
    scores.update({"R01": 2, "R02": 2, "R04": 1, "R12": None})
    s = media.score_text(scores)
    # 2 + 2 + 1 = 5 over 13 applicable criteria of max 2 each = 26
    assert (s.total, s.max_total, s.n_applicable) == (5, 26, 13)
    assert s.percent_of_max == pytest.approx(100 * 5 / 26)
    assert s.table["score"].isna().sum() == 1
    assert s.summary() == "Total 5 of 26 (19%) over 13 criteria"
    assert media.score_text({**scores, "R01": np.int64(2), "R02": 2.0}).total == 5
    none = media.score_text(dict.fromkeys(ids))
    assert none.max_total == 0 and math.isnan(none.percent_of_max)


@pytest.mark.parametrize("bad", [3, -1, 1.5, True, "2", float("nan")])
def test_score_outside_scale_raises(bad):
    ids = media.load_rubric()["criterion_id"].astype(str).tolist()
    scores = dict.fromkeys(ids, 0)
    scores["R03"] = bad
    with pytest.raises(ValueError, match=r"scores\['R03'\] must be a whole number in \[0, 2\]"):
        media.score_text(scores)


def test_score_text_bad_criteria():
    ids = media.load_rubric()["criterion_id"].astype(str).tolist()
    with pytest.raises(ValueError, match="missing criterion"):
        media.score_text({ids[0]: 1})
    with pytest.raises(ValueError, match="unknown criterion"):
        media.score_text({**dict.fromkeys(ids, 0), "R99": 1})
    with pytest.raises(ValueError, match="mapping"):
        media.score_text([0] * len(ids))


# --------------------------------------------------------------------------- kappa


def test_kappa_hand_worked_unweighted():
    a = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    b = [0, 0, 0, 0, 1, 0, 0, 1, 1, 1]
    assert media.cohen_kappa(a, b) == pytest.approx(0.4)  # (0.7 - 0.5) / (1 - 0.5)


def test_kappa_hand_worked_weighted():
    # Table (rater a rows, b columns) over categories 0, 1, 2:
    # (0,0)=1, (0,1)=1, (1,1)=1, (2,1)=1; marginals a = (1/2, 1/4, 1/4), b = (1/4, 3/4, 0).
    a, b = [0, 0, 1, 2], [0, 1, 1, 1]
    cats = [0, 1, 2]
    # unweighted: po = 1/2, pe = 1/8 + 3/16 = 5/16 -> (1/2 - 5/16) / (11/16) = 3/11
    assert media.cohen_kappa(a, b, categories=cats) == pytest.approx(3 / 11)
    # linear: observed disagreement 1/4, expected 3/8 -> 1 - (1/4)/(3/8) = 1/3
    assert media.cohen_kappa(a, b, weights="linear", categories=cats) == pytest.approx(1 / 3)
    # quadratic: observed 1/8, expected 7/32 -> 1 - (1/8)/(7/32) = 3/7
    assert media.cohen_kappa(a, b, weights="quadratic", categories=cats) == pytest.approx(3 / 7)


@pytest.mark.parametrize(
    "weights,wt", [(None, None), ("linear", "linear"), ("quadratic", "quadratic")]
)
@pytest.mark.parametrize("seed", range(5))
def test_kappa_matches_statsmodels(seed, weights, wt):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, size=40)
    b = np.where(rng.random(40) < 0.6, a, rng.integers(0, 3, size=40))
    table = np.zeros((3, 3))
    for x, y in zip(a, b, strict=True):
        table[x, y] += 1
    expected = sm_cohens_kappa(table, wt=wt)["kappa"]
    got = media.cohen_kappa(a.tolist(), b.tolist(), weights=weights, categories=[0, 1, 2])
    assert got == pytest.approx(expected, abs=1e-12)


def test_kappa_matches_sklearn_if_installed():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    a = [0, 1, 2, 2, 1, 0, 2, 1]
    b = [0, 2, 2, 1, 1, 0, 2, 0]
    for w in (None, "linear", "quadratic"):
        assert media.cohen_kappa(a, b, weights=w) == pytest.approx(
            sklearn_metrics.cohen_kappa_score(a, b, weights=w)
        )


def test_kappa_edge_cases():
    assert media.cohen_kappa([0, 1, 2], [0, 1, 2]) == pytest.approx(1.0)
    assert math.isnan(media.cohen_kappa([1, 1, 1], [1, 1, 1]))
    by_item = media.cohen_kappa(pd.Series([0, 1], index=["x", "y"]), {"y": 1, "x": 0})
    assert by_item == pytest.approx(1.0)  # matched by item label, not position


def test_kappa_bad_input():
    with pytest.raises(ValueError, match="same items"):
        media.cohen_kappa({"x": 1, "y": 2}, {"x": 1, "z": 2})
    with pytest.raises(ValueError, match="same items"):
        media.cohen_kappa([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="categories"):
        media.cohen_kappa([0, 3], [0, 1], categories=[0, 1, 2])
    with pytest.raises(ValueError, match="weights must be one of"):
        media.cohen_kappa([0, 1], [0, 1], weights="cubic")
    with pytest.raises(ValueError, match="at least one item"):
        media.cohen_kappa([], [])
    with pytest.raises(ValueError, match="mapping"):
        media.cohen_kappa("012", "012")


def _class_scores():
    rows = []
    pattern = {"A": [2, 1, 0, 2], "B": [2, 0, 0, 2], "C": [1, 1, 0, 2]}
    for rater, values in pattern.items():
        for (tid, cid), v in zip(
            [("F01", "R01"), ("F01", "R02"), ("F02", "R01"), ("F02", "R02")], values, strict=True
        ):
            rows.append({"rater": rater, "text_id": tid, "criterion_id": cid, "score": v})
    return pd.DataFrame(rows)


def test_class_agreement_pairs_match_cohen_kappa():
    scores = _class_scores()
    out = media.class_agreement(scores, weights="linear")
    assert out[["rater_a", "rater_b"]].to_numpy().tolist() == [["A", "B"], ["A", "C"], ["B", "C"]]
    a = [2, 1, 0, 2]
    b = [2, 0, 0, 2]
    expected = media.cohen_kappa(a, b, weights="linear", categories=[0, 1, 2])
    assert out.loc[0, "kappa"] == pytest.approx(expected)
    assert out.loc[0, "percent_agreement"] == pytest.approx(75.0)


def test_class_agreement_bad_input():
    scores = _class_scores()
    with pytest.raises(ValueError, match="scored different items"):
        media.class_agreement(scores.iloc[1:])
    with pytest.raises(ValueError, match="at least 2 raters"):
        media.class_agreement(scores[scores["rater"] == "A"])
    with pytest.raises(ValueError, match="duplicate"):
        media.class_agreement(pd.concat([scores, scores.iloc[:1]]))
    with pytest.raises(ValueError, match="columns"):
        media.class_agreement(scores.drop(columns="score"))

"""Media literacy tools for assignment 06: a red-flag flagger, its evaluation, a rubric, kappa.

This module gathers the public names of four smaller modules, one idea each, so notebooks can
write ``media.flag_text`` and ``media.cohen_kappa``:

- :mod:`ketlearn.media_flagger`: sentence splitting and :func:`flag_text`, readable rules
  grounded in published taxonomies of health hype and spin (``method="rules"``), a learned
  alternative (``"model"``) or both;
- :mod:`ketlearn.media_model`: the learned model (logistic regression on words plus the rule
  features, fitted on the development split only, no pickles);
- :mod:`ketlearn.media_eval`: pre-registered evaluation on the frozen test split of
  ``media_sentences_fictional`` with bootstrap intervals, the threshold trade-off, and the
  agreement between the two labelling passes;
- :mod:`ketlearn.media_rubric`: the 14-criterion appraisal rubric and Cohen's kappa
  (scikit-learn) for raters.

No plotting or widget code here (see ``ketlearn.widgets.media``).

Examples
--------
>>> from ketlearn import media
>>> flags = media.flag_text("Ketamine is 100% safe. Book your infusion today!")
>>> flags[["sentence", "category", "matched"]].values.tolist()
[[0, 'absolute_safety', '100% safe'], [1, 'call_to_action', 'Book your']]
"""

from __future__ import annotations

from ketlearn.media_eval import (
    choose_default_method,
    confusion_rates,
    corpus_agreement,
    evaluate_flagger,
    precision_recall,
    sentence_predictions,
    threshold_table,
)
from ketlearn.media_flagger import (
    CATEGORIES,
    FLAG_COLUMNS,
    METHODS,
    MODEL_CATEGORY,
    category_labels,
    category_sources,
    flag_corpus,
    flag_text,
    split_sentences,
)
from ketlearn.media_rubric import (
    RubricScore,
    class_agreement,
    cohen_kappa,
    load_rubric,
    score_text,
)

__all__ = [
    "CATEGORIES",
    "FLAG_COLUMNS",
    "METHODS",
    "MODEL_CATEGORY",
    "RubricScore",
    "category_labels",
    "category_sources",
    "choose_default_method",
    "class_agreement",
    "cohen_kappa",
    "confusion_rates",
    "corpus_agreement",
    "evaluate_flagger",
    "flag_corpus",
    "flag_text",
    "load_rubric",
    "precision_recall",
    "score_text",
    "sentence_predictions",
    "split_sentences",
    "threshold_table",
]

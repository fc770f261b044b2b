"""Reading trials: effect sizes with confidence intervals, NNT, power, and a trial simulator.

Design reasons
--------------
- **One sign convention everywhere.** Differences are *treatment minus control*. On depression
  scales (MADRS, HDRS) a lower score is better, so a negative mean difference favours treatment.
  Risk differences are proportions (0.142 = 14.2 percentage points), treatment minus control.
  Whether a positive risk difference is good news depends on the event (response is wanted,
  relapse is not); :func:`number_needed_to_treat` asks which, and never guesses.
- **Library first.** Power and sample size come from :mod:`statsmodels.stats.power`, Newcombe's
  interval for a risk difference from :func:`statsmodels.stats.proportion.confint_proportions_2indep`
  and t quantiles from :mod:`scipy.stats`. The few closed-form formulas written here (pooled
  mean difference, Cohen's d and Hedges' g, Woolf and Katz log intervals) are checked against
  scipy and statsmodels in ``tests/test_trials.py``.
- **Zero cells: one policy for the package.** Ratio measures are undefined when a cell of the
  2x2 table is zero. We then add 0.5 to every cell of that table (the correction RevMan applies,
  Cochrane Handbook 5.1 section 9.4.4) and say so in the result's ``method``. This correction
  pulls estimates towards "no effect" [@ades2025continuity]. With no events in *either* arm a
  ratio says nothing, and we raise :class:`ValueError` rather than invent one (Handbook section
  16.9.3). :mod:`ketlearn.meta` applies the same policy through the same code.
- **One implementation, two spellings.** CI-to-SE recovery, the CI check and the 2x2 log ratios
  live in the private :mod:`ketlearn._effectsize`, shared with :mod:`ketlearn.meta`.
  ``trials.se_from_ci(..., ratio=True)`` and ``meta.se_from_ci(..., log_scale=True)`` are two
  documented wrappers of it (meta's rounds to 4 decimals by default, as published CIs are
  rounded).
- **Split by idea.** Effect estimates (``_trials_effects``), NNT/response/power
  (``_trials_nnt``) and the simulator (``_trials_simulate``) are private modules; this module
  only documents and re-exports them, so ``from ketlearn.trials import X`` and ``trials.X``
  are the public paths.
- **NNT said plainly.** A risk difference of exactly zero gives no NNT (1/0), and a confidence
  interval that includes zero gives an NNT interval that passes through infinity, written
  ``NNTB a to ∞ to NNTH b`` as recommended by Altman [@altman1998confidence].
- **A simulator students can break.** :func:`simulate_trials` runs many two-arm trials at once
  (arrays of shape trials x patients) with placebo response, regression to the mean (selection on
  a noisy screening score), dropout, functional unblinding (a side effect such as dissociation
  reveals allocation and shifts expectancy) and an active placebo that mimics the side effect.
  Every mechanism is off unless asked for, so the plain trial is unbiased and each bias can be
  switched on alone. The default numbers are *illustrative*, loosely based on published
  summaries (sources in :class:`TrialDesign`); they are not estimates of any trial.

What the simulator leaves out: informative dropout (here dropout is completely at random, so it
costs power but not bias), ceiling and floor effects of the scale (no clipping in
:func:`simulate_trials`), rater unblinding, heterogeneous treatment effects, covariate-adjusted
(ANCOVA/MMRM) analysis, and crossover designs. Educational material, not medical advice.

Examples
--------
>>> r = mean_difference(-20.0, 12.0, 100, -16.0, 12.0, 100)
>>> print(r)
mean_difference -4 (95% CI -7.347 to -0.6534)
>>> print(number_needed_to_treat(0.10, -0.05, 0.25))
NNTB 10 (95% CI NNTB 4 to ∞ to NNTH 20)
"""

from __future__ import annotations

from ketlearn._trials_effects import (
    CONTINUITY_CORRECTION,
    EffectEstimate,
    check_ci,
    cohens_d,
    hedges_g,
    mean_difference,
    odds_ratio,
    risk_difference,
    risk_ratio,
    se_from_ci,
)
from ketlearn._trials_nnt import (
    NNTResult,
    number_needed_to_treat,
    power_two_proportions,
    power_two_sample,
    remission,
    response,
    sample_size_two_proportions,
    sample_size_two_sample,
)
from ketlearn._trials_simulate import (
    IPD_EXERCISE_PRESET,
    SimulationResult,
    TrialDesign,
    simulate_patients,
    simulate_trials,
)

__all__ = [
    "CONTINUITY_CORRECTION",
    "IPD_EXERCISE_PRESET",
    "EffectEstimate",
    "NNTResult",
    "SimulationResult",
    "TrialDesign",
    "check_ci",
    "cohens_d",
    "hedges_g",
    "mean_difference",
    "number_needed_to_treat",
    "odds_ratio",
    "power_two_proportions",
    "power_two_sample",
    "remission",
    "response",
    "risk_difference",
    "risk_ratio",
    "sample_size_two_proportions",
    "sample_size_two_sample",
    "se_from_ci",
    "simulate_patients",
    "simulate_trials",
]

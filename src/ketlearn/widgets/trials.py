"""Widgets for reading trials: a trial simulator and an absolute-risk / NNT explorer.

The computation lives in plain functions (:func:`simulation_summary`, :func:`nnt_table`,
:func:`nnt_summary`) that return tables and sentences, so tests call them headless; the figures
are drawn by :mod:`ketlearn.views.trials` (:func:`simulation_figure` is re-exported here); the
apps (:class:`TrialSimulator`, :class:`NNTExplorer`) are :class:`ketlearn.views.app.App`
subclasses that declare their sliders and call those functions. All numbers are SIMULATED or hypothetical; educational material, not medical advice.

Examples
--------
>>> print(nnt_summary(0.30, 0.45, n_per_arm=100))
Out of 100 people per arm: 30 events on control, 45 on treatment. Risk difference +15 percentage points; risk ratio 1.5. NNTB 6.67 (95% CI NNTB 3.54 to 57.4): about 7 people treated for one more to benefit.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import trials
from .._validation import check_number
from ..views.app import App, Control
from ..views.trials import events_figure, nnt_view, simulation_figure, simulation_view

__all__ = [
    "NNTExplorer",
    "TrialSimulator",
    "nnt_figure",
    "nnt_summary",
    "nnt_table",
    "simulation_figure",
    "simulation_summary",
]


# --------------------------------------------------------------------------------------------
# Trial simulator
# --------------------------------------------------------------------------------------------
def simulation_summary(
    n_per_arm: int = 50,
    true_effect_points: float = -4.0,
    placebo_response_points: float = -5.7,
    unblinding: float = 0.0,
    expectancy_points: float = 0.0,
    active_placebo_mimicry: float = 0.0,
    *,
    n_trials: int = 1000,
    seed: int = 0,
) -> tuple[trials.SimulationResult, pd.DataFrame, str]:
    """Run the simulated trials and describe them.

    Returns
    -------
    result : ketlearn.trials.SimulationResult
    table : pandas.DataFrame
        One row: mean and SD of the estimates, bias, share with p < 0.05, CI coverage.
    text : str
        The printed summary.

    >>> _, _, text = simulation_summary(n_trials=500, seed=1)
    >>> print(text)
    500 SIMULATED trials, 50 per arm: true effect -4.0 points, mean estimate -4.0 (SD 2.1), bias +0.0; p < 0.05 in 49% of trials (this is the power); 95% CIs contained the true effect in 95%.
    """
    res = trials.simulate_trials(
        n_trials=n_trials,
        seed=seed,
        n_per_arm=n_per_arm,
        true_effect_points=true_effect_points,
        placebo_response_points=placebo_response_points,
        unblinding=unblinding,
        expectancy_points=expectancy_points,
        active_placebo_mimicry=active_placebo_mimicry,
    )
    table = res.summary()
    row = table.iloc[0]
    share = row["share_p_below_alpha"]
    label = "this is the power" if true_effect_points != 0 else "false positives"
    text = (
        f"{int(row['trials'])} SIMULATED trials, {n_per_arm} per arm: true effect "
        f"{true_effect_points:.1f} points, mean estimate {row['mean_estimate_points']:.1f} "
        f"(SD {row['sd_estimate_points']:.1f}), bias {round(row['bias_points'], 1) + 0.0:+.1f}; p < 0.05 in "
        f"{share:.0%} of trials ({label}); 95% CIs contained the true effect in "
        f"{row['ci_coverage']:.0%}."
    )
    if abs(row["bias_points"]) >= 0.5:
        text += (
            " The estimates are biased: unblinded expectancy adds to the drug's apparent effect."
        )
    return res, table, text


class TrialSimulator(App):
    """Sliders for a simulated trial; shows the spread of estimates and p values.

    Guiding question: with dissociation revealing who had the drug, how much of the "effect"
    is expectancy, and what does an active placebo change?
    """

    CONTROLS = (
        Control("n_per_arm", "int", 50, "Patients per arm", bounds=(10, 300, 10)),
        Control("true_effect_points", "float", -4.0, "True drug effect (points)",
                bounds=(-12.0, 0.0, 0.5)),
        Control("placebo_response_points", "float", -5.7, "Placebo response (points)",
                bounds=(-15.0, 0.0, 0.1)),
        Control("unblinding", "float", 0.0, "Unblinding (0-1)", bounds=(0.0, 1.0, 0.1)),
        Control("expectancy_points", "float", 0.0, "Expectancy effect (points)",
                bounds=(-6.0, 0.0, 0.5)),
        Control("active_placebo_mimicry", "float", 0.0, "Active placebo mimicry (0-1)",
                bounds=(0.0, 1.0, 0.1)),
    )  # fmt: skip
    label_width = "190px"
    width = "460px"

    def __init__(self, *, n_trials: int = 1000, seed: int = 0, display_output: bool = True):
        self.n_trials, self.seed = n_trials, seed
        super().__init__(display_output=display_output)

    def compute(self, **values) -> tuple[trials.SimulationResult, pd.DataFrame, str]:
        return simulation_summary(**values, n_trials=self.n_trials, seed=self.seed)

    def text(self, result) -> str:
        return result[2]

    def draw(self, result):
        return simulation_view(*result)


# --------------------------------------------------------------------------------------------
# Absolute risk and NNT explorer
# --------------------------------------------------------------------------------------------
def _check_risk(name: str, value: float) -> float:
    return check_number(name, value, unit="proportion", low=0, high=1)


def _rd_with_interval(risk_difference, et: int, nt: int, ec: int, nc: int):
    """``(rd, low, high)`` from ``risk_difference`` (default :func:`ketlearn.trials.risk_difference`)."""
    fn = trials.risk_difference if risk_difference is None else risk_difference
    if not callable(fn):
        raise ValueError(
            "risk_difference must be a function (events_t, n_t, events_c, n_c) -> "
            f"(rd, low, high), as proportions; got {type(fn).__name__}"
        )
    est, low, high = (float(v) for v in fn(et, nt, ec, nc))
    return est, low, high


def nnt_table(
    control_risk: float,
    treatment_risk: float,
    *,
    n_per_arm: int = 100,
    outcome_is_good: bool = True,
    risk_difference=None,
) -> pd.DataFrame:
    """Absolute and relative effects for hypothetical arms of ``n_per_arm`` people.

    Event counts are the risks times ``n_per_arm``, rounded. Returns one row with the counts,
    the risk difference (with its Wald 95% CI), risk ratio and the NNT in words.
    ``risk_difference`` may replace :func:`ketlearn.trials.risk_difference` by any function
    ``(events_t, n_t, events_c, n_c) -> (rd, low, high)`` (proportions), e.g. the one a
    learner wrote in notebook 04.

    >>> t = nnt_table(0.3, 0.45)
    >>> t[["events_control", "events_treatment", "risk_ratio"]].to_dict("records")
    [{'events_control': 30, 'events_treatment': 45, 'risk_ratio': 1.5}]
    """
    pc = _check_risk("control_risk", control_risk)
    pt = _check_risk("treatment_risk", treatment_risk)
    n = check_number("n_per_arm", n_per_arm, unit="participants", low=2, integer=True)
    ec, et = round(pc * n), round(pt * n)
    est, low, high = _rd_with_interval(risk_difference, et, n, ec, n)
    nnt = trials.number_needed_to_treat(est, low, high, outcome_is_good=outcome_is_good)
    rr = et / n / (ec / n) if ec > 0 else math.inf
    return pd.DataFrame(
        {
            "n_per_arm": [n],
            "events_control": [ec],
            "events_treatment": [et],
            "risk_difference": [round(est, 4)],
            "rd_ci_low": [round(low, 4)],
            "rd_ci_high": [round(high, 4)],
            "risk_ratio": [round(rr, 4) if math.isfinite(rr) else rr],
            "nnt": [str(nnt).split(" (")[0]],
            "nnt_95ci": [nnt.ci_text],
        }
    )


def nnt_summary(
    control_risk: float,
    treatment_risk: float,
    *,
    n_per_arm: int = 100,
    outcome_is_good: bool = True,
    risk_difference=None,
) -> str:
    """One or two sentences: counts, absolute and relative difference, NNT with its interval.

    ``risk_difference`` as in :func:`nnt_table`.

    >>> print(nnt_summary(0.3, 0.3, n_per_arm=50))
    Out of 50 people per arm: 15 events on control, 15 on treatment. Risk difference +0 percentage points; risk ratio 1. NNT undefined: the arms do not differ, so no number of people treated produces one extra benefit (95% CI NNTB 5.57 to ∞ to NNTH 5.57).
    """
    t = nnt_table(
        control_risk,
        treatment_risk,
        n_per_arm=n_per_arm,
        outcome_is_good=outcome_is_good,
        risk_difference=risk_difference,
    ).iloc[0]
    n, ec, et = int(t["n_per_arm"]), int(t["events_control"]), int(t["events_treatment"])
    est, low, high = _rd_with_interval(risk_difference, et, n, ec, n)
    nnt = trials.number_needed_to_treat(est, low, high, outcome_is_good=outcome_is_good)
    rr = t["risk_ratio"]
    rr_text = f"{rr:.3g}" if math.isfinite(rr) else "not defined (no control events)"
    head = (
        f"Out of {n} people per arm: {ec} events on control, {et} on treatment. Risk difference "
        f"{est * 100:+.3g} percentage points; risk ratio {rr_text}. "
    )
    if nnt.kind == "undefined":
        return head + (
            "NNT undefined: the arms do not differ, so no number of people treated produces one "
            f"extra benefit (95% CI {nnt.ci_text})."
        )
    verb = "to benefit" if nnt.kind == "NNTB" else "to be harmed"
    tail = f"{nnt.kind} {nnt.value:.3g} (95% CI {nnt.ci_text}): about {nnt.rounded} people "
    tail += f"treated for one more {verb}."
    if nnt.spans_infinity:
        tail += " The interval runs through infinity: the data fit benefit, no effect and harm."
    return head + tail


def nnt_figure(control_risk: float, treatment_risk: float, *, n_per_arm: int = 100):
    """Bar chart: events per 100 people in each arm (drawn by :func:`~ketlearn.views.trials.events_figure`)."""
    return events_figure(nnt_table(control_risk, treatment_risk, n_per_arm=n_per_arm))


class NNTExplorer(App):
    """Sliders for control risk, risk ratio and arm size; prints absolute vs relative effects.

    Guiding question: the same risk ratio, applied to a rare and to a common outcome, gives
    very different numbers needed to treat. Why?

    ``risk_difference`` (optional) computes the risk difference and its interval instead of
    :func:`ketlearn.trials.risk_difference`: any function ``(events_t, n_t, events_c, n_c) ->
    (rd, low, high)``, such as the ``rd_with_ci`` a learner builds in notebook 04.
    """

    def __init__(self, risk_difference=None, *, display_output: bool = True) -> None:
        if risk_difference is not None and not callable(risk_difference):
            raise ValueError(
                "risk_difference must be a function (events_t, n_t, events_c, n_c) -> "
                f"(rd, low, high); got {type(risk_difference).__name__}"
            )
        self.risk_difference = risk_difference
        super().__init__(display_output=display_output)

    CONTROLS = (
        Control("control_risk", "float", 0.3, "Control risk", bounds=(0.01, 0.9, 0.01)),
        Control("risk_ratio", "float", 1.5, "Risk ratio", bounds=(0.2, 3.0, 0.05)),
        Control("n_per_arm", "int", 100, "People per arm", bounds=(10, 1000, 10)),
        Control("outcome_is_good", "check", True, "The event is wanted (response)"),
    )
    label_width = "160px"
    width = "440px"

    def compute(self, control_risk, risk_ratio, n_per_arm, outcome_is_good):
        pt = min(1.0, control_risk * risk_ratio)
        kwargs = {
            "n_per_arm": n_per_arm,
            "outcome_is_good": outcome_is_good,
            "risk_difference": self.risk_difference,
        }
        text = nnt_summary(control_risk, pt, **kwargs)
        return nnt_table(control_risk, pt, **kwargs), text

    def text(self, result) -> str:
        return result[1]

    def draw(self, result):
        return nnt_view(*result)

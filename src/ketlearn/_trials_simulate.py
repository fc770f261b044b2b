"""The two-arm trial simulator (private; public names in :mod:`ketlearn.trials`).

Many trials at once as arrays of shape (trials, arms, patients), with placebo response,
regression to the mean, dropout, functional unblinding and an active placebo; every bias is off
unless asked for (design reasons in :mod:`ketlearn.trials`). All output is SIMULATED.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from ketlearn._validation import check_number

__all__ = [
    "IPD_EXERCISE_PRESET",
    "SimulationResult",
    "TrialDesign",
    "simulate_patients",
    "simulate_trials",
]


# --------------------------------------------------------------------------------------------
# Trial simulator
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrialDesign:
    """Parameters of a simulated two-arm trial on a MADRS-like scale (points; lower = better).

    Every bias mechanism is off by default. The other defaults are illustrative values loosely
    based on published summaries, not estimates of any trial.

    Attributes
    ----------
    n_per_arm : int
        Participants randomised to each arm.
    true_effect_points : float
        True drug effect on the change score, treatment minus control. Default -4.0, the size of
        the difference reported for TRANSFORM-2 [@popova2019efficacy].
    placebo_response_points : float
        Change shared by both arms (expectancy, natural course, care). Default -5.7, the
        placebo arm's 24-hour change in Daly 2018 Table 1 [@daly2018efficacy].
    baseline_mean_points, baseline_sd_points : float
        Distribution of true severity among people screened. Defaults 35.0 and 5.2, close to the
        placebo arm's baseline in Daly 2018 Table 1 (35.0, SD 5.18) [@daly2018efficacy].
    within_sd_points : float
        SD of individual change around the arm mean (response heterogeneity plus rating noise at
        follow-up). Default 10.0, near the placebo arm's SD of change in Singh 2016 (10.2)
        [@singh2016doubleblind].
    screening_noise_sd_points : float
        Measurement noise of the screening/baseline rating. 0 (default) = no regression to the
        mean. Illustrative; no published value is used.
    entry_threshold_points : float or None
        Only people whose noisy screening score is at least this are enrolled (selection that
        produces regression to the mean). ``None``: no selection.
    dropout_fraction : float
        Share of participants who leave before follow-up, at random (costs power, not bias).
    unblinding : float
        0 to 1. How strongly a side effect (e.g. dissociation) reveals allocation: participants
        on the drug guess "active" with probability 0.5 + 0.5·u and those on inert placebo with
        0.5 - 0.5·u.
    expectancy_points : float
        Extra change (points, negative = improvement) in anyone who *believes* they had the
        active drug. Default 0; its real size is unknown, which is the point of the exercise.
    active_placebo_mimicry : float
        0 to 1. How well the control mimics the tell-tale side effect (midazolam-like = partial).
        The control arm's chance of guessing "active" becomes 0.5 - 0.5·u + mimicry·u.
    source, notes : str
        Where the defaults come from and what the model leaves out.
    """

    n_per_arm: int = 50
    true_effect_points: float = -4.0
    placebo_response_points: float = -5.7
    baseline_mean_points: float = 35.0
    baseline_sd_points: float = 5.2
    within_sd_points: float = 10.0
    screening_noise_sd_points: float = 0.0
    entry_threshold_points: float | None = None
    dropout_fraction: float = 0.0
    unblinding: float = 0.0
    expectancy_points: float = 0.0
    active_placebo_mimicry: float = 0.0
    source: str = "popova2019efficacy; daly2018efficacy; singh2016doubleblind"
    notes: str = field(
        default=(
            "Illustrative. Leaves out informative dropout, scale floor/ceiling, rater "
            "unblinding, heterogeneous drug effects and covariate-adjusted analysis."
        )
    )

    def __post_init__(self) -> None:
        n = check_number("n_per_arm", self.n_per_arm, unit="participants", low=2, integer=True)
        object.__setattr__(self, "n_per_arm", n)
        for name in ("true_effect_points", "placebo_response_points", "expectancy_points"):
            check_number(name, getattr(self, name), unit="points")
        check_number("baseline_mean_points", self.baseline_mean_points, unit="points", low=0)
        for name in ("baseline_sd_points", "within_sd_points", "screening_noise_sd_points"):
            check_number(name, getattr(self, name), unit="points", low=0)
        if self.entry_threshold_points is not None:
            check_number("entry_threshold_points", self.entry_threshold_points, unit="points")
            if self.baseline_sd_points == 0 and self.screening_noise_sd_points == 0:
                raise ValueError(
                    "entry_threshold_points needs baseline_sd_points or screening_noise_sd_points "
                    "> 0 (points): with no spread nobody or everybody passes the threshold"
                )
        check_number("dropout_fraction", self.dropout_fraction, low=0, high=1, high_inclusive=False)
        check_number("unblinding", self.unblinding, low=0, high=1)
        check_number("active_placebo_mimicry", self.active_placebo_mimicry, low=0, high=1)

    def kwargs(self) -> dict:
        """The numeric parameters as keyword arguments (without ``source`` and ``notes``)."""
        d = asdict(self)
        d.pop("source")
        d.pop("notes")
        return d

    @property
    def expected_bias_points(self) -> float:
        """Bias of the completers' mean difference from unblinding: expectancy x guess gap."""
        return self.expectancy_points * self.unblinding * (1 - self.active_placebo_mimicry)

    def guess_probabilities(self) -> tuple[float, float]:
        """P(guess "active") in the treatment and control arms."""
        u, m = self.unblinding, self.active_placebo_mimicry
        return 0.5 + 0.5 * u, 0.5 - 0.5 * u + m * u


#: The design used to make ``datasets/trial_ipd_simulated.csv`` (seed 2024). SIMULATED.
IPD_EXERCISE_PRESET = TrialDesign(
    n_per_arm=60,
    screening_noise_sd_points=3.0,
    entry_threshold_points=28.0,
    dropout_fraction=0.1,
    unblinding=0.6,
    expectancy_points=-2.0,
    notes=(
        "SIMULATED exercise data: a two-arm trial with parameters loosely based on published "
        "summaries. The screening noise, entry threshold, dropout, unblinding and expectancy "
        "values are illustrative choices, not published estimates."
    ),
)


@dataclass(frozen=True)
class SimulationResult:
    """Per-trial results of :func:`simulate_trials` (arrays of length ``n_trials``).

    ``estimate`` is the completers' mean difference in change (treatment minus control),
    ``p_value`` the two-sided pooled t test, ``guess_active_t``/``guess_active_c`` the share in
    each arm who believed they had the drug.
    """

    design: TrialDesign
    estimate: np.ndarray
    se: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n_t: np.ndarray
    n_c: np.ndarray
    guess_active_t: np.ndarray
    guess_active_c: np.ndarray
    mean_change_c: np.ndarray

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """One-row table: mean estimate, its SD, bias against the true effect, power, coverage."""
        d = self.design
        truth = d.true_effect_points
        covered = (self.ci_low <= truth) & (truth <= self.ci_high)
        return pd.DataFrame(
            {
                "trials": [self.estimate.size],
                "true_effect_points": [truth],
                "mean_estimate_points": [float(np.mean(self.estimate))],
                "sd_estimate_points": [float(np.std(self.estimate, ddof=1))],
                "bias_points": [float(np.mean(self.estimate) - truth)],
                "share_p_below_alpha": [float(np.mean(self.p_value < alpha))],
                "ci_coverage": [float(np.mean(covered))],
                "mean_change_control_points": [float(np.mean(self.mean_change_c))],
            }
        )


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy.random.Generator; got {seed!r}")
    return np.random.default_rng(int(seed))


def _simulate_arrays(design: TrialDesign, n_trials: int, rng: np.random.Generator) -> dict:
    """Core simulation; arrays shaped (n_trials, 2, n_per_arm); arm 0 control, 1 treatment."""
    d = design
    shape = (n_trials, 2, d.n_per_arm)
    sb, sm = d.baseline_sd_points, d.screening_noise_sd_points
    s_total = math.hypot(sb, sm)
    if d.entry_threshold_points is None:
        screen = d.baseline_mean_points + s_total * rng.standard_normal(shape)
    else:
        a = (d.entry_threshold_points - d.baseline_mean_points) / s_total
        u = rng.uniform(stats.norm.cdf(a), 1.0, size=shape)
        screen = d.baseline_mean_points + s_total * stats.norm.ppf(np.minimum(u, 1 - 1e-15))
    # True severity given the noisy screening score (bivariate normal regression).
    k = sb**2 / s_total**2 if s_total > 0 else 1.0
    true_base = d.baseline_mean_points + k * (screen - d.baseline_mean_points)
    if sm > 0 and sb > 0:
        true_base = true_base + math.sqrt(sb**2 * (1 - k)) * rng.standard_normal(shape)
    arm = np.zeros(shape, dtype=bool)
    arm[:, 1, :] = True
    p_t, p_c = d.guess_probabilities()
    guess = rng.uniform(size=shape) < np.where(arm, p_t, p_c)
    followup = (
        true_base
        + d.placebo_response_points
        + d.true_effect_points * arm
        + d.expectancy_points * guess
        + d.within_sd_points * rng.standard_normal(shape)
    )
    dropped = rng.uniform(size=shape) < d.dropout_fraction
    return {"screen": screen, "followup": followup, "dropped": dropped, "guess": guess}


def simulate_trials(
    design: TrialDesign | None = None, *, n_trials: int = 1000, seed=0, **overrides
) -> SimulationResult:
    """Simulate ``n_trials`` independent two-arm trials at once (vectorised).

    Parameters
    ----------
    design : TrialDesign, optional
        The design; default ``TrialDesign()``. Keyword ``overrides`` replace its fields, e.g.
        ``simulate_trials(unblinding=1, expectancy_points=-3)``.
    n_trials : int
        Number of simulated trials.
    seed : int or numpy.random.Generator
        Same seed, same trials.

    Returns
    -------
    SimulationResult
        Completers' analysis of change from the (noisy) baseline score.

    Examples
    --------
    >>> res = simulate_trials(n_trials=2000, n_per_arm=50, seed=1)
    >>> round(float(res.estimate.mean()), 1)  # the true effect is -4.0
    -4.0
    >>> biased = simulate_trials(n_trials=2000, seed=1, unblinding=1.0, expectancy_points=-3.0)
    >>> round(float(biased.estimate.mean()), 1)  # about -4 - 3
    -7.0
    """
    design = design if design is not None else TrialDesign()
    if not isinstance(design, TrialDesign):
        raise ValueError(f"design must be a TrialDesign; got {type(design).__name__}")
    if overrides:
        unknown = set(overrides) - set(design.kwargs())
        if unknown:
            raise ValueError(f"unknown design parameter(s): {', '.join(sorted(unknown))}")
        design = replace(design, **overrides)
    n_trials = check_number("n_trials", n_trials, low=1, integer=True)
    rng = _rng(seed)
    a = _simulate_arrays(design, n_trials, rng)
    change = np.where(a["dropped"], np.nan, a["followup"] - a["screen"])
    n = np.sum(~a["dropped"], axis=2)  # (trials, 2)
    if np.any(n < 2):
        raise ValueError(
            "some simulated arms have fewer than 2 completers; raise n_per_arm or lower "
            "dropout_fraction"
        )
    mean = np.nanmean(change, axis=2)
    var = np.nanvar(change, axis=2, ddof=1)
    n_c, n_t = n[:, 0], n[:, 1]
    df = n_t + n_c - 2
    sp2 = ((n_t - 1) * var[:, 1] + (n_c - 1) * var[:, 0]) / df
    se = np.sqrt(sp2 * (1 / n_t + 1 / n_c))
    est = mean[:, 1] - mean[:, 0]
    tstat = est / se
    p = 2 * stats.t.sf(np.abs(tstat), df)
    tq = stats.t.ppf(0.975, df)
    guess = a["guess"].mean(axis=2)
    return SimulationResult(
        design,
        est,
        se,
        p,
        est - tq * se,
        est + tq * se,
        n_t,
        n_c,
        guess[:, 1],
        guess[:, 0],
        mean[:, 0],
    )


def simulate_patients(design: TrialDesign | None = None, *, seed=2024, **overrides) -> pd.DataFrame:
    """Individual data of ONE simulated trial, rounded to whole MADRS points in [0, 60].

    The result is SIMULATED: never describe it as any real trial's data.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``arm``, ``baseline_madrs``, ``followup_madrs``,
        ``change_madrs`` (empty after dropout), ``dropped_out``, ``guessed_active``.

    >>> df = simulate_patients(n_per_arm=5, seed=3)
    >>> df.shape
    (10, 7)
    """
    design = design if design is not None else TrialDesign()
    if overrides:
        design = replace(design, **overrides)
    a = _simulate_arrays(design, 1, _rng(seed))
    base = np.clip(np.rint(a["screen"][0]), 0, 60)
    fu = np.clip(np.rint(a["followup"][0]), 0, 60)
    dropped = a["dropped"][0]
    rows = []
    for arm_i, arm in enumerate(("control", "treatment")):
        for j in range(design.n_per_arm):
            out = bool(dropped[arm_i, j])
            f = None if out else float(fu[arm_i, j])
            b = float(base[arm_i, j])
            rows.append(
                {
                    "patient_id": f"SIM-{arm[0].upper()}{j + 1:03d}",
                    "arm": arm,
                    "baseline_madrs": b,
                    "followup_madrs": f,
                    "change_madrs": None if out else f - b,
                    "dropped_out": out,
                    "guessed_active": bool(a["guess"][0][arm_i, j]),
                }
            )
    df = pd.DataFrame(rows)
    order = _rng(seed + 1 if isinstance(seed, int) else seed).permutation(len(df))
    return df.iloc[order].reset_index(drop=True)

"""Pharmacokinetics of racemic ketamine: linear compartment models, routes and dosing schedules.

Educational material, not medical advice. **No number here is a dosing guide.**

What this module does
---------------------
A :class:`Regimen` (route, dose, weight, schedule) and a parameter preset go in; a table of plasma
concentration over time (ng/mL and µM) comes out of :func:`simulate`. :func:`summary` reads Cmax,
tmax and AUC from that table; :func:`half_lives_min`, :func:`vss_l_per_kg` and
:func:`clearance_l_per_min` derive disposition quantities from a preset's micro-constants;
:func:`bands` loads the plasma concentrations that Zanos et al. 2018 (Table 1) link to clinical
effects, for shading plots.

Design reasons
--------------
* **Presets are data.** Each published parameter set is a frozen dataclass carrying its values,
  units, a ``source`` bibliography key, the ``population`` it was estimated in and ``notes`` on
  what the model leaves out. Adding a model adds a preset, not a code branch.
* **Exact solutions.** The models are linear, so concentrations are sums of exponentials
  (eigen-decomposition of the system matrix) and a dosing schedule is the superposition of its
  doses (see :mod:`ketlearn._pk_linear`). 24 h at 1-min resolution takes well under a
  millisecond of arithmetic. ``method="numerical"`` solves the same system with
  :func:`scipy.integrate.solve_ivp` so the two can be compared.
* **Disagreement is exposed, not hidden.** Route parameters (:data:`ROUTE_PARAMETERS`) carry a
  low and a high bioavailability from different studies, a default with the reason for choosing
  it, and say whether the absorption rate was published, derived from a published tmax, or
  assumed.
* **Assumptions are labelled.** The effect-site rate constant ``ke0`` has no published value for
  the Domino model: :func:`simulate` only adds an effect site when the caller supplies one.

Units live in names: ``dose_mg_per_kg``, ``time_min``, ``plasma_ng_per_ml``, ``plasma_um``.
Ketamine base has a molar mass of 237.73 g/mol, so 1 µM = 237.73 ng/mL.

Examples
--------
The antidepressant-trial infusion (0.5 mg/kg over 40 min) in a 70 kg adult, Domino model:

>>> reg = Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)
>>> out = summary(simulate(reg, t_end_min=240.0))
>>> round(out["cmax_ng_per_ml"]), out["tmax_min"]
(240, 40.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketlearn import _pk_linear
from ketlearn._validation import check_choice, check_number

__all__ = [
    "DOMINO_1984",
    "HERD_2007",
    "MOLAR_MASS_G_PER_MOL",
    "PRESETS",
    "ROUTES",
    "ROUTE_PARAMETERS",
    "AllometricPreset",
    "Disposition",
    "MicroConstantPreset",
    "Regimen",
    "RouteParameters",
    "bands",
    "bioavailability_for",
    "clearance_l_per_min",
    "get_preset",
    "half_lives_min",
    "ka_from_tmax",
    "one_compartment",
    "simulate",
    "simulate_amounts",
    "summary",
    "vss_l_per_kg",
]

#: Molar mass of ketamine base, C13H16ClNO (g/mol); 1 µM = 237.73 ng/mL.
MOLAR_MASS_G_PER_MOL = 237.73

#: Routes a :class:`Regimen` accepts.
ROUTES = ("iv_bolus", "iv_infusion", "im", "intranasal", "oral", "sublingual")
_EXTRAVASCULAR = ("im", "intranasal", "oral", "sublingual")

_NOT_A_DOSING_GUIDE = "Educational simulation, not a dosing guide."


# --------------------------------------------------------------------------------------------
# Regimen
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regimen:
    """One dosing schedule: a route, a dose per kg, a body weight and (optionally) repeats.

    Parameters
    ----------
    route : str
        One of :data:`ROUTES`: ``"iv_bolus"``, ``"iv_infusion"``, ``"im"``, ``"intranasal"``,
        ``"oral"`` or ``"sublingual"``.
    dose_mg_per_kg : float
        Dose of ketamine per administration (mg/kg body weight), >= 0. For extravascular
        routes this is the dose given, before bioavailability.
    weight_kg : float
        Body weight (kg), > 0.
    start_min : float
        Time of the first administration (min), >= 0. Default 0.
    duration_min : float
        Infusion duration (min): required > 0 for ``"iv_infusion"``, must be 0 otherwise.
    repeats : int
        Number of administrations, >= 1. Default 1.
    interval_min : float
        Time between the starts of successive administrations (min); required > 0 when
        ``repeats > 1`` (and no shorter than an infusion).

    Raises
    ------
    ValueError
        Naming the parameter, its unit and the valid range.

    Examples
    --------
    >>> Regimen("oral", 0.5, 70.0).total_dose_mg
    35.0
    >>> Regimen("iv_infusion", 0.5, 70.0)
    Traceback (most recent call last):
    ...
    ValueError: duration_min must be a finite number > 0 (min) for route 'iv_infusion'; got 0.0
    """

    route: str
    dose_mg_per_kg: float
    weight_kg: float
    start_min: float = 0.0
    duration_min: float = 0.0
    repeats: int = 1
    interval_min: float = 0.0

    def __post_init__(self) -> None:
        check_choice("route", self.route, ROUTES)
        set_ = object.__setattr__
        set_(
            self,
            "dose_mg_per_kg",
            check_number("dose_mg_per_kg", self.dose_mg_per_kg, unit="mg/kg", low=0),
        )
        set_(
            self,
            "weight_kg",
            check_number("weight_kg", self.weight_kg, unit="kg", low=0, low_inclusive=False),
        )
        set_(self, "start_min", check_number("start_min", self.start_min, unit="min", low=0))
        set_(
            self, "duration_min", check_number("duration_min", self.duration_min, unit="min", low=0)
        )
        set_(
            self,
            "repeats",
            check_number("repeats", self.repeats, unit="administrations", low=1, integer=True),
        )
        set_(
            self, "interval_min", check_number("interval_min", self.interval_min, unit="min", low=0)
        )
        if self.route == "iv_infusion" and self.duration_min <= 0:
            raise ValueError(
                f"duration_min must be a finite number > 0 (min) for route 'iv_infusion'; "
                f"got {self.duration_min!r}"
            )
        if self.route != "iv_infusion" and self.duration_min != 0:
            raise ValueError(
                f"duration_min must be 0 (min) for route {self.route!r} (only 'iv_infusion' "
                f"has a duration); got {self.duration_min!r}"
            )
        if self.repeats > 1:
            low = max(self.duration_min, 0.0)
            if not self.interval_min > low:
                raise ValueError(
                    f"interval_min must be a finite number > {low:g} (min) when repeats > 1"
                    f"{' (no shorter than the infusion)' if low else ''}; "
                    f"got {self.interval_min!r}"
                )

    @property
    def dose_mg(self) -> float:
        """Dose per administration (mg)."""
        return self.dose_mg_per_kg * self.weight_kg

    @property
    def total_dose_mg(self) -> float:
        """Dose summed over all administrations (mg), before bioavailability."""
        return self.dose_mg * self.repeats

    @property
    def start_times_min(self) -> np.ndarray:
        """Start time of every administration (min)."""
        return self.start_min + self.interval_min * np.arange(self.repeats)


# --------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disposition:
    """Micro-constants of a mammillary model for one body weight (computed from a preset).

    Volumes in L, rate constants in 1/min. Compartment 1 is the central (plasma) compartment;
    2 and 3 are peripheral. Unused compartments have zero rate constants.
    """

    v1_l: float
    k10_per_min: float
    k12_per_min: float = 0.0
    k21_per_min: float = 0.0
    k13_per_min: float = 0.0
    k31_per_min: float = 0.0

    @property
    def n_compartments(self) -> int:
        return 1 + (self.k12_per_min > 0) + (self.k13_per_min > 0)

    def matrix(self) -> np.ndarray:
        """System matrix of the compartment amounts (1/min)."""
        n = self.n_compartments
        a = np.zeros((n, n))
        a[0, 0] = -(self.k10_per_min + self.k12_per_min + self.k13_per_min)
        j = 1
        for k_out, k_back in (
            (self.k12_per_min, self.k21_per_min),
            (self.k13_per_min, self.k31_per_min),
        ):
            if k_out > 0:
                a[0, j] = k_back
                a[j, 0] = k_out
                a[j, j] = -k_back
                j += 1
        return a

    @property
    def clearance_l_per_min(self) -> float:
        return self.k10_per_min * self.v1_l

    @property
    def vss_l(self) -> float:
        v = self.v1_l
        if self.k12_per_min > 0:
            v += self.v1_l * self.k12_per_min / self.k21_per_min
        if self.k13_per_min > 0:
            v += self.v1_l * self.k13_per_min / self.k31_per_min
        return v


@dataclass(frozen=True)
class MicroConstantPreset:
    """A published (or caller-given) model as a central volume per kg and micro-constants.

    Rate constants do not change with weight; volumes scale in proportion to it.

    Attributes
    ----------
    name, label : str
        Short key and a readable label.
    v1_l_per_kg : float
        Central volume (L/kg).
    k10_per_min, k12_per_min, k21_per_min, k13_per_min, k31_per_min : float
        Micro-constants (1/min); zeros for absent compartments.
    population : str
        Who the parameters were estimated in.
    source : str
        Bibliography key (``src/ketlearn/references.bib``), or ``"user"``.
    notes : str
        What the model leaves out and how the values were checked.
    """

    name: str
    label: str
    v1_l_per_kg: float
    k10_per_min: float
    k12_per_min: float = 0.0
    k21_per_min: float = 0.0
    k13_per_min: float = 0.0
    k31_per_min: float = 0.0
    population: str = ""
    source: str = "user"
    notes: str = ""
    units: dict = field(
        default_factory=lambda: {"v1_l_per_kg": "L/kg", "k*_per_min": "1/min"},
        compare=False,
        repr=False,
    )

    def disposition(self, weight_kg: float) -> Disposition:
        """Micro-constants for one body weight (kg)."""
        w = check_number("weight_kg", weight_kg, unit="kg", low=0, low_inclusive=False)
        return Disposition(
            v1_l=self.v1_l_per_kg * w,
            k10_per_min=self.k10_per_min,
            k12_per_min=self.k12_per_min,
            k21_per_min=self.k21_per_min,
            k13_per_min=self.k13_per_min,
            k31_per_min=self.k31_per_min,
        )


@dataclass(frozen=True)
class AllometricPreset:
    """A two-compartment population model standardised to 70 kg with allometric scaling.

    Volumes scale with ``(weight/70)``; clearances with ``(weight/70) ** exponent``.

    Attributes
    ----------
    v1_l_per_70kg, v2_l_per_70kg : float
        Central and peripheral volumes for a 70 kg person (L).
    cl_l_per_h_per_70kg, q_l_per_h_per_70kg : float
        Clearance and inter-compartmental clearance for a 70 kg person (L/h).
    exponent : float
        Allometric exponent of the clearances.
    population, source, notes : str
        As for :class:`MicroConstantPreset`.
    """

    name: str
    label: str
    v1_l_per_70kg: float
    v2_l_per_70kg: float
    cl_l_per_h_per_70kg: float
    q_l_per_h_per_70kg: float
    exponent: float = 0.75
    population: str = ""
    source: str = ""
    notes: str = ""
    units: dict = field(
        default_factory=lambda: {
            "v*_l_per_70kg": "L",
            "*_l_per_h_per_70kg": "L/h",
            "exponent": "1",
        },
        compare=False,
        repr=False,
    )

    def disposition(self, weight_kg: float) -> Disposition:
        """Micro-constants for one body weight (kg)."""
        w = check_number("weight_kg", weight_kg, unit="kg", low=0, low_inclusive=False)
        size = w / 70.0
        v1 = self.v1_l_per_70kg * size
        v2 = self.v2_l_per_70kg * size
        cl = self.cl_l_per_h_per_70kg / 60.0 * size**self.exponent
        q = self.q_l_per_h_per_70kg / 60.0 * size**self.exponent
        return Disposition(v1_l=v1, k10_per_min=cl / v1, k12_per_min=q / v1, k21_per_min=q / v2)


#: Domino et al. 1984, racemic ketamine, three compartments [@domino1984kinetics].
DOMINO_1984 = MicroConstantPreset(
    name="domino1984",
    label="Domino 1984 (adults, 3 compartments)",
    v1_l_per_kg=0.063,
    k10_per_min=0.438,
    k12_per_min=0.592,
    k21_per_min=0.247,
    k13_per_min=0.590,
    k31_per_min=0.0146,
    population="adult volunteers (unmedicated and diazepam-premedicated) in the original study",
    source="domino1984kinetics",
    notes=(
        "Micro-constants as coded in open-source TCI software (STANPUMP, stanpumpR, opentiva), "
        "which cite Domino et al. 1984 (PMID 6488686); the paper's own tables were not seen. "
        "Leaves out: metabolites (norketamine and hydroxynorketamines), enantiomer differences, "
        "non-linear or saturable elimination, changes of blood flow with the drug itself, "
        "arterial versus venous sampling, and all between-person variability. No effect-site "
        "rate constant (ke0) was published for this model. It over-predicts the mean peak "
        "reported for the 0.5 mg/kg / 40 min infusion (about 240 vs 185 ng/mL)."
    ),
)

#: Herd et al. 2007, children in an emergency department, two compartments [@herd2007ketamine].
HERD_2007 = AllometricPreset(
    name="herd2007",
    label="Herd 2007 (children, 2 compartments)",
    v1_l_per_70kg=38.7,
    v2_l_per_70kg=102.0,
    cl_l_per_h_per_70kg=90.0,
    q_l_per_h_per_70kg=215.0,
    exponent=0.75,
    population=(
        "54 children given 1-1.5 mg/kg IV for procedural sedation (age 8.3 +/- 3.5 years, "
        "weight 32.5 +/- 15.6 kg); parameters standardised to 70 kg allometrically"
    ),
    source="herd2007ketamine",
    notes=(
        "Population typical values from the abstract (PubMed 17564643); between-subject "
        "variability was large (64% on V1, 38% on CL) and is left out. Sampling lasted at most "
        "152 min (median 3 samples per child), so the terminal phase is poorly defined and "
        "predictions beyond a few hours, or for adults, are extrapolation. Leaves out "
        "metabolites, enantiomers and maturation of clearance in infants."
    ),
)

#: Published parameter sets by name.
PRESETS: dict[str, MicroConstantPreset | AllometricPreset] = {
    DOMINO_1984.name: DOMINO_1984,
    HERD_2007.name: HERD_2007,
}


def one_compartment(v_l_per_kg: float, k10_per_min: float, *, name: str = "one_compartment"):
    """A generic one-compartment model with caller-given parameters (for exercises).

    Parameters
    ----------
    v_l_per_kg : float
        Volume of distribution (L/kg), > 0.
    k10_per_min : float
        Elimination rate constant (1/min), > 0.

    Examples
    --------
    >>> m = one_compartment(2.0, math.log(2) / 120)
    >>> [round(t, 6) for t in half_lives_min(m)]
    [120.0]
    """
    v = check_number("v_l_per_kg", v_l_per_kg, unit="L/kg", low=0, low_inclusive=False)
    k = check_number("k10_per_min", k10_per_min, unit="1/min", low=0, low_inclusive=False)
    return MicroConstantPreset(
        name=name,
        label="one compartment (caller's parameters)",
        v1_l_per_kg=v,
        k10_per_min=k,
        population="none: parameters given by the caller",
        source="user",
        notes="A single well-mixed volume with first-order elimination: no distribution phase.",
    )


def get_preset(preset) -> MicroConstantPreset | AllometricPreset:
    """Return a preset object from its name in :data:`PRESETS` (or pass an object through).

    >>> get_preset("domino1984").source
    'domino1984kinetics'
    >>> get_preset("clements")
    Traceback (most recent call last):
    ...
    ValueError: preset must be one of 'domino1984', 'herd2007'; got 'clements'
    """
    if isinstance(preset, (MicroConstantPreset, AllometricPreset)):
        return preset
    return PRESETS[check_choice("preset", preset, PRESETS)]


def half_lives_min(preset="domino1984", weight_kg: float = 70.0) -> list[float]:
    """Disposition half-lives (min), fastest first: ln 2 / (-eigenvalue of the system matrix).

    Examples
    --------
    Domino 1984: about 0.40, 4.6 and 114.6 min [@domino1984kinetics].

    >>> [round(t, 1) for t in half_lives_min("domino1984")]
    [0.4, 4.6, 114.6]
    """
    disp = get_preset(preset).disposition(weight_kg)
    lam = np.linalg.eigvals(disp.matrix()).real
    return sorted(float(math.log(2) / -x) for x in lam)


def vss_l_per_kg(preset="domino1984", weight_kg: float = 70.0) -> float:
    """Volume of distribution at steady state (L/kg): V1 (1 + k12/k21 + k13/k31) / weight.

    >>> round(vss_l_per_kg("domino1984"), 2)
    2.76
    """
    w = check_number("weight_kg", weight_kg, unit="kg", low=0, low_inclusive=False)
    return get_preset(preset).disposition(w).vss_l / w


def clearance_l_per_min(preset="domino1984", weight_kg: float = 70.0) -> float:
    """Total (elimination) clearance CL = k10 V1 (L/min) for one body weight.

    >>> round(clearance_l_per_min("domino1984", 70.0), 3)
    1.932
    """
    return get_preset(preset).disposition(weight_kg).clearance_l_per_min


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteParameters:
    """Bioavailability and absorption of one extravascular route (racemic ketamine).

    Attributes
    ----------
    route : str
    f_default, f_low, f_high : float
        Bioavailability as a fraction of the dose: the value :func:`simulate` uses by default,
        and the lowest and highest published estimates that were checked.
    f_reason : str
        Why the default was chosen.
    f_sources : tuple of str
        Bibliography keys for the F values.
    ka_per_min : float
        First-order absorption rate constant (1/min).
    ka_basis : str
        ``"published"``, ``"derived"`` (from a published tmax or absorption half-time; see
        ``ka_derivation``) or ``"assumption"``.
    ka_derivation : str
        How ``ka_per_min`` was obtained.
    ka_sources : tuple of str
    notes : str
        What the description leaves out.
    """

    route: str
    f_default: float
    f_low: float
    f_high: float
    f_reason: str
    f_sources: tuple[str, ...]
    ka_per_min: float
    ka_basis: str
    ka_derivation: str
    ka_sources: tuple[str, ...] = ()
    notes: str = ""

    @property
    def absorption_half_time_min(self) -> float:
        """ln 2 / ka (min)."""
        return math.log(2) / self.ka_per_min


#: Route parameters for the extravascular routes. IV routes have F = 1 and no absorption step.
ROUTE_PARAMETERS: dict[str, RouteParameters] = {
    "intranasal": RouteParameters(
        route="intranasal",
        f_default=0.13,
        f_low=0.11,
        f_high=0.45,
        f_reason=(
            "Default 13%: the middle of the three dose arms (17%, 13%, 11% at 10, 30, 50 mg; "
            "n = 7-10 per arm) of the larger 2022 study. The 45% estimate came from 3 "
            "volunteers and one spray. Intranasal F depends on the device, the volume per "
            "nostril and the dose; treat it as a range, not a constant."
        ),
        f_sources=("pharmacotherapy2022intranasal", "yanagihara2003plasma"),
        ka_per_min=0.0179,
        ka_basis="derived",
        ka_derivation=(
            "Derived: the ka for which the Domino 1984 model (70 kg) peaks at the 14 min "
            "geometric-mean tmax of the 30 mg arm (Pharmacotherapy 2022, Table 6; the other "
            "arms: 23 and 16 min). See ka_from_tmax()."
        ),
        ka_sources=("pharmacotherapy2022intranasal", "domino1984kinetics"),
        notes=(
            "Leaves out: the swallowed fraction of a spray (which is absorbed later and "
            "mostly lost to first-pass metabolism), dose-dependent F, and device differences. "
            "Esketamine (Spravato) is a different product: its label figures were not verified "
            "here and are not used."
        ),
    ),
    "oral": RouteParameters(
        route="oral",
        f_default=0.20,
        f_low=0.20,
        f_high=0.45,
        f_reason=(
            "Default 20%: the estimate in healthy adult volunteers (Yanagihara 2003, n = 3). "
            "The 45% (90% CI 33-58%) is a population estimate in children with burns "
            "(Brunette 2011); children and adults may differ."
        ),
        f_sources=("yanagihara2003plasma", "brunette2011exploring"),
        ka_per_min=0.0117,
        ka_basis="published",
        ka_derivation=(
            "ka = ln 2 / 59 min = 0.0117 /min, from the published absorption half-time of 59 min (90% CI "
            "29-109 min, between-subject variability 148%) in children (Brunette 2011)."
        ),
        ka_sources=("brunette2011exploring",),
        notes=(
            "Leaves out: first-pass metabolism to norketamine (oral dosing gives much more "
            "norketamine relative to ketamine than IV), food effects, lag time and the large "
            "variability of absorption."
        ),
    ),
    "sublingual": RouteParameters(
        route="sublingual",
        f_default=0.29,
        f_low=0.29,
        f_high=0.30,
        f_reason=(
            "Default 29%: median of 8 healthy men with a sublingual wafer (Rolan 2014, 90% CI "
            "27-31%); Yanagihara 2003 reported about 30% for a sublingual tablet (n = 3)."
        ),
        f_sources=("rolan2014absolute", "yanagihara2003plasma"),
        ka_per_min=0.00647,
        ka_basis="derived",
        ka_derivation=(
            "Derived: the ka for which the Domino 1984 model (70 kg) peaks at the median tmax "
            "of 0.75 h (range 0.25-1.0 h) reported by Rolan 2014. See ka_from_tmax()."
        ),
        ka_sources=("rolan2014absolute", "domino1984kinetics"),
        notes=(
            "Leaves out: the swallowed part of the dose (absorbed like an oral dose), and "
            "formulation differences (wafer, tablet, lozenge)."
        ),
    ),
    "im": RouteParameters(
        route="im",
        f_default=0.41,
        f_low=0.41,
        f_high=1.0,
        f_reason=(
            "Default 41%: the model-estimated bioavailability in 113 children (Hornik 2018), "
            "the only IM estimate checked against its source here. An adult figure of 93% is "
            "widely quoted (Clements 1982) but was not checked against the paper, so the upper "
            "end is set to complete absorption (100%), an assumption."
        ),
        f_sources=("hornik2018population",),
        ka_per_min=0.1,
        ka_basis="assumption",
        ka_derivation=(
            "ASSUMPTION: 0.1 /min (absorption half-time about 7 min), chosen for illustration. "
            "No human IM tmax or ka was checked against a primary source."
        ),
        ka_sources=(),
        notes=(
            "Leaves out: injection site and muscle blood flow, which change absorption speed; "
            "the children's model that gave F also had its own disposition parameters."
        ),
    ),
}


def bioavailability_for(route: str, which="default") -> float:
    """Bioavailability (fraction) for a route: ``which`` is "default", "low", "high" or a number.

    IV routes always return 1.

    >>> bioavailability_for("intranasal", "low"), bioavailability_for("intranasal", "high")
    (0.11, 0.45)
    >>> bioavailability_for("iv_bolus")
    1.0
    """
    check_choice("route", route, ROUTES)
    if route not in _EXTRAVASCULAR:
        return 1.0
    if isinstance(which, str):
        check_choice("bioavailability", which, ("default", "low", "high"))
        params = ROUTE_PARAMETERS[route]
        return {"default": params.f_default, "low": params.f_low, "high": params.f_high}[which]
    return check_number("bioavailability", which, unit="fraction of dose", low=0, high=1)


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


def _as_regimens(regimen) -> list[Regimen]:
    if isinstance(regimen, Regimen):
        return [regimen]
    if isinstance(regimen, Sequence) and regimen and all(isinstance(r, Regimen) for r in regimen):
        return list(regimen)
    raise ValueError(
        f"regimen must be a Regimen or a non-empty list of Regimen objects; got {regimen!r}"
    )


def _build(
    regimens,
    preset,
    t_end_min,
    ke0_per_min,
    bioavailability,
    absorption_rate_per_min,
    with_eliminated,
):
    """System matrix, dosing events and state indices for a list of regimens."""
    weights = {r.weight_kg for r in regimens}
    if len(weights) != 1:
        raise ValueError(
            f"weight_kg must be the same in every regimen of one simulation (kg); got {sorted(weights)}"
        )
    weight = weights.pop()
    disp = get_preset(preset).disposition(weight)
    n = disp.n_compartments
    routes = sorted({r.route for r in regimens if r.route in _EXTRAVASCULAR})
    depot = {route: n + i for i, route in enumerate(routes)}
    size = n + len(routes)
    effect = eliminated = None
    if ke0_per_min is not None:
        effect, size = size, size + 1
    if with_eliminated:
        eliminated, size = size, size + 1
    a = np.zeros((size, size))
    a[:n, :n] = disp.matrix()
    ka_used = {}
    for route, idx in depot.items():
        ka = ROUTE_PARAMETERS[route].ka_per_min
        if absorption_rate_per_min is not None:
            ka = check_number(
                "absorption_rate_per_min",
                absorption_rate_per_min,
                unit="1/min",
                low=0,
                low_inclusive=False,
            )
        ka_used[route] = ka
        a[idx, idx] = -ka
        a[0, idx] = ka
    if effect is not None:
        a[effect, 0] = ke0_per_min
        a[effect, effect] = -ke0_per_min
    if eliminated is not None:
        a[eliminated, 0] = disp.k10_per_min

    events = []
    for reg in regimens:
        f = bioavailability_for(
            reg.route, "default" if bioavailability is None else bioavailability
        )
        for t0 in reg.start_times_min:
            t0 = float(t0)
            if t0 > t_end_min:
                continue
            if reg.route == "iv_bolus":
                events.append(_pk_linear.Bolus(t0, reg.dose_mg, 0))
            elif reg.route == "iv_infusion":
                t1 = t0 + reg.duration_min
                if t1 > t_end_min:
                    raise ValueError(
                        f"duration_min: an infusion from {t0:g} to {t1:g} min runs past the "
                        f"simulated window; t_end_min must be >= {t1:g} (min); got {t_end_min:g}"
                    )
                events.append(_pk_linear.Infusion(t0, t1, reg.dose_mg / reg.duration_min, 0))
            else:
                events.append(_pk_linear.Bolus(t0, f * reg.dose_mg, depot[reg.route]))
    return disp, a, events, depot, effect, eliminated


def _grid(t_end_min, dt_min) -> np.ndarray:
    t_end = check_number("t_end_min", t_end_min, unit="min", low=0, low_inclusive=False)
    dt = check_number("dt_min", dt_min, unit="min", low=0, high=t_end, low_inclusive=False)
    n = round(t_end / dt)
    if n > 2_000_000:
        raise ValueError(
            f"t_end_min / dt_min must be <= 2000000 time steps; got {n} (raise dt_min)"
        )
    times = np.arange(n + 1) * dt
    if times[-1] < t_end - 1e-9 * t_end:
        times = np.append(times, t_end)
    return np.minimum(times, t_end)


def simulate(
    regimen,
    preset="domino1984",
    *,
    t_end_min: float = 1440.0,
    dt_min: float = 1.0,
    ke0_per_min: float | None = None,
    bioavailability=None,
    absorption_rate_per_min: float | None = None,
    method: str = "analytic",
) -> pd.DataFrame:
    """Plasma (and optionally effect-site) concentration of ketamine over time.

    Educational simulation, not a dosing guide.

    Parameters
    ----------
    regimen : Regimen or list of Regimen
        What is given. Several regimens (same weight) are superposed, e.g. a bolus plus an
        infusion.
    preset : str or preset object
        A name in :data:`PRESETS` (default ``"domino1984"`` [@domino1984kinetics]), a preset
        object, or :func:`one_compartment`.
    t_end_min : float
        End of the simulated window (min), > 0. Doses starting later are ignored; an infusion
        that would run past the end raises ``ValueError``.
    dt_min : float
        Output spacing (min), in (0, t_end_min].
    ke0_per_min : float, optional
        Effect-site equilibration rate constant (1/min), > 0. **An assumption**: no ke0 has been
        published for the Domino model. When given, the output has ``effect_site_um`` and
        ``effect_site_ng_per_ml`` columns.
    bioavailability : {"default", "low", "high"} or float, optional
        Fraction of an extravascular dose reaching the circulation; see
        :data:`ROUTE_PARAMETERS`. Ignored for IV routes.
    absorption_rate_per_min : float, optional
        Override of the first-order absorption rate constant ka (1/min) of extravascular routes.
    method : {"analytic", "numerical"}
        ``"analytic"`` (default): exact sums of exponentials. ``"numerical"``:
        :func:`scipy.integrate.solve_ivp` (slower; for comparison).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_min``, ``plasma_ng_per_ml``, ``plasma_um`` (and the effect-site columns
        when ``ke0_per_min`` is given). ``attrs`` records the preset, bioavailability,
        ``ke0_is_assumption`` and ``auc_exact_ng_min_per_ml``: the exact AUC from 0 to
        ``t_end_min`` (amount eliminated / CL), free of the trapezoidal rule's grid error.

    Raises
    ------
    ValueError
        For bad input, naming the parameter, its unit and the valid range.

    Examples
    --------
    >>> df = simulate(Regimen("iv_bolus", 0.5, 70.0), t_end_min=60.0)
    >>> list(df.columns)
    ['time_min', 'plasma_ng_per_ml', 'plasma_um']
    >>> round(df["plasma_ng_per_ml"].iloc[0])  # dose / V1 at time 0
    7937
    """
    regimens = _as_regimens(regimen)
    check_choice("method", method, ("analytic", "numerical"))
    times = _grid(t_end_min, dt_min)
    t_end = float(times[-1])
    if ke0_per_min is not None:
        ke0_per_min = check_number(
            "ke0_per_min", ke0_per_min, unit="1/min", low=0, low_inclusive=False
        )
    disp, a, events, _depot, effect, elim = _build(
        regimens, preset, t_end, ke0_per_min, bioavailability, absorption_rate_per_min, True
    )
    rows = [0] if effect is None else [0, effect]
    amounts = _pk_linear.solve(a, events, times, [*rows, elim], method=method)
    # exact AUC(0, t_end) = amount eliminated / CL  (mg*min/L -> ng*min/mL)
    auc_exact = float(amounts[-1, -1]) / disp.clearance_l_per_min * 1000.0
    conc = np.maximum(amounts[:-1] / disp.v1_l, 0.0) * 1000.0  # mg/L -> ng/mL
    data = {
        "time_min": times,
        "plasma_ng_per_ml": conc[0],
        "plasma_um": conc[0] / MOLAR_MASS_G_PER_MOL,
    }
    if effect is not None:
        data["effect_site_ng_per_ml"] = conc[1]
        data["effect_site_um"] = conc[1] / MOLAR_MASS_G_PER_MOL
    df = pd.DataFrame(data)
    chosen = get_preset(preset)
    df.attrs = {
        "preset": chosen.name,
        "source": chosen.source,
        "bioavailability": {
            r.route: bioavailability_for(
                r.route, "default" if bioavailability is None else bioavailability
            )
            for r in regimens
        },
        "ke0_per_min": ke0_per_min,
        "ke0_is_assumption": ke0_per_min is not None,
        "auc_exact_ng_min_per_ml": auc_exact,
        "note": _NOT_A_DOSING_GUIDE,
    }
    return df


def simulate_amounts(
    regimen,
    preset="domino1984",
    *,
    t_end_min: float = 1440.0,
    dt_min: float = 1.0,
    bioavailability=None,
    absorption_rate_per_min: float | None = None,
    method: str = "analytic",
) -> pd.DataFrame:
    """Drug amounts (mg) in every compartment, the absorption depots and eliminated, over time.

    For checking mass balance: the columns other than ``time_min`` sum to the bioavailable dose
    given so far. Same parameters as :func:`simulate`.

    Examples
    --------
    >>> am = simulate_amounts(Regimen("oral", 1.0, 70.0), t_end_min=120.0)
    >>> list(am.columns)
    ['time_min', 'central_mg', 'peripheral_2_mg', 'peripheral_3_mg', 'depot_oral_mg', 'eliminated_mg']
    >>> round(float(am.drop(columns="time_min").iloc[-1].sum()), 6)  # F x dose = 0.20 x 70 mg
    14.0
    """
    regimens = _as_regimens(regimen)
    check_choice("method", method, ("analytic", "numerical"))
    times = _grid(t_end_min, dt_min)
    disp, a, events, depot, _eff, elim = _build(
        regimens, preset, float(times[-1]), None, bioavailability, absorption_rate_per_min, True
    )
    n = disp.n_compartments
    names = ["central_mg"] + [f"peripheral_{i + 2}_mg" for i in range(n - 1)]
    names += [f"depot_{route}_mg" for route in depot]
    names.append("eliminated_mg")
    rows = list(range(n)) + list(depot.values()) + [elim]
    amounts = _pk_linear.solve(a, events, times, rows, method=method)
    df = pd.DataFrame(np.maximum(amounts, 0.0).T, columns=names)
    df.insert(0, "time_min", times)
    return df


def summary(df: pd.DataFrame, column: str = "plasma_ng_per_ml") -> dict[str, float]:
    """Cmax, tmax and AUC (trapezoidal rule) of a simulated or measured profile.

    Parameters
    ----------
    df : DataFrame
        With ``time_min`` and the concentration column (ng/mL).
    column : str
        Concentration column to summarise (default ``plasma_ng_per_ml``).

    Returns
    -------
    dict
        ``cmax_ng_per_ml``, ``cmax_um``, ``tmax_min``, ``auc_ng_min_per_ml``,
        ``auc_ng_h_per_ml`` (AUC from the first to the last time, not extrapolated) and
        ``t_last_min``.

    Notes
    -----
    The trapezoidal rule over-estimates the AUC where the curve is convex and falls fast
    compared with the time step, e.g. just after an IV bolus on a 1-min grid.

    Examples
    --------
    >>> s = summary(pd.DataFrame({"time_min": [0, 60, 120], "plasma_ng_per_ml": [0, 100, 50]}))
    >>> s["cmax_ng_per_ml"], s["tmax_min"], s["auc_ng_min_per_ml"], s["auc_ng_h_per_ml"]
    (100.0, 60.0, 7500.0, 125.0)
    """
    if not isinstance(df, pd.DataFrame) or "time_min" not in df or column not in df:
        raise ValueError(f"df must be a DataFrame with columns 'time_min' and {column!r}")
    t = df["time_min"].to_numpy(dtype=float)
    c = df[column].to_numpy(dtype=float)
    if t.size < 2 or not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise ValueError("time_min must hold at least 2 finite, increasing times (min)")
    if not np.all(np.isfinite(c)) or (c < 0).any():
        raise ValueError(f"{column} must be finite numbers >= 0 (ng/mL)")
    from scipy.integrate import trapezoid

    i = int(np.argmax(c))
    auc = float(trapezoid(c, t))
    return {
        "cmax_ng_per_ml": float(c[i]),
        "cmax_um": float(c[i]) / MOLAR_MASS_G_PER_MOL,
        "tmax_min": float(t[i]),
        "auc_ng_min_per_ml": auc,
        "auc_ng_h_per_ml": auc / 60.0,
        "t_last_min": float(t[-1]),
    }


def ka_from_tmax(tmax_min: float, preset="domino1984", weight_kg: float = 70.0) -> float:
    """Absorption rate constant (1/min) that makes a single extravascular dose peak at ``tmax_min``.

    Used to *derive* ka values for :data:`ROUTE_PARAMETERS` from published times to peak; the
    answer depends on the disposition model, so derived values are labelled as such.

    Examples
    --------
    >>> round(ka_from_tmax(45.0), 4)  # sublingual median tmax 0.75 h [@rolan2014absolute]
    0.0065
    """
    from scipy.optimize import brentq

    target = check_number("tmax_min", tmax_min, unit="min", low=0.5, high=600.0)
    disp = get_preset(preset).disposition(weight_kg)
    n = disp.n_compartments
    times = np.arange(0.0, 4.0 * target + 1e-9, target / 2000.0)

    def peak_time(ka: float) -> float:
        a = np.zeros((n + 1, n + 1))
        a[:n, :n] = disp.matrix()
        a[n, n] = -ka
        a[0, n] = ka
        c = _pk_linear.solve(a, [_pk_linear.Bolus(0.0, 1.0, n)], times, [0])[0]
        return float(times[int(np.argmax(c))])

    return float(brentq(lambda ka: peak_time(ka) - target, 1e-4, 20.0, xtol=1e-6))


# --------------------------------------------------------------------------------------------
# Concentration bands
# --------------------------------------------------------------------------------------------


def bands() -> pd.DataFrame:
    """Plasma ketamine concentrations linked to clinical effects (dataset ``concentration_bands``).

    Mostly from Zanos et al. 2018, Table 1 [@zanos2018ketamine], with the original studies named
    in ``original_source``; two rows (anaesthesia maintained by infusion, awakening) are from
    Idvall et al. 1979 [@idvall1979ketamine]. These are ranges or means from small studies of
    different designs, not thresholds for any one person, and not a dosing guide.

    Examples
    --------
    >>> b = bands()
    >>> b.set_index("band_id").loc["antidepressant_infusion", "conc_ng_per_ml"]
    np.float64(185.0)
    """
    from ketlearn import data

    return data.load("concentration_bands")

"""Disposition models of :mod:`ketlearn.pk` (private): published parameter sets as data.

Each preset is a frozen dataclass carrying its values, units, ``source`` bibliography key,
``population`` and ``notes``; adding a model adds a preset, not a code branch. Derived quantities
(half-lives, Vss, clearance) are computed from a preset's system matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ketlearn._validation import check_choice, check_number

__all__ = [
    "DOMINO_1984",
    "HERD_2007",
    "PRESETS",
    "AllometricPreset",
    "Disposition",
    "MicroConstantPreset",
    "clearance_l_per_min",
    "get_preset",
    "half_lives_min",
    "one_compartment",
    "vss_l_per_kg",
]

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

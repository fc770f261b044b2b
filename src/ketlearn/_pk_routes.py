"""Routes of administration for :mod:`ketlearn.pk` (private): bioavailability and absorption.

Route parameters carry a low and a high bioavailability from different studies, a default with
the reason for choosing it, and whether the absorption rate was published, derived from a
published tmax, or assumed: disagreement between sources is exposed, not hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ketlearn._pk_regimen import _EXTRAVASCULAR, ROUTES
from ketlearn._validation import check_choice, check_number

__all__ = ["ROUTE_PARAMETERS", "RouteParameters", "bioavailability_for"]

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

"""Pharmacokinetics of racemic ketamine: linear compartment models, routes and dosing schedules.

Educational material, not medical advice. **No number here is a dosing guide.**

What this module does
---------------------
A :class:`Regimen` (route, dose, weight, schedule) and a parameter preset go in; a table of plasma
concentration over time (ng/mL and µM) comes out of :func:`simulate`. :func:`summary` reads Cmax,
tmax and AUC from that table; :func:`half_lives_min`, :func:`vss_l_per_kg` and
:func:`clearance_l_per_min` derive disposition quantities from a preset's micro-constants;
:func:`auc_trapezoid_ng_h_per_ml` and :func:`terminal_half_life_min` read exposure and the
terminal half-life from sampled data without a model (non-compartmental);
:func:`sampled_profile` turns a simulated profile into SIMULATED blood samples with assay noise
and :func:`simulated_crossover` gives notebook 02's fictional IV-versus-oral person;
:func:`bands` loads the plasma concentrations that Zanos et al. 2018 (Table 1) link to clinical
effects, for shading plots.

Design reasons
--------------
* **Presets are data.** Each published parameter set is a frozen dataclass carrying its values,
  units, a ``source`` bibliography key, the ``population`` it was estimated in and ``notes`` on
  what the model leaves out. Adding a model adds a preset, not a code branch.
* **Exact solutions.** The models are linear with inputs that are constant between dosing
  events, so the state is carried between events exactly with matrix exponentials from the
  package's one exponential solver (:func:`scipy.linalg.expm`; see :mod:`ketlearn._pk_linear`
  and ``ketlearn._linear_system``). 24 h at 1-min resolution takes about a millisecond.
  ``method="numerical"`` solves the same system with :func:`scipy.integrate.solve_ivp` so the
  two can be compared.
* **Split by idea.** Schedules (``_pk_regimen``), disposition presets (``_pk_presets``), routes
  (``_pk_routes``) and simulation/read-outs (``_pk_simulate``) are private modules; this module
  documents and re-exports them, so ``from ketlearn.pk import X`` is the public path.
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

from ketlearn._pk_nca import auc_trapezoid_ng_h_per_ml, terminal_half_life_min
from ketlearn._pk_presets import (
    DOMINO_1984,
    HERD_2007,
    PRESETS,
    AllometricPreset,
    Disposition,
    MicroConstantPreset,
    clearance_l_per_min,
    get_preset,
    half_lives_min,
    one_compartment,
    vss_l_per_kg,
)
from ketlearn._pk_regimen import MOLAR_MASS_G_PER_MOL, ROUTES, Regimen
from ketlearn._pk_routes import ROUTE_PARAMETERS, RouteParameters, bioavailability_for
from ketlearn._pk_sampling import CROSSOVER_TIMES_MIN, sampled_profile, simulated_crossover
from ketlearn._pk_simulate import bands, ka_from_tmax, simulate, simulate_amounts, summary

__all__ = [
    "CROSSOVER_TIMES_MIN",
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
    "auc_trapezoid_ng_h_per_ml",
    "bands",
    "bioavailability_for",
    "clearance_l_per_min",
    "get_preset",
    "half_lives_min",
    "ka_from_tmax",
    "one_compartment",
    "sampled_profile",
    "simulate",
    "simulate_amounts",
    "simulated_crossover",
    "summary",
    "terminal_half_life_min",
    "vss_l_per_kg",
]

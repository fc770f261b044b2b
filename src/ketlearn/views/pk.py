"""Figures of the pharmacokinetics strand: plasma profiles against the concentration bands.

Pure drawing: the functions take simulated profiles (from :func:`ketlearn.pk.simulate`) and
return or fill matplotlib figures; :func:`profile_figure` pairs the figure with the table of its
numbers. Every figure says it is **not a dosing guide**.

Dual use. Concentration bands (analgesia, dissociation, anaesthesia) were measured after
clinical intravenous regimens. They are drawn only when every profile on the plot comes from a
clinical intravenous or intramuscular regimen (:data:`CLINICAL_BAND_ROUTES`, read from the
profile's ``attrs``), and each band is labelled with the clinical study it comes from, so no plot
sets a nasal, oral or sublingual curve against an effect band. Doses are in mg/kg only.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from ketlearn import pk
>>> profile = pk.simulate(pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0), t_end_min=240.0)
>>> shown = profile_figure({"IV infusion": profile}, caption="A 40 min infusion (simulated).")
>>> shown.table[["profile", "cmax_ng_per_ml", "tmax_min"]].round(0).to_dict("records")
[{'profile': 'IV infusion', 'cmax_ng_per_ml': 240.0, 'tmax_min': 40.0}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import pk, plots

__all__ = [
    "CLINICAL_BAND_ROUTES",
    "ROUTE_LABELS",
    "band_rows",
    "bands_allowed",
    "draw_profile",
    "profile_figure",
    "profile_table",
]

#: Routes after which the published concentration bands were measured in clinical studies.
CLINICAL_BAND_ROUTES = frozenset({"iv_bolus", "iv_infusion", "im"})

_BANDS_SHOWN = ("analgesia_iv", "dissociation", "general_anaesthesia")
# Lines avoid the band colours (palette 0, 2, 6) and differ in style too, not only in colour.
_LINE_COLOURS = (4, 5, 7, 1, 3)
_LINE_STYLES = ("-", "--", "-.", (0, (1, 1)), (0, (5, 1, 1, 1)), (0, (3, 1)))
ROUTE_LABELS = {
    "iv_bolus": "IV bolus",
    "iv_infusion": "IV infusion",
    "im": "intramuscular",
    "intranasal": "intranasal",
    "oral": "oral",
    "sublingual": "sublingual",
}


def band_rows() -> pd.DataFrame:
    """The concentration bands drawn on the plots (ranges) plus the antidepressant-trial peak."""
    b = pk.bands().set_index("band_id")
    rows = [
        {
            "band_id": key,
            "effect": str(b.loc[key, "effect"]),
            "low_ng_per_ml": float(b.loc[key, "conc_low_ng_per_ml"]),
            "high_ng_per_ml": float(b.loc[key, "conc_high_ng_per_ml"]),
            "source_key": str(b.loc[key, "source_key"]),
            "clinical_study": _study(b.loc[key]),
        }
        for key in _BANDS_SHOWN
    ]
    peak = float(b.loc["antidepressant_infusion", "conc_ng_per_ml"])
    rows.append(
        {
            "band_id": "antidepressant_infusion",
            "effect": "reported mean peak of the 0.5 mg/kg / 40 min infusion",
            "low_ng_per_ml": peak,
            "high_ng_per_ml": peak,
            "source_key": str(b.loc["antidepressant_infusion", "source_key"]),
            "clinical_study": _study(b.loc["antidepressant_infusion"]),
        }
    )
    return pd.DataFrame(rows)


def _study(row) -> str:
    """Where a band was measured: the clinical regimen and the study, as the dataset gives them."""
    original = row.get("original_source")
    study = (
        str(original).split(" and others")[0].split(", as cited")[0] if pd.notna(original) else ""
    )
    cited = f"{study}, via {row['source_key']}" if study else str(row["source_key"])
    return f"{row['route']} {row['regimen']}; {cited}"


def bands_allowed(profiles) -> bool:
    """True only if every profile is from a clinical IV or IM regimen (see the module notes).

    >>> from ketlearn import pk
    >>> iv = pk.simulate(pk.Regimen("iv_bolus", 0.5, 70.0), t_end_min=60.0)
    >>> oral = pk.simulate(pk.Regimen("oral", 0.5, 70.0), t_end_min=60.0)
    >>> bands_allowed({"iv": iv}), bands_allowed({"iv": iv, "oral": oral})
    (True, False)
    """
    if not profiles:
        return False
    for df in profiles.values():
        routes = set(getattr(df, "attrs", {}).get("bioavailability", {}))
        if not routes or not routes <= CLINICAL_BAND_ROUTES:
            return False
    return True


def draw_profile(ax, profiles, *, log_y: bool = True, show_bands: bool = True) -> None:
    """Plot one or several profiles (``{label: DataFrame}``), with bands where allowed.

    The concentration bands are drawn only when ``show_bands`` is true **and**
    :func:`bands_allowed` says every profile is a clinical IV or IM regimen; otherwise the
    axes say why they are absent.
    """
    show_bands = show_bands and bands_allowed(profiles)
    ymax = 1.0
    for i, (label, df) in enumerate(profiles.items()):
        t_h = df["time_min"].to_numpy() / 60.0
        c = df["plasma_ng_per_ml"].to_numpy()
        ymax = max(ymax, float(np.max(c)))
        ax.plot(
            t_h,
            np.maximum(c, 0.1) if log_y else c,
            color=plots.PALETTE[_LINE_COLOURS[i % len(_LINE_COLOURS)]],
            linestyle=_LINE_STYLES[i % len(_LINE_STYLES)],
            label=label,
            linewidth=2,
        )
    if show_bands:
        b = band_rows()
        colours = [plots.PALETTE[2], plots.PALETTE[0], plots.PALETTE[6]]
        for colour, (_, row) in zip(colours, b.iloc[:3].iterrows(), strict=True):
            ax.axhspan(
                row["low_ng_per_ml"],
                row["high_ng_per_ml"],
                color=colour,
                alpha=0.18,
                label=(
                    f"{row['effect']} ({row['low_ng_per_ml']:g}-{row['high_ng_per_ml']:g}); "
                    f"measured after {row['clinical_study']}"
                ),
            )
        peak = b.iloc[3]
        ax.axhline(
            peak["low_ng_per_ml"],
            color="0.45",
            linestyle=":",
            linewidth=1.5,
            label=(
                f"antidepressant infusion, reported peak ({peak['low_ng_per_ml']:g}); "
                f"{peak['clinical_study']}"
            ),
        )
    else:
        ax.text(
            0.01,
            0.02,
            "No effect bands: they were measured after clinical IV regimens only.",
            transform=ax.transAxes,
            fontsize=8,
            style="italic",
        )
    if log_y:
        ax.set_yscale("log")
        ax.set_ylim(1.0, max(ymax, 2400.0) * 1.5)
    else:
        ax.set_ylim(0.0, ymax * 1.1)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("plasma ketamine (ng/mL)")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("Simulated plasma ketamine: NOT A DOSING GUIDE", fontsize=11)


def profile_table(profiles) -> pd.DataFrame:
    """Peak, time of peak and exposure of each profile (``{label: DataFrame}``), one row each."""
    rows = []
    for label, df in profiles.items():
        s = pk.summary(df)
        rows.append(
            {
                "profile": label,
                "cmax_ng_per_ml": round(float(s["cmax_ng_per_ml"]), 1),
                "tmax_min": float(s["tmax_min"]),
                "auc_ng_h_per_ml": round(float(s["auc_ng_min_per_ml"]) / 60.0, 1),
            }
        )
    return pd.DataFrame(rows)


def profile_figure(
    profiles,
    *,
    caption: str,
    table: pd.DataFrame | None = None,
    log_y: bool = True,
    show_bands: bool = True,
) -> plots.FigureWithTable:
    """:func:`draw_profile` on a new figure, paired with a table (default :func:`profile_table`)."""
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(8.0, 4.4))
        draw_profile(ax, profiles, log_y=log_y, show_bands=show_bands)
    return plots.figure_with_table(
        fig, profile_table(profiles) if table is None else table, caption
    )

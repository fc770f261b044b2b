"""Explanatory diagrams drawn in code: synapse, dose-to-synapse chain, compartments, trial designs.

Design notes
------------
- Each function returns a :class:`ketlearn.plots.FigureWithTable`: the picture, a caption, a
  longer text alternative (``alt``) and a table that lists every element the picture shows. A
  reader who cannot see the image gets the same information from the caption and the table, and
  the site's image gets real alt text.
- These are schematics, not data: positions and sizes carry no meaning. The only numbers drawn
  are rate constants read from a :mod:`ketlearn.pk` preset, which carries its own source.
- Pure functions: no widgets, no global matplotlib state (the figure is built on its own
  ``Figure`` object, never through pyplot's current figure).

Examples
--------
>>> from ketlearn.views import diagrams
>>> d = diagrams.chain_diagram()
>>> list(d.table["step"])[:2]
['Dose', 'Plasma']
>>> "not a dosing guide" in d.caption
True
"""

from __future__ import annotations

import pandas as pd

from ..plots import PALETTE, FigureWithTable, figure_with_table

__all__ = [
    "chain_diagram",
    "compartment_diagram",
    "course_map_diagram",
    "synapse_diagram",
    "trial_design_diagram",
]

_DESIGNS = ("parallel", "crossover", "randomised_withdrawal")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _box(ax, x, y, w, h, text, colour, *, fontsize=9, text_colour="black"):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=colour,
            edgecolor="black",
            linewidth=1,
            alpha=0.45,
        )
    )
    ax.text(
        x + w / 2,
        y + h / 2,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        color=text_colour,
        wrap=True,
    )


def _arrow(ax, start, end, label="", *, offset=(0.0, 0.12), both=False, fontsize=8):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "<|-|>" if both else "-|>", "color": "black", "lw": 1.2},
    )
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="bottom", fontsize=fontsize)


def synapse_diagram() -> FigureWithTable:
    """A glutamate synapse with AMPA and NMDA receptors, the Mg²⁺ plug and ketamine's site.

    Returns
    -------
    FigureWithTable
        Table columns ``element`` and ``what_it_does``.

    Examples
    --------
    >>> d = synapse_diagram()
    >>> "Mg²⁺" in " ".join(d.table["element"])
    True
    """
    fig, ax = _figure(8.0, 5.0)
    # Presynaptic terminal with vesicles.
    _box(ax, 2.3, 3.6, 3.4, 1.1, "Presynaptic terminal", "#cfe8f7", fontsize=10)
    for i, x in enumerate((2.9, 3.6, 4.3, 5.0)):
        ax.add_patch(_circle(x, 3.85, 0.12, PALETTE[0]))
        if i == 3:
            ax.text(5.25, 3.85, "vesicles of glutamate", fontsize=8, va="center")
    # Glutamate in the cleft.
    for x in (3.1, 3.5, 4.4, 4.9):
        ax.add_patch(_circle(x, 3.1, 0.06, PALETTE[0]))
    ax.text(5.6, 3.1, "glutamate (+ glycine co-agonist)", fontsize=8, va="center")
    # Postsynaptic membrane.
    ax.add_patch(_rect(0.6, 1.9, 6.8, 0.25, "#dddddd"))
    ax.text(0.6, 2.25, "Postsynaptic membrane", fontsize=9)
    # AMPA receptor.
    ax.add_patch(_rect(2.2, 1.75, 0.5, 0.8, PALETTE[2]))
    ax.text(2.45, 2.7, "AMPA", ha="center", fontsize=9)
    _arrow(ax, (2.45, 1.7), (2.45, 1.0), "Na⁺ in", offset=(0.4, -0.1))
    # NMDA receptor with pore, Mg2+ and ketamine.
    ax.add_patch(_rect(4.6, 1.75, 0.35, 0.8, PALETTE[5]))
    ax.add_patch(_rect(5.15, 1.75, 0.35, 0.8, PALETTE[5]))
    ax.text(5.05, 2.7, "NMDA", ha="center", fontsize=9)
    ax.add_patch(_circle(5.05, 2.35, 0.09, PALETTE[0]))
    ax.text(5.7, 2.45, "Mg²⁺ plug (leaves on depolarisation)", fontsize=8, va="center")
    ax.add_patch(_circle(5.05, 2.0, 0.09, PALETTE[6]))
    ax.text(5.7, 1.6, "ketamine site in the pore (PCP site)", fontsize=8, va="center")
    ax.plot([5.15, 5.65], [2.0, 1.65], color="black", lw=0.6)
    _arrow(ax, (5.05, 1.7), (5.05, 1.0), "Ca²⁺, Na⁺ in", offset=(0.6, -0.1))
    ax.text(
        0.6,
        0.5,
        "Schematic, not to scale. Inside the spine is below the membrane.",
        fontsize=8,
        style="italic",
    )
    table = pd.DataFrame(
        {
            "element": [
                "Presynaptic terminal",
                "Glutamate (with glycine or D-serine)",
                "AMPA receptor",
                "NMDA receptor",
                "Mg²⁺ in the NMDA pore",
                "Ketamine binding site",
            ],
            "what_it_does": [
                "releases glutamate from vesicles when an action potential arrives",
                "binds both receptor types; the NMDA receptor also needs the co-agonist",
                "opens when glutamate binds; its Na⁺ current depolarises the membrane",
                "opens only with glutamate, co-agonist and depolarisation; admits Ca²⁺",
                "blocks the pore at negative potentials; depolarisation drives it out",
                "inside the pore; reached mainly through an open channel",
            ],
        }
    )
    caption = (
        "Schematic glutamate synapse: glutamate released from the presynaptic terminal opens AMPA "
        "receptors (Na⁺ in); the NMDA receptor also needs a co-agonist and depolarisation to expel "
        "its Mg²⁺ plug before Ca²⁺ flows; ketamine binds inside the NMDA receptor's pore."
    )
    alt = (
        "Diagram. At the top a presynaptic terminal holds glutamate vesicles; glutamate dots cross "
        "the cleft. On the postsynaptic membrane below are an AMPA receptor, with an arrow for "
        "sodium entering, and an NMDA receptor whose pore holds a magnesium ion near the outside "
        "and the ketamine binding site deeper inside, with an arrow for calcium entering."
    )
    return figure_with_table(fig, table, caption, alt=alt)


def _circle(x, y, r, colour):
    from matplotlib.patches import Circle

    return Circle((x, y), r, facecolor=colour, edgecolor="black", linewidth=0.8)


def _rect(x, y, w, h, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="black", linewidth=0.8)


def chain_diagram() -> FigureWithTable:
    """The course's dose → plasma → receptor → circuit → synapse chain, with the functions for each step.

    Returns
    -------
    FigureWithTable
        Table columns ``step``, ``quantity``, ``ketlearn`` and ``notebook``.
    """
    steps = [
        ("Dose", "mg/kg, route,\nschedule", "pk.Regimen", "02"),
        ("Plasma", "concentration\n(ng/mL, µM)", "pk.simulate", "02"),
        ("Receptor", "fraction of NMDA\nreceptors blocked", "receptor.inhibition, mg_block", "03"),
        ("Circuit", "interneuron and\npyramidal firing", "circuit.simulate", "03"),
        ("Synapse", "mTORC1 signal,\nspine density\n(illustrative)", "plasticity.simulate", "03"),
    ]
    fig, ax = _figure(10.4, 2.6)
    width, gap = 1.6, 0.45
    for i, (name, quantity, _, _) in enumerate(steps):
        x = 0.3 + i * (width + gap)
        _box(ax, x, 1.0, width, 1.0, f"{name}\n\n{quantity}", PALETTE[(i + 1) % 8], fontsize=8)
        if i:
            _arrow(ax, (x - gap + 0.02, 1.5), (x - 0.02, 1.5))
    ax.text(
        0.3,
        0.35,
        "Each arrow is a model with its own assumptions; the whole chain is "
        "mechanism.chain(regimen). Not a dosing guide.",
        fontsize=8,
        style="italic",
    )
    table = pd.DataFrame(steps, columns=["step", "quantity", "ketlearn", "notebook"])
    table["quantity"] = table["quantity"].str.replace("\n", " ")
    caption = (
        "The dose-to-synapse chain the course models: a dose becomes a plasma concentration, a "
        "fraction of NMDA receptors blocked, a change in circuit firing and an illustrative "
        "synaptic signal. Educational schematic, not a dosing guide."
    )
    alt = "Five boxes left to right joined by arrows: " + "; ".join(
        f"{s} ({q})".replace("\n", " ") for s, q, _, _ in steps
    )
    return figure_with_table(fig, table, caption, alt=alt)


def compartment_diagram(n_compartments: int = 3, preset: str = "domino1984") -> FigureWithTable:
    """A one- or three-compartment model as boxes and labelled arrows.

    Parameters
    ----------
    n_compartments : {1, 3}, default 3
        Which model to draw.
    preset : str, default "domino1984"
        For the three-compartment model, the :mod:`ketlearn.pk` preset whose micro-constants
        label the arrows (default from [@domino1984kinetics]).

    Returns
    -------
    FigureWithTable
        Table columns ``arrow``, ``meaning`` and ``value_per_min`` (empty for the symbolic
        one-compartment model).

    Raises
    ------
    ValueError
        If ``n_compartments`` is not 1 or 3, or the preset has no micro-constants.

    Examples
    --------
    >>> d = compartment_diagram(1)
    >>> list(d.table["arrow"])
    ['ka', 'k']
    >>> d3 = compartment_diagram(3)
    >>> sorted(d3.table["arrow"])
    ['k10', 'k12', 'k13', 'k21', 'k31']
    """
    if n_compartments not in (1, 3):
        raise ValueError(f"n_compartments must be 1 or 3 (compartments); got {n_compartments!r}")
    if n_compartments == 1:
        fig, ax = _figure(7.0, 2.6)
        _box(ax, 0.3, 1.0, 1.6, 0.9, "Dose site\n(gut, nose, muscle)", PALETTE[4], fontsize=8)
        _box(ax, 2.9, 0.9, 1.9, 1.1, "Body\n(one well-mixed\nvolume V)", PALETTE[2], fontsize=8)
        _arrow(ax, (1.95, 1.45), (2.85, 1.45), "ka (absorption, × F)")
        _arrow(ax, (4.85, 1.45), (6.2, 1.45), "k = CL / V (elimination)")
        ax.text(
            0.3,
            0.3,
            "An intravenous dose goes straight into the body box (F = 1).",
            fontsize=8,
            style="italic",
        )
        table = pd.DataFrame(
            {
                "arrow": ["ka", "k"],
                "meaning": [
                    "first-order absorption rate constant; only the fraction F arrives",
                    "elimination rate constant, clearance divided by volume",
                ],
                "value_per_min": [float("nan"), float("nan")],
            }
        )
        caption = (
            "One-compartment model: drug moves from the dose site into one well-mixed volume at "
            "rate ka (only the bioavailable fraction F arrives) and is eliminated at rate k = CL/V."
        )
        alt = (
            "Two boxes: a dose site and the body, joined by an arrow labelled ka; a second arrow "
            "labelled k leaves the body box for elimination."
        )
        return figure_with_table(fig, table, caption, alt=alt)

    from .. import pk

    p = pk.get_preset(preset)
    needed = ("k10_per_min", "k12_per_min", "k21_per_min", "k13_per_min", "k31_per_min")
    if not all(getattr(p, name, 0) for name in needed):
        raise ValueError(
            f"preset must have three-compartment micro-constants (1/min); {preset!r} has not"
        )
    k = {name.split("_")[0]: getattr(p, name) for name in needed}
    fig, ax = _figure(9.0, 4.2)
    _box(ax, 3.4, 1.6, 2.2, 1.0, "1 Central\n(plasma)", PALETTE[2], fontsize=9)
    _box(ax, 0.3, 1.6, 2.0, 1.0, "2 Fast peripheral\n(well perfused)", PALETTE[4], fontsize=8)
    _box(ax, 6.7, 1.6, 2.0, 1.0, "3 Slow peripheral\n(poorly perfused)", PALETTE[1], fontsize=8)
    _arrow(ax, (3.35, 2.3), (2.35, 2.3), f"k12 = {k['k12']:g}", offset=(0, 0.05))
    _arrow(ax, (2.35, 1.9), (3.35, 1.9), f"k21 = {k['k21']:g}", offset=(0, -0.3))
    _arrow(ax, (5.65, 2.3), (6.65, 2.3), f"k13 = {k['k13']:g}", offset=(0, 0.05))
    _arrow(ax, (6.65, 1.9), (5.65, 1.9), f"k31 = {k['k31']:g}", offset=(0, -0.3))
    _arrow(ax, (4.5, 1.55), (4.5, 0.7), f"k10 = {k['k10']:g}", offset=(0.65, 0.1))
    ax.text(4.5, 3.35, "dose (IV into the central compartment)", ha="center", fontsize=8)
    _arrow(ax, (4.5, 3.3), (4.5, 2.65))
    ax.text(
        0.3,
        0.25,
        f"Rate constants in 1/min, {p.label} [{p.source}]. Not a dosing guide.",
        fontsize=8,
        style="italic",
    )
    meanings = {
        "k10": "elimination from the central compartment",
        "k12": "central to fast peripheral",
        "k21": "fast peripheral back to central",
        "k13": "central to slow peripheral",
        "k31": "slow peripheral back to central",
    }
    table = pd.DataFrame(
        {
            "arrow": list(meanings),
            "meaning": list(meanings.values()),
            "value_per_min": [k[a] for a in meanings],
        }
    )
    caption = (
        f"Three-compartment model ({p.label}): drug given into the central (plasma) compartment "
        "exchanges with a fast and a slow peripheral compartment and is eliminated from the "
        "central one; arrows carry the micro rate constants in 1/min."
    )
    alt = (
        "Three boxes in a row: fast peripheral, central and slow peripheral. Paired arrows between "
        "the central box and each peripheral box carry k12/k21 and k13/k31; an arrow down from the "
        "central box carries k10 for elimination. Values are listed in the table."
    )
    return figure_with_table(fig, table, caption, alt=alt)


def trial_design_diagram(design: str) -> FigureWithTable:
    """A parallel, crossover or randomised-withdrawal trial as a timeline of arms.

    Parameters
    ----------
    design : {"parallel", "crossover", "randomised_withdrawal"}

    Returns
    -------
    FigureWithTable
        Table columns ``phase``, ``who`` and ``what_is_compared``.

    Examples
    --------
    >>> d = trial_design_diagram("crossover")
    >>> list(d.table["phase"])
    ['Period 1', 'Wash-out', 'Period 2']
    """
    if design not in _DESIGNS:
        raise ValueError(f"design must be one of {', '.join(_DESIGNS)}; got {design!r}")
    fig, ax = _figure(9.0, 3.0)
    drug, control, neutral = PALETTE[5], PALETTE[2], "#dddddd"
    if design == "parallel":
        ax.text(0.2, 1.45, "Randomise", fontsize=9, va="center")
        _arrow(ax, (1.3, 1.5), (1.9, 2.1))
        _arrow(ax, (1.3, 1.5), (1.9, 0.9))
        _box(ax, 2.0, 1.8, 5.5, 0.6, "Group A: drug throughout", drug)
        _box(ax, 2.0, 0.6, 5.5, 0.6, "Group B: control (placebo or active placebo)", control)
        ax.text(7.7, 1.5, "Compare\ngroups\nat the end", fontsize=9, va="center")
        rows = [
            ("Treatment", "each person gets one treatment", "group A against group B"),
        ]
        caption = (
            "Parallel-group trial: participants are randomised once and each receives one "
            "treatment; the groups are compared at the end."
        )
    elif design == "crossover":
        ax.text(0.2, 1.45, "Randomise\norder", fontsize=9, va="center")
        _box(ax, 1.5, 1.8, 2.6, 0.6, "A: drug", drug)
        _box(ax, 1.5, 0.6, 2.6, 0.6, "B: control", control)
        _box(ax, 4.3, 0.6, 1.0, 1.8, "wash-\nout", neutral, fontsize=8)
        _box(ax, 5.5, 1.8, 2.6, 0.6, "A: control", control)
        _box(ax, 5.5, 0.6, 2.6, 0.6, "B: drug", drug)
        ax.text(8.25, 1.5, "Compare\nwithin\nperson", fontsize=9, va="center")
        rows = [
            ("Period 1", "sequence A gets the drug, B the control", "drug against control"),
            ("Wash-out", "everyone, no treatment", "(lets the first effect fade)"),
            ("Period 2", "the sequences swap", "each person is their own control"),
        ]
        caption = (
            "Crossover trial: each participant receives both treatments in random order, "
            "separated by a wash-out, and acts as their own control."
        )
    else:
        _box(ax, 0.2, 1.2, 2.8, 0.6, "Everyone: open-label drug", drug)
        ax.text(3.15, 2.45, "responders only", fontsize=8)
        _arrow(ax, (3.05, 1.5), (3.6, 2.1))
        _arrow(ax, (3.05, 1.5), (3.6, 0.9))
        _box(ax, 3.7, 1.8, 4.0, 0.6, "continue drug", drug)
        _box(ax, 3.7, 0.6, 4.0, 0.6, "switch to placebo", control)
        ax.text(7.85, 1.5, "Compare\ntime to\nrelapse", fontsize=9, va="center")
        rows = [
            ("Open-label", "everyone enrolled", "nothing yet: who improves?"),
            ("Randomised withdrawal", "only those who improved", "relapse: continue vs stop"),
        ]
        caption = (
            "Randomised-withdrawal (relapse-prevention) trial: everyone starts on the drug, those "
            "who improve are randomised to continue it or switch to placebo, and relapse is "
            "compared; it does not measure the effect of starting treatment."
        )
    table = pd.DataFrame(rows, columns=["phase", "who", "what_is_compared"])
    alt = caption + " Boxes show the arms in time from left to right."
    return figure_with_table(fig, table, caption, alt=alt)


def course_map_diagram() -> FigureWithTable:
    """The eight notebooks as a map of four strands, in the order they build on each other.

    Returns
    -------
    FigureWithTable
        Table columns ``notebook``, ``title``, ``strand`` and ``builds_on``.
    """
    nbs = [
        ("00", "Orientation", "all", ""),
        ("01", "History", "History", "00"),
        ("02", "Pharmacokinetics", "Mechanism", "00"),
        ("03", "NMDA and\nneuroplasticity", "Mechanism", "02"),
        ("04", "Reading trials", "Trials", "00"),
        ("05", "Evidence synthesis", "Trials", "04"),
        ("06", "Media literacy\nand misuse", "Media", "04"),
        ("07", "Capstone", "all", "01, 03, 05, 06"),
    ]
    colours = {
        "all": "#dddddd",
        "History": PALETTE[1],
        "Mechanism": PALETTE[2],
        "Trials": PALETTE[4],
        "Media": PALETTE[5],
    }
    where = {
        "00": (0.3, 2.0),
        "01": (2.6, 3.6),
        "02": (2.6, 2.4),
        "03": (4.9, 2.4),
        "04": (2.6, 1.2),
        "05": (4.9, 1.2),
        "06": (4.9, 0.0),
        "07": (7.3, 2.0),
    }
    fig, ax = _figure(9.6, 4.6)
    ax.set_ylim(-0.3, 4.6)
    w, h = 1.9, 0.8
    for num, title, strand, _ in nbs:
        x, y = where[num]
        _box(ax, x, y, w, h, f"{num} {title}", colours[strand], fontsize=8)
    for num, _, _, builds_on in nbs:
        for src in filter(None, (s.strip() for s in builds_on.split(","))):
            (x0, y0), (x1, y1) = where[src], where[num]
            _arrow(ax, (x0 + w, y0 + h / 2), (x1, y1 + h / 2))
    table = pd.DataFrame(nbs, columns=["notebook", "title", "strand", "builds_on"])
    table["title"] = table["title"].str.replace("\n", " ")
    caption = (
        "Course map: orientation (00) leads into the history (01), mechanism (02, 03), trials "
        "(04, 05) and media (06) strands; the capstone (07) draws on all four."
    )
    alt = caption + " Arrows follow the 'builds_on' column of the table."
    return figure_with_table(fig, table, caption, alt=alt)

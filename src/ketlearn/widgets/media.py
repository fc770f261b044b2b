"""Assignment 06 widgets: a red-flag highlighter and a rubric scoring form.

- :func:`highlight` runs :func:`ketlearn.media.flag_text` and renders the text with each flag
  wrapped in ``<mark>`` plus a bracketed letter code, a legend, and a plain-text table of the
  same flags. The letter codes and the table carry all the information, so nothing depends on
  colour and screen-reader users get the table (``str(result)`` is the plain-text version).
- :class:`RubricForm` is an ipywidgets form with one 0/1/2/n.a. selector per rubric criterion.
  Its computation is :meth:`RubricForm.update` (plain Python, called by the tests), which
  validates the scores through :func:`ketlearn.media.score_text` and returns the printed
  summary.
- :class:`FlagHighlighter` is a text box wired to :func:`highlight`.

Examples
--------
>>> h = highlight("A miracle cure. Book now!")
>>> print(h.table_text())
sentence  code  category        matched
0         [H]   hype            miracle
1         [C]   call_to_action  Book now
>>> "<mark" in h._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .. import media
from ..views.app import App, Control

__all__ = [
    "CODES",
    "FlagHighlighter",
    "Highlight",
    "RubricForm",
    "highlight",
    "highlight_html",
]

CODES: dict[str, str] = {
    "hype": "H",
    "absolute_safety": "S",
    "unsourced_number": "N",
    "vague_authority": "A",
    "speed_permanence": "P",
    "mechanism_proof": "M",
    "risk_dismissal": "D",
    "testimonial": "T",
    "call_to_action": "C",
    "approval_conflation": "R",
}
"""One-letter code shown after each flag (so meaning never depends on colour)."""

# Light tints (Okabe-Ito hues lightened) for the <mark> background; the codes carry the meaning.
_TINTS = ("#FBE3B3", "#CDE9F8", "#B3E2D5", "#FAF6C0", "#B3D4EA", "#F4CCB3", "#F0D7E6")


def _segments(text: str, flags: pd.DataFrame) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping (start, end, categories) spans covering the flagged characters."""
    events = sorted(zip(flags["start"], flags["end"], flags["category"], strict=True))
    merged: list[tuple[int, int, list[str]]] = []
    for a, b, c in events:
        a, b = int(a), int(b)
        if merged and a < merged[-1][1]:
            s, e, cats = merged[-1]
            merged[-1] = (s, max(e, b), cats + ([c] if c not in cats else []))
        else:
            merged.append((a, b, [c]))
    return merged


def highlight_html(text: str, flags: pd.DataFrame | None = None) -> str:
    """HTML for ``text`` with every flag in ``<mark>`` followed by its code, plus a legend.

    Parameters
    ----------
    text : str
        The text that was flagged.
    flags : pandas.DataFrame, optional
        Output of :func:`ketlearn.media.flag_text` for ``text`` (computed if omitted).

    Returns
    -------
    str
        An HTML fragment; the text is escaped, so markup in the input is shown, not run.
    """
    if flags is None:
        flags = media.flag_text(text)
    labels = media.category_labels()
    order = list(CODES)
    parts = []
    pos = 0
    for a, b, cats in _segments(text, flags):
        parts.append(html.escape(text[pos:a]))
        tint = _TINTS[order.index(cats[0]) % len(_TINTS)]
        title = "; ".join(labels[c] for c in cats)
        code = "".join(CODES[c] for c in cats)
        parts.append(
            f'<mark style="background:{tint}" title="{html.escape(title)}">'
            f"{html.escape(text[a:b])}</mark><sup>[{code}]</sup>"
        )
        pos = b
    parts.append(html.escape(text[pos:]))
    body = "".join(parts).replace("\n", "<br>")
    legend = ", ".join(f"[{CODES[c]}] {html.escape(labels[c])}" for c in order)
    n = len(flags)
    return (
        f'<div class="ketlearn-flags"><p>{body}</p>'
        f"<p><small>{n} flag{'s' if n != 1 else ''}. Codes: {legend}. A flag marks wording "
        "to check, not a verdict.</small></p></div>"
    )


@dataclass(frozen=True)
class Highlight:
    """The result of :func:`highlight`: the flags plus HTML and plain-text renderings."""

    text: str
    flags: pd.DataFrame

    def table_text(self) -> str:
        """Plain-text table of the flags (sentence, code, category, matched words)."""
        if self.flags.empty:
            return "No red-flag wording found (this does not mean the text is accurate)."
        rows = [("sentence", "code", "category", "matched")] + [
            (str(int(i)), f"[{CODES[c]}]", str(c), str(m).replace("\n", " "))
            for i, c, m in zip(
                self.flags["sentence"], self.flags["category"], self.flags["matched"], strict=True
            )
        ]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        return "\n".join(
            "  ".join(r[k].ljust(widths[k]) for k in range(3)) + "  " + r[3] for r in rows
        )

    def __str__(self) -> str:
        return self.table_text()

    def _repr_html_(self) -> str:
        table = (
            "<p>No red-flag wording found (this does not mean the text is accurate).</p>"
            if self.flags.empty
            else self.flags[["sentence", "category", "matched", "explanation"]].to_html(
                index=False, escape=True
            )
        )
        return highlight_html(self.text, self.flags) + table

    def _repr_pretty_(self, p, cycle) -> None:  # IPython plain-text display
        p.text(self.table_text())


def highlight(text: str) -> Highlight:
    """Flag ``text`` with :func:`ketlearn.media.flag_text` and return a displayable result.

    In a notebook the result shows the highlighted text, a legend and a table of flags;
    ``print(result)`` gives the plain-text table (for screen readers and logs).

    Raises
    ------
    ValueError
        If ``text`` is not a string.
    """
    flags = media.flag_text(text)
    return Highlight(text, flags)


class FlagHighlighter:
    """A text box and a button: paste a text, see its flags.

    Guiding question: which flags point to a real problem, and which are false alarms?
    """

    def __init__(self, text: str = ""):
        import ipywidgets as widgets

        self.box = widgets.Textarea(
            value=text, description="Text", layout=widgets.Layout(width="100%", height="120px")
        )
        self.button = widgets.Button(description="Flag it")
        self.output = widgets.Output()
        self.button.on_click(lambda _: self._show())
        self.widget = widgets.VBox([self.box, self.button, self.output])
        self.last: Highlight | None = None

    def render(self, text: str | None = None) -> Highlight:
        """Flag ``text`` (default: the box's content); return the :class:`Highlight`."""
        self.last = highlight(self.box.value if text is None else text)
        return self.last

    def _show(self) -> None:
        from IPython.display import HTML, display

        result = self.render()
        self.output.clear_output()
        with self.output:
            display(HTML(result._repr_html_()))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
        self._show()


_SCALE = (("0", 0), ("1", 1), ("2", 2), ("n.a.", None))


class RubricForm(App):
    """One selector per rubric criterion (0, 1, 2 or n.a.) and a running total.

    Guiding question: which criteria drive the total, and would a classmate score them the
    same way?

    Parameters
    ----------
    rubric : pandas.DataFrame, optional
        Defaults to :func:`ketlearn.media.load_rubric`.
    """

    width = "140px"

    def __init__(self, rubric: pd.DataFrame | None = None, *, display_output: bool = True):
        self.rubric = media.load_rubric() if rubric is None else rubric
        super().__init__(display_output=display_output)

    def spec(self) -> list[Control]:
        return [
            Control(str(cid), "choice", 0, str(cid), options=_SCALE)
            for cid in self.rubric["criterion_id"]
        ]

    @property
    def selectors(self) -> dict:
        """The dropdowns, ``{criterion_id: widget}``."""
        return self.controls

    @property
    def scores(self) -> dict[str, int | None]:
        """Current scores, ``{criterion_id: score or None}``."""
        return self.values()

    def arrange(self, controls: list):
        import ipywidgets as widgets

        rows = [
            widgets.HBox([dd, widgets.HTML(f"<b>{name}</b>: {question}")])
            for dd, name, question in zip(
                controls, self.rubric["name"], self.rubric["question"], strict=True
            )
        ]
        return widgets.VBox(rows)

    def compute(self, **scores) -> media.RubricScore:
        return media.score_text(scores, self.rubric)

    def text(self, result: media.RubricScore) -> str:
        return self.summary(result)

    def update(self, scores: Mapping[str, int | None] | None = None) -> str:
        """Set scores (validated by :func:`ketlearn.media.score_text`) and return the summary.

        Raises
        ------
        ValueError
            Unknown or missing criteria, or scores outside the scale; the form is unchanged.
        """
        if scores is None:
            return super().update()
        media.score_text(dict(scores), self.rubric)  # validate before touching widgets
        return super().update(**{str(cid): value for cid, value in dict(scores).items()})

    def summary(self, result: media.RubricScore | None = None) -> str:
        """Total plus the criteria scored 2, e.g. for printing under the form."""
        result = media.score_text(self.scores, self.rubric) if result is None else result
        table = result.table
        high = table[table["score"].fillna(-1) == 2]
        worst = ", ".join(
            f"{c} {n}" for c, n in zip(high["criterion_id"], high["name"], strict=True)
        )
        return result.summary() + ". Scored 2: " + (worst or "none") + "."

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

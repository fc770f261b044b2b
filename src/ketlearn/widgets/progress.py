"""A small progress panel: which self-checks a learner has passed, with a refresh button.

The text comes from :func:`ketlearn.progress.show` (computed by :meth:`ProgressView.refresh`,
which tests call headless); the widget only shows it. Reading progress writes nothing.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from .. import progress

__all__ = ["ProgressView"]


class ProgressView:
    """A refresh button above the progress overview.

    Parameters
    ----------
    path : str or Path, optional
        Progress file to read; by default :func:`ketlearn.progress.progress_file`.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = path
        self._widget = None

    def refresh(self, *_ignored) -> str:
        """Recompute the overview; returns its text (and updates the widget if shown)."""
        with contextlib.redirect_stdout(io.StringIO()):
            text = progress.show(self.path)
        if self._widget is not None:
            self._output.value = text
        return text

    def widget(self):
        """The ipywidgets box (a button and a text area)."""
        import ipywidgets as widgets

        button = widgets.Button(description="Refresh", icon="refresh")
        self._output = widgets.Textarea(
            layout=widgets.Layout(width="100%", height="22em"), disabled=True
        )
        button.on_click(self.refresh)
        self._widget = widgets.VBox([button, self._output])
        self.refresh()
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())

"""Entry point of the ``ketlearn`` console script (instructor tools).

The commands (``ketlearn grade``, ``feedback``, ``export``; :mod:`ketlearn.grading.cli`) need
nbgrader, which comes with the ``instructor`` extra, not with a student's install. Without it,
the script says how to install it instead of failing with a traceback.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = (
    "ketlearn: the instructor tools (ketlearn grade, feedback, export) need nbgrader, which a "
    'student\'s install does not include. Install them with:  pip install "ketlearn[instructor]"'
)


def _missing() -> list[str]:
    return [name for name in ("nbgrader",) if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    """Run ``ketlearn COMMAND ...``, or explain how to install the instructor extra.

    >>> import contextlib, io, unittest.mock as mock
    >>> err = io.StringIO()
    >>> with mock.patch.object(sys.modules[__name__], "_missing", lambda: ["nbgrader"]):
    ...     with contextlib.redirect_stderr(err):
    ...         code = main(["--help"])
    >>> code, 'pip install "ketlearn[instructor]"' in err.getvalue()
    (1, True)
    """
    if _missing():
        print(INSTALL_HINT, file=sys.stderr)
        if argv is None:
            sys.exit(1)
        return 1
    from ketlearn.grading.cli import main as run

    return run(argv)

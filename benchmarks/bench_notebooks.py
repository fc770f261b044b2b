"""Execution time of every source notebook, headless, as the test suite runs them."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    total = 0.0
    for path in sorted((ROOT / "course" / "source").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        seconds = time.perf_counter() - start
        total += seconds
        print(f"{path.parent.name:32s} {seconds:6.1f} s   (target: well under 60 s)")
    print(f"{'all notebooks':32s} {total:6.1f} s")

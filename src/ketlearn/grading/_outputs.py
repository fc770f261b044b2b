"""Worker outputs into notebooks: shared by the gradebook writers (plain and fast).

Private and dependency-light, so :mod:`ketlearn.grading.gradebook` and
:mod:`ketlearn.grading.gradebook_fast` both use it without importing each other in a circle.
"""

from __future__ import annotations

import nbformat

__all__ = ["inject_outputs", "worker_outputs"]


def inject_outputs(nb, outputs: dict) -> None:
    """Put a worker's outputs (notebook cell index -> list of outputs) into ``nb``, in place.

    Code cells are numbered 1, 2, … as a top-to-bottom run would number them.
    """
    for index, cell_outputs in outputs.items():
        cell = nb.cells[int(index)]
        cell.outputs = [nbformat.from_dict(o) for o in cell_outputs]
        for o in cell.outputs:
            if o.output_type == "execute_result":
                o.setdefault("metadata", {})
                o.setdefault("execution_count", None)
            if o.output_type == "display_data":
                o.setdefault("metadata", {})
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count


def worker_outputs(prep, result: dict) -> dict:
    """Notebook cell index -> outputs, from a worker's ``result`` for the prepared notebook."""
    outputs = {}
    for k, idx in enumerate(prep.code_index):
        outputs[idx] = result["cells"].get(str(k), [])
    for gid, idx in prep.test_index.items():
        outputs[idx] = result["items"][gid]["outputs"]
    return outputs

"""Course website: time a full build (`make site`) into a scratch folder. Target: <= 120 s.

Prints the time to execute the student notebooks and the total, with per-notebook seconds.
The browser tests' time (target <= 180 s) is printed by `make browser-test` via pytest --durations.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import build_site

if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="ketlearn-site-") as out:
        result = build_site.build(Path(out), jobs=2)
        for report in result.reports:
            print(f"  execute {report['notebook']}: {report['seconds']:.1f} s")
        print(f"site: notebooks executed and staged in {result.stage_seconds:.1f} s")
        print(f"site: full build {result.seconds:.1f} s (target <= 120 s)")

"""Cold set-up time: a new environment from nothing, as `make lab`/`make test` first do.

Uses a temporary venv and an empty uv cache, so packages come from the registry again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    scratch = Path(tempfile.mkdtemp(prefix="ketlearn-setup-"))
    env = dict(os.environ, VENV=str(scratch / "venv"), UV_CACHE_DIR=str(scratch / "uv-cache"))
    for label in ("cold (empty cache)", "warm (cache filled, new venv)"):
        shutil.rmtree(scratch / "venv", ignore_errors=True)
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", "tools/setup-env.sh"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        print(f"set-up, {label:30s} {seconds:6.1f} s  (exit {done.returncode})")
    shutil.rmtree(scratch, ignore_errors=True)

#!/usr/bin/env bash
# Create or refresh the course environment in .venv (called by `make`; safe to re-run).
#
# Uses uv when it can (already on PATH, or bootstrapped into the venv with pip) because it installs
# this stack about 15x faster than pip; falls back to plain pip. Both read the same pinned lock,
# requirements/lock.txt, and then install ketlearn itself in editable mode without dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
LOCK="requirements/lock.txt"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "ketlearn needs Python >= 3.10; '$PYTHON' is $("$PYTHON" --version 2>&1 || echo missing)." >&2
  echo "Set PYTHON=/path/to/python3.x and try again." >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> Creating $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

UV="${UV:-}"
if [ -z "$UV" ] && [ "${KETLEARN_NO_UV:-0}" != "1" ]; then
  if command -v uv >/dev/null 2>&1; then
    UV="$(command -v uv)"
  elif [ -x "$VENV/bin/uv" ]; then
    UV="$VENV/bin/uv"
  elif "$VPY" -m pip install --quiet uv >/dev/null 2>&1 && [ -x "$VENV/bin/uv" ]; then
    UV="$VENV/bin/uv"
  fi
fi

if [ -n "$UV" ]; then
  echo "==> Installing the locked stack with uv ($("$UV" --version))"
  "$UV" pip install --quiet --python "$VPY" -r "$LOCK"
  "$UV" pip install --quiet --python "$VPY" --no-deps -e .
else
  echo "==> uv not available; installing the locked stack with pip (slower)"
  "$VPY" -m pip install --quiet --upgrade pip
  "$VPY" -m pip install --quiet -r "$LOCK"
  "$VPY" -m pip install --quiet --no-deps -e .
fi
echo "==> Environment ready: $VENV"

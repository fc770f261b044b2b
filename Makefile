# ketlearn: two commands for newcomers (`make lab`, `make test`), plus helpers for authors.
# Every target creates the environment in .venv first if it is missing, and refreshes it only
# when pyproject.toml or the lock file changed.

PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.ketlearn-installed
export PYTHON VENV

# JupyterLab refuses to start as root unless told to.
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)
PORT ?= 8888
LAB_ARGS ?=
# The student view (`make lab`) serves my-work/ only; the instructor view (`make instructor`) serves
# course/. tests/test_browser.py points both at scratch copies. The views are Jupyter configuration
# folders in deploy/jupyter/ (the same ones the JupyterHub deployment uses).
LAB_ROOT ?= $(CURDIR)/my-work
INSTRUCTOR_ROOT ?= $(CURDIR)/course

.PHONY: help env lab instructor test test-fast lint format bench release lock clean site browser-test

help:
	@echo "make lab      open the course in JupyterLab (creates .venv on first run)"
	@echo "make instructor  open the instructor view (course/, nbgrader's formgrader and authoring tools)"
	@echo "make test     run every test (what CI runs); notebook executions are cached in build/cache"
	@echo "make test-fast  unit tests and doctests only (no notebook execution, <= 60 s)"
	@echo "make bench    print timing figures (notebooks, import time, cold set-up)"
	@echo "make release  regenerate course/release from course/source with nbgrader"
	@echo "make site     build the course website into build/site/book/_build/html (offline)"
	@echo "make site SOLUTIONS=1  the same plus the worked solutions, into build/site-solutions (after a deadline)"
	@echo "make browser-test  site + JupyterLab tests in headless Chromium (screenshots: build/browser-artefacts)"
	@echo "make lint     ruff check + format check;  make format  apply ruff format"
	@echo "make lock     re-pin requirements/lock.txt from pyproject.toml (needs uv)"

$(STAMP): pyproject.toml requirements/lock.txt tools/setup-env.sh
	@bash tools/setup-env.sh
	@touch $@

env: $(STAMP)

# Student view: my-work/ only, with nbgrader's assignment list and validate but without the
# formgrader, the course list or Create Assignment (deploy/jupyter/student).
lab: export PATH := $(abspath $(VENV))/bin:$(PATH)
lab: export JUPYTER_CONFIG_PATH := $(CURDIR)/deploy/jupyter/student
lab: $(STAMP)
	@$(VPY) tools/workspace.py "$(LAB_ROOT)"
	cd "$(LAB_ROOT)" && jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/00-orientation/00-orientation.ipynb $(LAB_ARGS)

# Instructor view: the course folder with every nbgrader tool (run nbgrader from this folder).
instructor: export PATH := $(abspath $(VENV))/bin:$(PATH)
instructor: $(STAMP)
	cd "$(INSTRUCTOR_ROOT)" && jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.root_dir=. \
		$(LAB_ARGS)

# Tools, tests and builds run the solutions: they never write a learner's self-check progress
# (~/.ketlearn/progress.json, see src/ketlearn/progress.py); `make lab` and `make instructor` do.
test test-fast bench site browser-test release: export KETLEARN_PROGRESS_FILE := off

# Each run's wall time is kept in build/last-make-test.json (`make bench` prints it).
test: $(STAMP)
	@start=$$(date +%s); \
	$(VPY) -m pytest -n auto --dist loadgroup --durations=30; status=$$?; \
	mkdir -p build; \
	printf '{"seconds": %s, "exit": %s, "finished": "%s", "head": "%s", "cpus": %s}\n' \
	  "$$(( $$(date +%s) - start ))" "$$status" "$$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	  "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$$(nproc)" \
	  > build/last-make-test.json; \
	exit $$status

# The inner loop (target <= 60 s on 2 cores): unit tests and doctests, no notebook execution.
test-fast: $(STAMP)
	$(VPY) -m pytest -m "not slow" -n auto -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(VPY) benchmarks/run_all.py

site: $(STAMP)
	$(VPY) tools/build_site.py $(if $(filter 1,$(SOLUTIONS)),--solutions)

browser-test: $(STAMP)
	$(VPY) -m pytest -p no:cacheprovider tests/test_site.py tests/test_browser.py

release: $(STAMP)
	$(VPY) tools/release.py

lock:
	uv pip compile pyproject.toml --all-extras --universal -p 3.10 -o requirements/lock.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist

# One command per routine task. Run `make help` for the list.
#
# `make lab` and `make test` create .venv when it is missing and install the course
# into it (editable, with the pinned constraints for this Python version); they
# reinstall only when pyproject.toml or the constraints change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Extra arguments for JupyterLab or pytest, e.g. `make test PYTEST_ARGS="-k data"`.
LAB_ARGS ?=
PYTEST_ARGS ?=
# Extra arguments for `make grade`, e.g. GRADE_ARGS="--cell-timeout 120".
GRADE_ARGS ?=
WELCOME := notebooks/00_welcome_and_setup.ipynb
# JupyterLab refuses to start as root unless told; containers and lab images often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# Exact versions for CI's Python live in constraints/py<major><minor>.txt; other
# Python versions resolve from the ranges in pyproject.toml.
PYVER := $(shell $(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")' 2>/dev/null)
CONSTRAINTS := $(wildcard constraints/py$(PYVER).txt)
STAMP := $(VENV)/.course-installed

.PHONY: help install lab test browser test-fast notebook notebooks grade new sync timings handouts site lint doctor constraints clean benchmark-threads

help:
	@echo "make lab              open the course in JupyterLab (installs on first run)"
	@echo "make test             run every test and execute every notebook"
	@echo "make test-fast        unit tests only: no notebooks, nothing marked slow"
	@echo "make notebook NB=04   execute one notebook (by number) as CI does"
	@echo "make notebooks        execute every notebook (on the GPU when there is one), no other tests"
	@echo "make new NB=05        start notebook 05 from the course map in course.toml"
	@echo "make grade DIR=subs   run every check over a folder of students' notebooks (a gradebook)"
	@echo "make sync             regenerate title blocks, badges, navigation and the README table"
	@echo "make timings          record the run times of the last 'make test' into the notebooks"
	@echo "make handouts         student editions (solutions removed) in build/handouts; NB=\"03 04\" for some"
	@echo "make site             executed notebooks as static HTML with an index, in build/site"
	@echo "make lint             ruff on the package, the tests, the tools and the notebooks"
	@echo "make doctor           check that this machine has what the course needs"
	@echo "make doctor HOSTS=\"pc01 pc02\"   the same check on every machine of a lab, over ssh"
	@echo "make benchmark-threads  time notebook NB (default 06) idle and beside a busy process, by thread policy"
	@echo "make constraints      re-pin constraints/py$(PYVER).txt from a fresh install"
	@echo "make clean            remove .venv and build outputs"

install: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[dev]"
	@touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(WELCOME) $(ALLOW_ROOT) $(LAB_ARGS)

# nbval executes every notebook in a fresh kernel of this environment; outputs are not
# compared (--nbval-lax), errors fail the test; the cell timeout only guards against hangs.
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

test: $(STAMP) browser
	$(PY) -m pytest $(NBVAL) tests notebooks $(PYTEST_ARGS)

# The browser test drives the system's Chromium (Debian/Ubuntu package `chromium`). CI installs
# it here; elsewhere the test skips with a message when it is missing. Never a browser download.
CHROMIUM ?= $(or $(COURSE_CHROMIUM),/usr/bin/chromium)
SUDO := $(if $(filter 0,$(shell id -u 2>/dev/null)),,sudo)
browser:
	@if [ -n "$$CI" ] && [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Chromium for the browser test (apt-get)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; } \
			|| echo "Could not install Chromium: tests/test_browser.py will fail and say so."; \
	fi

test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

notebook: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make notebook NB=04"; exit 2; }
	$(PY) -m pytest $(NBVAL) notebooks/$(NB)_*.ipynb $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(PY) -m pytest $(NBVAL) notebooks $(PYTEST_ARGS)

# Every student's notebook in DIR, each in its own sandbox; the gradebook goes to DIR-gradebook.
grade: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make grade DIR=submissions/"; exit 2; }
	$(PY) -m course_utils grade $(DIR) $(GRADE_ARGS)

new: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make new NB=05"; exit 2; }
	$(PY) tools/new_notebook.py $(NB)

sync: $(STAMP)
	$(PY) tools/sync_notebooks.py

timings: $(STAMP)
	$(PY) tools/sync_notebooks.py --record-timings build/benchmarks.json

site: $(STAMP)
	$(PY) tools/build_site.py $(NB)

handouts: $(STAMP)
	$(PY) tools/make_handouts.py $(NB)

# Run on a quiet machine; writes docs/benchmarks/threads.md. About 10 minutes for notebook 06.
benchmark-threads: $(STAMP)
	$(PY) tools/benchmark_threads.py $(or $(NB),06) --write

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests tools notebooks

# `make doctor HOSTS="pc01 pc02"` checks a room of machines over ssh instead: each host must have
# a clone of the course in LAB_DIR (relative to the login's home) set up with `make lab` or `make test`.
LAB_DIR ?= neural-networks-course
ifdef HOSTS
doctor:
	@failed=""; for host in $(HOSTS); do \
		echo "== $$host"; \
		ssh -o BatchMode=yes -o ConnectTimeout=10 "$$host" \
			"cd $(LAB_DIR) && .venv/bin/python -m course_utils doctor" || failed="$$failed $$host"; \
	done; \
	if [ -n "$$failed" ]; then echo "Not ready:$$failed"; exit 1; else echo "All hosts ready."; fi
else
doctor: $(STAMP)
	$(PY) -m course_utils doctor
endif

# Re-pin the exact versions after changing pyproject.toml: a fresh environment resolved
# from the ranges, with torch and torchvision held at the versions CI uses.
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet \
		"torch==$$(sed -n 's/^torch==//p' constraints/py$(PYVER).txt)" \
		"torchvision==$$(sed -n 's/^torchvision==//p' constraints/py$(PYVER).txt)" -e ".[dev]"
	{ sed -n '/^#/p' constraints/py$(PYVER).txt; \
	  build/constraints-venv/bin/python -m pip freeze --exclude-editable | grep -v '^course.utils'; \
	} > constraints/py$(PYVER).txt.new
	mv constraints/py$(PYVER).txt.new constraints/py$(PYVER).txt
	rm -rf build/constraints-venv

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache

# The two commands a researcher needs (see README):
#   make report   set up, then run every notebook on the bundled corpus → figures/ + figures/report.html
#   make test     set up, then run the whole test suite (unit tests, doctests, nbval)
#   make lab      JupyterLab on your own copies of the notebooks in lab/ (the committed ones stay as they are)
# Both create .venv when it is missing and install Debian's chromium and a CJK font when they are missing.

PYTHON ?= python3
VENV   := .venv
# BIN: where python, pytest and jupyter live. Conda users: `make report BIN=$$CONDA_PREFIX/bin`
# (the environment from environment.yml; no .venv is made, nothing is pip-installed).
BIN    ?= $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# JupyterLab refuses to start as root without --allow-root (containers, CI machines, WSL as root).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

.PHONY: setup system report test lab notebooks-sync clean-cache profiles lock

ifeq ($(BIN),$(VENV)/bin)
setup: system $(STAMP)
else
setup: system
	@test -x $(BIN)/python || { echo "make: no python in BIN=$(BIN); create the conda environment first: conda env create -f environment.yml" >&2; exit 1; }
endif

system:
	@bash .ci/system-packages.sh

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

report: setup
	$(BIN)/python -m analysis report > /dev/null   # progress and the report's path go to stderr

# Two workers (fewer on a one-core machine), each taking whole files in the order tests/conftest.py gives:
# the reports first, the notebooks last. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= logical
test: setup
	$(BIN)/python -m pytest -p no:cacheprovider tests analysis docs/hooks notebooks/*.ipynb \
	  --nbval --nbval-sanitize-with notebooks/sanitize.cfg \
	  -n $(TEST_WORKERS) --maxprocesses 2 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# JupyterLab on your own copies in lab/ (git-ignored; made when missing, never overwritten), so autosave
# never touches the committed notebooks; .py files are hidden, so each notebook shows once.
LAB_HIDE := --ContentsManager.hide_globs='["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "*.py", ".ipynb_checkpoints"]'
lab: setup
	$(BIN)/python scripts/lab.py
	$(BIN)/jupyter lab --ServerApp.root_dir=lab $(LAB_HIDE) $(LAB_ARGS)

# After editing a notebook's py:percent file: refresh the .ipynb and re-execute it (outputs are committed).
notebooks-sync: setup
	@for nb in notebooks/[0-9]*.py; do \
	  $(BIN)/jupytext --sync $$nb && \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False $${nb%.py}.ipynb; \
	done

# Rebuild the reference profiles (counts, no text) of ../shared/corpora into corpus/profiles/;
# run after changing the dictionary, stopwords, theme lexicon or the feature code, then commit them.
profiles: setup
	$(BIN)/python -m analysis profiles build ../shared/corpora/*.jsonl --out corpus/profiles --workers 2 > /dev/null

clean-cache:
	rm -rf .cache

# Re-pin every installed package after changing dependencies in pyproject.toml.
lock:
	@{ echo "# Pins for every package in .venv (pip freeze), used as pip constraints by the Makefile so nbval"; \
	   echo "# results are reproducible. Regenerate with: make lock"; \
	   $(BIN)/pip freeze --exclude-editable; } > constraints.txt
	python3 .ci/write-environment.py   # environment.yml: the same pins for conda

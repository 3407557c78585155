# The two commands: `make lab` and `make test`. Each builds .venv on first use and
# reinstalls only when requirements.txt or pyproject.toml changes (the stamp file).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# Tests and CI never touch the network for data: the loaders take their offline path.
export COURSE_OFFLINE ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: lab test unit notebooks browser lint strip clean-notebooks clean venv check student site

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	COURSE_OFFLINE=0 $(BIN)/jupyter lab --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

test: unit notebooks browser lint

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q --ignore=tests/browser

# JupyterLab in Debian's chromium: skipped (with how to enable) when chromium is absent,
# an error when CI=true.
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q -rs -p no:cacheprovider

# Every notebook executed by nbval; tests.footprint fails the run if one wrote into the repo.
notebooks: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -p tests.footprint --nbval-lax --nbval-cell-timeout=300 notebooks

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests benchmarks notebooks

# Workshop pre-flight: versions, imports, a tiny Keras fit, a widget render, offline data.
check: $(STAMP)
	$(BIN)/python -m course_utils.environment

# Copies of the notebooks without worked solutions, in student/ (never overwrites edits).
student: $(STAMP)
	$(BIN)/python -m course_utils.workshop student

# Every chapter executed to HTML (pictures included) and a slide deck per chapter, in site/.
site: $(STAMP)
	$(BIN)/python -m course_utils.workshop site

# Remove outputs, execution counts and widget state from every notebook.
strip clean-notebooks: $(STAMP)
	$(BIN)/python -m course_utils.hygiene --strip notebooks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info notebooks/outputs

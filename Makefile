# The two commands: `make lab` and `make test`. Each builds .venv on first use and
# reinstalls only when requirements.txt or pyproject.toml changes (the stamp file).
# The pins need Python 3.11 to 3.13 (Keras 3.15 and NumPy 2.4 need 3.11; TensorFlow 2.21 has
# wheels up to 3.13): use the first such interpreter on the PATH, or name one with PYTHON=.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
PYTHON ?= $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,\
            $(shell $(p) -c '$(SUPPORTED)' >/dev/null 2>&1 && echo $(p))))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT   ?= 8888
# Extra JupyterLab options, e.g. LAB_ARGS=--ip=0.0.0.0 inside a Docker container.
LAB_ARGS ?=
# Tests and CI never touch the network for data: the loaders take their offline path.
export COURSE_OFFLINE ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0

.PHONY: lab lab-student wheelhouse test unit notebooks browser lint strip clean-notebooks clean venv check student site

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { \
	  if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c '$(SUPPORTED)' 2>/dev/null; then \
	    echo "The course needs Python 3.11, 3.12 or 3.13; $(or $(PYTHON),python3) is" \
	      "$$($(or $(PYTHON),python3) --version 2>/dev/null || echo not installed)." >&2; \
	    echo "Install one (Ubuntu: sudo apt install python3.11 python3.11-venv), or use conda" \
	      "(conda env create -f environment.yml), or name it: make lab PYTHON=/path/to/python3.12" >&2; \
	    exit 1; \
	  fi; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m course_utils.server
	@touch $(STAMP)

# Tests, lint and browser tests need the developer packages too (attendees never do).
$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(DEV_STAMP)

# Offline and on the digits by default: every laptop shows the same numbers and nothing
# downloads in the room. `make lab REAL_DATA=1` uses real MNIST in chapter 10 (from the cache
# `make check` filled, or a short download).
REAL_DATA ?= 0
lab: $(STAMP)
	COURSE_REAL_DATA=$(REAL_DATA) COURSE_OFFLINE=$(if $(filter 1,$(REAL_DATA)),0,1) $(BIN)/jupyter lab --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/00_welcome.ipynb

test: unit notebooks browser lint

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest tests -q --ignore=tests/browser

# JupyterLab in Debian's chromium: skipped (with how to enable) when chromium is absent,
# an error when CI=true.
browser: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/browser -q -rs -p no:cacheprovider

# Every notebook executed by nbval; tests.footprint fails the run if one wrote into the repo.
notebooks: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -p tests.footprint --nbval-lax --nbval-cell-timeout=300 notebooks

lint: $(DEV_STAMP)
	$(BIN)/ruff check course_utils tests benchmarks notebooks tools

# Workshop pre-flight: versions, imports, a tiny Keras fit, a widget render, offline data.
# Run it days before a workshop: it also downloads and hash-checks MNIST and Fashion-MNIST
# once (for REAL_DATA=1), so nothing needs the network on the day.
check: $(STAMP)
	COURSE_OFFLINE=0 $(BIN)/python -m course_utils.environment --fetch-data

# The instructor's offline install: every wheel attendees need, per platform, for a USB stick.
# `make wheelhouse PLATFORMS="windows macos-arm64 linux-x86_64" PYVER=3.12`; attendees then run
# `python3 tools/wheelhouse.py install <folder>` (no network) and `make lab`.
wheelhouse:
	$(PYTHON) tools/wheelhouse.py download $(foreach p,$(PLATFORMS),--platform $(p)) $(if $(PYVER),--python-version $(PYVER))

# Copies of the notebooks without worked solutions, in student/ (never overwrites edits).
student: $(STAMP)
	$(BIN)/python -m tools.workshop student

# What attendees run in a workshop: their copies without solutions, opened in JupyterLab.
lab-student: $(STAMP)
	@folder=$$($(BIN)/python -m tools.workshop student --path-only) && \
	  echo "Opening your copies in $$folder/ (the worked solutions are with your instructor)" && \
	  COURSE_REAL_DATA=$(REAL_DATA) COURSE_OFFLINE=$(if $(filter 1,$(REAL_DATA)),0,1) \
	  $(BIN)/jupyter lab --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) $$folder/00_welcome.ipynb

# Every chapter executed to HTML (pictures included) and a slide deck per chapter, in site/.
site: $(STAMP)
	$(BIN)/python -m tools.workshop site

# Remove outputs, execution counts and widget state from every notebook.
strip clean-notebooks: $(DEV_STAMP)
	$(BIN)/python -m tools.hygiene --strip notebooks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info notebooks/outputs

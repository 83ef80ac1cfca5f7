# The two commands that do everything: `make run` and `make test`.
# Both install what a fresh Debian machine lacks (system libraries for Qt, a .venv with pinned
# packages) and do nothing again when nothing changed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.stamps
export LANG ?= C.UTF-8
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest build bench screenshots clean system-run system-test

run: system-run $(STAMPS)/run
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ] && [ -z "$${QT_QPA_PLATFORM:-}" ]; then \
	  echo "No display found: LinkDesk runs offscreen (set DISPLAY, or use 'make screenshots')."; \
	  export QT_QPA_PLATFORM=offscreen; fi; \
	$(BIN)/python -m desktop gui

test: system-test $(STAMPS)/test lint typecheck pytest

system-run:
	@scripts/system-deps.sh run

system-test:
	@scripts/system-deps.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,build,hub]'
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/run

lint: $(STAMPS)/test
	$(BIN)/ruff check desktop tests bench scripts
	$(BIN)/ruff format --check desktop tests bench scripts

typecheck: $(STAMPS)/test
	$(BIN)/mypy

pytest: $(STAMPS)/test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

build: system-test $(STAMPS)/test
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller build.spec
	QT_QPA_PLATFORM=offscreen dist/linkdesk/linkdesk gui --smoke
	dist/linkdesk/linkdesk doctor

bench: system-test $(STAMPS)/test
	@for b in bench/*.py; do case $$b in bench/_*) continue;; esac; \
	  echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b; done

screenshots: system-test $(STAMPS)/test
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache

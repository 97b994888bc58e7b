# Deep Neural Networks from Scratch: one Makefile for readers, students, instructors and CI.
# The two commands a fresh machine needs are `make book` and `make test` (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: help install book book-clean serve test test-fast lint format chromium clean

help:  ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP)  ## create .venv and install everything (book, nbgrader, tests)

book: $(STAMP)  ## build the book strictly, executing every notebook (cached)
	$(BIN)/jupyter-book build --all -W -n --keep-going .
	@echo
	@echo "The book is at file://$(CURDIR)/_build/html/index.html  (or: make serve)"

book-clean:  ## forget built pages and the execution cache
	rm -rf _build

serve: book  ## build, then serve the book on http://127.0.0.1:$(PORT)
	@echo "Serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

chromium:  ## make sure Debian's chromium is there for the browser tests
	@bash tools/ensure_chromium.sh

test: $(STAMP) chromium book  ## set up, build the book, run the whole test suite
	$(BIN)/pytest

test-fast: $(STAMP)  ## only the quick unit tests of dnn_ref and the grader
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .

clean: book-clean  ## remove build products (keeps .venv)
	rm -rf .pytest_cache .ruff_cache test-artifacts

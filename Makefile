# Deep Neural Networks from Scratch: one Makefile for readers, students, instructors and CI.
# The two commands a fresh machine needs are `make book` and `make test` (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: help install book book-clean serve test test-fast lint format chromium clean grade-class student bubblewrap

help:  ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@# build matplotlib's font cache now, not as stderr noise in the first executed cell
	$(PY) -c "import matplotlib.pyplot"
	@touch $@

install: $(STAMP)  ## create .venv and install everything (book, nbgrader, tests)

book: $(STAMP)  ## build the book strictly, executing every notebook (cached)
	@# jupyter-cache re-runs a chapter only when its own code changes; an edit of dnn_ref
	@# changes outputs too, so a new dnn_ref source hash empties the execution cache.
	@h=$$(find dnn_ref -name "*.py" | sort | xargs cat | sha256sum | cut -c1-16); \
	if [ "$$(cat _build/.dnn_ref_hash 2>/dev/null)" != "$$h" ]; then \
	  rm -rf _build/.jupyter_cache; mkdir -p _build; echo "$$h" > _build/.dnn_ref_hash; fi
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

bubblewrap:  ## make sure Debian's bubblewrap is there: graded notebooks run in its sandbox
	@bash tools/ensure_bubblewrap.sh

# Student code is graded only inside the bubblewrap sandbox (autograder/sandbox/);
# UNSANDBOXED=1 is the instructor's explicit opt-out where bwrap cannot run.
install test autograde grade-class: $(if $(UNSANDBOXED),,bubblewrap)

student: $(STAMP)  ## JupyterLab as a student gets it: Validate, no instructor tools (student/jupyter_config)
	JUPYTER_CONFIG_DIR="$(CURDIR)/student/jupyter_config" $(BIN)/jupyter lab

test: $(STAMP) chromium book  ## set up, build the book, run the whole test suite
	$(BIN)/pytest

test-fast: $(STAMP)  ## only the quick unit tests of dnn_ref and the grader
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .

clean: book-clean  ## remove build products (keeps .venv)
	rm -rf .pytest_cache .ruff_cache test-artifacts

# --- Instructors: the nbgrader assignments (see "For instructors" in README.md) ------------
# Thin wrappers over the nbgrader command line; the course folder is this directory
# (nbgrader_config.py). nbgrader runs `alembic` from PATH when it creates gradebook.db,
# hence the PATH in front.
ASSIGNMENTS := forward graphs backprop
ASSIGNMENT  ?= backprop
NBGRADER    := PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/nbgrader

.PHONY: release collect-zip collect autograde feedback grades
.PHONY: grades-canvas report

# assignments/<a>.md (MyST markdown, edited as a notebook in JupyterLab) is the source.
# jupytext --update keeps the committed notebook's cell ids and metadata, so an
# unchanged source gives a byte-identical solutions/<a>/<a>.ipynb.
release: $(STAMP)  ## assignments/<a>.md -> solutions/<a>/<a>.ipynb (jupytext) -> exercises/ (nbgrader generate_assignment)
	@for a in $(ASSIGNMENTS); do \
	  mkdir -p solutions/$$a && \
	  $(BIN)/jupytext --quiet --update --to ipynb assignments/$$a.md -o solutions/$$a/$$a.ipynb && \
	  $(NBGRADER) generate_assignment $$a --force --log-level=WARN && \
	  echo "released $$a: exercises/$$a/$$a.ipynb" || exit 1; \
	done
	@$(PY) -m autograder secret  # the hidden tests' seed: .course_secret, never in git or exercises/

collect-zip: $(STAMP)  ## ZIP=canvas.zip ASSIGNMENT=backprop: submissions from an LMS zip
	@test -n "$(ZIP)" || { echo "usage: make collect-zip ZIP=submissions.zip ASSIGNMENT=backprop"; exit 2; }
	@test -f gradebook.db || $(MAKE) --no-print-directory release
	rm -rf downloaded/$(ASSIGNMENT)
	mkdir -p downloaded/$(ASSIGNMENT)/archive
	cp "$(ZIP)" downloaded/$(ASSIGNMENT)/archive/
	$(NBGRADER) zip_collect $(ASSIGNMENT) --force

collect: $(STAMP)  ## DIR=folder: submissions laid out folder/<student>/<assignment>/*.ipynb
	@test -n "$(DIR)" || { echo "usage: make collect DIR=folder  (folder/<student>/<assignment>/<assignment>.ipynb)"; exit 2; }
	@test -f gradebook.db || $(MAKE) --no-print-directory release
	@for a in $(ASSIGNMENTS); do \
	  ls "$(DIR)"/*/$$a/*.ipynb >/dev/null 2>&1 || continue; \
	  rm -rf downloaded/$$a && mkdir -p downloaded/$$a/archive && \
	  (cd "$(DIR)" && cp -R --parents */$$a "$(CURDIR)/downloaded/$$a/archive/") && \
	  $(NBGRADER) zip_collect $$a --force \
	    --FileNameCollectorPlugin.named_regexp='.*/(?P<student_id>[^/]+)/'$$a'/(?P<file_id>[^/]+)\.ipynb$$' \
	    || exit 1; \
	done

autograde: $(STAMP)  ## ASSIGNMENT=backprop [UNSANDBOXED=1]: run and score every collected submission, in the sandbox
	@test -f gradebook.db || $(MAKE) --no-print-directory release
	@$(PY) -m autograder preflight $(if $(UNSANDBOXED),--unsandboxed)
	$(NBGRADER) autograde $(ASSIGNMENT) --force $(if $(UNSANDBOXED),--SandboxedExecute.unsandboxed=True)

feedback: $(STAMP)  ## ASSIGNMENT=backprop: one HTML report per student, in feedback/
	$(NBGRADER) generate_feedback $(ASSIGNMENT) --force

grades: $(STAMP)  ## grades.csv: graded assignments only, with status and late columns
	$(NBGRADER) export --to grades.csv

grades-canvas: $(STAMP)  ## [ROSTER=canvas-export.csv]: grades-canvas.csv for Canvas's gradebook import
	$(NBGRADER) export --exporter=autograder.lms.canvas.CanvasExport --to grades-canvas.csv \
	  $(if $(ROSTER),--CanvasExport.roster="$(ROSTER)")

report: $(STAMP)  ## ASSIGNMENT=backprop: the class misconception and similarity report, in report/
	$(PY) -m autograder report $(ASSIGNMENT) --out report/$(ASSIGNMENT)


grade-class: $(STAMP)  ## ASSIGNMENT=backprop [WORKERS=n] [SCHEDULER=tcp://host:8786] [UNSANDBOXED=1]: grade the whole class in parallel, then grades.csv
	@test -f gradebook.db || $(MAKE) --no-print-directory release
	PATH="$(CURDIR)/$(BIN):$$PATH" $(PY) -m autograder grade-class $(ASSIGNMENT) $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(UNSANDBOXED),--unsandboxed) --csv grades.csv
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
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@# build matplotlib's font cache now, not as stderr noise in the first executed cell
	$(PY) -c "import matplotlib.pyplot"
	@touch $@

install: $(STAMP)  ## create .venv and install everything (book, nbgrader, tests)

book: book-en  ## build both editions strictly (English, then Portuguese), executing every notebook (cached)
	@$(MAKE) --no-print-directory book-pt
	@echo
	@echo "The book is at file://$(CURDIR)/_build/html/index.html  (or: make serve)"
	@echo "Em português:  file://$(CURDIR)/_build/html/pt/index.html"

book-cache: $(STAMP)
	@# jupyter-cache re-runs a chapter only when its own code changes; an edit of dnn_ref
	@# or of the figure labels' translations (figures.po: every figure is drawn once per
	@# edition's language) changes outputs too, so a new hash of them empties the cache.
	@h=$$(find dnn_ref locale -name "*.py" -o -name "figures.po" | sort | xargs cat | sha256sum | cut -c1-16); \
	if [ "$$(cat _build/.dnn_ref_hash 2>/dev/null)" != "$$h" ]; then \
	  rm -rf _build/.jupyter_cache; mkdir -p _build; echo "$$h" > _build/.dnn_ref_hash; fi

book-en: book-cache  ## the English edition only, into _build/html/
	$(BIN)/jupyter-book build --all -W -n --keep-going .

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
	JUPYTER_CONFIG_DIR="$(CURDIR)/student/jupyter_config" $(BIN)/jupyter lab \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

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
# hence the PATH in front. `make collect` copies links as links (cp -P, a linked student
# folder too), so autograder/lms/extract.py refuses them instead of following them.
ASSIGNMENTS := forward graphs backprop
ASSIGNMENT  ?= backprop
NBGRADER    := PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/nbgrader
# Every target that takes ASSIGNMENT= checks it first (autograder/lms/assignments.py): a
# mistyped name stops with the valid names in one line; a missing, empty or unreleased
# gradebook.db is released first (exit 3), so no target starts from a half-made course.
CHECK_ASSIGNMENT = @$(PY) -m autograder assignments --check $(1) || { rc=$$?; \
	if [ $$rc = 3 ]; then $(MAKE) --no-print-directory release; else exit $$rc; fi; }

.PHONY: release collect-zip collect autograde feedback grades
.PHONY: grades-canvas report assignments

assignments: $(STAMP)  ## list the course's assignments (the names ASSIGNMENT= takes)
	@echo "assignments: $$($(PY) -m autograder assignments)"

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
	@test -f "$(ZIP)" || { echo "make collect-zip: no file $(ZIP)"; exit 2; }
	$(call CHECK_ASSIGNMENT,$(ASSIGNMENT))
	rm -rf downloaded/$(ASSIGNMENT)
	mkdir -p downloaded/$(ASSIGNMENT)/archive
	cp "$(ZIP)" downloaded/$(ASSIGNMENT)/archive/
	$(NBGRADER) zip_collect $(ASSIGNMENT) --force

collect: $(STAMP)  ## DIR=folder: submissions laid out folder/<student>/<assignment>/*.ipynb
	@test -n "$(DIR)" || { echo "usage: make collect DIR=folder  (folder/<student>/<assignment>/<assignment>.ipynb)"; exit 2; }
	$(call CHECK_ASSIGNMENT,$$(for a in $(ASSIGNMENTS); do ls "$(DIR)"/*/$$a/* >/dev/null 2>&1 && echo $$a; done))
	@for a in $(ASSIGNMENTS); do \
	  ls "$(DIR)"/*/$$a/*.ipynb >/dev/null 2>&1 || continue; \
	  rm -rf downloaded/$$a && mkdir -p downloaded/$$a/archive && \
	  (cd "$(DIR)" && for s in */; do s=$${s%/}; \
	    if [ -L "$$s" ]; then cp -P --parents "./$$s" "$(CURDIR)/downloaded/$$a/archive/"; \
	    elif [ -e "$$s/$$a" ] || [ -L "$$s/$$a" ]; then \
	      cp -R -P --parents "./$$s/$$a" "$(CURDIR)/downloaded/$$a/archive/"; fi; done) && \
	  $(NBGRADER) zip_collect $$a --force \
	    --FileNameCollectorPlugin.named_regexp='^/(?P<student_id>[^/]+)/'$$a'/(?P<file_id>[^/]+)\.[^./]+$$' \
	    || exit 1; \
	done

autograde: $(STAMP)  ## ASSIGNMENT=backprop [UNSANDBOXED=1]: run and score every collected submission, in the sandbox
	$(call CHECK_ASSIGNMENT,$(ASSIGNMENT))
	@$(PY) -m autograder preflight $(if $(UNSANDBOXED),--unsandboxed)
	$(NBGRADER) autograde $(ASSIGNMENT) --force $(if $(UNSANDBOXED),--SandboxedExecute.unsandboxed=True)

feedback: $(STAMP)  ## ASSIGNMENT=backprop: one HTML report per student, in feedback/
	$(call CHECK_ASSIGNMENT,$(ASSIGNMENT))
	$(NBGRADER) generate_feedback $(ASSIGNMENT) --force

grades: $(STAMP)  ## grades.csv: graded assignments only, with status and late columns
	$(NBGRADER) export --to grades.csv

grades-canvas: $(STAMP)  ## [ROSTER=canvas-export.csv]: grades-canvas.csv for Canvas's gradebook import
	$(NBGRADER) export --exporter=autograder.lms.canvas.CanvasExport --to grades-canvas.csv \
	  $(if $(ROSTER),--CanvasExport.roster="$(ROSTER)")

report: $(STAMP)  ## ASSIGNMENT=backprop: the class misconception and similarity report, in report/
	$(call CHECK_ASSIGNMENT,$(ASSIGNMENT))
	PATH="$(CURDIR)/$(BIN):$$PATH" $(PY) -m autograder report $(ASSIGNMENT) --out report/$(ASSIGNMENT)


grade-class: $(STAMP)  ## ASSIGNMENT=backprop [WORKERS=n] [SCHEDULER=tls://host:8786] [UNSANDBOXED=1]: grade the whole class in parallel, then grades.csv
	$(call CHECK_ASSIGNMENT,$(ASSIGNMENT))
	PATH="$(CURDIR)/$(BIN):$$PATH" $(PY) -m autograder grade-class $(ASSIGNMENT) $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(UNSANDBOXED),--unsandboxed) --csv grades.csv

# --- The Portuguese edition (issue 18) -------------------------------------------------------
# English is the source; the Portuguese text is in locale/pt_BR/LC_MESSAGES/book/<page>.po.
# jupyter-book 1 cannot pass -D language (jupyter-book #1791): book-pt builds with
# _build/_config.pt.yml, which is _config.yml with `language: en` set to pt_BR, made anew at
# every build by tools/edition_config.py. Same execution cache (keyed on code): no cell runs
# twice. The pages are built in _build/pt/ and copied to _build/html/pt/, next to the English.
PT_CONFIG := _build/_config.pt.yml
PT_TOC    := _build/_toc.pt.yml
POT_DIR   := _build/gettext/_build/gettext
PT_PO_DIR := locale/pt_BR/LC_MESSAGES

.PHONY: book-en book-cache book-pt i18n-pot i18n-update i18n-check

book-pt: book-cache  ## the Portuguese edition only, strictly, into _build/html/pt/
	$(PY) tools/edition_config.py pt_BR $(PT_CONFIG) $(PT_TOC)
	$(BIN)/jupyter-book build --all -W -n --keep-going --config $(PT_CONFIG) --toc $(PT_TOC) --path-output _build/pt .
	rm -rf _build/html/pt
	mkdir -p _build/html
	cp -R _build/pt/_build/html _build/html/pt

# The English messages (.pot, one per page) from the gettext builder, in cache mode so the
# captions kept in cells' metadata are extracted too; its own folder (a doctree folder cannot
# be shared with the HTML builds).
i18n-pot: book-cache
	rm -rf _build/gettext
	$(BIN)/jupyter-book build --all -W -n --keep-going --builder custom --custom-builder gettext --path-output _build/gettext .

# Figure labels (axis labels, titles, legends, slider titles) are not in the pages' text: every
# figure is drawn once per language while the book runs (dnn_ref/figures/editions.py), and each
# build writes the labels it met to _build/figure_labels.json; their catalogue is
# locale/pt_BR/LC_MESSAGES/figures.po (tools/figure_labels.py).
i18n-update: i18n-pot book-en  ## after editing English pages: refresh the .po files (a changed paragraph becomes fuzzy and keeps its old English; new figure labels are added)
	$(PY) tools/i18n_catalogues.py update $(POT_DIR) $(PT_PO_DIR)
	$(PY) tools/figure_labels.py update

i18n-check: i18n-pot book-en  ## per page translated/fuzzy/untranslated against the current English, figure labels too; fails unless all is translated
	$(PY) tools/i18n_catalogues.py check $(PT_PO_DIR) --pot $(POT_DIR)
	$(PY) tools/figure_labels.py check

# --- What students read outside the book, in Portuguese (issue 18) ---------------------------
# COURSE_LANGUAGE=pt_BR make release writes Portuguese exercises (metadata.dnn.language); the
# grader, feedback and `COURSE_LANGUAGE=pt_BR make report` follow it; a student may set
# DNN_LANGUAGE=pt_BR (or en) in their kernel. Catalogues: locale/pt_BR/LC_MESSAGES/dnn_ref.po
# (dnn_ref's and the grader's messages; compiled into dnn_ref/locale) and assignments.po.
.PHONY: i18n-students i18n-students-check
i18n-students: $(STAMP)  ## after editing English messages or assignments/*.md: refresh both catalogues (changed = fuzzy), compile the .mo
	$(PY) tools/student_messages.py update
	$(PY) tools/student_messages.py compile

i18n-students-check: $(STAMP)  ## fails while a student-facing message or instruction is untranslated or fuzzy
	$(PY) tools/student_messages.py check

# --- The course hub (issue 15): JupyterHub + nbgrader's exchange on this server -------------
# autograder/hub/ is the code, hub/ the runtime state (git-ignored), book/guides/course_hub.md
# the guide. `make hub` needs root (PAM log-in, servers started as each user). The hub's own
# environment hub/venv is built from HUB_PYTHON, which every account must be able to run
# (a Python under /root is not); configurable-http-proxy goes to hub/node_modules.
HUB_PYTHON ?= $(firstword $(wildcard /usr/bin/python3 /usr/local/bin/python3) python3)
HUB_PY     := hub/venv/bin/python
HUB_STAMP  := hub/venv/.installed
HUB_CHP    := hub/node_modules/.bin/configurable-http-proxy
.PHONY: hub hub-users

$(HUB_STAMP): hub/requirements.txt requirements.txt pyproject.toml
	@runuser -u nobody -- $(HUB_PYTHON) -c "" 2>/dev/null || { echo "make hub: $(HUB_PYTHON) \
	  cannot be run by other accounts (is it under /root?): pass HUB_PYTHON=<a python3.11+ all can run>"; exit 2; }
	@test -x $(HUB_PY) || $(HUB_PYTHON) -m venv hub/venv || { echo "make hub: no venv module \
	  in $(HUB_PYTHON): apt-get install python3-venv"; exit 2; }
	$(HUB_PY) -m pip install --quiet --upgrade pip
	$(HUB_PY) -m pip install --quiet -r hub/requirements.txt
	$(HUB_PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(HUB_CHP):
	npm install --prefix hub --no-audit --no-fund --no-save --loglevel=error configurable-http-proxy@4

hub: $(HUB_STAMP) $(HUB_CHP) bubblewrap  ## [PORT=8000] [HUB_IP=0.0.0.0]: run the course's JupyterHub (foreground, root; see book/guides/course_hub.md)
	@test -f gradebook.db || $(MAKE) --no-print-directory release
	DNN_COURSE_ROOT="$(CURDIR)" $(HUB_PY) -m autograder.hub.setup
	cd hub && HUB_PORT=$(PORT) HUB_IP=$(HUB_IP) DNN_COURSE_ROOT="$(CURDIR)" \
	  exec venv/bin/jupyterhub -f jupyterhub_config.py

hub-users: $(HUB_STAMP)  ## STUDENTS="ana bruno" | ROSTER=roster.csv [INSTRUCTORS=marta]: hub accounts; passwords in hub/passwords.csv
	DNN_COURSE_ROOT="$(CURDIR)" $(HUB_PY) -m autograder.hub.accounts \
	  $(if $(STUDENTS),--students "$(STUDENTS)") $(if $(ROSTER),--roster "$(ROSTER)") \
	  $(if $(INSTRUCTORS),--instructors "$(INSTRUCTORS)")

# --- The whole book as one PDF per edition (issue 17) ----------------------------------------
# tools/book_pdf.py prints every page of a built edition with Debian's chromium (as the browser
# tests drive it), in the order of its table of contents, and joins the pages with poppler's
# pdfunite into dnn-from-scratch.pdf at the root of that edition's site, which its pages link
# to: _build/html/dnn-from-scratch.pdf (English) and _build/html/pt/dnn-from-scratch.pdf
# (Portuguese, from _build/html/pt with its own $(PT_TOC)). make test builds both, and
# tests/book/test_book_pdf.py checks them (every chapter, its figures and equations, the language).
BOOK_PDF    := _build/html/dnn-from-scratch.pdf
BOOK_PDF_PT := _build/html/pt/dnn-from-scratch.pdf

.PHONY: pdf poppler

poppler:  ## make sure Debian's poppler-utils (pdfunite, pdftotext, pdfimages) is there
	@bash tools/ensure_poppler.sh

pdf: book chromium poppler  ## the whole book as one PDF per edition: dnn-from-scratch.pdf in _build/html/ and _build/html/pt/
	$(PY) tools/book_pdf.py _build/html $(BOOK_PDF)
	$(PY) tools/book_pdf.py _build/html/pt $(BOOK_PDF_PT) --toc $(PT_TOC)

test: pdf

# --- The student kit (issue 15): what an instructor hands out ------------------------------
# autograder/kit/ writes dist/student-kit/ and dist/student-kit.zip: the released exercises, a
# wheel of the student edition of dnn_ref (graded functions stubbed; the checks answer the
# visible cases from tables; the dnn-course-lab command) and a README; the kit is scanned for
# solutions, hidden tests and the secret before it is kept. An assignment's answers ship only
# once it is CLOSED: backprop's notebook imports forward's functions, so the kit with backprop
# is make student-kit KIT_ASSIGNMENTS="forward graphs backprop" CLOSED=forward.
KIT_ASSIGNMENTS ?= forward graphs
CLOSED          ?=
.PHONY: student-kit

student-kit: $(STAMP) release  ## [KIT_ASSIGNMENTS="forward graphs"] [CLOSED=forward]: dist/student-kit/ and its zip, for students
	$(PY) -m autograder.kit.build --assignments $(KIT_ASSIGNMENTS) \
	  $(if $(CLOSED),--closed $(CLOSED)) --out dist

"""The words the theme and myst-nb put around a page, in the edition's language.

A page's own text comes from its catalogue; what surrounds it comes from the
themes and extensions, and reaches a reader as tooltips, image descriptions and
screen-reader labels. Three routes bring it into the edition's language:

* sphinx-book-theme's words (the launch and download buttons' tooltips, "By"
  before the authors) are messages of its ``booktheme`` domain. Its
  Portuguese catalogue is European and partial ("Lançamento" for *Launch*), so
  ``locale/<lang>/LC_MESSAGES/booktheme.po`` (compiled by Sphinx like every
  catalogue there) is put first and the theme's own stays as the fallback.
* A few of the theme's components write their labels without ``_()``
  ("Toggle primary sidebar", "Main"); ``book/_templates/`` holds
  copies of them that pass the labels through Sphinx's ``sphinx`` domain,
  whose messages are in ``locale/<lang>/LC_MESSAGES/sphinx.po``.
* myst-nb writes ``aria-label="Toggle hidden content"`` on a hidden cell's
  summary in Python; its HTML visitor is wrapped to write the translated label.
  sphinx-togglebutton's script writes the same label on the buttons it adds
  when the page loads; a line of script gives them the translated one after.

The English edition is unchanged: every message is its own English text.
"""

from __future__ import annotations

import gettext
import html
import json
from pathlib import Path

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.locale import _, translators
from sphinx.util.i18n import CatalogRepository
from sphinx.writers.html5 import HTML5Translator

#: sphinx-book-theme's message domain.
BOOK_THEME = "booktheme"
#: The templates that translate the labels the theme's own write in English.
TEMPLATES = Path(__file__).resolve().parents[1] / "_templates"
#: The summary myst-nb writes before a hidden cell (myst_nb/sphinx_.py, myst-nb 1.4).
HIDDEN_SUMMARY = '<summary aria-label="Toggle hidden content">\n'

#: Run after sphinx-togglebutton has added its buttons (on DOMContentLoaded); LABEL is
#: replaced by the translated label as a JavaScript string.
RELABEL_TOGGLES = """window.addEventListener("load", () => document.querySelectorAll(
  'button.toggle-button[aria-label="Toggle hidden content"]').forEach(
    (button) => button.setAttribute("aria-label", LABEL)));"""


def _translating_templates(app: Sphinx, config: Config) -> None:
    config.templates_path.insert(0, str(TEMPLATES))


def _book_theme_catalogue_first(app: Sphinx) -> None:
    """Make ``booktheme.mo`` of the book's locale folder the first catalogue of that domain.

    Sphinx compiles the catalogues of pages only when it builds them, so this one is
    compiled here, as Sphinx compiles its own ``sphinx.po`` before the build.
    """
    config = app.config
    if not config.language or config.language == "en":
        return
    repo = CatalogRepository(app.srcdir, config.locale_dirs, config.language,
                             config.source_encoding)
    for catalogue in repo.catalogs:
        if catalogue.domain == BOOK_THEME and catalogue.is_outdated():
            catalogue.write_mo(config.language, config.gettext_allow_fuzzy_translations)
    folder = Path(app.srcdir) / config.locale_dirs[0]
    try:
        ours = gettext.translation(BOOK_THEME, localedir=str(folder), languages=[config.language])
    except OSError as exc:
        raise ExtensionError(
            f"theme_words: no {BOOK_THEME}.mo for {config.language} in {folder} ({exc}); "
            f"write locale/{config.language}/LC_MESSAGES/{BOOK_THEME}.po") from exc
    theirs = translators.get(("general", BOOK_THEME))
    if theirs is not None:
        ours.add_fallback(theirs)
    translators["general", BOOK_THEME] = ours


def _relabel_toggles(app: Sphinx) -> None:
    """In a translated edition, a script that gives sphinx-togglebutton's buttons the label."""
    if app.config.language and app.config.language != "en":
        label = json.dumps(str(_("Toggle hidden content")))
        app.add_js_file(None, body=RELABEL_TOGGLES.replace("LABEL", label))


def visit_hidden_cell(self: HTML5Translator, node: HideCodeCellNode) -> None:
    """myst-nb's visitor, with the summary's label in the edition's language."""
    start = len(self.body)
    visit_HideCellInput(self, node)
    for i in range(start, len(self.body)):
        if self.body[i] == HIDDEN_SUMMARY:
            self.body[i] = f'<summary aria-label="{html.escape(_("Toggle hidden content"))}">\n'
            return
    raise ExtensionError("theme_words: myst-nb no longer writes "
                         f"{HIDDEN_SUMMARY.strip()!r}; update book/_ext/theme_words.py")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _translating_templates)
    app.connect("builder-inited", _book_theme_catalogue_first)
    app.connect("builder-inited", _relabel_toggles)
    app.add_node(HideCodeCellNode, override=True,
                 html=(visit_hidden_cell, depart_HideCellInput))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Link every page to the same page in the book's other edition (English <-> Português).

The English edition is built into ``_build/html/`` and the Portuguese one into
``_build/html/pt/`` (``make book``), so one relative link reaches the other
edition from ``make serve`` and from ``file://`` alike. Each page gets, above
its title, a link to its counterpart and, in ``<head>``, ``<link
rel="alternate" hreflang=...>`` for search engines; ``editions.css`` (in
``book/_static``, a static folder through ``reader_assets``) styles the link
and marks paragraphs that a translated edition shows in English because their
translation is missing or out of date (``translation_progress_classes``); a
page with no catalogue at all gets one such note above it.

In a translated edition the site title (``html_title``) is taken from the
root page's catalogue: it is the root page's heading, translated there.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import polib
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

#: Sphinx language -> (name of the edition in its own language, its folder under the site root,
#: the HTML lang tag, "read this page in ..." in that language).
EDITIONS: dict[str, tuple[str, str, str, str]] = {
    "en": ("English", "", "en", "Read this page in English"),
    "pt_BR": ("Português", "pt/", "pt-BR", "Leia esta página em português"),
}
#: Shown, in a translated edition, above a page that has no catalogue at all (Sphinx marks
#: nothing on such a page: every paragraph is English and none has class "untranslated").
NOT_TRANSLATED = {"pt_BR": "Esta página ainda não foi traduzida: o texto abaixo está em inglês."}


def _edition(language: str | None) -> str:
    lang = language or "en"
    if lang not in EDITIONS:
        raise ExtensionError(f"editions: language {lang!r} is not one of {sorted(EDITIONS)}; "
                             "add it to EDITIONS in book/_ext/editions.py")
    return lang


def counterpart_url(pagename: str, here: str, there: str) -> str:
    """Relative URL of page ``pagename`` of edition ``there``, seen from edition ``here``.

    Parameters
    ----------
    pagename
        Sphinx page name, e.g. ``"book/01_forward_pass"``.
    here, there
        Keys of :data:`EDITIONS`.

    Returns
    -------
    str
        e.g. ``"../pt/book/01_forward_pass.html"`` from the English edition.
    """
    depth = pagename.count("/") + EDITIONS[here][1].count("/")
    return "../" * depth + EDITIONS[there][1] + pagename + ".html"


def catalogue(app: Sphinx, pagename: str) -> Path:
    """The .po file of page ``pagename`` in this build's language (it may not exist)."""
    config = app.config
    return (Path(app.confdir) / config.locale_dirs[0] / config.language / "LC_MESSAGES"
            / f"{pagename}.po")


def _translate_title(app: Sphinx, config: Config) -> None:
    lang = _edition(config.language)
    if lang == "en" or not config.html_title:
        return
    po_path = catalogue(app, config.master_doc)
    if not po_path.is_file():
        raise ExtensionError(f"editions: no catalogue {po_path} for the {lang} edition's root page")
    entry = polib.pofile(str(po_path)).find(config.html_title)
    if entry is not None and entry.translated():
        config.html_title = entry.msgstr


def _link_editions(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: object) -> None:
    if "body" not in context:          # search and index pages: no article to put it in
        return
    here = _edition(app.config.language)
    links, alternates = [], []
    for there, (name, _folder, tag, invitation) in EDITIONS.items():
        url = html.escape(counterpart_url(pagename, here, there))
        alternates.append(f'<link rel="alternate" hreflang="{tag}" href="{url}" />')
        if there != here:
            links.append(f'<a class="dnn-edition-link" href="{url}" hreflang="{tag}" lang="{tag}" '
                         f'title="{html.escape(invitation)}">{html.escape(name)}</a>')
    banner = ""
    if here != "en" and not catalogue(app, pagename).is_file():
        banner = f'<p class="untranslated dnn-page-untranslated">{NOT_TRANSLATED[here]}</p>\n'
    context["body"] = (f'<p class="dnn-edition-switch">{" · ".join(links)}</p>\n' + banner
                       + context["body"])
    context["metatags"] = context.get("metatags", "") + "\n".join(alternates) + "\n"


def setup(app: Sphinx) -> dict[str, object]:
    # after sphinx_external_toc has set master_doc to the toc's root page
    app.connect("config-inited", _translate_title, priority=900)
    app.add_css_file("editions.css")
    app.connect("html-page-context", _link_editions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Each edition of the book shows its figures with labels in its own language.

The notebooks run once for both editions (one execution cache, keyed on the
code), so while the book is built every figure is drawn once per language
(:mod:`dnn_ref.figures.editions`): an output holds the English drawing as
usual and all the drawings in a bundle of type ``FIGURE_MIME``. This
extension does the two halves of that:

* before any notebook runs, it gives the build's kernels an IPython startup
  file (through ``IPYTHONDIR``) that calls :func:`dnn_ref.figures.editions.install`
  with the book's figure catalogues (``locale/<lang>/LC_MESSAGES/figures.po``);
* when a page is written, a myst-nb mime renderer picks the drawing of the
  edition's language (``language`` in the configuration). A drawing with
  labels still in English gets class ``untranslated``, as a paragraph whose
  translation is missing does (``book/_static/editions.css`` marks it);
* after the build it writes ``_build/figure_labels.json``: per page, the
  English labels its figures show and, per language, those without a
  translation (``tools/figure_labels.py`` reads it to update and check
  the catalogues).

myst-nb finds mime renderers through the ``myst_nb.mime_renderers`` entry
point group and caches that list; this extension adds its renderer to the
cached list, so it needs no installed package (requirements.txt pins
myst-nb's minor version).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from docutils import nodes
from myst_nb.core import render
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from dnn_ref.figures.editions import FIGURE_MIME, SOURCE_LANGUAGE

#: Where the labels the figures showed are written after a build (relative to the source folder).
LABELS_FILE = Path("_build") / "figure_labels.json"
#: The build environment's attribute holding them, per page.
ENV_KEY = "dnn_figure_labels"
#: The IPython startup file the build's kernels run; ``{locale}`` and ``{languages}`` are
#: filled in.
STARTUP = '''\
# Written by book/_ext/figure_editions.py for the book's build: draw every figure once per
# language of the book's editions (dnn_ref.figures.editions).
from dnn_ref.figures.editions import install

install({locale!r}, languages={languages!r})
'''


class FigureEditions:
    """A myst-nb mime renderer: the drawing of this edition's language."""

    mime_priority_overrides = [("*", FIGURE_MIME, 1)]

    @staticmethod
    def handle_mime(renderer: render.NbElementRenderer, data: render.MimeData,
                    inline: bool) -> list[nodes.Element] | None:
        if data.mime_type != FIGURE_MIME or not isinstance(data.content, dict):
            return None
        env = renderer.renderer.sphinx_env
        lang = (env.config.language if env is not None else None) or SOURCE_LANGUAGE
        missing = data.content.get("untranslated", {}).get(lang, [])
        if env is not None:
            seen = getattr(env, ENV_KEY, None)
            if seen is None:
                seen = {}
                setattr(env, ENV_KEY, seen)
            page = seen.setdefault(env.docname, {"labels": [], "untranslated": {}})
            page["labels"] = sorted({*page["labels"], *data.content.get("labels", [])})
            for other, labels in data.content.get("untranslated", {}).items():
                page["untranslated"][other] = sorted({*page["untranslated"].get(other, []),
                                                      *labels})
        if "images" in data.content:
            images = data.content["images"]
            png = render.MimeData(
                "image/png", images.get(lang, images[SOURCE_LANGUAGE]),
                cell_metadata=data.cell_metadata, output_metadata=data.output_metadata,
                cell_index=data.cell_index, output_index=data.output_index, line=data.line)
            drawn = renderer.render_image_inline(png) if inline else renderer.render_image(png)
        else:
            pages = data.content["html"]
            drawn = [nodes.raw(text=pages.get(lang, pages[SOURCE_LANGUAGE]), format="html",
                               classes=["output", "text_html"])]
            if missing:
                drawn = [nodes.container("", *drawn)]
        if missing:
            for node in drawn:
                node["classes"].append("untranslated")
        return drawn


def give_kernels_the_startup_file(app: Sphinx) -> None:
    """Point ``IPYTHONDIR`` at a profile whose startup file installs the figure editions."""
    from editions import EDITIONS  # book/_ext/editions.py, a sibling extension

    root = Path(app.srcdir)
    ipython = root / "_build" / "ipython"
    startup = ipython / "profile_default" / "startup" / "00-figure-editions.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    languages = tuple(lang for lang in EDITIONS if lang != SOURCE_LANGUAGE)
    text = STARTUP.format(locale=str(root / "locale"), languages=languages)
    if not startup.is_file() or startup.read_text(encoding="utf-8") != text:
        startup.write_text(text, encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(ipython)


def forget_page(app: Sphinx, env: object, docname: str) -> None:
    getattr(env, ENV_KEY, {}).pop(docname, None)


def write_labels(app: Sphinx, exception: Exception | None) -> None:
    """``_build/figure_labels.json``: per page, its figures' labels and the untranslated ones."""
    if exception is None:
        seen = getattr(app.env, ENV_KEY, {})
        path = Path(app.srcdir) / LABELS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(sorted(seen.items())), ensure_ascii=False, indent=1),
                        encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    renderers = render.load_mime_renders()
    if not isinstance(renderers, list):
        raise ExtensionError("figure_editions: myst-nb's load_mime_renders() no longer returns "
                             "a list; update book/_ext/figure_editions.py for this myst-nb")
    if FigureEditions not in renderers:
        renderers.append(FigureEditions)
    app.connect("builder-inited", give_kernels_the_startup_file)
    app.connect("env-purge-doc", forget_page)
    app.connect("build-finished", write_labels)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}

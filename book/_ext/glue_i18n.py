"""Let ``{glue}`` roles and directives work inside translated (gettext) paragraphs.

In a translated build (``make book-pt``) Sphinx's i18n transform parses each
msgstr as a small document of its own (source ``<page>:<translated>``), and
myst-nb deliberately parses those with the plain MyST parser: they have no
notebook renderer, so every glue lookup in them fails ("No key ... found in
glue data for this document") and the glued number is dropped.

The fix: when a glue lookup happens while the page itself is parsed (the
English paragraph that the msgstr translates holds the same key), remember the
page's renderer in the build environment's ``temp_data`` (Sphinx clears it
after each document); a lookup from a translated fragment of that page borrows
the renderer for exactly that lookup. The renderer must not stay on the
fragment: it cannot be pickled, and a doctree holding it is written as an
empty pickle, so the glued value vanished without a warning.

This leans on myst-nb's ``retrieve_glue_data``, which its glue roles and
directives import by name; requirements.txt pins myst-nb's minor version, and
:func:`setup` refuses a myst-nb whose glue modules no longer use it.
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.ext.glue import directives, roles, utils
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: The modules whose ``retrieve_glue_data`` name is replaced.
GLUE_MODULES = (utils, roles, directives)
#: Key of the page's renderer in ``env.temp_data``.
RENDERER_KEY = "glue_i18n_renderer"

_original = utils.retrieve_glue_data


def retrieve_glue_data(document: nodes.document, key: str) -> object:
    """myst-nb's glue lookup, which also works in a translated fragment of a notebook page.

    Parameters
    ----------
    document
        The document being parsed: a notebook page (it has ``nb_renderer``)
        or a translated msgstr of one (it has not).
    key
        The glue key.

    Returns
    -------
    myst_nb.ext.glue.utils.VariableOutput
        What myst-nb's own lookup returns; it raises ``RetrievalError`` as
        before when the key is not glued on this page.
    """
    temp = document.settings.env.temp_data
    if "nb_renderer" in document:                     # the page itself
        temp[RENDERER_KEY] = document["nb_renderer"]
        return _original(document, key)
    if RENDERER_KEY not in temp:                      # not a notebook page
        return _original(document, key)
    document["nb_renderer"] = temp[RENDERER_KEY]      # a translated fragment
    try:
        return _original(document, key)
    finally:
        del document["nb_renderer"]                   # the doctree must stay picklable


def setup(app: Sphinx) -> dict[str, object]:
    for module in GLUE_MODULES:
        if getattr(module, "retrieve_glue_data", None) not in (_original, retrieve_glue_data):
            raise ExtensionError(
                f"glue_i18n: {module.__name__} no longer uses myst_nb's retrieve_glue_data; "
                "this myst-nb is not the one requirements.txt pins, update book/_ext/glue_i18n.py")
        module.retrieve_glue_data = retrieve_glue_data
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

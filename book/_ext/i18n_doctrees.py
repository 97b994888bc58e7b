"""Keep a translated page's pickled doctree small: its nodes belong to the page, not a msgstr.

Sphinx's i18n transform parses every msgstr as a small document of its own
and moves the parsed nodes into the page. Those nodes still name the small
document as theirs (``node.document``), and its settings still hold the
whole build environment, so each translated page's doctree pickle carried
one copy of the environment: in the Portuguese build of this book the
pickles grew page after page to 2.8 MB (the English ones are 35-570 kB) and
the build spent its time pickling them. After the page is read, this hands
every such node back to the page's own document.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def adopt_translated_nodes(app: Sphinx, doctree: nodes.document) -> None:
    """Make ``doctree`` the document of every node that names another (a msgstr's).

    Parameters
    ----------
    app
        The Sphinx application (unused; the ``doctree-read`` signature).
    doctree
        The page just read, before Sphinx pickles it.
    """
    for node in doctree.findall(nodes.Node):
        if node is not doctree and node.document is not doctree:
            node.document = doctree


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-read", adopt_translated_nodes)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

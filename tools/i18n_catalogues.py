"""Keep the translation catalogues in step with the English pages; count what is untranslated.

``update POT_DIR PO_DIR``
    Merge each page's English messages (``POT_DIR/<page>.pot``, from Sphinx's
    gettext builder: ``make i18n-update``) into ``PO_DIR/<page>.po``. A
    message whose English changed keeps its old translation, marked
    ``#, fuzzy``, with the old English kept above it as ``#| msgid`` (what
    ``msgmerge --previous`` does; sphinx-intl drops it); Sphinx never shows a
    fuzzy translation, the page shows the English until a translator updates
    the msgstr and removes the flag. A new page gets a new ``.po``.
``check PO_DIR [--pot POT_DIR]``
    Print, per page, how many messages are translated, fuzzy and untranslated,
    and exit with status 1 unless every message is translated. With ``--pot``
    the current English is merged first, in memory (no file is written), so an
    English edit that was not merged yet counts as fuzzy or untranslated.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

#: Line width of the .po files: polib's, which the translators' tools write with, so a
#: merge does not re-wrap every message.
WIDTH = 78


@dataclass(frozen=True)
class Counts:
    """The state of one page's catalogue."""

    translated: int
    fuzzy: int
    untranslated: int

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.untranslated == 0


def load(path: Path) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as f:
        return read_po(f, abort_invalid=True)


def save(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` as a .po file, keeping the previous English of fuzzy messages.

    Babel mangles a multi-line previous msgid into an invalid ``#|`` comment, so
    Babel writes the messages and polib adds the previous English.
    """
    previous = {m.id: m.previous_id[0] for m in catalog if m.id and m.previous_id}
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH)
    po = polib.pofile(out.getvalue().decode("utf-8"), wrapwidth=WIDTH)
    for entry in po:
        if entry.fuzzy and entry.msgid in previous:
            entry.previous_msgid = previous[entry.msgid]
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def merge(po: Catalog | None, pot: Catalog, language: str,
          previous: dict[str, str] | None = None) -> Catalog:
    """``po`` brought up to date with the English messages of ``pot`` (a new catalogue if None).

    Parameters
    ----------
    po
        The page's current catalogue, or None for a page without one.
    pot
        The page's English messages, as extracted now.
    language
        The catalogue's language, e.g. ``"pt_BR"``.
    previous
        ``{msgid: previous English}`` of the messages already fuzzy in ``po``
        (see :func:`previous_english`); they keep it.

    Returns
    -------
    Catalog
        ``po`` itself, updated: unchanged messages keep their translation;
        changed ones keep it marked fuzzy, with their previous English.
    """
    if po is None:
        pot.locale = language
        return pot
    po.update(pot, update_header_comment=False)
    for message in po:
        # Babel sets the previous English only when the msgid changes now; a message
        # still fuzzy from an earlier update keeps the English it had then.
        if message.id and message.fuzzy and not message.previous_id and message.id in (
                previous or {}):
            message.previous_id = [previous[message.id]]
    return po


def previous_english(path: Path) -> dict[str, str]:
    """``{msgid: previous msgid}`` of the ``#| msgid`` comments of a .po file (Babel skips them)."""
    return {e.msgid: e.previous_msgid for e in polib.pofile(str(path)) if e.previous_msgid}


def count(catalog: Catalog) -> Counts:
    """Translated, fuzzy and untranslated messages of ``catalog`` (its header excluded)."""
    messages = [m for m in catalog if m.id]
    fuzzy = sum(1 for m in messages if m.fuzzy)
    untranslated = sum(1 for m in messages if not m.fuzzy and not m.string)
    return Counts(len(messages) - fuzzy - untranslated, fuzzy, untranslated)


def pages(folder: Path, suffix: str) -> dict[str, Path]:
    """``{page name: file}`` of the ``*<suffix>`` files under ``folder`` (e.g. ``book/intro``)."""
    return {f.relative_to(folder).with_suffix("").as_posix(): f
            for f in sorted(folder.rglob(f"*{suffix}"))}


def page_templates(pot_dir: Path) -> dict[str, Path]:
    """The pages' .pot files under ``pot_dir``: ``sphinx.pot`` beside them holds the messages
    of the book's own templates (book/_templates), which ``sphinx.po`` translates by hand
    together with the theme's, so it is left out."""
    return {page: f for page, f in pages(pot_dir, ".pot").items() if "/" in page}


def language_of(po_dir: Path) -> str:
    """The language of ``<locale>/<language>/LC_MESSAGES``."""
    if po_dir.name != "LC_MESSAGES":
        raise SystemExit(f"{po_dir} is not a <locale>/<language>/LC_MESSAGES folder")
    return po_dir.parent.name


def update(pot_dir: Path, po_dir: Path) -> None:
    """Merge every page's .pot into its .po; report what changed."""
    templates = page_templates(pot_dir)
    if not templates:
        raise SystemExit(f"no .pot files in {pot_dir}; run the gettext builder first "
                         "(make i18n-update does)")
    for page, pot_path in templates.items():
        po_path = po_dir / f"{page}.po"
        old = load(po_path) if po_path.is_file() else None
        before = (count(old), {m.id for m in old if m.id}) if old is not None else None
        merged = merge(old, load(pot_path), language_of(po_dir),
                       previous_english(po_path) if old is not None else None)
        after = count(merged)
        if before is None:
            print(f"created   {po_path}: {after.untranslated} messages to translate")
        elif before != (after, {m.id for m in merged if m.id}):
            print(f"updated   {po_path}: now {after.translated} translated, {after.fuzzy} fuzzy, "
                  f"{after.untranslated} untranslated")
        save(merged, po_path)
    for page in sorted(set(pages(po_dir, ".po")) - set(templates)):
        if "/" not in page:   # a message domain beside the pages (sphinx, dnn_ref, assignments)
            continue
        print(f"no English page for {po_dir / page}.po any more: delete it if the page is gone")


def check(po_dir: Path, pot_dir: Path | None) -> bool:
    """Print the per-page counts; True when every message of every page is translated."""
    catalogues = {page: load(path) for page, path in pages(po_dir, ".po").items()}
    if pot_dir is not None:
        templates = page_templates(pot_dir)
        if not templates:
            raise SystemExit(f"no .pot files in {pot_dir}; run the gettext builder first")
        catalogues = {page: merge(catalogues.get(page), load(pot), language_of(po_dir))
                      for page, pot in templates.items()}
    width = max([len(p) for p in catalogues] + [4])
    print(f"{'page':<{width}}  translated  fuzzy  untranslated")
    total = Counts(0, 0, 0)
    for page, catalogue in catalogues.items():
        c = count(catalogue)
        total = Counts(*(a + b for a, b in zip(
            (total.translated, total.fuzzy, total.untranslated),
            (c.translated, c.fuzzy, c.untranslated), strict=True)))
        print(f"{page:<{width}}  {c.translated:>10}  {c.fuzzy:>5}  {c.untranslated:>12}")
    print(f"{'total':<{width}}  {total.translated:>10}  {total.fuzzy:>5}  {total.untranslated:>12}")
    if not total.complete:
        print(f"\n{total.fuzzy} fuzzy and {total.untranslated} untranslated messages: the "
              f"{language_of(po_dir)} edition shows them in English. Translate them in {po_dir} "
              "(and remove the fuzzy flags); after an English edit run `make i18n-update` first.")
    return total.complete


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="merge the English .pot files into the .po files")
    up.add_argument("pot_dir", type=Path)
    up.add_argument("po_dir", type=Path)
    ch = sub.add_parser("check", help="per-page counts; status 1 unless all is translated")
    ch.add_argument("po_dir", type=Path)
    ch.add_argument("--pot", dest="pot_dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.pot_dir, args.po_dir)
        return 0
    return 0 if check(args.po_dir, args.pot_dir) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

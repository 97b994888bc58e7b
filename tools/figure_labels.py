"""Keep the figure labels' catalogues in step with the figures the book draws.

Every build of the book writes ``_build/figure_labels.json``
(``book/_ext/figure_editions.py``): per page, the English words its figures
show and, per language, those its drawing had no translation for.

``update [LOCALE_DIR]``
    Add each label that no message of ``<lang>/LC_MESSAGES/figures.po``
    matches (as written, or as a template with named fields) as a new,
    untranslated message, with its page as the reference; a message that no
    figure uses any more becomes obsolete (``#~``), so a changed label shows
    in English until it is translated again. ``make i18n-update`` runs it
    after building the English edition.
``check [LOCALE_DIR]``
    Print, per page and language, how many labels are translated and which
    are not; exit with status 1 unless every label is translated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polib

from dnn_ref.figures.editions import LabelCatalogue, message_matches, worded_lines

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "_build" / "figure_labels.json"
WIDTH = 78


def pages(labels_file: Path = LABELS) -> dict[str, list[str]]:
    """``{page: [label, ...]}`` of the last build, a two-line label as its worded lines."""
    if not labels_file.is_file():
        raise SystemExit(f"figure_labels: no {labels_file}; build the book first (make book-en)")
    found = json.loads(labels_file.read_text(encoding="utf-8"))
    return {page: sorted({line for label in seen["labels"] for line in worded_lines(label)})
            for page, seen in found.items()}


def catalogue_path(locale_dir: Path, lang: str) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / "figures.po"


def languages(locale_dir: Path) -> list[str]:
    """The languages that have a figures.po."""
    return sorted(p.parents[1].name for p in locale_dir.glob("*/LC_MESSAGES/figures.po"))


def update(locale_dir: Path, found: dict[str, list[str]]) -> None:
    """Add unmatched labels to every figures.po as untranslated; make unused messages obsolete."""
    for lang in languages(locale_dir):
        path = catalogue_path(locale_dir, lang)
        po = polib.pofile(str(path), wrapwidth=WIDTH)
        live = [e for e in po if not e.obsolete]
        used: set[int] = set()
        added = 0
        for page, labels in found.items():
            for label in labels:
                hits = [i for i, e in enumerate(live) if message_matches(e.msgid, label)]
                used.update(hits)
                if not hits:
                    entry = polib.POEntry(msgid=label, msgstr="", occurrences=[(page, "")])
                    po.append(entry)
                    live.append(entry)
                    used.add(len(live) - 1)
                    added += 1
        retired = 0
        for i, entry in enumerate(live):
            if i not in used:
                entry.obsolete = True
                retired += 1
        po.save(str(path))
        print(f"{path}: {added} new labels to translate, {retired} obsolete")


def check(locale_dir: Path, found: dict[str, list[str]]) -> bool:
    """Per page and language, the translated labels; False if any is not translated."""
    complete = True
    for lang in languages(locale_dir):
        catalogue = LabelCatalogue.from_po(catalogue_path(locale_dir, lang))
        for page, labels in found.items():
            missing = [label for label in labels if catalogue.translate(label) is None]
            print(f"{lang} {page}: {len(labels) - len(missing)} of {len(labels)} figure labels "
                  "translated")
            for label in missing:
                print(f"    untranslated: {label!r}")
            complete = complete and not missing
    if not complete:
        print("figure labels are missing translations: run `make i18n-update`, then translate "
              "the new messages in locale/<lang>/LC_MESSAGES/figures.po")
    return complete


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["update", "check"])
    parser.add_argument("locale_dir", nargs="?", type=Path, default=ROOT / "locale")
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    found = pages(args.labels)
    if args.command == "update":
        update(args.locale_dir, found)
        return 0
    return 0 if check(args.locale_dir, found) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The Portuguese catalogues are complete for the current English, and keep its markup.

* Every page of the table of contents has ``locale/pt_BR/LC_MESSAGES/<page>.po``.
* ``make i18n-check`` in a test: the English messages are extracted now (the
  gettext builder, in cache mode, into a temporary folder) and merged in
  memory; a release fails while any message is fuzzy or untranslated, and
  the failure shows the per-page counts.
* Every translated message keeps its English's maths, glue keys, inline code,
  cross-reference targets and link targets exactly (the visible text of a
  ``{ref}`` or a link may be translated, its target not; so may the words of a
  ``\\text{...}`` inside maths, such as "that is" between two equations).
* ``tools/i18n_catalogues.py update`` on a small catalogue: a changed English
  paragraph becomes fuzzy with its old translation and its old English kept,
  a new one untranslated, and ``check`` counts them and fails.
* Every label the built book's figures show is translated
  (``tools/figure_labels.py check`` on ``_build/figure_labels.json``), and
  ``tools/figure_labels.py update`` adds a new label untranslated and retires
  one no figure shows any more.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from book_site import PAGES, ROOT

PO_DIR = ROOT / "locale" / "pt_BR" / "LC_MESSAGES"
TOOL = ROOT / "tools" / "i18n_catalogues.py"
FIGURE_TOOL = ROOT / "tools" / "figure_labels.py"
FIGURE_LABELS = ROOT / "_build" / "figure_labels.json"

# One pass left to right: a role, or else inline code (so `dW{l}` is code, not a role).
_ROLE_OR_CODE = re.compile(r"\{(?P<role>[\w:.-]+)\}(?P<rq>`+)(?P<rtext>.*?)(?P=rq)"
                           r"|(?P<cq>`+)(?P<code>.+?)(?P=cq)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"\$[^$]+\$")
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)\)")
_SUBSTITUTION = re.compile(r"\{\{.*?\}\}")
#: Words inside maths (``\text{that is}``): prose, translated with the sentence.
_MATH_TEXT = re.compile(r"\\text\{[^{}]*\}")
#: Roles whose text may be translated as long as the target stays.
_REFERENCE_ROLES = {"ref", "doc", "numref", "eq", "term", "any", "cite"}


def markup(text: str) -> Counter:
    """What a translation must keep from its English: a multiset of markup items.

    Parameters
    ----------
    text
        A msgid or msgstr (MyST source).

    Returns
    -------
    Counter
        Items such as ``"$x_1$"``, ``"{glue:text}`g:.2f`"``, ``"`dnn_ref`"``,
        ``"{ref} gd-update-rule"`` and ``"](notation.md)"``.
    """
    items: Counter = Counter()

    def take(match: re.Match) -> str:
        if match["role"] is not None:
            role, content = match["role"], match["rtext"]
            if role in _REFERENCE_ROLES:
                target = re.search(r"<([^<>]+)>\s*$", content)
                items[f"{{{role}}} {(target[1] if target else content).strip()}"] += 1
            else:
                items[match[0]] += 1
        else:
            items[f"`{match['code']}`"] += 1
        return " "

    rest = _ROLE_OR_CODE.sub(take, text)
    for pattern in (_DISPLAY_MATH, _SUBSTITUTION):
        items.update(_MATH_TEXT.sub(r"\\text{}", m) for m in pattern.findall(rest))
        rest = pattern.sub(" ", rest)
    items.update(_MATH_TEXT.sub(r"\\text{}", m) for m in _INLINE_MATH.findall(rest))
    items.update(f"]({t})" for t in _LINK_TARGET.findall(rest))
    return items


def test_markup_reads_roles_code_maths_and_targets() -> None:
    found = markup("See {ref}`the rule <gd-update-rule>`, `dW{l}`, {glue:text}`g:.1f`, "
                   "$a_{1}$ and [chapter 2](02_loss.md): $$x$$")
    assert found == Counter({"{ref} gd-update-rule": 1, "`dW{l}`": 1, "{glue:text}`g:.1f`": 1,
                             "$a_{1}$": 1, "](02_loss.md)": 1, "$$x$$": 1})
    assert markup("{ref}`gd-ex` e $x$") != markup("{ref}`gd-ex2` e $x$")
    assert markup(r"$$a \text{that is} b$$") == markup(r"$$a \text{isto é} b$$")
    assert markup(r"$$a \text{so} b$$") != markup(r"$$a \text{so} c$$")


def test_every_page_has_a_portuguese_catalogue() -> None:
    missing = [p for p in PAGES if not (PO_DIR / f"{p}.po").is_file()]
    assert not missing, (f"no catalogue for {missing} in {PO_DIR}; run `make i18n-update` "
                         "to create them, then translate them")


@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_the_markup_of_the_english(page: str) -> None:
    path = PO_DIR / f"{page}.po"
    if not path.is_file():
        pytest.fail(f"{path} is missing; run `make i18n-update`")
    differ = []
    for entry in polib.pofile(str(path)):
        if not entry.translated():
            continue
        english, portuguese = markup(entry.msgid), markup(entry.msgstr)
        if english != portuguese:
            differ.append(f"line {entry.linenum}: only in the English "
                          f"{sorted((english - portuguese).elements())}, only in the "
                          f"translation {sorted((portuguese - english).elements())}")
    assert not differ, (f"{path}: {len(differ)} translations change the maths, code, glue "
                        "keys or targets of their English:\n" + "\n".join(differ[:8]))


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_every_message_of_the_current_english_is_translated(tmp_path: Path) -> None:
    """``make i18n-check``: extract the English now; nothing fuzzy or untranslated."""
    jb = Path(sys.executable).with_name("jupyter-book")
    # cwd=ROOT: the execution cache (_build/.jupyter_cache) is relative to it; `make test`
    # has just built the book, so no cell runs
    extract = subprocess.run(
        [str(jb), "build", "--all", "-W", "-n", "--keep-going", "--builder", "custom",
         "--custom-builder", "gettext", "--path-output", str(tmp_path), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert extract.returncode == 0, (
        f"the gettext builder failed:\n{extract.stdout[-3000:]}\n{extract.stderr[-3000:]}")
    check = _tool("check", str(PO_DIR), "--pot", str(tmp_path / "_build" / "gettext"))
    assert "total" in check.stdout, f"i18n_catalogues check printed no counts: {check.stderr}"
    assert check.returncode == 0, (
        "the Portuguese edition would show English paragraphs:\n" + check.stdout)


def _catalogue(path: Path, messages: dict[str, str]) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=utf-8", "Language": "pt_BR"}
    for msgid, msgstr in messages.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def test_update_marks_a_changed_paragraph_fuzzy_and_keeps_its_old_english(tmp_path: Path) -> None:
    po_dir = tmp_path / "locale" / "pt_BR" / "LC_MESSAGES"
    pot_dir = tmp_path / "gettext"
    old = "The gradient points uphill, so we step against it with a small learning rate."
    new = "The gradient points uphill, so we step against it with a learning rate $\\eta$."
    _catalogue(po_dir / "book" / "ch.po", {
        "Gradient descent": "Gradiente descendente",
        old: "O gradiente aponta morro acima; damos um passo contra ele."})
    _catalogue(pot_dir / "book" / "ch.pot", {
        "Gradient descent": "", new: "", "A paragraph written after the translation.": ""})

    run = _tool("update", str(pot_dir), str(po_dir))
    assert run.returncode == 0, run.stderr
    merged = {e.msgid: e for e in polib.pofile(str(po_dir / "book" / "ch.po"))
              if not e.obsolete}
    assert merged["Gradient descent"].translated()
    assert merged[new].fuzzy and merged[new].previous_msgid == old, (
        "a changed paragraph must become fuzzy and keep its old English as #| msgid")
    assert merged[new].msgstr.startswith("O gradiente aponta"), "the old translation was lost"
    assert merged["A paragraph written after the translation."].msgstr == ""

    again = _tool("update", str(pot_dir), str(po_dir))
    assert again.returncode == 0, again.stderr
    kept = {e.msgid: e for e in polib.pofile(str(po_dir / "book" / "ch.po"))}
    assert kept[new].previous_msgid == old, "a second update dropped the previous English"

    check = _tool("check", str(po_dir))
    assert check.returncode == 1, "check passed with a fuzzy and an untranslated message"
    assert re.search(r"book/ch\s+1\s+1\s+1\b", check.stdout), check.stdout


def test_update_leaves_the_hand_written_theme_catalogue_alone(tmp_path: Path) -> None:
    """The gettext builder writes ``sphinx.pot`` (the book's templates' messages) beside the
    pages; ``sphinx.po`` also translates the themes' words, so merging it would retire them."""
    po_dir = tmp_path / "locale" / "pt_BR" / "LC_MESSAGES"
    pot_dir = tmp_path / "gettext"
    theme = {"Back to top": "Voltar ao topo", "Main": "Principal"}
    _catalogue(po_dir / "sphinx.po", theme)
    _catalogue(pot_dir / "sphinx.pot", {"Main": ""})
    _catalogue(po_dir / "book" / "ch.po", {"Layers": "Camadas"})
    _catalogue(pot_dir / "book" / "ch.pot", {"Layers": ""})
    before = (po_dir / "sphinx.po").read_bytes()

    run = _tool("update", str(pot_dir), str(po_dir))
    assert run.returncode == 0, run.stderr
    assert (po_dir / "sphinx.po").read_bytes() == before, "update rewrote sphinx.po"
    check = _tool("check", str(po_dir), "--pot", str(pot_dir))
    assert check.returncode == 0 and "sphinx" not in check.stdout.split("total")[0], check.stdout


def _figure_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FIGURE_TOOL), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_every_label_of_the_books_figures_is_translated() -> None:
    if not FIGURE_LABELS.is_file():
        pytest.fail(f"{FIGURE_LABELS} is missing: build the book first (make book)")
    found = json.loads(FIGURE_LABELS.read_text(encoding="utf-8"))
    assert sum(len(page["labels"]) for page in found.values()) > 50, (
        f"{FIGURE_LABELS} lists too few labels: were the figures drawn per language?")
    check = _figure_tool("check")
    assert "figure labels translated" in check.stdout, check.stderr
    assert check.returncode == 0, "figures would show English labels:\n" + check.stdout


def test_figure_labels_update_adds_the_new_and_retires_the_unused(tmp_path: Path) -> None:
    po_path = tmp_path / "locale" / "pt_BR" / "LC_MESSAGES" / "figures.po"
    _catalogue(po_path, {"learning rate {rate}": "taxa de aprendizado {rate}",
                         "epoch": "época", "a label no figure shows": "um rótulo antigo"})
    labels = tmp_path / "figure_labels.json"
    labels.write_text(json.dumps({"book/ch": {
        "labels": ["learning rate 0.1", "epoch\nvalidation cost", "$w_1$"],
        "untranslated": {"pt_BR": []}}}), encoding="utf-8")
    run = _figure_tool("update", str(tmp_path / "locale"), "--labels", str(labels))
    assert run.returncode == 0, run.stderr
    entries = {e.msgid: e for e in polib.pofile(str(po_path))}
    assert entries["validation cost"].msgstr == "" and not entries["validation cost"].obsolete
    assert entries["a label no figure shows"].obsolete
    assert not entries["learning rate {rate}"].obsolete and not entries["epoch"].obsolete
    assert "$w_1$" not in entries, "a label without words was added to the catalogue"

    check = _figure_tool("check", str(tmp_path / "locale"), "--labels", str(labels))
    assert check.returncode == 1, "check passed with an untranslated figure label"
    assert "untranslated: 'validation cost'" in check.stdout, check.stdout

"""The book's configuration keeps the promises of the README: strict, cached, offline.

These checks read ``_config.yml``, ``_toc.yml`` and ``book/`` and need no
build. The built site itself is checked in a browser by
``tests/test_book_in_browser.py``; that the build has zero warnings is
checked by ``make book`` (``-W``).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", [{"chapters": TOC.get("chapters", [])}]):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def test_toc_lists_every_page_in_order_and_nothing_else() -> None:
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in BOOK.glob("*.md")}
    listed = toc_files()
    assert sorted(listed) == sorted(pages), (
        f"book/ pages not in _toc.yml: {sorted(pages - set(listed))}; "
        f"_toc.yml entries without a file: {sorted(set(listed) - pages)}")
    chapters = [Path(f).name for f in listed if re.match(r"\d\d_", Path(f).name)]
    assert chapters == sorted(chapters), f"chapters out of order in _toc.yml: {chapters}"
    assert listed[:2] == ["book/intro", "book/notation"], f"toc starts with {listed[:2]}"


def test_chapters_are_executable_myst_notebooks() -> None:
    for doc in [f for f in toc_files() if re.match(r"\d\d_", Path(f).name)]:
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
        header = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        assert header.get("jupytext", {}).get("text_representation", {}).get(
            "format_name") == "myst", f"{doc}.md has no jupytext header with format_name: myst"
        assert header.get("kernelspec", {}).get("name") == "python3", (
            f"{doc}.md must declare kernelspec name python3")
        assert "```{code-cell}" in text, f"{doc}.md has no code cell to execute"


def test_execution_is_cached_strict_and_time_limited() -> None:
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False
    assert 0 < execute["timeout"] <= 600


def test_only_book_pages_are_scanned() -> None:
    excluded = set(CONFIG["exclude_patterns"])
    for pattern in (".*", "**/.*", ".venv", "_build", "solutions", "exercises", "tests",
                    "benchmarks", "tools", "dnn_ref", "README.md"):
        assert pattern in excluded, f"_config.yml exclude_patterns lacks {pattern!r}"
    assert CONFIG["only_build_toc_files"] is True


def test_nothing_is_loaded_from_a_cdn() -> None:
    sphinx = CONFIG["sphinx"]
    assert sphinx["config"]["mathjax_path"] == "mathjax/tex-chtml.js"
    assert "local_mathjax" in sphinx["local_extensions"]
    assert sphinx["config"]["nb_ipywidgets_js"] == {}
    assert CONFIG["launch_buttons"]["thebe"] is False
    assert "sphinx_exercise" in sphinx["extra_extensions"]


def test_local_mathjax_has_the_files_a_page_needs() -> None:
    import sys

    sys.path.insert(0, str(BOOK / "_ext"))
    try:
        import local_mathjax
    finally:
        sys.path.remove(str(BOOK / "_ext"))
    src = local_mathjax.mathjax_source()
    for rel in local_mathjax.NEEDED:
        assert (src / rel).exists(), f"MathJax is missing {rel} in {src}"
    fonts = list((src / "output/chtml/fonts/woff-v2").glob("*.woff"))
    assert len(fonts) > 10, f"no CHTML web fonts in {src}"

"""The book's configuration keeps the promises of the README: strict, cached, offline.

Most checks read ``_config.yml``, ``_toc.yml`` and ``book/`` and need no
build; the last ones build one small probe page with the real ``_config.yml``
to see that each setting takes effect. The built site itself is checked in a browser by
``tests/book/test_book_in_browser.py``; that the build has zero warnings is
checked by ``make book`` (``-W``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", [{"chapters": TOC.get("chapters", [])}]):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def test_toc_lists_every_page_in_order_and_nothing_else() -> None:
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in BOOK.rglob("*.md")}
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


# --- Every _config.yml setting takes effect --------------------------------
# jupyter-book 1 silently drops keys it does not translate (a MyST option under
# `parse:` other than myst_enable_extensions / myst_substitutions /
# myst_url_schemes never reaches Sphinx). These tests build one small page
# with the repository's own _config.yml, unmodified, and look for each
# setting's effect in the HTML.

PROBE_PAGE = r"""---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
myst:
  substitutions:
    probe_word: SUBSTITUTED-WORD
---

# Probe

Inline maths $x_1$ and, in the same paragraph, $$a_{double} + b$$ between dollars.

\begin{align}
u_{amsmath} &= 1
\end{align}

:::{note}
Colon-fenced note body.
:::

A bare link https://example.org/linkified and a word: {{ probe_word }}.

```{code-cell} ipython3
import sys
print("stdout-of-the-probe-cell")
print("stderr-of-the-probe-cell", file=sys.stderr)
```
"""


@pytest.fixture(scope="module")
def probe_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build PROBE_PAGE with a copy of _config.yml (and its extensions); return its HTML."""
    site = tmp_path_factory.mktemp("probe_book")
    shutil.copy(ROOT / "_config.yml", site / "_config.yml")
    shutil.copytree(BOOK / "_ext", site / "book" / "_ext")
    shutil.copytree(BOOK / "_static", site / "book" / "_static")
    (site / "book" / "probe.md").write_text(PROBE_PAGE, encoding="utf-8")
    (site / "_toc.yml").write_text("format: jb-book\nroot: book/probe\n", encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    # cwd=site: execute.cache (_build/.jupyter_cache) is relative to the working directory
    run = subprocess.run([str(jb), "build", "-W", "-n", "--keep-going", "."], cwd=site,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (
        f"probe book failed to build:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    assert (site / "_build" / ".jupyter_cache").is_dir(), "execute.cache did not take effect"
    return (site / "_build" / "html" / "book" / "probe.html").read_text(encoding="utf-8")


def test_every_parse_key_reaches_sphinx() -> None:
    from jupyter_book.config import get_final_config

    final, _ = get_final_config(user_yaml=CONFIG, cli_config={"latex_individualpages": False},
                                sourcedir=ROOT, validate=False)
    for key, value in CONFIG["parse"].items():
        assert final.get(key) == value, (
            f"_config.yml parse: {key} is not passed on to Sphinx by jupyter-book "
            f"(final value {final.get(key)!r}); set it under sphinx: config: instead")
    for key, value in CONFIG["sphinx"]["config"].items():
        assert _contains(final.get(key), value), f"sphinx: config: {key} did not reach Sphinx"


def _contains(final: object, value: object) -> bool:
    """``value`` is in ``final``: equal, or (recursive_update) a dict merged into it."""
    if isinstance(value, dict) and value and isinstance(final, dict):
        return all(k in final and _contains(final[k], v) for k, v in value.items())
    return final == value


@pytest.mark.slow
@pytest.mark.parametrize("setting, evidence", [
    ("dollarmath", r'<span class="math notranslate nohighlight">\(x_1\)</span>'),
    ("myst_dmath_double_inline", r'<div class="math notranslate nohighlight">'
                                 "\n\\[a_{double} + b\\]"),
    ("amsmath", r"\begin{align}" "\nu_{amsmath} &amp;= 1"),
    ("colon_fence", '<div class="admonition note">'),
    ("linkify", '<a class="reference external" href="https://example.org/linkified">'),
    ("substitution", "SUBSTITUTED-WORD"),
    ("execute (cell run)", "stdout-of-the-probe-cell"),
    ("execute.stderr_output: show", "stderr-of-the-probe-cell"),
    ("mathjax_path", 'src="../_static/mathjax/tex-chtml.js"'),
    ("html.favicon", 'href="../_static/favicon.svg"'),
    ("html.use_repository_button", 'href="https://github.com/dnn-from-scratch/course"'),
    ("html.use_issues_button", "https://github.com/dnn-from-scratch/course/issues/new"),
    ("launch_buttons.jupyterhub_url", "http://127.0.0.1:8000/hub/user-redirect/git-pull"),
    ("launch_buttons.notebook_interface: jupyterlab", "urlpath=lab/tree/course/book/probe.md"),
    ("author", "By The DNN from Scratch course authors"),
    ("html_show_copyright", "2026"),
    ("title", "Deep Neural Networks from Scratch"),
])
def test_config_setting_shows_in_a_built_page(probe_html: str, setting: str, evidence: str) -> None:
    assert evidence in probe_html, (
        f"_config.yml's {setting} took no effect: {evidence!r} not in the page")


@pytest.mark.slow
def test_switched_off_settings_stay_off(probe_html: str) -> None:
    assert "/edit/" not in probe_html, "html.use_edit_page_button: false, yet an edit link"
    assert "hypothes.is" not in probe_html, "html.comments.hypothesis: false, yet it loads"
    assert "utteranc.es" not in probe_html, "html.comments.utterances: false, yet it loads"
    assert "initThebeSBT()" not in probe_html, (
        "launch_buttons.thebe: false, yet the page has a Live Code (Thebe) button")
    assert "mybinder.org" not in probe_html and "colab.research.google.com" not in probe_html, (
        "a launch button leads to Binder or Colab, where this course's notebooks are not")


@pytest.mark.slow
def test_double_dollars_in_a_paragraph_are_not_printed(probe_html: str) -> None:
    # Without myst_dmath_double_inline it renders as $<span class="math ...">\(...\)</span>$.
    for literal in ("$$a_{double}", "$<span", "</span>$"):
        assert literal not in probe_html, (
            f"$$...$$ inside a paragraph rendered with literal dollars ({literal!r} in the page)")


@pytest.mark.slow
def test_theme_and_reader_settings_show_in_a_built_page(probe_html: str) -> None:
    # html_theme_options.navbar_persistent: [] -- no header bar, whose hidden ☰ would take
    # the click handlers of the visible one, and no second search field
    assert "navbar-persistent" not in probe_html, "pydata-sphinx-theme's header bar is back"
    assert 'data-default-mode="light"' in probe_html, "html_context.default_mode is not set"
    for asset in ("_static/readers.css", "_static/readers.js"):
        assert asset in probe_html, f"book/_ext/reader_assets.py did not add {asset}"
    assert "bokeh" not in probe_html, "a page without slider figures loads BokehJS"

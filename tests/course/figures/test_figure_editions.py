"""Figures drawn once per language of the book's editions (dnn_ref.figures.editions).

The catalogue's family of messages (as written, templates, a field that is itself a
message, several lines, words beside maths), a real matplotlib figure drawn in
English and Portuguese with every kind of text it can hold, the slider figures'
HTML per language, and a real IPython kernel (nbclient) with the startup file the
book's build gives it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from dnn_ref.figures.editions import (
    FIGURE_MIME,
    LabelCatalogue,
    Words,
    figure_bundle,
    has_words,
    message_matches,
    translatable_texts,
)

PT = LabelCatalogue(
    exact={"training cost": "custo de treino", "epoch": "época", "start": "início",
           "sigmoid": "sigmoide", "predicted class": "classe prevista", "moons": "luas",
           "cat": "gato", "Two lines": "Duas linhas"},
    templates=[("learning rate {rate}", "taxa de aprendizado {rate}"),
               ("{name} neuron", "neurônio {name}"),
               ("α = {rate}: cost {cost} after {k} steps",
                "α = {rate}: custo {cost} após {k} passos")])


@pytest.mark.parametrize("text, expected", [
    ("training cost", True), ("std of $A^{[l]}$", True), ("ReLU", True),
    ("$w_1$", False), ("σ(z)", False), ("f′(z)", False), ("w1", False), ("0.5", False),
    ("", False), ("$C = w_1^2 + 10 w_2^2$", False), ("y = 1", False), ("α = 0.1", False),
])
def test_only_text_with_words_is_translated(text: str, expected: bool) -> None:
    assert has_words(text) is expected


@pytest.mark.parametrize("label, expected", [
    ("training cost", "custo de treino"),                     # as written
    ("learning rate 0.1", "taxa de aprendizado 0.1"),         # a template
    ("sigmoid neuron", "neurônio sigmoide"),                  # a field that is a message
    ("relu neuron", "neurônio relu"),                         # a field that is not
    ("training cost\nepoch", "custo de treino\népoca"),       # line by line
    ("training cost\n$w_1$", "custo de treino\n$w_1$"),       # a line without words stays
    ("learning rate {rate}", "taxa de aprendizado {rate}"),   # the template itself
    ("α = 0.050: cost 0.012 after 30 steps", "α = 0.050: custo 0.012 após 30 passos"),
])
def test_a_catalogue_translates_every_kind_of_label(label: str, expected: str) -> None:
    assert PT.translate(label) == expected


@pytest.mark.parametrize("label", ["validation cost", "training cost\nvalidation cost",
                                   "learning rate", "the learning rate 0.1"])
def test_a_label_without_a_message_is_none(label: str) -> None:
    assert PT.translate(label) is None


def test_a_template_matches_only_its_own_shape() -> None:
    assert message_matches("learning rate {rate}", "learning rate 3")
    assert not message_matches("learning rate {rate}", "learning rate")
    assert message_matches("epoch", "epoch") and not message_matches("epoch", "epochs")


def test_words_fill_templates_after_translating_and_note_what_is_missing() -> None:
    words = Words(PT)
    assert words("learning rate {rate}", rate=0.5) == "taxa de aprendizado 0.5"
    assert words("validation cost") == "validation cost"
    assert words("$w_1$") == "$w_1$"
    assert words.met == {"learning rate {rate}", "validation cost"}
    assert words.missing == {"validation cost"}


def _png(figure) -> str:
    from IPython.core.pylabtools import print_figure

    return print_figure(figure, "png", base64=True, bbox_inches="tight")


def _every_kind_of_text():
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.plot([0, 1], [1, 0], label="training cost")
    left.legend(title="Two lines")
    left.set(xlabel="epoch", ylabel="$C$", title="learning rate 0.1")
    left.annotate("start", (0, 1))
    right.set_xticks([0, 1], labels=["cat", "$x$"])
    right.text(0.5, 0.5, "sigmoid neuron")
    fig.suptitle("moons")
    return fig


def test_a_figure_is_drawn_in_each_language_and_left_as_it_was() -> None:
    fig = _every_kind_of_text()
    before = sorted(t.get_text() for t in translatable_texts(fig))
    bundle = figure_bundle(fig, _png, {"pt_BR": PT})[FIGURE_MIME]
    assert set(bundle["images"]) == {"en", "pt_BR"}
    assert bundle["images"]["en"] != bundle["images"]["pt_BR"]
    assert bundle["images"]["en"] == _png(fig), "the English drawing is the usual one"
    assert bundle["untranslated"] == {"pt_BR": []}
    assert set(bundle["labels"]) >= {"training cost", "epoch", "learning rate 0.1", "start",
                                     "sigmoid neuron", "moons", "Two lines", "cat"}
    assert sorted(t.get_text() for t in translatable_texts(fig)) == before
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["cat", "$x$"]
    for image in bundle["images"].values():
        assert base64.b64decode(image).startswith(b"\x89PNG")


def test_what_a_drawing_had_no_words_for_is_named() -> None:
    fig = _every_kind_of_text()
    fig.axes[0].set_ylabel("validation cost")
    bundle = figure_bundle(fig, _png, {"pt_BR": PT})[FIGURE_MIME]
    assert bundle["untranslated"] == {"pt_BR": ["validation cost"]}


def test_a_figure_without_words_has_one_drawing() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="$f(z)$")
    ax.legend()
    ax.set(xlabel="$w_1$", ylabel="σ(z)")
    assert figure_bundle(fig, _png, {"pt_BR": PT}) == {}


def test_a_slider_figure_is_written_in_each_language(monkeypatch) -> None:
    import numpy as np

    from dnn_ref.figures import editions
    from dnn_ref.figures.explorer_figures import descent_explorer
    from dnn_ref.figures.explorers import descent_paths

    catalogue = LabelCatalogue(
        exact={"learning rate α": "taxa de aprendizado α", "steps": "passos"},
        templates=[*PT.templates, ("α = {rate}: diverges, left the picture after {k} steps",
                                   "α = {rate}: diverge, sai da figura após {k} passos")])
    monkeypatch.setattr(editions, "_catalogues", {"pt_BR": catalogue})
    paths = descent_paths(lambda w: 2 * w, [3.0, 2.0], [0.01, 0.05], steps=30, bound=10)
    explorer = descent_explorer(lambda w: (np.asarray(w) ** 2).sum(axis=0), paths,
                                [0.01, 0.05], radius=4.5, fallback="use the widget")
    bundle = explorer._repr_mimebundle_()
    pages = bundle[FIGURE_MIME]["html"]
    assert bundle["text/html"] == pages["en"]
    # Bokeh writes non-ASCII letters as \\u escapes: compare the ASCII words
    assert "learning rate" in pages["en"] and "taxa de aprendizado" in pages["pt_BR"]
    assert "learning rate" not in pages["pt_BR"]
    assert "cost {cost} after {k} steps" in pages["en"]         # the title's template, for JS
    assert "cost {cost} after" not in pages["pt_BR"] and "custo {cost}" in pages["pt_BR"]
    assert bundle[FIGURE_MIME]["untranslated"] == {"pt_BR": []}


def test_a_real_kernel_with_the_startup_file_outputs_both_drawings(tmp_path: Path,
                                                                   monkeypatch) -> None:
    startup = tmp_path / "ipython" / "profile_default" / "startup" / "00-figure-editions.py"
    startup.parent.mkdir(parents=True)
    po = tmp_path / "locale" / "pt_BR" / "LC_MESSAGES" / "figures.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "epoch"\nmsgstr "época"\n', encoding="utf-8")
    startup.write_text("from dnn_ref.figures.editions import install\n"
                       f"install({str(tmp_path / 'locale')!r}, languages=('pt_BR',))\n",
                       encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.set_xlabel('epoch')\n"
        "ax.set_ylabel('cost')\nplt.show()")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))   # the kernel inherits it
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for o in nb.cells[0].outputs if o.get("output_type") == "display_data"]
    assert len(outputs) == 1, json.dumps(nb.cells[0].outputs)[:500]
    data = outputs[0]["data"]
    assert "image/png" in data and FIGURE_MIME in data
    assert data[FIGURE_MIME]["images"]["en"] == data["image/png"]
    assert data[FIGURE_MIME]["untranslated"] == {"pt_BR": ["cost"]}
    assert data[FIGURE_MIME]["labels"] == ["cost", "epoch"]

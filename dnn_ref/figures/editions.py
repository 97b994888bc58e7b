"""One executed figure, labelled in the language of each edition of the book.

The book runs every notebook once: the English and the Portuguese edition
share one execution cache, keyed on the code. So a figure cannot be drawn
"in the reader's language" when it runs: it has two readers. Instead, while
the book is built, each matplotlib figure and each slider figure is drawn
once per language, and the output carries all of them:

* ``image/png`` (or ``text/html`` for a slider figure), in English, as
  JupyterLab and nbconvert show it;
* a bundle of type :data:`FIGURE_MIME`, ``{"images": {lang: png}}`` or
  ``{"html": {lang: html}}``, with ``"labels"`` (the English words met) and
  ``"untranslated"`` (per language, those with no translation yet).

Each edition's build shows its own language (``book/_ext/figure_editions.py``).

The words are translated by a catalogue of figure labels,
``locale/<lang>/LC_MESSAGES/figures.po``, whose messages are the labels as
the book's code writes them (``"training cost"``) or templates with named
fields (``"learning rate {rate}"`` matches ``"learning rate 0.1"``; a field's
value is translated too when it is itself a message). Text without words
(``"$w_1$"``, ``"σ(z)"``, numbers) is left alone. A label with no translation
stays English in the translated drawing, and the edition marks the figure
as untranslated; ``make i18n-update`` adds it to the catalogue.

:func:`install` turns this on in a kernel; the book's build does it
(``book/_ext/figure_editions.py`` gives each kernel an IPython startup file),
so the code readers see and run has nothing of it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIGURE_MIME = "application/vnd.dnn.figure-editions+json"
"""The output type that holds one drawing per language."""
SOURCE_LANGUAGE = "en"
_FIELD = re.compile(r"\{(\w+)\}")
_MATHS = re.compile(r"\$[^$]*\$")
_WORD = re.compile(r"[^\W\d_]{2,}")


def has_words(text: str) -> bool:
    """True when ``text`` holds a word of two letters or more outside ``$...$`` maths.

    ``"training cost"`` and ``"std of $A^{[l]}$"`` have words; ``"$w_1$"``,
    ``"σ(z)"``, ``"w1"`` and ``"0.5"`` do not, and are the same in every language.
    """
    return bool(_WORD.search(_MATHS.sub("", text)))


def template_pattern(msgid: str) -> re.Pattern[str]:
    """The regular expression of a message with named fields: ``{rate}`` matches any text."""
    parts = _FIELD.split(msgid)      # text, name, text, name, ..., text
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                    for i, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


def message_matches(msgid: str, label: str) -> bool:
    """True when the message ``msgid`` translates ``label`` (as written, or as a template)."""
    return msgid == label or (bool(_FIELD.search(msgid))
                              and template_pattern(msgid).match(label) is not None)


def worded_lines(label: str) -> list[str]:
    """The lines of ``label`` that hold words: the units a catalogue translates."""
    return [line for line in label.split("\n") if has_words(line)]


@dataclass
class LabelCatalogue:
    """The translations of figure labels into one language.

    Parameters
    ----------
    exact : dict
        English label -> translated label.
    templates : list of (str, str)
        Messages with named fields, ``("learning rate {rate}", "taxa de aprendizado {rate}")``.
    """

    exact: dict[str, str] = field(default_factory=dict)
    templates: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._patterns = [(template_pattern(msgid), msgstr) for msgid, msgstr in self.templates]
        self._by_msgid = dict(self.templates)

    @classmethod
    def from_po(cls, path: Path) -> LabelCatalogue:
        """The translated, not fuzzy, messages of a ``figures.po`` file (none if it is missing)."""
        import polib

        catalogue = cls()
        if path.is_file():
            for entry in polib.pofile(str(path)):
                if entry.translated() and not entry.obsolete:
                    if _FIELD.search(entry.msgid):
                        catalogue.templates.append((entry.msgid, entry.msgstr))
                    else:
                        catalogue.exact[entry.msgid] = entry.msgstr
        catalogue.__post_init__()
        return catalogue

    def translate(self, text: str) -> str | None:
        """``text`` in this language, or None when no message matches it.

        Lines are translated one by one (a title may have two), so a two-line
        label is translated when each of its worded lines is.
        """
        if "\n" in text:
            lines = [line if not has_words(line) else self.translate(line)
                     for line in text.split("\n")]
            return None if None in lines else "\n".join(lines)
        if text in self.exact:
            return self.exact[text]
        if text in self._by_msgid:               # a template asked for as such
            return self._by_msgid[text]
        for pattern, msgstr in self._patterns:
            found = pattern.match(text)
            if found:
                values = {k: self.exact.get(v, v) for k, v in found.groupdict().items()}
                return _FIELD.sub(lambda m, v=values: v.get(m[1], m[0]), msgstr)
        return None


@dataclass
class Words:
    """Translate the labels of one drawing, noting those without a translation.

    Calling it with an English label returns the label in the catalogue's
    language (English when there is no catalogue or no message); with
    ``**values``, the label is a template filled in after translation.
    """

    catalogue: LabelCatalogue | None
    met: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)

    def __call__(self, label: str, **values: object) -> str:
        if has_words(label):
            self.met.add(label)
            translated = self.catalogue.translate(label) if self.catalogue else label
            if translated is None:
                self.missing.add(label)
            label = label if translated is None else translated
        return label.format(**values) if values else label


_catalogues: dict[str, LabelCatalogue] = {}


def catalogues() -> dict[str, LabelCatalogue]:
    """The languages besides English that figures are drawn in ({} unless :func:`install` ran)."""
    return dict(_catalogues)


def translatable_texts(figure: object) -> Iterator[object]:
    """Every ``matplotlib.text.Text`` of ``figure`` that holds words (titles, axis labels,
    legends, annotations, text added to the axes)."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        if has_words(text.get_text()):
            yield text


def _fixed_tick_labels(figure: object) -> Iterator[object]:
    """The formatters of axes whose tick labels are fixed strings (``set_xticklabels``)."""
    from matplotlib.ticker import FixedFormatter

    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                yield formatter


@contextlib.contextmanager
def labelled_in(figure: object, words: Words) -> Iterator[None]:
    """Give ``figure``'s labels the words of ``words`` inside the block; restore them after."""
    texts = [(text, text.get_text()) for text in translatable_texts(figure)]
    ticks = [(formatter, list(formatter.seq)) for formatter in _fixed_tick_labels(figure)]
    try:
        for text, label in texts:
            text.set_text(words(label))
        for formatter, labels in ticks:
            formatter.seq = [words(str(label)) for label in labels]
        yield
    finally:
        for text, label in texts:
            text.set_text(label)
        for formatter, labels in ticks:
            formatter.seq = labels


def figure_bundle(figure: object, png: Callable[[object], str],
                  languages: dict[str, LabelCatalogue] | None = None) -> dict:
    """The :data:`FIGURE_MIME` bundle of a matplotlib figure ({} when it has no words).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    png : callable
        Draws a figure as base64 PNG text (the kernel's own ``image/png`` formatter, so
        every drawing has the size and resolution of the English one).
    languages : dict, optional
        Language -> catalogue; default :func:`catalogues`.
    """
    languages = catalogues() if languages is None else languages
    english = Words(None)
    with labelled_in(figure, english):
        pass
    if not english.met or not languages:
        return {}
    images, untranslated = {SOURCE_LANGUAGE: png(figure)}, {}
    for lang, catalogue in languages.items():
        words = Words(catalogue)
        with labelled_in(figure, words):
            images[lang] = png(figure)
        untranslated[lang] = sorted(words.missing)
    return {FIGURE_MIME: {"images": images, "labels": sorted(english.met),
                          "untranslated": untranslated}}


def html_bundle(draw: Callable[[Words], str], languages: Sequence[str] | None = None) -> dict:
    """``text/html`` in English plus, when figures are drawn per language, the
    :data:`FIGURE_MIME` bundle of the same HTML drawn in every language.

    Parameters
    ----------
    draw : callable
        ``draw(words)`` returns the HTML of the figure with its words from ``words``.
    """
    chosen = catalogues()
    english = Words(None)
    bundle = {"text/html": draw(english)}
    if chosen and english.met:
        pages, untranslated = {SOURCE_LANGUAGE: bundle["text/html"]}, {}
        for lang in languages or chosen:
            words = Words(chosen[lang])
            pages[lang] = draw(words)
            untranslated[lang] = sorted(words.missing)
        bundle[FIGURE_MIME] = {"html": pages, "labels": sorted(english.met),
                               "untranslated": untranslated}
    return bundle


def install(locale_dir: Path, languages: Sequence[str] = ("pt_BR",),
            shell: object | None = None) -> None:
    """Draw every matplotlib figure this IPython kernel shows once per language.

    Parameters
    ----------
    locale_dir : Path
        Holds ``<lang>/LC_MESSAGES/figures.po``.
    languages : sequence of str
        The languages besides English.
    shell : IPython.core.interactiveshell.InteractiveShell, optional
        Default: the running one.
    """
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = shell or get_ipython()
    for lang in languages:
        _catalogues[lang] = LabelCatalogue.from_po(
            Path(locale_dir) / lang / "LC_MESSAGES" / "figures.po")
    formatters = shell.display_formatter

    def png(figure: object) -> str:
        drawn = formatters.formatters["image/png"].lookup(figure)(figure)
        return drawn if isinstance(drawn, str) else drawn.decode("ascii")

    def bundle(figure: object, include: object = None, exclude: object = None) -> dict:
        return figure_bundle(figure, png)

    formatters.mimebundle_formatter.for_type(Figure, bundle)

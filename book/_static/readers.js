/* The book on a phone: boxes that scroll sideways show where more is hidden.
 *
 * Every box that scrolls horizontally (display maths, code, outputs, tables,
 * wide figures) gets the class dnn-scrolls-right while part of it is hidden
 * on the right, and dnn-scrolls-left while part is hidden on the left;
 * readers.css draws a shadow on that side. Figures much wider than tall are
 * wrapped in such a box and marked dnn-wide-figure, so that on a narrow
 * screen they keep a legible size instead of shrinking to the column.
 * Search result summaries leave out the article's button labels, the
 * print-only contents, which Sphinx's search would otherwise quote ("….pdf"),
 * and a chapter's cell of imports. Each click of the colour-mode button
 * visibly changes the colours (the theme's own cycle goes light → auto, which
 * looks the same on a light system). The header gets a link to the whole book
 * as one PDF of the page's own edition (`make pdf`), titled in the page's
 * language. Loaded by book/_ext/reader_assets.py.
 */
(function () {
  "use strict";

  const BOXES = [
    "article.bd-article div.math",
    "article.bd-article span.math",
    'article.bd-article mjx-container[display="true"]',
    "article.bd-article pre",
    "article.bd-article .cell_output .output",
    "article.bd-article .pst-scrollable-table-container",
    "article.bd-article .dnn-figure-scroll",
  ].join(", ");

  /** The whole book as one PDF, at the root of each edition's site (made by `make pdf`):
   * the English one at the root, the Portuguese one in pt/. */
  const PDF_NAME = "dnn-from-scratch.pdf";

  /** The PDF link's tooltip, by the page's language (html lang). */
  const PDF_TITLE = {
    en: "Download the whole book (PDF)",
    pt: "Baixar o livro inteiro (PDF)",
  };

  /** Width / height above which a figure counts as multi-panel. */
  const WIDE = 1.8;

  /** Pixels a box must hide before it gets a cue (glyphs overhang their box by a few). */
  const SLACK = 6;

  function cue(box) {
    const hidden = box.scrollWidth - box.clientWidth;
    box.classList.toggle("dnn-scrolls-right", hidden > SLACK && box.scrollLeft < hidden - 1);
    box.classList.toggle("dnn-scrolls-left", hidden > SLACK && box.scrollLeft > 1);
  }

  function wrapWideFigure(img) {
    if (!(img.naturalWidth > WIDE * img.naturalHeight)) return;
    img.classList.add("dnn-wide-figure");
    if (img.parentElement.classList.contains("dnn-figure-scroll")) return;
    const box = document.createElement("div");
    box.className = "dnn-figure-scroll";
    img.replaceWith(box);
    box.appendChild(img);
  }

  function update() {
    document.querySelectorAll("article.bd-article .cell_output img").forEach(wrapWideFigure);
    document.querySelectorAll(BOXES).forEach((box) => {
      if (!box.dataset.dnnCue) {
        box.dataset.dnnCue = "1";
        box.addEventListener("scroll", () => cue(box), { passive: true });
      }
      cue(box);
    });
  }

  /** Page parts that are not the page's text: the buttons' labels ("….pdf") and the
   * print-only table of contents ("Contents"). Search result summaries skip them. */
  const NOT_TEXT = ".bd-header-article, #jb-print-docs-body, .onlyprint, .bd-sidebar-secondary, " +
    ".prev-next-area, footer";

  /** A code cell that only imports (`import x`, `from x import (a, b)`): its text
   * is the same names on every page, and a search summary should not quote it. */
  function onlyImports(code) {
    const lines = code.replace(/\([^)]*\)/g, "()").split("\n")
      .map((line) => line.replace(/#.*$/, "").trim()).filter((line) => line);
    return lines.length > 0 && lines.every((line) => /^(import|from)\s/.test(line));
  }

  function cleanSearchSummaries() {
    // searchtools.js declares `const Search` (a global, but not a window property)
    if (typeof Search === "undefined" || !Search.htmlToText || Search.dnnClean) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(NOT_TEXT).forEach((e) => e.remove());
      doc.querySelectorAll("div.cell").forEach((cell) => {
        const input = cell.querySelector(".cell_input pre");
        if (input && onlyImports(input.textContent)) cell.remove();
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.dnnClean = true;
  }

  const prefersDark = window.matchMedia("(prefers-color-scheme: dark)");

  /** What pydata-sphinx-theme's setTheme does: record the mode, show its colours. */
  function applyMode(mode) {
    const theme = mode === "auto" ? (prefersDark.matches ? "dark" : "light") : mode;
    document.documentElement.dataset.mode = mode;
    document.documentElement.dataset.theme = theme;
    document.querySelectorAll(".dropdown-menu").forEach((el) =>
      el.classList.toggle("dropdown-menu-dark", theme === "dark"));
    localStorage.setItem("mode", mode);
    localStorage.setItem("theme", theme);
  }

  /** The next mode, chosen so that the colours change on every click:
   * light → dark → auto (showing light on a light system) → dark → …, and the
   * mirror image on a dark system. */
  function nextMode(mode) {
    const system = prefersDark.matches ? "dark" : "light";
    const other = system === "dark" ? "light" : "dark";
    // "auto" shows the system's colours, so from the other colours go to auto
    return mode === other ? "auto" : other;
  }

  function fixColourModeButton() {
    // Capture phase on the document: runs before the theme's own click handler,
    // which it replaces.
    document.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest(".theme-switch-button");
      if (!button) return;
      event.stopImmediatePropagation();
      event.preventDefault();
      const current = document.documentElement.dataset.mode || "auto";
      applyMode(nextMode(current));
    }, true);
    prefersDark.addEventListener("change", () => {
      if ((document.documentElement.dataset.mode || "auto") === "auto") applyMode("auto");
    });
  }

  /** The PDF of this page's edition: the file at the root of the edition's site
   * (content_root is that root: the English site, or its pt/ folder). */
  function pdfUrl() {
    const root = document.documentElement.dataset.content_root;
    return root === undefined ? null : root + PDF_NAME;
  }

  /** The PDF link's tooltip in the page's language ("pt-BR" → pt), English otherwise. */
  function pdfTitle() {
    const language = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    return PDF_TITLE[language] || PDF_TITLE.en;
  }

  /** A "whole book as PDF" link in the header, next to the other buttons; the
   * introduction's own link is pointed at the same file. */
  function addPdfLink() {
    const url = pdfUrl();
    const bar = document.querySelector(".article-header-buttons");
    document.querySelectorAll("a.dnn-pdf-download").forEach((a) => { if (url) a.href = url; });
    if (!url || !bar || bar.querySelector(".dnn-pdf-link")) return;
    const link = document.createElement("a");
    link.className = "btn btn-sm dnn-pdf-link";
    link.href = url;
    link.title = pdfTitle();
    link.setAttribute("aria-label", link.title);
    link.textContent = "PDF";
    bar.prepend(link);
  }

  function start() {
    fixColourModeButton();
    addPdfLink();
    cleanSearchSummaries();
    update();
    window.addEventListener("resize", update);
    window.addEventListener("load", update);
    document.querySelectorAll("article.bd-article img").forEach((img) => {
      if (!img.complete) img.addEventListener("load", update, { once: true });
    });
    // MathJax typesets after this script runs: mark its boxes when it is done.
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(update);
    } else {
      window.addEventListener("load", () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
          MathJax.startup.promise.then(update);
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

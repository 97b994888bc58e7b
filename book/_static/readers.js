/* The book on a phone: boxes that scroll sideways show where more is hidden.
 *
 * Every box that scrolls horizontally (display maths, code, outputs, tables,
 * wide figures) gets the class dnn-scrolls-right while part of it is hidden
 * on the right, and dnn-scrolls-left while part is hidden on the left;
 * readers.css draws a shadow on that side. Figures much wider than tall are
 * wrapped in such a box and marked dnn-wide-figure, so that on a narrow
 * screen they keep a legible size instead of shrinking to the column.
 * Search result summaries leave out the article's button labels and the
 * print-only contents, which Sphinx's search would otherwise quote ("….pdf").
 * Loaded by book/_ext/reader_assets.py.
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

  function cleanSearchSummaries() {
    // searchtools.js declares `const Search` (a global, but not a window property)
    if (typeof Search === "undefined" || !Search.htmlToText || Search.dnnClean) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(NOT_TEXT).forEach((e) => e.remove());
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.dnnClean = true;
  }

  function start() {
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

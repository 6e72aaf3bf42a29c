// The program editor: a plain textarea with line numbers beside it, and an error shown
// where it is: its line number marked, the whole token underlined in the text, and the
// message below with the line and a caret under every character of the token, as the
// command line writes it. Reusable: it keeps its state to itself and looks only inside
// its root.

import { h } from "./dom.js";

export class Editor {
  /** `root`: an empty element to fill. `onInput(text)`: called on every edit. */
  constructor(root, { value = "", label = "Program", onInput = () => {} } = {}) {
    this.root = root;
    this.onInput = onInput;
    this.error = null;
    this.gutter = h("div", { class: "cr-gutter", "aria-hidden": "true" });
    this.mirror = h("pre", { class: "cr-mirror", "aria-hidden": "true" });
    this.area = h("textarea", {
      class: "cr-code", spellcheck: "false", wrap: "off", autocapitalize: "off",
      autocomplete: "off", "aria-label": label,
    });
    this.box = h("div", { class: "cr-error", role: "alert", hidden: true });
    root.classList.add("cr", "cr-editor");
    root.append(
      h("div", { class: "cr-editor-label" }, label),
      h("div", { class: "cr-editor-box" }, this.gutter,
        h("div", { class: "cr-editor-text" }, this.mirror, this.area)),
      this.box,
    );
    this.area.value = value;
    this.area.addEventListener("input", () => {
      this.error = null;        // the mark belonged to the text before this edit
      this.redraw();
      this.onInput(this.area.value);
    });
    this.area.addEventListener("scroll", () => this.follow());
    this.redraw();
  }

  get value() { return this.area.value; }

  set value(text) {
    this.area.value = text;
    this.error = null;
    this.redraw();
  }

  /** Shows an engine error ({message, help, line, column, length}) for the text as it is. */
  showError(e) {
    this.error = e.line ? { line: e.line, column: e.column || 1, length: e.length || 1 } : null;
    fillError(this.box, e, this.area.value);
    this.redraw();
  }

  clearError() {
    // Nothing shown (the usual case, an edit that works after one that worked): the
    // text need not be split and numbered again.
    if (!this.error && this.box.hidden) return;
    this.error = null;
    this.box.hidden = true;
    this.box.replaceChildren();
    this.redraw();
  }

  /** The line numbers and the text under the textarea, with the error's token marked. */
  redraw() {
    const lines = this.area.value.split("\n");
    const bad = this.error ? this.error.line : 0;
    this.number(lines.length, bad);
    if (!this.error || bad > lines.length) {
      // Nothing to mark: the text under the textarea (drawn transparent) is not needed,
      // and an edit does not make the browser lay it out again.
      if (this.mirror.firstChild) this.mirror.replaceChildren();
    } else {
      this.mirror.replaceChildren();
      // Columns count characters (code points), as the engine's do.
      const chars = Array.from(lines[bad - 1]);
      const from = Math.min(this.error.column - 1, chars.length);
      const to = Math.min(from + this.error.length, chars.length);
      const before = lines.slice(0, bad - 1).concat(chars.slice(0, from).join("")).join("\n");
      const token = chars.slice(from, to).join("") || " ";
      const after = chars.slice(to).join("") + "\n" + lines.slice(bad).join("\n");
      this.mirror.append(before, h("mark", { class: "cr-token-bad" }, token), after + "\n");
    }
    // The mirror and the gutter keep their offsets (`follow`, on each scroll): reading the
    // textarea's scroll here would make the browser lay the page out at once.
  }

  /** The gutter numbering `count` lines, line `bad` marked (0: none). Only the numbers
   * that come or go and the mark that moves are touched, so that an edit which keeps
   * the lines (most of them) costs the browser no new elements to style and lay out. */
  number(count, bad) {
    const g = this.gutter;
    while (g.childElementCount > count) g.lastElementChild.remove();
    for (let k = g.childElementCount; k < count; k++) g.append(h("span", {}, String(k + 1)));
    const was = this.badLine || 0, now = bad <= count ? bad : 0;
    if (was !== now) {
      if (was && was <= count) g.children[was - 1].classList.remove("cr-gutter-bad");
      if (now) g.children[now - 1].classList.add("cr-gutter-bad");
      this.badLine = now;
    }
    const width = `${String(count).length + 1.5}ch`;
    if (g.style.minWidth !== width) g.style.minWidth = width;
  }

  /** Keeps the line numbers and the marked text under the textarea as it scrolls. */
  follow() {
    const { scrollLeft: x, scrollTop: y } = this.area;
    this.mirror.style.transform = `translate(${-x}px, ${-y}px)`;
    this.gutter.style.transform = `translateY(${-y}px)`;
  }
}

/** Fills `box` with engine error `e` ({message, help, line, column, length}) about
 * program `source`: where, what, the line with a caret under the whole problem, and the
 * help. The editor and the embed show errors so. */
export function fillError(box, e, source) {
  box.hidden = false;
  box.dataset.line = e.line || "";
  box.dataset.column = e.column || "";
  box.dataset.length = e.length || "";
  const where = e.line ? `line ${e.line}, column ${e.column}: ` : "";
  box.replaceChildren(h("div", { class: "cr-error-message" }, `error: ${where}${e.message}`));
  if (e.line) box.append(h("pre", { class: "cr-error-excerpt" }, excerpt(source, e)));
  if (e.help) box.append(h("div", { class: "cr-error-help" }, `help: ${e.help}`));
}

/** `  2 | y = x +* 2` and a caret under each character of the problem at `line`, `column`
 * (1-based, in characters), `length` characters long, in program `source`. */
function excerpt(source, { line, column, length }) {
  const text = source.split("\n")[line - 1] || "";
  const num = String(line);
  const pad = " ".repeat(num.length);
  return `${num} | ${text}\n${pad} | ${" ".repeat((column || 1) - 1)}${"^".repeat(length || 1)}`;
}

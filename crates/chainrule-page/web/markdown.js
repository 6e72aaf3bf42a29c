// A lesson's Markdown made into page elements, never into HTML text: every piece of text
// becomes a text node, so nothing a lesson says (a teacher's own, opened from a file or a
// link, included) can add markup, a script or a handler. HTML in a lesson shows as the
// text it is. The subset lessons use: paragraphs, headings, lists, quotes, fenced code,
// `code`, *emphasis*, **strong**, and links to http(s) and mailto addresses (any other
// link stays text). The page renders lessons here rather than in the engine because the
// page is the only place that shows them as rich text (the terminal prints them as they
// are, a notebook's own Markdown cells render them), and building elements leaves no
// HTML string to get wrong. Pure: no state, no engine.

import { h } from "./dom.js";

/** `text` (Markdown) as a fragment of elements. `headingLevel`: the element a `#`
 * heading becomes (h3: a lesson's own title is the page's h2). */
export function markdown(text, { headingLevel = 3 } = {}) {
  const out = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      i = codeBlock(lines, i, fence, out);
    } else if (!line.trim()) {
      i += 1;
    } else if (/^#{1,6}\s/.test(line)) {
      const [, hashes, rest] = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      const level = Math.min(6, headingLevel + hashes.length - 1);
      out.append(h(`h${level}`, { class: "cr-md-heading" }, inline(rest)));
      i += 1;
    } else if (LIST.test(line)) {
      i = list(lines, i, out);
    } else if (/^\s*>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ""));
      out.append(h("blockquote", {}, markdown(quoted.join("\n"), { headingLevel })));
    } else {
      const para = [];
      while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) para.push(lines[i++].trim());
      out.append(h("p", {}, inline(para.join(" "))));
    }
  }
  return out;
}

const LIST = /^(\s*)([-*+]|\d{1,9}[.)])\s+/;

/** Whether `line` starts a block other than a paragraph (which it then ends). */
function startsBlock(line) {
  return /^(\s*)(`{3,}|~{3,})/.test(line) || /^#{1,6}\s/.test(line) || LIST.test(line) || /^\s*>/.test(line);
}

/** The fenced code block opened at line `i`: appended to `out`; the line after it. */
function codeBlock(lines, i, fence, out) {
  const [, , marks, info] = fence;
  const body = [];
  let j = i + 1;
  const closes = (l) => l.trim().startsWith(marks) && !l.trim().slice(marks.length).replace(new RegExp(`\\${marks[0]}`, "g"), "").trim();
  while (j < lines.length && !closes(lines[j])) body.push(lines[j++]);
  const lang = info.trim().split(/\s+/)[0] || null;
  out.append(h("pre", { class: "cr-md-code", "data-lang": lang }, h("code", {}, body.join("\n"))));
  return j + 1;
}

/** The list that starts at line `i` (bullets or numbers): appended to `out`; the line after. */
function list(lines, i, out) {
  const marker = LIST.exec(lines[i])[2];
  const ordered = /\d/.test(marker);
  const items = [];     // each item's lines
  while (i < lines.length) {
    const line = lines[i];
    const m = LIST.exec(line);
    if (m && /\d/.test(m[2]) === ordered) {
      items.push([line.slice(m[0].length)]);
    } else if (line.trim() && /^\s+/.test(line)) {
      items[items.length - 1].push(line.trim());     // the item goes on
    } else if (!(!line.trim() && i + 1 < lines.length && LIST.test(lines[i + 1]))) {
      break;      // (a blank line between two items keeps the list going)
    }
    i += 1;
  }
  const start = ordered && parseInt(marker, 10) !== 1 ? String(parseInt(marker, 10)) : null;
  out.append(h(ordered ? "ol" : "ul", { start }, items.map((it) => h("li", {}, inline(it.join(" "))))));
  return i;
}

/** A line's inline Markdown as nodes: code spans, strong, emphasis, links, escapes. */
export function inline(text) {
  const out = [];
  let plain = "";
  const flush = () => { if (plain) out.push(document.createTextNode(plain)); plain = ""; };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length && /[\\`*_[\]()#+\-.!{}<>|~]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    const span = c === "`" ? codeSpan(text, i)
      : c === "*" || c === "_" ? emphasis(text, i)
        : c === "[" ? link(text, i)
          : null;
    if (span) {
      flush();
      out.push(span.node);
      i = span.end;
    } else {
      plain += c;
      i += 1;
    }
  }
  flush();
  return out;
}

/** A code span opened by the backticks at `i`: its node and where it ends; null if it is
 * never closed (then the backticks are text). */
function codeSpan(text, i) {
  const run = /^`+/.exec(text.slice(i))[0];
  let j = i + run.length;
  while (j < text.length) {
    const k = text.indexOf(run, j);
    if (k < 0) return null;
    const after = k + run.length;
    if (text[after] !== "`" && text[k - 1] !== "`") {
      let body = text.slice(i + run.length, k);
      if (/^ .* $/.test(body) && body.trim()) body = body.slice(1, -1);
      return { node: h("code", {}, body), end: after };
    }
    j = after;
    while (text[j] === "`") j += 1;
  }
  return null;
}

/** `*em*`, `_em_`, `**strong**` or `__strong__` at `i`: its node and end; null if it does
 * not open one (a lone star, a star before a space, a snake_case_name). */
function emphasis(text, i) {
  const c = text[i];
  const double = text[i + 1] === c;
  const mark = double ? c + c : c;
  const start = i + mark.length;
  if (!text[start] || /\s/.test(text[start])) return null;
  if (c === "_" && i > 0 && /\w/.test(text[i - 1])) return null;
  let k = start;
  for (;;) {
    k = text.indexOf(mark, k + 1);
    if (k < 0) return null;
    if (!double && text[k + 1] === c) { k += 1; continue; }
    if (/\s/.test(text[k - 1])) continue;
    if (c === "_" && /\w/.test(text[k + mark.length] || "")) continue;
    break;
  }
  const node = h(double ? "strong" : "em", {}, inline(text.slice(start, k)));
  return { node, end: k + mark.length };
}

/** `[text](address)` at `i`: a link for http, https and mailto addresses, the text alone
 * for any other (so no `javascript:` link can be made); null if it is not a link. */
function link(text, i) {
  const close = text.indexOf("](", i + 1);
  if (close < 0) return null;
  const end = text.indexOf(")", close + 2);
  if (end < 0) return null;
  const label = text.slice(i + 1, close);
  const href = text.slice(close + 2, end).trim();
  if (!label || /\s/.test(href)) return null;
  const safe = /^(https?:\/\/|mailto:)/i.test(href);
  const node = safe
    ? h("a", { href, rel: "noopener noreferrer", target: "_blank" }, inline(label))
    : h("span", { class: "cr-md-link-refused", title: `not a link: only http, https and mailto addresses are (${href})` }, inline(label));
  return { node, end: end + 1 };
}

// The grads the program sets by hand (`a.grad = 6`), each checked by the engine: right, or
// what it should be and why, with the engine's diagnosis: which typical mistake gives the
// wrong value (a lost sign, the wrong operand, …), or that it is right given the learner's
// own wrong grad further up (then the mistake is there, and the grad is marked as
// following from it, not as a second mistake). When an edit changes the program's output (a line added
// after L makes M the output), `change` says so, and a hand grad that was right for the
// old output is shown as written for that output, not silently marked wrong. Reusable: it
// keeps its state to itself and looks only inside its root.

import { h, fmt } from "./dom.js";

/** The engine's diagnosis of a wrong hand grad `x` (its `diagnosis` lines, `mistakes`
 * and `follows_from_yours`), as a list; null when it has none. */
export function diagnosis(x) {
  if (!x.diagnosis || !x.diagnosis.length) return null;
  return h("ul", {
    class: x.follows_from_yours ? "cr-diagnosis cr-upstream" : "cr-diagnosis",
    "data-mistakes": (x.mistakes || []).join(" "),
  }, x.diagnosis.map((line) => h("li", {}, line)));
}

export class HandList {
  constructor(root) {
    this.root = root;
    this.output = null;    // the last answer's output name
    this.own = [];         // and its hand grads
    /** {from, to, hand}: the output changed from `from` (whose hand grads were `hand`)
     * to `to`; null while it is the output the page opened with or went back to. */
    this.change = null;
    this.list = h("ul", { class: "cr-hand-list" });
    root.classList.add("cr", "cr-hands");
    root.append(h("h2", {}, "Grads set by hand"), this.list);
  }

  /** The hand grads of a new answer of the program. */
  show(answer) {
    const own = answer.hand.filter((x) => x.line);
    const out = answer.output.name;
    if (this.output !== null && out !== this.output) {
      const c = this.change;
      this.change = c && c.from === out ? null
        : { from: c ? c.from : this.output, hand: c ? c.hand : this.own, to: out };
    }
    this.output = out;
    this.own = own;
    if (own.length === 0) {
      this.list.replaceChildren(h("li", { class: "cr-none" },
        "None yet: write ", h("code", {}, "f.grad = 4"), " in the program, or type a grad into a value."));
      return;
    }
    this.list.replaceChildren(...own.map((x) => this.item(x, out)));
  }

  item(x, out) {
    const c = this.change;
    const old = c && !x.right && c.hand.find((o) => o.right && o.name === x.name && o.given === x.given);
    const li = h("li", { "data-node-id": x.id });
    if (old) {
      li.className = "cr-old-output";
      li.textContent = `line ${x.line}: ${x.name}.grad = ${fmt(x.given)}: right for d${c.from}/d${x.name}, written before the output became ${out}; d${out}/d${x.name} = ${fmt(x.correct)}`;
      return li;
    }
    li.className = x.right ? "cr-right" : x.follows_from_yours ? "cr-follows" : "cr-wrong";
    li.textContent = `line ${x.line}: ${x.name}.grad = ${fmt(x.given)} ` + (x.right ? "✓ right"
      : `✗ should be ${fmt(x.correct)}` + (x.follows_from_yours ? ", but it follows from your grad above" : ""));
    if (!x.right) li.append(h("pre", {}, x.derivation.join("\n")), diagnosis(x) || "");
    return li;
  }
}

//! The built-in SVG drawing: a record of three cells per value, an ellipse per op,
//! curved edges from the right side of one node into the left side of the next (top to
//! bottom with [`RankDir::TB`]), laid out by [`crate::draw::layout`].
//!
//! A graph whose full layout would place more points than
//! [`DrawOptions::max_layout_points`] (long edges need a bend point in every column they
//! cross) gets the simpler layout: each use of a value more than one column away is drawn
//! with a copy of the value (a dashed box, `data-copy-of` its id) just before the op
//! that uses it, so no edge is long. The drawing says so in a note and its `<desc>`.

use crate::draw::layout::{self, Input, Layout};
use crate::draw::metrics::{text_units, text_width, units_width};
use crate::draw::{DrawOptions, Drawing, DrawnCells, Node, Picture, RankDir, Simplified};
use crate::io::markup::{escape, escape_into};
use std::collections::HashSet;
use std::fmt::Write;

const FONT: f64 = 14.0;
const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
/// Space between a cell's text and its sides.
const PAD: f64 = 8.0;
/// A record's height.
const ROW: f64 = 30.0;
/// An op ellipse's half height, and least half width.
const OP_RY: f64 = 15.0;
const OP_MIN_RX: f64 = 21.0;
const RANK_GAP: f64 = 44.0;
const NODE_GAP: f64 = 14.0;
const MARGIN: f64 = 12.0;
/// The height of the note's two lines above a drawing with the simpler layout.
const NOTE: f64 = 42.0;
/// Arrowhead length and half width.
const ARROW: f64 = 8.0;
const ARROW_HALF: f64 = 4.0;

/// Styles by class: the drawing's look in one place. `box-*` classes mark leaves, the
/// output, non-finite values and highlighted ones; `*-lit` the highlight.
const STYLE: &str = "<style>\
text{text-anchor:middle;fill:#222}\
.box{fill:#fff;stroke:#333;stroke-width:1}\
.box-leaf{fill:#e3eefa}\
.box-out{fill:#e2f3e5;stroke-width:2}\
.box-bad{fill:#fde3e3;stroke:#c62828;stroke-width:2}\
.box-lit{stroke:#e8710a;stroke-width:3}\
.box-copy{stroke-dasharray:5 3}\
.note{text-anchor:start;fill:#8a4b00;font-style:italic}\
.sep{stroke:#333;stroke-width:1}\
.cell-label{fill:#000}\
.cell-bad{fill:#c62828}\
.cell-unknown{fill:#9e9e9e;font-style:italic}\
.opnode{fill:#f4f4f4;stroke:#555;stroke-width:1}\
.opnode-lit{stroke:#e8710a;stroke-width:3}\
.wire{fill:none;stroke:#555;stroke-width:1.2}\
.wire-lit{stroke:#e8710a;stroke-width:2.5}\
.head{fill:#555}\
.head-lit{fill:#e8710a}\
</style>\n";

/// One value's box: its cells' texts and widths.
struct Record {
    cells: Vec<(String, f64)>,
    width: f64,
}

/// What a drawn node is.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// The value at this position of `Picture::nodes`.
    Value(usize),
    /// The op that made that value.
    Op(usize),
    /// A copy of that value, drawn next to a far use (the simpler layout).
    Copy(usize),
}

/// The SVG of `pic`, with the full layout when it fits `opts.max_layout_points`, else
/// the simpler one.
pub(crate) fn write(pic: &Picture, opts: &DrawOptions) -> Drawing {
    let hl = Marks::new(opts);
    let records: Vec<Record> = (0..pic.nodes.len())
        .map(|k| record(&pic.nodes[k], opts, &hl))
        .collect();
    let mut map = Map {
        tb: opts.rankdir == RankDir::TB,
        top: 0.0,
    };
    let level = levels(pic);
    let mut drawn = graph(pic, &records, &map, &level, false);
    let points = layout::points(&drawn.input);
    let mut simplified = None;
    if points > opts.max_layout_points {
        drawn = graph(pic, &records, &map, &level, true);
        map.top = NOTE;
        simplified = Some(Simplified {
            points,
            limit: opts.max_layout_points,
            copies: drawn.copies,
        });
    }
    let lay = layout::layout(&drawn.input);
    let mut s = String::with_capacity(900 * drawn.kinds.len() + 1000);
    let (w, h) = map.xy(lay.extent.0 + MARGIN, lay.extent.1 + MARGIN);
    let lines = simplified.map_or(vec![], |n| vec![n.what(), n.why()]);
    let note_w = lines.iter().map(|l| text_width(l, FONT) + 2.0 * MARGIN);
    let (w, h) = (note_w.fold(w, f64::max).ceil(), h.ceil());
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}" font-size="{FONT}">"#,
    );
    s.push_str(STYLE);
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    if !lines.is_empty() {
        let _ = writeln!(s, "<desc>{}</desc>", escape(&lines.join(" ")));
    }
    for (k, line) in lines.iter().enumerate() {
        let y = MARGIN + FONT + 18.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<text class="note" x="{MARGIN}" y="{y}">{}</text>"#,
            escape(line)
        );
    }
    let Drawn {
        kinds, wh, input, ..
    } = &drawn;
    let mut chunks = Chunks::new();
    edges(&mut s, &mut chunks, pic, kinds, input, &lay, &map, &hl);
    for (v, kind) in kinds.iter().enumerate() {
        let xy = map.xy(lay.center[v].0, lay.center[v].1);
        let el = chunks.element();
        match *kind {
            Kind::Value(k) => value(el, pic, k, &records[k], xy, &hl, false),
            Kind::Copy(k) => value(el, pic, k, &records[k], xy, &hl, true),
            Kind::Op(k) => op(el, pic, k, wh[v], xy, &hl),
        }
        let (w, h) = match *kind {
            Kind::Value(k) | Kind::Copy(k) => (records[k].width, ROW),
            Kind::Op(_) => wh[v],
        };
        chunks.done([
            xy.0 - w / 2.0,
            xy.1 - h / 2.0,
            xy.0 + w / 2.0,
            xy.1 + h / 2.0,
        ]);
    }
    chunks.end(&mut s);
    s.push_str("</svg>\n");
    Drawing { svg: s, simplified }
}

/// Value `n`'s box as [`write()`] draws it: its cells' texts and widths, and whether each
/// is flagged bad.
pub(crate) fn node_cells(n: &Node, opts: &DrawOptions, hl: &Marks) -> DrawnCells {
    let Record { cells, .. } = record(n, opts, hl);
    let (texts, widths): (Vec<String>, Vec<f64>) = cells.into_iter().unzip();
    let bad = (0..texts.len())
        .map(|j| match j {
            1 => !n.data.is_finite(),
            2 => !hl.unknown.contains(&n.index) && n.grad.is_some_and(|g| !g.is_finite()),
            _ => false,
        })
        .collect();
    DrawnCells {
        index: n.index,
        texts,
        widths,
        bad,
    }
}

/// Abstract layout coordinates to SVG ones, margins (and the note's line) included.
struct Map {
    tb: bool,
    /// Space above the drawing, for the note.
    top: f64,
}

impl Map {
    fn xy(&self, r: f64, o: f64) -> (f64, f64) {
        if self.tb {
            (o + MARGIN, r + MARGIN + self.top)
        } else {
            (r + MARGIN, o + MARGIN + self.top)
        }
    }

    /// A node's size as (along r, along o) from its width and height.
    fn ro(&self, w: f64, h: f64) -> (f64, f64) {
        if self.tb {
            (h, w)
        } else {
            (w, h)
        }
    }
}

/// The highlight, as sets of tape indices.
pub(crate) struct Marks {
    nodes: HashSet<usize>,
    edges: HashSet<(usize, usize)>,
    unknown: HashSet<usize>,
}

impl Marks {
    pub(crate) fn new(opts: &DrawOptions) -> Marks {
        let h = &opts.highlight;
        Marks {
            nodes: h.nodes.iter().copied().collect(),
            edges: h.edges.iter().copied().collect(),
            unknown: h.unknown_grads.iter().copied().collect(),
        }
    }
}

/// The cells of value `k`: label, data and (when shown) grad. A grad not known yet reads
/// `grad ?` in a cell as wide as the number will be, so boxes keep their size from one
/// step of backprop to the next.
fn record(n: &Node, opts: &DrawOptions, hl: &Marks) -> Record {
    let width = |t: &str| text_width(t, FONT) + 2.0 * PAD;
    // A number cell (`data 2.0000`), with room for a sign it does not have when asked:
    // summed in whole font units, so that `data 0.5` with room for a sign is exactly as
    // wide as `data -0.5` (a view compares the widths to tell whether a box changed).
    let sign = |t: &str| match opts.sign_room
        && !t.split(' ').nth(1).is_some_and(|x| x.starts_with('-'))
    {
        true => text_units("-"),
        false => 0,
    };
    let number_width = |t: &str| units_width(text_units(t) + sign(t), FONT) + 2.0 * PAD;
    // Each cell's text written in one string (`data ` and the number), the label cloned once.
    let cell = |name: &str, x: f64| {
        let mut t = String::with_capacity(24);
        t.push_str(name);
        crate::io::number::fixed_into(&mut t, x, opts.decimals);
        t
    };
    let data = cell("data ", n.data);
    let data_w = number_width(&data);
    let mut cells = vec![(n.label.clone(), width(&n.label)), (data, data_w)];
    let grad = n.grad.map(|g| cell("grad ", g));
    if hl.unknown.contains(&n.index) {
        let w = grad
            .as_deref()
            .map_or(0.0, number_width)
            .max(width("grad ?"));
        cells.push(("grad ?".to_string(), w));
    } else if let Some(t) = grad {
        let w = number_width(&t);
        cells.push((t, w));
    }
    let width = cells.iter().map(|c| c.1).sum();
    Record { cells, width }
}

/// The drawn graph: what each node is, its width and height, and the layout's input.
struct Drawn {
    kinds: Vec<Kind>,
    wh: Vec<(f64, f64)>,
    input: Input,
    /// How many copies of values it draws (the simpler layout).
    copies: usize,
}

/// Each value's level: its op's column and its own are `2·level - 1` and `2·level`.
fn levels(pic: &Picture) -> Vec<usize> {
    let n = pic.nodes.len();
    let mut level = vec![0usize; n];
    for &(c, p) in &pic.edges {
        level[p] = level[p].max(level[c] + 1);
    }
    // Then every value moves right to just before its first use (leaves included), so a
    // value made late from few inputs does not drag a long edge across the picture.
    // Edges are ordered by parent, so walking them backwards meets parents first.
    let mut first_use = vec![usize::MAX; n];
    let mut e = pic.edges.len();
    for k in (0..n).rev() {
        if first_use[k] != usize::MAX {
            level[k] = first_use[k] - 1;
        }
        while e > 0 && pic.edges[e - 1].1 == k {
            e -= 1;
            let c = pic.edges[e].0;
            first_use[c] = first_use[c].min(level[k]);
        }
    }
    level
}

/// The drawn graph: a node per value and per op, edges op -> value and value -> op;
/// with `copies`, a use more than one level away comes from a copy of the value in the
/// column before its op (one copy per value and op), so no edge is long.
fn graph(pic: &Picture, records: &[Record], map: &Map, level: &[usize], copies: bool) -> Drawn {
    let n = pic.nodes.len();
    let mut kinds = Vec::with_capacity(2 * n);
    let mut rank = Vec::with_capacity(2 * n);
    let mut wh = Vec::with_capacity(2 * n);
    let mut op_of = vec![usize::MAX; n];
    for k in 0..n {
        kinds.push(Kind::Value(k));
        rank.push(2 * level[k]);
        wh.push((records[k].width, ROW));
    }
    let mut fan_in = vec![0usize; n];
    for &(_, p) in &pic.edges {
        fan_in[p] += 1;
    }
    let mut edges = Vec::with_capacity(n + pic.edges.len());
    for k in 0..n {
        if let Some(text) = &pic.nodes[k].op {
            op_of[k] = kinds.len();
            edges.push((kinds.len(), k));
            kinds.push(Kind::Op(k));
            rank.push(2 * level[k] - 1);
            let rx = (text_width(text, FONT) / 2.0 + 12.0).max(OP_MIN_RX);
            // Taller for many operands, so their arrows arrive apart.
            let ry = (OP_RY + 2.0 * fan_in[k].saturating_sub(4) as f64).min(3.0 * OP_RY);
            wh.push((2.0 * rx, 2.0 * ry));
        }
    }
    // The copies made for the current op: `(value, its copy)`.
    let mut made: Vec<(usize, usize)> = Vec::new();
    let mut made_for = usize::MAX;
    let mut n_copies = 0;
    for &(c, p) in &pic.edges {
        if !copies || level[p] <= level[c] + 1 {
            edges.push((c, op_of[p]));
            continue;
        }
        if made_for != p {
            made_for = p;
            made.clear();
        }
        let copy = match made.iter().find(|m| m.0 == c) {
            Some(&(_, copy)) => copy,
            None => {
                n_copies += 1;
                made.push((c, kinds.len()));
                kinds.push(Kind::Copy(c));
                rank.push(2 * level[p] - 2);
                wh.push((records[c].width, ROW));
                kinds.len() - 1
            }
        };
        edges.push((copy, op_of[p]));
    }
    let input = Input {
        rank,
        size: wh.iter().map(|&(w, h)| map.ro(w, h)).collect(),
        edges,
        light: kinds.iter().map(|k| matches!(k, Kind::Copy(_))).collect(),
        rank_gap: RANK_GAP,
        node_gap: NODE_GAP,
    };
    Drawn {
        copies: n_copies,
        kinds,
        wh,
        input,
    }
}

/// Elements (edges, then nodes) are grouped by [`CHUNK`] in a plain `<g>` whose
/// `data-box` is the chunk's bounding box in the drawing (`x0 y0 x1 y1`, whole pixels,
/// outward). A browser that changes one text of a drawing lays out again the groups it is
/// in and visits the drawing's top level, so a flat drawing of 10,000 values costs a pass
/// over all its elements for every change, a grouped one a pass over a few hundred
/// groups; and a view can leave the chunks out of sight out of the layout altogether.
///
/// For that a chunk must be small on the drawing: its elements are near one another, not
/// neighbours on the tape (a layer of neurons has its weights at the left and its sum at
/// the right). Each kind's elements go in order of the [`TILE`]-pixel square their centre
/// is in, column by column, and a chunk never spans two squares.
const CHUNK: usize = 64;

/// The side of the squares that chunks keep within, in pixels: about a third of a
/// laptop's view, so that the chunks near a view are few more than it shows.
const TILE: f64 = 512.0;

/// Writes elements in chunks (see [`CHUNK`]): each element is written into
/// [`element`](Chunks::element), then handed over with its bounding box by
/// [`done`](Chunks::done); [`end`](Chunks::end) writes those so far, chunked.
struct Chunks {
    /// The elements so far, one after another.
    buf: String,
    /// Each element's end in `buf` and its bounding box.
    items: Vec<(usize, [f64; 4])>,
}

impl Chunks {
    fn new() -> Chunks {
        Chunks {
            buf: String::new(),
            items: Vec::new(),
        }
    }

    /// The buffer to write the next element into (after those so far).
    fn element(&mut self) -> &mut String {
        &mut self.buf
    }

    /// The element just written, whose bounding box is `b`.
    fn done(&mut self, b: [f64; 4]) {
        self.items.push((self.buf.len(), b));
    }

    /// Writes the elements so far into `s`, in chunks (see [`CHUNK`]), and forgets them.
    fn end(&mut self, s: &mut String) {
        // Each element's square, then its centre: the order the chunks are cut from.
        let key: Vec<(i64, i64, f64, f64)> = self
            .items
            .iter()
            .map(|(_, b)| {
                let (x, y) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
                ((x / TILE).floor() as i64, (y / TILE).floor() as i64, x, y)
            })
            .collect();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        // Stable, so elements at one spot keep the order they were written in.
        order.sort_by(|&i, &j| {
            let (a, b) = (key[i], key[j]);
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.total_cmp(&b.3))
        });
        let square = |i: usize| (key[i].0, key[i].1);
        let mut k = 0;
        while k < order.len() {
            let here = square(order[k]);
            let mut n = 1;
            while n < CHUNK && k + n < order.len() && square(order[k + n]) == here {
                n += 1;
            }
            let part = &order[k..k + n];
            let mut bbox = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for &i in part {
                let b = self.items[i].1;
                bbox = [
                    bbox[0].min(b[0]),
                    bbox[1].min(b[1]),
                    bbox[2].max(b[2]),
                    bbox[3].max(b[3]),
                ];
            }
            let [x0, y0, x1, y1] = bbox;
            let _ = writeln!(
                s,
                r#"<g data-box="{} {} {} {}">"#,
                x0.floor(),
                y0.floor(),
                x1.ceil(),
                y1.ceil()
            );
            for &i in part {
                let from = if i == 0 { 0 } else { self.items[i - 1].0 };
                s.push_str(&self.buf[from..self.items[i].0]);
            }
            s.push_str("</g>\n");
            k += n;
        }
        self.buf.clear();
        self.items.clear();
    }
}

/// Every edge, as a path through its bend points and an arrowhead.
#[allow(clippy::too_many_arguments)]
fn edges(
    out: &mut String,
    chunks: &mut Chunks,
    pic: &Picture,
    kinds: &[Kind],
    input: &Input,
    lay: &Layout,
    map: &Map,
    hl: &Marks,
) {
    let port = ports(input, lay);
    for (e, &(a, b)) in input.edges.iter().enumerate() {
        let s = chunks.element();
        let lit = match (kinds[a], kinds[b]) {
            (Kind::Value(c) | Kind::Copy(c), Kind::Op(p)) => {
                hl.edges.contains(&(pic.nodes[c].index, pic.nodes[p].index))
            }
            (Kind::Op(p), _) => hl.nodes.contains(&pic.nodes[p].index),
            _ => unreachable!("edges run value -> op -> value"),
        };
        let (edge_class, wire_class, head_class) = match lit {
            true => (" lit", " wire-lit", " head-lit"),
            false => ("", "", ""),
        };
        let name = |s: &mut String, k: Kind| {
            s.push('n');
            match k {
                Kind::Value(k) | Kind::Copy(k) => push_u64(s, pic.nodes[k].index as u64),
                Kind::Op(k) => {
                    push_u64(s, pic.nodes[k].index as u64);
                    s.push_str("_op");
                }
            }
        };
        s.push_str(r#"<g class="edge"#);
        s.push_str(edge_class);
        s.push_str(r#"" data-from=""#);
        name(s, kinds[a]);
        s.push_str(r#"" data-to=""#);
        name(s, kinds[b]);
        s.push_str(r#""><path class="wire"#);
        s.push_str(wire_class);
        s.push_str(r#"" d=""#);
        let (tip, end_o) = route(s, e, input, lay, map, port[e], &kinds[b]);
        s.push_str(r#""/><polygon class="head"#);
        s.push_str(head_class);
        s.push_str(r#"" points=""#);
        let mut pt = |r: f64, o: f64, sep: &str| {
            let (x, y) = map.xy(r, o);
            put(s, x);
            s.push(',');
            put(s, y);
            s.push_str(sep);
        };
        pt(tip, end_o, " ");
        pt(tip - ARROW, end_o - ARROW_HALF, " ");
        pt(tip - ARROW, end_o + ARROW_HALF, "");
        s.push_str("\"/></g>\n");
        // Its bounding box: its ends' nodes, its bend points and its port, with room.
        let (ra, oa) = lay.center[a];
        let (rb, ob) = lay.center[b];
        let (mut o0, mut o1) = (
            (oa - input.size[a].1 / 2.0).min(ob - input.size[b].1 / 2.0),
            (oa + input.size[a].1 / 2.0).max(ob + input.size[b].1 / 2.0),
        );
        for &o in &lay.bend_o[lay.bend_start[e]..lay.bend_start[e + 1]] {
            o0 = o0.min(o);
            o1 = o1.max(o);
        }
        let (o0, o1) = (o0 - port[e].abs() - ARROW, o1 + port[e].abs() + ARROW);
        let (p, q) = (
            map.xy(ra - input.size[a].0 / 2.0, o0),
            map.xy(rb + input.size[b].0 / 2.0, o1),
        );
        chunks.done([p.0.min(q.0), p.1.min(q.1), p.0.max(q.0), p.1.max(q.1)]);
    }
    chunks.end(out);
}

/// Where each edge meets its target, across the arrows: edges into one node are spread
/// over its side in the order they arrive from, so two uses of a value stay apart.
fn ports(input: &Input, lay: &Layout) -> Vec<f64> {
    let arrive = |e: usize| {
        let (s0, s1) = (lay.bend_start[e], lay.bend_start[e + 1]);
        if s1 > s0 {
            lay.bend_o[s1 - 1]
        } else {
            lay.center[input.edges[e].0].1
        }
    };
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); input.rank.len()];
    for (e, &(_, b)) in input.edges.iter().enumerate() {
        into[b].push(e);
    }
    let mut port = vec![0.0; input.edges.len()];
    for (b, list) in into.iter_mut().enumerate() {
        let k = list.len();
        if k > 1 {
            list.sort_by(|&x, &y| arrive(x).total_cmp(&arrive(y)).then(x.cmp(&y)));
            let step = (1.4 * input.size[b].1 / 2.0 / (k - 1) as f64).min(8.0);
            for (j, &e) in list.iter().enumerate() {
                port[e] = (j as f64 - (k - 1) as f64 / 2.0) * step;
            }
        }
    }
    port
}

/// Writes edge `e`'s path: from the middle of its source's far side, straight to the end
/// of that column's band, a curve across each gap, straight through each band it
/// crosses (at its bend point), a last curve to its port and straight up to the
/// arrowhead. Curves stay inside gaps and straight runs inside a band never meet
/// another node, so no edge passes through a node. Returns the arrow tip (`r`, `o`).
fn route(
    s: &mut String,
    e: usize,
    input: &Input,
    lay: &Layout,
    map: &Map,
    port: f64,
    target: &Kind,
) -> (f64, f64) {
    let (a, b) = input.edges[e];
    let (ra, oa) = lay.center[a];
    let (rb, ob) = lay.center[b];
    let (len_b, wide_b) = input.size[b];
    let mut path = Path { map, d: s };
    let start = ra + input.size[a].0 / 2.0;
    path.move_to(start, oa);
    // `at` is the last point written; `run` how far the path goes straight on from it
    // (bend points in line with it need no curve, so a long straight edge is one line).
    let mut at = (start, oa);
    let mut run = lay.bands[input.rank[a]].1;
    let bends = &lay.bend_o[lay.bend_start[e]..lay.bend_start[e + 1]];
    for (j, &o) in bends.iter().enumerate() {
        let band = lay.bands[input.rank[a] + 1 + j];
        if (o - at.1).abs() >= 0.05 {
            if run > at.0 {
                path.line_to(run, at.1);
            }
            path.curve((run, at.1), (band.0, o));
            at = (band.0, o);
        }
        run = band.1;
    }
    if run > at.0 {
        path.line_to(run, at.1);
        at.0 = run;
    }
    // The tip touches the target's border: an ellipse's at the port, or a record's side.
    let tip = match target {
        Kind::Op(_) => rb - len_b / 2.0 * (1.0 - (port / (wide_b / 2.0)).powi(2)).max(0.0).sqrt(),
        Kind::Value(_) | Kind::Copy(_) => rb - len_b / 2.0,
    };
    let end_o = ob + port;
    let base = tip - ARROW;
    let arrive = base.min(lay.bands[input.rank[b]].0);
    path.curve(at, (arrive, end_o));
    if base > arrive {
        path.line_to(base, end_o);
    }
    (tip, end_o)
}

/// Writes `x` rounded to one decimal, without a trailing `.0`: integer formatting, which
/// is several times faster than float formatting on drawings of thousands of nodes.
fn put(s: &mut String, x: f64) {
    let tenths = (x * 10.0).round() as i64;
    if tenths < 0 {
        s.push('-');
    }
    let t = tenths.unsigned_abs();
    push_u64(s, t / 10);
    if t % 10 != 0 {
        s.push('.');
        s.push((b'0' + (t % 10) as u8) as char);
    }
}

/// Writes `n` in decimal: the drawing writes tens of thousands of ids and coordinates, and
/// this costs a fraction of going through `fmt`.
fn push_u64(s: &mut String, n: u64) {
    crate::io::number::push_digits(s, n, 0);
}

/// An SVG path's `d`, written straight into the output in layout coordinates.
struct Path<'a> {
    map: &'a Map,
    d: &'a mut String,
}

impl Path<'_> {
    fn move_to(&mut self, r: f64, o: f64) {
        self.d.push('M');
        self.point(r, o);
    }

    fn line_to(&mut self, r: f64, o: f64) {
        self.d.push_str(" L");
        self.point(r, o);
    }

    /// A curve from `from` to `to` that leaves and arrives running along `r`.
    fn curve(&mut self, from: (f64, f64), to: (f64, f64)) {
        let mid = (from.0 + to.0) / 2.0;
        self.d.push_str(" C");
        self.point(mid, from.1);
        self.d.push(' ');
        self.point(mid, to.1);
        self.d.push(' ');
        self.point(to.0, to.1);
    }

    fn point(&mut self, r: f64, o: f64) {
        let (x, y) = self.map.xy(r, o);
        put(self.d, x);
        self.d.push(',');
        put(self.d, y);
    }
}

/// A value's record at centre `(cx, cy)`, or a `copy` of it (no id of its own: it
/// names the value it copies in `data-copy-of`).
fn value(
    s: &mut String,
    pic: &Picture,
    k: usize,
    rec: &Record,
    (cx, cy): (f64, f64),
    hl: &Marks,
    copy: bool,
) {
    let n = &pic.nodes[k];
    let bad = !n.data.is_finite() || n.grad.is_some_and(|g| !g.is_finite());
    let flags = [
        (n.op.is_none(), "leaf"),
        (k + 1 == pic.nodes.len() && !copy, "out"),
        (bad, "bad"),
        (hl.nodes.contains(&n.index), "lit"),
        (copy, "copy"),
    ];
    // The group's classes: `value` or `copy`, then the flags (the box's say `copy` too).
    s.push_str(r#"<g class=""#);
    s.push_str(if copy { "copy" } else { "value" });
    for &(on, name) in &flags[..4] {
        if on {
            s.push(' ');
            s.push_str(name);
        }
    }
    if copy {
        s.push_str(r#"" data-copy-of=""#);
        push_u64(s, n.index as u64);
    } else {
        s.push_str(r#"" id="n"#);
        push_u64(s, n.index as u64);
        s.push_str(r#"" data-node-id=""#);
        push_u64(s, n.index as u64);
    }
    s.push_str(r#""><rect class="box"#);
    for (on, name) in flags {
        if on {
            s.push_str(" box-");
            s.push_str(name);
        }
    }
    let (x, y) = (cx - rec.width / 2.0, cy - ROW / 2.0);
    s.push_str(r#"" x=""#);
    put(s, x);
    s.push_str(r#"" y=""#);
    put(s, y);
    s.push_str(r#"" width=""#);
    put(s, rec.width);
    let _ = writeln!(s, r#"" height="{ROW}" rx="3"/>"#);
    let mut at = x;
    for (j, (text, w)) in rec.cells.iter().enumerate() {
        if j > 0 {
            s.push_str(r#"<line class="sep" x1=""#);
            put(s, at);
            s.push_str(r#"" y1=""#);
            put(s, y);
            s.push_str(r#"" x2=""#);
            put(s, at);
            s.push_str(r#"" y2=""#);
            put(s, y + ROW);
            s.push_str("\"/>");
        }
        let class = match j {
            0 => "cell cell-label",
            1 if !n.data.is_finite() => "cell cell-bad",
            2 if hl.unknown.contains(&n.index) => "cell cell-unknown",
            2 if n.grad.is_some_and(|g| !g.is_finite()) => "cell cell-bad",
            _ => "cell",
        };
        s.push_str(r#"<text class=""#);
        s.push_str(class);
        s.push_str(r#"" x=""#);
        put(s, at + w / 2.0);
        s.push_str(r#"" y=""#);
        put(s, cy + 0.35 * FONT);
        s.push_str(r#"">"#);
        escape_into(s, text);
        s.push_str("</text>\n");
        at += w;
    }
    s.push_str("</g>\n");
}

/// The op node of value `k`, of size `(w, h)`, at centre `(cx, cy)`.
fn op(
    s: &mut String,
    pic: &Picture,
    k: usize,
    (w, h): (f64, f64),
    (cx, cy): (f64, f64),
    hl: &Marks,
) {
    let n = &pic.nodes[k];
    let lit = if hl.nodes.contains(&n.index) {
        " lit"
    } else {
        ""
    };
    s.push_str(r#"<g class="op"#);
    s.push_str(lit);
    s.push_str(r#"" id="n"#);
    push_u64(s, n.index as u64);
    s.push_str(r#"_op" data-op-of=""#);
    push_u64(s, n.index as u64);
    s.push_str(r#""><ellipse class="opnode"#);
    if !lit.is_empty() {
        s.push_str(" opnode-lit");
    }
    s.push_str(r#"" cx=""#);
    put(s, cx);
    s.push_str(r#"" cy=""#);
    put(s, cy);
    s.push_str(r#"" rx=""#);
    put(s, w / 2.0);
    s.push_str(r#"" ry=""#);
    put(s, h / 2.0);
    s.push_str(r#""/><text x=""#);
    put(s, cx);
    s.push_str(r#"" y=""#);
    put(s, cy + 0.35 * FONT);
    s.push_str(r#"">"#);
    escape_into(s, n.op.as_deref().unwrap_or_default());
    s.push_str("</text></g>\n");
}

//! Drawing a value's graph: options, errors, the choice of engine and format, and the
//! picture (what each box says) that the DOT and SVG writers share.
//!
//! The parts: [`trace`] (what a value depends on), DOT, the layered layout, SVG, PNG
//! (feature `png`), text metrics of the bundled font, and the step-through site.

pub(crate) mod dot;
pub(crate) mod layout;
pub(crate) mod metrics;
#[cfg(feature = "png")]
pub(crate) mod png;
pub(crate) mod stepsite;
pub(crate) mod stepspage;
pub(crate) mod svg;
pub(crate) mod trace;

use crate::engine::graph::Var;
use crate::limits::count;
use crate::Limits;
use std::fmt;
use std::path::Path;

/// Which way the arrows run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RankDir {
    /// Left to right, as the notebook draws it.
    #[default]
    LR,
    /// Top to bottom.
    TB,
}

/// Whether the boxes show grads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShowGrads {
    /// Only once grads exist (after a backward, or a grad set by hand), so a graph drawn
    /// before backward shows no stale zeros.
    #[default]
    Auto,
    /// Always, zeros included.
    Always,
    /// Never.
    Never,
}

/// What to emphasise in an SVG drawing, by tape index, for showing backprop step by
/// step. The default highlights nothing.
///
/// ```
/// use chainrule::{DrawOptions, Graph, Highlight};
/// let g = Graph::new();
/// let a = g.var("a", 2.0);
/// let b = (a * 3.0).named("b");
/// b.backward();
/// let opts = DrawOptions {
///     highlight: Highlight { nodes: vec![b.index()], edges: vec![(a.index(), b.index())], unknown_grads: vec![a.index()] },
///     ..DrawOptions::default()
/// };
/// let svg = b.to_svg(&opts).unwrap();
/// assert!(svg.contains("grad ?"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    /// Values drawn in the accent colour with a thicker border.
    pub nodes: Vec<usize>,
    /// `(child, parent)`: every use-edge from `child` into `parent`'s op, in the accent colour.
    pub edges: Vec<(usize, usize)>,
    /// Values whose grad is not known yet: they show `grad ?` in a muted style.
    pub unknown_grads: Vec<usize>,
}

/// How to draw. `DrawOptions::default()` draws as the notebook does.
///
/// ```
/// let o = chainrule::DrawOptions::default();
/// assert_eq!((o.decimals, o.max_nodes), (4, 20_000));
/// assert_eq!(o.max_layout_points, chainrule::Limits::LOCAL.layout_points);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawOptions {
    /// Which way the arrows run (left to right by default).
    pub rankdir: RankDir,
    /// Digits after the decimal point for data and grad (4, as `%.4f`).
    pub decimals: usize,
    /// Whether boxes show grads.
    pub grads: ShowGrads,
    /// The most values a drawing may hold (20,000, [`Limits::draw_values`]); larger
    /// graphs are refused with [`DrawError::TooLarge`] instead of making a file nobody
    /// can open. Raise it here.
    pub max_nodes: usize,
    /// The most points (value boxes, op nodes and bend points of long edges) the full
    /// layered layout may place (250,000, [`Limits::layout_points`]). A graph whose
    /// long edges would need more is drawn with the simpler layout, which draws a value
    /// again next to each far use instead of a long edge, and says so.
    pub max_layout_points: usize,
    /// What to emphasise (SVG and PNG from the built-in engine).
    pub highlight: Highlight,
    /// Data and grad cells as wide as their number would be with a minus sign, whatever
    /// its sign (built-in engine; off by default): a value that changes sign keeps its
    /// box's width, so a drawing redrawn with other numbers keeps its layout, and a view
    /// can change its texts in place (the live page does, for a nudge).
    pub sign_room: bool,
}

impl Default for DrawOptions {
    fn default() -> Self {
        DrawOptions {
            rankdir: RankDir::LR,
            decimals: 4,
            grads: ShowGrads::Auto,
            max_nodes: Limits::LOCAL.draw_values,
            max_layout_points: Limits::LOCAL.layout_points,
            highlight: Highlight::default(),
            sign_room: false,
        }
    }
}

/// Who lays the graph out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// chainrule's own layered layout and SVG writer: no system Graphviz needed.
    #[default]
    Builtin,
    /// The Graphviz `dot` program, which must be installed.
    Graphviz,
}

/// What to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Graphviz DOT text.
    Dot,
    /// An SVG image.
    Svg,
    /// A PNG image (the built-in engine needs the `png` feature).
    Png,
}

impl Format {
    /// The format a file name's extension asks for (`.dot`/`.gv`, `.svg`, `.png`).
    ///
    /// ```
    /// use chainrule::Format;
    /// assert_eq!(Format::from_path("out/graph.SVG"), Some(Format::Svg));
    /// assert_eq!(Format::from_path("graph.pdf"), None);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Option<Format> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "dot" | "gv" => Some(Format::Dot),
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// Why a drawing could not be made. Each message says what to do.
#[derive(Debug)]
pub enum DrawError {
    /// The graph holds more values than [`DrawOptions::max_nodes`].
    TooLarge {
        /// Values in the graph.
        nodes: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The PNG would have more pixels than can be rendered in memory.
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The Graphviz engine was chosen but `dot` is not installed.
    GraphvizMissing,
    /// Graphviz `dot` ran but failed.
    GraphvizFailed(String),
    /// Reading or writing `path` failed.
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// A file name whose extension names no format this library writes.
    UnknownFormat(String),
    /// A PNG was asked of the built-in engine, but the crate was built without `png`.
    PngUnavailable,
    /// The SVG renderer rejected the drawing (a bug: please report it).
    Render(String),
    /// A step-through site ([`Var::save_steps`]) draws the graph once per value, so its
    /// size grows with the square of the graph: it is refused past this many values.
    TooManySteps {
        /// Values in the graph.
        nodes: usize,
        /// The limit in force, [`crate::STEPS_MAX_NODES`].
        limit: usize,
    },
    /// A [`crate::Step`] was drawn with an output it was not computed from.
    StepMismatch,
}

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawError::TooLarge { nodes, limit } => write!(
                f,
                "the graph has {nodes} values, over the drawing limit of {limit}; \
                 draw a smaller part of it, or raise DrawOptions::max_nodes"
            ),
            DrawError::ImageTooLarge { width, height } => write!(
                f,
                "the PNG would be {width}x{height} pixels, too large to render; write SVG instead"
            ),
            DrawError::GraphvizMissing => write!(
                f,
                "the Graphviz engine needs the `dot` program, which was not found on PATH; \
                 install Graphviz (e.g. `apt-get install graphviz`) or use Engine::Builtin"
            ),
            DrawError::GraphvizFailed(msg) => write!(f, "Graphviz `dot` failed: {msg}"),
            DrawError::Io { path, error } => {
                write!(
                    f,
                    "could not write the drawing to {}: {error}",
                    path.display()
                )
            }
            DrawError::UnknownFormat(path) => write!(
                f,
                "cannot tell the format of {path:?}: name it .dot, .svg or .png"
            ),
            DrawError::PngUnavailable => write!(
                f,
                "PNG output from the built-in engine needs chainrule's `png` feature; \
                 build with `--features png`, write SVG, or use Engine::Graphviz"
            ),
            DrawError::Render(msg) => write!(f, "could not render the SVG: {msg}"),
            DrawError::TooManySteps { nodes, limit } => write!(
                f,
                "the graph has {nodes} values, over the step-through limit of {limit} \
                 (one drawing per value); draw the steps of a smaller graph, \
                 e.g. backward from an intermediate value"
            ),
            DrawError::StepMismatch => write!(
                f,
                "this step does not come from this output; draw each step with the value \
                 whose backward_steps() made it"
            ),
        }
    }
}

impl std::error::Error for DrawError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DrawError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl DrawError {
    /// A function that wraps an I/O error on `path`, for `map_err`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DrawError + '_ {
        move |error| DrawError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// An SVG drawing from the built-in layout, and whether the layout was simplified.
///
/// ```
/// let g = chainrule::Graph::new();
/// let a = g.var("a", 2.0);
/// let d = (a * 3.0).named("b").draw(&Default::default()).unwrap();
/// assert!(d.svg.starts_with("<svg") && d.simplified.is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// The SVG text.
    pub svg: String,
    /// `Some` when the graph was too tangled for the full layout within
    /// [`DrawOptions::max_layout_points`] and was drawn with the simpler one; the SVG
    /// then says so in a note above the drawing and in its `<desc>`.
    pub simplified: Option<Simplified>,
}

/// Why and how a drawing used the simpler layout: instead of long edges, which need a
/// bend point in every column they cross, a value used far from where it is drawn is
/// drawn again (a dashed copy, `data-copy-of` its id) next to each op that uses it.
/// Every value is still drawn once with its `data-node-id`. Its `Display` is the note
/// the drawing shows.
///
/// ```
/// let s = chainrule::Simplified { points: 970_004, limit: 100_000, copies: 980 };
/// assert!(s.to_string().starts_with("Simplified layout: 980 far uses"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Simplified {
    /// The points (boxes, op nodes and bend points) the full layout would have placed.
    pub points: usize,
    /// The limit in force, [`DrawOptions::max_layout_points`].
    pub limit: usize,
    /// How many copies of values the drawing holds.
    pub copies: usize,
}

impl Simplified {
    /// What the drawing does: the note's first line.
    pub fn what(&self) -> String {
        format!(
            "Simplified layout: {} far uses of values are drawn as dashed copies next to \
             their use.",
            count(self.copies)
        )
    }

    /// Why: the note's second line.
    pub fn why(&self) -> String {
        format!(
            "The full layout's long edges would need {} points, over its limit of {} \
             (max_layout_points).",
            count(self.points),
            count(self.limit)
        )
    }
}

impl fmt::Display for Simplified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.what(), self.why())
    }
}

/// One value's box as the SVG drawing writes it ([`Var::drawn_cells`]): the texts of its
/// cells and how wide each is drawn. Two drawings of the same graph whose boxes all
/// read as wide and are flagged alike are the same markup but for those texts, so a
/// view can change the texts in place instead of laying the graph out again.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnCells {
    /// The value's index on the tape.
    pub index: usize,
    /// The cells' texts, as drawn: the label, `data 2.0000`, and `grad 6.0000` when grads
    /// are shown.
    pub texts: Vec<String>,
    /// Each cell's width in the drawing.
    pub widths: Vec<f64>,
    /// Each cell is flagged as a number that is not finite (drawn in red; the box is
    /// flagged when any is).
    pub bad: Vec<bool>,
}

impl DrawnCells {
    /// This value's box as drawn with other numbers, `data` and `grad` (None: no grad
    /// shown), by `opts`: what a drawing of the same graph with other values would hold
    /// (its label stays). Found without the graph: a view that keeps a drawing's numbers
    /// can tell which boxes a change of them resizes.
    ///
    /// ```
    /// use chainrule::{DrawOptions, Graph, ShowGrads};
    /// let g = Graph::new();
    /// let x = g.var("x", 2.0);
    /// x.backward();
    /// let opts = DrawOptions { grads: ShowGrads::Always, ..DrawOptions::default() };
    /// let cells = x.drawn_cells(&opts).unwrap();
    /// let other = cells[0].redrawn(-12.5, Some(1.0), &opts);
    /// assert_eq!(other.texts, ["x", "data -12.5000", "grad 1.0000"]);
    /// assert!(other.widths[1] > cells[0].widths[1]);
    /// ```
    pub fn redrawn(&self, data: f64, grad: Option<f64>, opts: &DrawOptions) -> DrawnCells {
        let n = Node {
            index: self.index,
            label: self.texts.first().cloned().unwrap_or_default(),
            data,
            grad,
            op: None,
        };
        crate::draw::svg::node_cells(&n, opts, &crate::draw::svg::Marks::new(opts))
    }
}

/// One value as drawn.
pub(crate) struct Node {
    pub index: usize,
    pub label: String,
    pub data: f64,
    pub grad: Option<f64>,
    /// The op node's text (`+`, `* 2`); `None` for a leaf.
    pub op: Option<String>,
}

/// What a drawing shows: the traced values and their use-edges (positions into `nodes`).
pub(crate) struct Picture {
    pub nodes: Vec<Node>,
    /// `(child, parent)` positions into `nodes`, one per use, ordered by parent then slot.
    pub edges: Vec<(usize, usize)>,
}

impl Picture {
    pub fn new(out: Var<'_>, opts: &DrawOptions) -> Picture {
        let trace = out.trace();
        let show = grads_shown(out, opts);
        let mut pos = vec![usize::MAX; out.index() + 1];
        let nodes = trace
            .nodes
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                pos[i] = k;
                let v = Var {
                    g: out.g,
                    i: i as u32,
                };
                Node {
                    // A leaf or a constant is a box alone, with no op node.
                    op: (v.op().arity() != crate::Arity::Leaf).then(|| v.op_label()),
                    ..Node::of(v, show)
                }
            })
            .collect();
        let edges = trace
            .edges
            .iter()
            .map(|&(c, p, _)| (pos[c], pos[p]))
            .collect();
        Picture { nodes, edges }
    }

    pub fn check_size(&self, opts: &DrawOptions) -> Result<(), DrawError> {
        check_size(self.nodes.len(), opts)
    }
}

/// A drawing of `nodes` values, or why not: [`DrawError::TooLarge`] past
/// [`DrawOptions::max_nodes`].
fn check_size(nodes: usize, opts: &DrawOptions) -> Result<(), DrawError> {
    if nodes > opts.max_nodes {
        return Err(DrawError::TooLarge {
            nodes,
            limit: opts.max_nodes,
        });
    }
    Ok(())
}

/// Whether a drawing of `out`'s graph by `opts` shows grads.
fn grads_shown(out: Var<'_>, opts: &DrawOptions) -> bool {
    match opts.grads {
        ShowGrads::Auto => out.g.tape().has_grads(),
        ShowGrads::Always => true,
        ShowGrads::Never => false,
    }
}

impl Node {
    /// Value `v` as drawn, with its grad when `show`, and no op node (a caller that
    /// draws the op sets it).
    fn of(v: Var<'_>, show: bool) -> Node {
        let (t, i) = (v.g.tape(), v.index());
        Node {
            index: i,
            label: t.label(i).unwrap_or_default().to_string(),
            data: t.data(i),
            grad: show.then(|| t.grad(i)),
            op: None,
        }
    }
}

/// `x` with `decimals` digits, as `%.4f` prints it (`NaN`, `inf` and `-inf` as such).
pub(crate) fn number(x: f64, decimals: usize) -> String {
    crate::io::number::fixed(x, decimals)
}

impl<'g> Var<'g> {
    /// Graphviz DOT of this value's graph in the notebook's form: a record
    /// `{ label | data 2.0000 | grad 6.0000 }` per value, a small node per op, arrows
    /// left to right. Node names come from tape indices (`n3`, `n3_op`), so the same
    /// program gives the same text on every run.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let b = (a * 3.0).named("b");
    /// let dot = b.to_dot(&Default::default());
    /// assert!(dot.contains(r#"n1 [label="{ b | data 6.0000 }" shape=record]"#));
    /// assert!(dot.contains(r#"n1_op [label="* 3"]"#));
    /// assert!(dot.contains("n0 -> n1_op"));
    /// ```
    pub fn to_dot(self, opts: &DrawOptions) -> String {
        crate::draw::dot::write(&Picture::new(self, opts), opts)
    }

    /// An SVG drawing of this value's graph from the built-in layout: no Graphviz needed.
    /// A graph too tangled for the full layout within
    /// [`DrawOptions::max_layout_points`] is drawn with the simpler one, which the
    /// drawing says; [`Var::draw`] tells the caller too.
    ///
    /// # Errors
    /// [`DrawError::TooLarge`] past [`DrawOptions::max_nodes`] values.
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let svg = (a + a).to_svg(&Default::default()).unwrap();
    /// assert!(svg.starts_with("<svg"));
    /// assert_eq!(svg.matches("class=\"edge\"").count(), 3); // op -> value, and a twice
    /// ```
    pub fn to_svg(self, opts: &DrawOptions) -> Result<String, DrawError> {
        Ok(self.draw(opts)?.svg)
    }

    /// The boxes of the values [`to_svg`](Var::to_svg) would draw, in drawing order (the
    /// output last), with the texts and widths of their cells, found without laying the
    /// graph out (linear in the values).
    ///
    /// ```
    /// use chainrule::{DrawOptions, Graph};
    /// let g = Graph::new();
    /// let x = g.var("x", 2.0);
    /// let y = (x * x).named("y");
    /// y.backward();
    /// let cells = y.drawn_cells(&DrawOptions::default()).unwrap();
    /// assert_eq!(cells[1].texts, ["y", "data 4.0000", "grad 1.0000"]);
    /// x.set_data(3.0);
    /// g.forward_after(x);
    /// let after = y.drawn_cells(&DrawOptions::default()).unwrap();
    /// assert_eq!(after[1].texts[1], "data 9.0000");
    /// assert_eq!(after[1].widths, cells[1].widths);   // as wide: the same layout
    /// ```
    ///
    /// # Errors
    /// As [`to_svg`](Var::to_svg): a graph over [`DrawOptions::max_nodes`].
    pub fn drawn_cells(self, opts: &DrawOptions) -> Result<Vec<DrawnCells>, DrawError> {
        self.drawn_cells_where(opts, |_| true)
    }

    /// As [`drawn_cells`](Var::drawn_cells), only the boxes of the values whose tape index
    /// `keep` holds for, in the same order: a view that knows which values changed finds
    /// their boxes with no work for the others (a nudge on a graph of 1,000 values changes
    /// half of them).
    ///
    /// ```
    /// use chainrule::{DrawOptions, Graph};
    /// let g = Graph::new();
    /// let x = g.var("x", 2.0);
    /// let c = g.var("c", 5.0);
    /// let y = (x * x + c).named("y");
    /// y.backward();
    /// let all = y.drawn_cells(&DrawOptions::default()).unwrap();
    /// let some = y.drawn_cells_where(&DrawOptions::default(), |i| i != c.index()).unwrap();
    /// assert_eq!(some.len(), all.len() - 1);
    /// assert!(some.iter().all(|b| all.iter().any(|a| a.index == b.index && a.texts == b.texts)));
    /// ```
    ///
    /// # Errors
    /// As [`drawn_cells`](Var::drawn_cells): a graph over [`DrawOptions::max_nodes`] (all
    /// its values counted, kept or not).
    pub fn drawn_cells_where(
        self,
        opts: &DrawOptions,
        keep: impl Fn(usize) -> bool,
    ) -> Result<Vec<DrawnCells>, DrawError> {
        let trace = self.trace();
        check_size(trace.nodes.len(), opts)?;
        let show = grads_shown(self, opts);
        let marks = crate::draw::svg::Marks::new(opts);
        Ok(trace
            .nodes
            .into_iter()
            .filter(|&i| keep(i))
            .map(|i| {
                let v = Var {
                    g: self.g,
                    i: i as u32,
                };
                crate::draw::svg::node_cells(&Node::of(v, show), opts, &marks)
            })
            .collect())
    }

    /// As [`to_svg`](Var::to_svg), saying whether the layout was simplified.
    ///
    /// ```
    /// use chainrule::{DrawOptions, Graph};
    /// let g = Graph::new();
    /// let w = g.var("w", 0.5);
    /// // w is used at every step: its edges would span the picture.
    /// let y = (0..40).fold(g.var("x", 1.0), |h, _| (h * w).tanh());
    /// let d = y.draw(&DrawOptions { max_layout_points: 1_000, ..DrawOptions::default() }).unwrap();
    /// assert_eq!(d.simplified.unwrap().copies, 39);
    /// assert!(d.svg.contains("<desc>Simplified layout"));
    /// ```
    ///
    /// # Errors
    /// As [`to_svg`](Var::to_svg).
    pub fn draw(self, opts: &DrawOptions) -> Result<Drawing, DrawError> {
        let pic = Picture::new(self, opts);
        pic.check_size(opts)?;
        Ok(crate::draw::svg::write(&pic, opts))
    }

    /// A PNG drawing of this value's graph, rendered from [`to_svg`](Var::to_svg) in
    /// pure Rust with a bundled font (works with no fonts installed). Needs the `png`
    /// feature.
    ///
    /// # Errors
    /// As [`to_svg`](Var::to_svg), plus [`DrawError::ImageTooLarge`] past 200 million
    /// pixels (write SVG for graphs that large).
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let y = g.var("x", 1.0).tanh().named("y");
    /// let png = y.to_png(&Default::default()).unwrap();
    /// assert_eq!(&png[1..4], b"PNG");
    /// ```
    #[cfg(feature = "png")]
    pub fn to_png(self, opts: &DrawOptions) -> Result<Vec<u8>, DrawError> {
        self.draw(opts)?.to_png()
    }

    /// This value's graph in `format`, laid out by `engine`.
    ///
    /// # Errors
    /// As [`to_svg`](Var::to_svg); [`DrawError::GraphvizMissing`] or
    /// [`DrawError::GraphvizFailed`] from the Graphviz engine;
    /// [`DrawError::PngUnavailable`] for a built-in PNG without the `png` feature.
    ///
    /// ```
    /// use chainrule::{Engine, Format};
    /// let g = chainrule::Graph::new();
    /// let x = g.var("x", 1.0);
    /// let dot = x.tanh().render(Engine::Builtin, Format::Dot, &Default::default()).unwrap();
    /// assert!(dot.starts_with(b"digraph"));
    /// ```
    pub fn render(
        self,
        engine: Engine,
        format: Format,
        opts: &DrawOptions,
    ) -> Result<Vec<u8>, DrawError> {
        match (engine, format) {
            (_, Format::Dot) => Ok(self.to_dot(opts).into_bytes()),
            (Engine::Builtin, Format::Svg) => Ok(self.to_svg(opts)?.into_bytes()),
            #[cfg(feature = "png")]
            (Engine::Builtin, Format::Png) => self.to_png(opts),
            #[cfg(not(feature = "png"))]
            (Engine::Builtin, Format::Png) => Err(DrawError::PngUnavailable),
            (Engine::Graphviz, format) => {
                let pic = Picture::new(self, opts);
                pic.check_size(opts)?;
                graphviz(&crate::draw::dot::write(&pic, opts), format)
            }
        }
    }

    /// Writes this value's graph to `path`, in the format its extension names (`.dot`,
    /// `.svg`, `.png`), atomically: a failure never leaves a half-written file.
    ///
    /// # Errors
    /// [`DrawError::UnknownFormat`] for another extension, [`DrawError::Io`] when
    /// writing fails, and those of [`render`](Var::render).
    ///
    /// ```
    /// use chainrule::Engine;
    /// let dir = std::env::temp_dir().join(format!("chainrule-draw-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let g = chainrule::Graph::new();
    /// let y = g.var("x", 0.5).exp().named("y");
    /// y.save_drawing(dir.join("y.svg"), &Default::default(), Engine::Builtin).unwrap();
    /// assert!(std::fs::read_to_string(dir.join("y.svg")).unwrap().contains("exp"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn save_drawing(
        self,
        path: impl AsRef<Path>,
        opts: &DrawOptions,
        engine: Engine,
    ) -> Result<(), DrawError> {
        let path = path.as_ref();
        let format = Format::from_path(path)
            .ok_or_else(|| DrawError::UnknownFormat(path.display().to_string()))?;
        let bytes = self.render(engine, format, opts)?;
        crate::write_atomic(path, &bytes).map_err(DrawError::io(path))?;
        Ok(())
    }
}

impl Drawing {
    /// The drawing as a PNG, rendered in pure Rust with the bundled font. Needs the
    /// `png` feature.
    ///
    /// # Errors
    /// [`DrawError::ImageTooLarge`] past 200 million pixels.
    #[cfg(feature = "png")]
    pub fn to_png(&self) -> Result<Vec<u8>, DrawError> {
        crate::draw::png::render(&self.svg)
    }
}

/// Runs Graphviz `dot` on `dot` text, for SVG or PNG.
fn graphviz(dot: &str, format: Format) -> Result<Vec<u8>, DrawError> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let flag = if format == Format::Png {
        "-Tpng"
    } else {
        "-Tsvg"
    };
    let mut child = match Command::new("dot")
        .arg(flag)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DrawError::GraphvizMissing)
        }
        Err(e) => return Err(DrawError::GraphvizFailed(e.to_string())),
    };
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = dot.as_bytes().to_vec();
    // Write from another thread so a large output cannot dead-lock against our input.
    let writer = std::thread::spawn(move || stdin.write_all(&text));
    let out = child
        .wait_with_output()
        .map_err(|e| DrawError::GraphvizFailed(e.to_string()))?;
    let _ = writer.join();
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(DrawError::GraphvizFailed(format!("{} ({msg})", out.status)));
    }
    Ok(out.stdout)
}

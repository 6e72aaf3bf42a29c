//! Backprop step by step as pictures: each state of [`Var::backward_steps`] drawn with
//! the grads known at that state, and a directory of them with a page to step through.

use crate::draw::{DrawError, DrawOptions, Highlight, Picture, ShowGrads};
use crate::engine::graph::Var;
use crate::show::steps::Step;
use std::path::{Path, PathBuf};

/// The most values [`Var::save_steps`] draws a site for (200). The site holds one drawing
/// of the whole graph per value, so it grows with the square of the graph: 200 values
/// make a few tens of MB (the drawings, and the page that inlines them again). A larger
/// graph is refused with [`DrawError::TooManySteps`].
pub const STEPS_MAX_NODES: usize = 200;

impl Step {
    /// An SVG drawing of `out`'s graph at this state of backward: the node just finished
    /// and the edges that carried its grad in the accent colour ([`Step::highlight`]),
    /// every grad known at this state in its box, and `grad ?` in the others. The grads
    /// drawn are this step's [`known`](Step::known) ones, never the graph's own, which
    /// steps do not touch. `opts.highlight` and `opts.grads` are replaced by the step's.
    ///
    /// # Errors
    /// [`DrawError::StepMismatch`] when `out` is not the value whose
    /// [`backward_steps`](Var::backward_steps) made this step; those of
    /// [`Var::to_svg`].
    ///
    /// ```
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let b = g.var("b", -3.0);
    /// let e = (a * b).named("e");
    /// let steps = e.backward_steps();
    /// let svg = steps[1].to_svg(e, &Default::default()).unwrap(); // b is done, a is not
    /// assert!(svg.contains("grad 2.0000") && svg.contains("grad ?"));
    /// assert_eq!(e.grad(), 0.0); // the graph's grads are untouched
    /// ```
    pub fn to_svg(&self, out: Var<'_>, opts: &DrawOptions) -> Result<String, DrawError> {
        if self.known.len() != out.index() + 1
            || self.known.get(self.node).is_none_or(|k| k.is_none())
        {
            return Err(DrawError::StepMismatch);
        }
        let (nodes, edges, unknown_grads) = self.highlight();
        let hl = Highlight {
            nodes,
            edges,
            unknown_grads,
        };
        let fin = out.g.tape().adjoints(out.index());
        let svg = frame(out, &self.known, &fin, hl, opts, Some(self.of))?;
        Ok(svg)
    }
}

/// `out`'s graph with the grads `known` (by tape index) and `hl`; an unknown grad shows
/// `grad ?` in a cell as wide as its final grad in `fin`, so boxes keep their size from
/// one state to the next. `of`: how many values the step says the graph has.
fn frame(
    out: Var<'_>,
    known: &[Option<f64>],
    fin: &[f64],
    highlight: Highlight,
    opts: &DrawOptions,
    of: Option<usize>,
) -> Result<String, DrawError> {
    let opts = DrawOptions {
        highlight,
        grads: ShowGrads::Always,
        ..opts.clone()
    };
    let mut pic = Picture::new(out, &opts);
    pic.check_size(&opts)?;
    if of.is_some_and(|of| of != pic.nodes.len()) {
        return Err(DrawError::StepMismatch);
    }
    for n in &mut pic.nodes {
        // A non-finite final grad would mark the box red before its grad is known.
        n.grad = known[n.index].or(Some(fin[n.index]).filter(|g| g.is_finite()));
    }
    Ok(crate::draw::svg::write(&pic, &opts).svg)
}

/// What [`Var::save_steps`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepsSite {
    /// The page that steps through the drawings: open it in a browser.
    pub index: PathBuf,
    /// The drawings, `step-00.svg` (before backward) to `step-NN.svg` (after the last step).
    pub svgs: Vec<PathBuf>,
    /// How many steps backward takes: one per value the output depends on.
    pub steps: usize,
}

/// One picture of the site, with its explanation.
pub(crate) struct Frame {
    /// `Step 3 of 7: d`.
    pub title: String,
    /// What the step does, in a sentence.
    pub summary: String,
    /// The chain-rule lines.
    pub lines: Vec<String>,
    /// Which grads are known and which are not yet.
    pub status: String,
    pub svg: String,
}

impl<'g> Var<'g> {
    /// Writes backprop step by step into `dir` (created if missing): `step-00.svg` before
    /// backward (every grad `grad ?`), `step-01.svg` … `step-NN.svg` after each step
    /// ([`Step::to_svg`]), and `index.html`, one self-contained page (the drawings are
    /// inlined; no network, works from `file://`) with Prev/Next buttons, the arrow,
    /// Home and End keys, and each step's chain rule beside its picture. Numbered
    /// `step-NN.svg` files of an earlier site that this one does not write are removed;
    /// other files are left alone. Numbers have two digits, three past 99 steps. Every
    /// file is written with [`write_atomic`](crate::write_atomic). The graph's grads are
    /// not touched.
    ///
    /// # Errors
    /// [`DrawError::TooLarge`] past [`DrawOptions::max_nodes`] values,
    /// [`DrawError::TooManySteps`] past [`STEPS_MAX_NODES`], [`DrawError::Io`] when the
    /// directory or a file cannot be written, and those of [`Var::to_svg`].
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("chainrule-steps-doc-{}", std::process::id()));
    /// let g = chainrule::Graph::new();
    /// let a = g.var("a", 2.0);
    /// let b = g.var("b", -3.0);
    /// let site = (a * b).named("e").save_steps(&dir, &Default::default()).unwrap();
    /// assert_eq!(site.steps, 3);
    /// assert_eq!(site.svgs.len(), 4); // before backward, then one per step
    /// let html = std::fs::read_to_string(&site.index).unwrap();
    /// assert!(html.contains("de/db = d(a*b)/db = a = 2.0000"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn save_steps(
        self,
        dir: impl AsRef<Path>,
        opts: &DrawOptions,
    ) -> Result<StepsSite, DrawError> {
        let dir = dir.as_ref();
        let frames = self.step_frames(opts)?;
        std::fs::create_dir_all(dir).map_err(DrawError::io(dir))?;
        let digits = (frames.len() - 1).to_string().len().max(2);
        let mut svgs = Vec::with_capacity(frames.len());
        for (k, f) in frames.iter().enumerate() {
            let path = dir.join(format!("step-{k:0digits$}.svg"));
            crate::write_atomic(&path, f.svg.as_bytes()).map_err(DrawError::io(&path))?;
            svgs.push(path);
        }
        remove_stale(dir, &svgs).map_err(DrawError::io(dir))?;
        let index = dir.join("index.html");
        let title =
            crate::show::names::Names::new(&self.g.tape(), self.index()).name[self.index()].clone();
        crate::write_atomic(
            &index,
            crate::draw::stepspage::page(&title, &frames).as_bytes(),
        )
        .map_err(DrawError::io(&index))?;
        Ok(StepsSite {
            index,
            steps: frames.len() - 1,
            svgs,
        })
    }

    /// The site's pictures and texts: before backward, then one per step.
    fn step_frames(self, opts: &DrawOptions) -> Result<Vec<Frame>, DrawError> {
        let n = self.trace().nodes.len();
        Picture::new(self, opts).check_size(opts)?;
        if n > STEPS_MAX_NODES {
            return Err(DrawError::TooManySteps {
                nodes: n,
                limit: STEPS_MAX_NODES,
            });
        }
        let steps = self.backward_steps();
        let fin = self.g.tape().adjoints(self.index());
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        let before = Highlight {
            unknown_grads: steps.iter().map(|s| s.node).collect(),
            ..Highlight::default()
        };
        let out_name = names[0];
        let mut frames = vec![Frame {
            title: format!("Step 0 of {n}: before backward"),
            summary: crate::show::steps::intro(out_name),
            lines: Vec::new(),
            status: status(&[], &names),
            svg: frame(
                self,
                &vec![None; self.index() + 1],
                &fin,
                before,
                opts,
                None,
            )?,
        }];
        for (k, s) in steps.iter().enumerate() {
            frames.push(Frame {
                title: format!("Step {} of {n}: {}", k + 1, s.name),
                summary: s.summary(),
                lines: s.derivation.clone(),
                status: status(&names[..=k], &names[k + 1..]),
                svg: s.to_svg(self, opts)?,
            });
        }
        Ok(frames)
    }
}

/// `Grads known: L, f. Not yet: d, e.`, or that backward is done.
fn status(known: &[&str], pending: &[&str]) -> String {
    match (known.is_empty(), pending.is_empty()) {
        (_, true) => format!("All {} grads are known: backward is done.", known.len()),
        (true, false) => format!("Grads known: none. Not yet: {}.", pending.join(", ")),
        (false, false) => format!(
            "Grads known: {}. Not yet: {}.",
            known.join(", "),
            pending.join(", ")
        ),
    }
}

/// Removes `step-<digits>.svg` files in `dir` that are not in `keep`: what is left of an
/// earlier, longer site.
fn remove_stale(dir: &Path, keep: &[PathBuf]) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_step = name
            .strip_prefix("step-")
            .and_then(|s| s.strip_suffix(".svg"))
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if is_step
            && !keep
                .iter()
                .any(|k| k.file_name() == Some(entry.file_name().as_os_str()))
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

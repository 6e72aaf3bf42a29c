//! Backprop step by step as pictures: each step's drawing, read back with an XML parser,
//! lights exactly what `Step::highlight` names and shows exactly the grads known at that
//! step; and the step-through site on disk.
mod common;

use chainrule::{DrawError, DrawOptions, Graph, Step, Var, STEPS_MAX_NODES};
use common::{check_geometry, parse, Drawing};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn notebook(g: &Graph) -> Var<'_> {
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    (d * f).named("L")
}

/// Checks one step's drawing against the step: lit boxes, lit edges, grad cells.
fn check_step(out: Var<'_>, step: &Step, d: &Drawing) {
    let g = out.graph();
    let (nodes, edges, unknown) = step.highlight();
    let lit_boxes: BTreeSet<String> = d
        .classes
        .iter()
        .filter(|(_, c)| c.split(' ').any(|c| c == "lit"))
        .map(|(id, _)| id.clone())
        .collect();
    let want: BTreeSet<String> = nodes.iter().map(|i| format!("n{i}")).collect();
    assert_eq!(lit_boxes, want, "lit boxes at step {}", step.number);
    // Each highlighted (child, parent) lights every use-edge child -> parent's op, and
    // the finished node's own op -> value edge lights with it.
    let lit_edges: Vec<(String, String)> = d
        .edges
        .iter()
        .filter(|e| e.lit)
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    let mut want: Vec<(String, String)> = Vec::new();
    for &(c, p) in &edges {
        let uses = g
            .get(p)
            .unwrap()
            .children()
            .iter()
            .filter(|v| v.index() == c)
            .count();
        assert!(uses > 0);
        want.extend(std::iter::repeat_n(
            (format!("n{c}"), format!("n{p}_op")),
            uses,
        ));
    }
    for &n in &nodes {
        if !g.get(n).unwrap().is_leaf() {
            want.push((format!("n{n}_op"), format!("n{n}")));
        }
    }
    let (mut lit_edges, mut want) = (lit_edges, want);
    lit_edges.sort();
    want.sort();
    assert_eq!(lit_edges, want, "lit edges at step {}", step.number);
    // Grad cells: the known grads exactly, `grad ?` for the rest.
    for i in out.trace().nodes {
        let cell = &d.cells[&format!("n{i}")][2];
        match step.known[i] {
            Some(grad) => assert_eq!(*cell, format!("grad {grad:.4}"), "n{i}"),
            None => {
                assert_eq!(cell, "grad ?", "n{i} at step {}", step.number);
                assert!(unknown.contains(&i));
            }
        }
    }
}

#[test]
fn notebook_steps_light_what_highlight_names_and_show_the_known_grads() {
    let g = Graph::new();
    let l = notebook(&g);
    let steps = l.backward_steps();
    let opts = DrawOptions::default();
    let mut shapes = None;
    for s in &steps {
        let d = parse(&s.to_svg(l, &opts).unwrap());
        check_geometry(&d, 7, 3);
        check_step(l, s, &d);
        // Boxes keep their place and size from step to step: `grad ?` is as wide as the grad.
        let here: Vec<_> = {
            let mut v: Vec<_> = d.shapes.iter().map(|(k, s)| format!("{k}{s:?}")).collect();
            v.sort();
            v
        };
        assert_eq!(*shapes.get_or_insert_with(|| here.clone()), here);
    }
    // Step 4 finishes e: e and its `*` lit, the edge e -> d's `+` lit, a, b, c unknown.
    let d4 = parse(&steps[3].to_svg(l, &opts).unwrap());
    assert_eq!(d4.cells["n3"], ["e", "data -6.0000", "grad -2.0000"]);
    assert_eq!(d4.cells["n2"], ["c", "data 10.0000", "grad ?"]);
    assert_eq!(d4.edges.iter().filter(|e| e.lit).count(), 2);
    // The last step is the full backward: all seven notebook grads.
    let last = parse(&steps[6].to_svg(l, &opts).unwrap());
    let want = [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0];
    for (i, grad) in want.iter().enumerate() {
        assert_eq!(last.cells[&format!("n{i}")][2], format!("grad {grad:.4}"));
    }
    l.backward();
    let full: Vec<String> = g.vars().map(|v| format!("grad {:.4}", v.grad())).collect();
    let drawn: Vec<String> = (0..7)
        .map(|i| last.cells[&format!("n{i}")][2].clone())
        .collect();
    assert_eq!(drawn, full);
}

#[test]
fn drawn_grads_are_the_steps_not_the_graphs() {
    let g = Graph::new();
    let l = notebook(&g);
    let steps = l.backward_steps();
    // Stale grads in the graph (a by hand, then a full backward of another output) must
    // not show through.
    g.get(0).unwrap().set_grad(99.0);
    let d = parse(&steps[1].to_svg(l, &DrawOptions::default()).unwrap());
    assert_eq!(d.cells["n0"][2], "grad ?");
    assert_eq!(d.cells["n5"][2], "grad 4.0000");
    assert_eq!(d.cells["n4"][2], "grad ?");
    let e = g.get(3).unwrap();
    e.backward(); // d grads: a = -3, b = 2, e = 1; L's untouched (0)
    let d = parse(&steps[6].to_svg(l, &DrawOptions::default()).unwrap());
    assert_eq!(d.cells["n0"][2], "grad 6.0000");
    assert_eq!(d.cells["n6"][2], "grad 1.0000");
    assert_eq!(
        g.get(0).unwrap().grad(),
        -3.0,
        "drawing leaves the graph's grads alone"
    );
}

#[test]
fn a_value_used_twice_lights_both_edges() {
    let g = Graph::new();
    let x = g.var("x", 3.0);
    let y = (x * x).named("y");
    let steps = y.backward_steps();
    let d = parse(&steps[1].to_svg(y, &DrawOptions::default()).unwrap());
    check_step(y, &steps[1], &d);
    assert_eq!(d.cells["n0"], ["x", "data 3.0000", "grad 6.0000"]);
    assert_eq!(d.edges.iter().filter(|e| e.lit).count(), 2);
}

#[test]
fn random_graphs_draw_every_step_as_it_is() {
    for seed in [1, 7, 42] {
        let g = Graph::new();
        let out = common::random(&g, 40, 6, seed);
        let steps = out.backward_steps();
        assert_eq!(steps.len(), out.trace().nodes.len());
        for s in steps.iter().step_by(3).chain(steps.last()) {
            let d = parse(&s.to_svg(out, &DrawOptions::default()).unwrap());
            check_step(out, s, &d);
        }
    }
}

#[test]
fn a_step_drawn_with_another_output_is_refused() {
    let g = Graph::new();
    let l = notebook(&g);
    let d = g.get(4).unwrap();
    let steps = l.backward_steps();
    let err = steps[2].to_svg(d, &DrawOptions::default()).unwrap_err();
    assert!(matches!(err, DrawError::StepMismatch), "{err}");
    assert!(err.to_string().contains("backward_steps()"));
    // Same output index, another graph whose output depends on fewer values.
    let g2 = Graph::new();
    let a = g2.var("a", 1.0);
    let _b = g2.var("b", 2.0);
    let o = a.exp().named("o"); // index 2, depends on 2 values
    let g3 = Graph::new();
    let p = (g3.var("p", 1.0) * g3.var("q", 2.0)).named("pq"); // index 2, 3 values
    let s = p.backward_steps();
    assert!(matches!(
        s[0].to_svg(o, &DrawOptions::default()),
        Err(DrawError::StepMismatch)
    ));
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("draw-steps")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn save_steps_writes_every_picture_and_the_page() {
    let dir = scratch("notebook").join("deeper/still");
    let g = Graph::new();
    let l = notebook(&g);
    let site = l.save_steps(&dir, &DrawOptions::default()).unwrap();
    assert_eq!(site.steps, 7);
    assert_eq!(site.index, dir.join("index.html"));
    let names: Vec<String> = site
        .svgs
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let want: Vec<String> = (0..=7).map(|k| format!("step-{k:02}.svg")).collect();
    assert_eq!(names, want);
    let steps = l.backward_steps();
    // step-00: before backward, nothing lit, every grad unknown.
    let d0 = parse(&std::fs::read_to_string(&site.svgs[0]).unwrap());
    assert!(d0.cells.values().all(|c| c[2] == "grad ?"));
    assert!(d0.edges.iter().all(|e| !e.lit));
    assert!(d0.classes.values().all(|c| !c.contains("lit")));
    for (k, s) in steps.iter().enumerate() {
        let text = std::fs::read_to_string(&site.svgs[k + 1]).unwrap();
        assert_eq!(text, s.to_svg(l, &DrawOptions::default()).unwrap());
        check_step(l, s, &parse(&text));
    }
    let html = std::fs::read_to_string(&site.index).unwrap();
    assert_eq!(html.matches("<section class=\"frame").count(), 8);
    assert!(html.contains("Step 0 of 7: before backward"));
    assert!(html.contains("Step 4 of 7: e"));
    assert!(html.contains("dL/de = dL/dd · dd/de = -2.0000 · 1.0000 = -2.0000"));
    assert!(html.contains("Grads known: L, f, d, e. Not yet: c, b, a."));
    assert!(html.contains("Grads known: none. Not yet: L, f, d, e, c, b, a."));
    assert!(html.contains("All 7 grads are known: backward is done."));
    assert!(
        !html.contains(" src=") && !html.contains("<link"),
        "no external files"
    );
    assert_eq!(
        g.vars().map(|v| v.grad()).sum::<f64>(),
        0.0,
        "grads untouched"
    );
}

#[test]
fn the_page_escapes_names() {
    let dir = scratch("escape");
    let g = Graph::new();
    let a = g.var("<a&b>", 2.0);
    let l = (a * a).named("L\"'");
    let site = l.save_steps(&dir, &DrawOptions::default()).unwrap();
    let html = std::fs::read_to_string(site.index).unwrap();
    assert!(!html.contains("<a&b>"));
    assert!(html.contains("Step 2 of 2: &lt;a&amp;b&gt;"));
    assert!(html.contains("<title>Backprop step by step: L&quot;&#39;</title>"));
}

#[test]
fn a_shorter_site_replaces_a_longer_one_and_leaves_other_files() {
    let dir = scratch("stale");
    let g = Graph::new();
    let long = notebook(&g);
    long.save_steps(&dir, &DrawOptions::default()).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(dir.join("step-final.svg"), "mine").unwrap();
    let short = g.get(3).unwrap(); // e = a*b: 3 steps
    let site = short.save_steps(&dir, &DrawOptions::default()).unwrap();
    assert_eq!(site.steps, 3);
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "index.html",
            "notes.txt",
            "step-00.svg",
            "step-01.svg",
            "step-02.svg",
            "step-03.svg",
            "step-final.svg"
        ]
    );
}

#[test]
fn graphs_too_large_for_a_site_are_refused_before_writing() {
    let dir = scratch("large");
    let g = Graph::new();
    let xs: Vec<Var> = (0..STEPS_MAX_NODES).map(|i| g.leaf(i as f64)).collect();
    let s = g.sum(&xs); // STEPS_MAX_NODES + 1 values
    let err = s.save_steps(&dir, &DrawOptions::default()).unwrap_err();
    match err {
        DrawError::TooManySteps { nodes, limit } => {
            assert_eq!((nodes, limit), (STEPS_MAX_NODES + 1, STEPS_MAX_NODES))
        }
        e => panic!("{e}"),
    }
    assert!(!dir.exists(), "nothing written");
    let msg = s
        .save_steps(&dir, &DrawOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("201 values") && msg.contains("limit of 200"),
        "{msg}"
    );
    // Within the steps limit but over max_nodes: the drawing limit's own error.
    let small = g.sum(&xs[..10]);
    let opts = DrawOptions {
        max_nodes: 5,
        ..DrawOptions::default()
    };
    assert!(matches!(
        small.save_steps(&dir, &opts),
        Err(DrawError::TooLarge {
            nodes: 11,
            limit: 5
        })
    ));
    assert!(!dir.exists());
    // Exactly at the limit works.
    let at = g.sum(&xs[..STEPS_MAX_NODES - 1]);
    let site = at.save_steps(&dir, &DrawOptions::default()).unwrap();
    assert_eq!(site.steps, STEPS_MAX_NODES);
    assert_eq!(site.svgs[0].file_name().unwrap(), "step-000.svg");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The built-in SVG drawing, read back with an XML parser: one box per value and one
//! ellipse per op, no overlaps, edges from border to border that pass through no node,
//! and the right numbers in the cells.
mod common;

use chainrule::{DrawOptions, Graph, Highlight, RankDir, ShowGrads, Var};
use common::{check_geometry, parse};

fn counts(out: Var<'_>) -> (usize, usize) {
    let t = out.trace();
    let g = out.graph();
    let ops = t
        .nodes
        .iter()
        .filter(|&&i| !g.get(i).unwrap().is_leaf())
        .count();
    (t.nodes.len(), ops)
}

fn check(out: Var<'_>, opts: &DrawOptions) -> common::Drawing {
    let d = parse(&out.to_svg(opts).unwrap());
    let (values, ops) = counts(out);
    check_geometry(&d, values, ops);
    // One edge per use plus one per op (op -> its value).
    assert_eq!(d.edges.len(), out.trace().edges.len() + ops);
    d
}

#[test]
fn notebook_cells_carry_the_notebook_numbers() {
    let g = Graph::new();
    let l = common::notebook(&g);
    let d = check(l, &DrawOptions::default());
    let want = [
        ("n0", ["a", "data 2.0000", "grad 6.0000"]),
        ("n1", ["b", "data -3.0000", "grad -4.0000"]),
        ("n2", ["c", "data 10.0000", "grad -2.0000"]),
        ("n3", ["e", "data -6.0000", "grad -2.0000"]),
        ("n4", ["d", "data 4.0000", "grad -2.0000"]),
        ("n5", ["f", "data -2.0000", "grad 4.0000"]),
        ("n6", ["L", "data -8.0000", "grad 1.0000"]),
    ];
    for (id, cells) in want {
        assert_eq!(d.cells[id], cells, "cells of {id}");
    }
    // Leaves and the output are marked; inner values are not.
    assert!(d.classes["n0"].contains("leaf") && !d.classes["n0"].contains("out"));
    assert!(d.classes["n6"].contains("out"));
    assert_eq!(d.classes["n3"], "value");
    // Arrows run left to right: every edge ends right of where it starts.
    assert!(d.edges.iter().all(|e| e.tip.0 > e.start.0));
}

#[test]
fn notebook_text_fits_inside_its_cells() {
    // Cell widths come from DejaVu Sans advance widths: each cell is its text plus padding.
    let g = Graph::new();
    let l = common::notebook(&g);
    let svg = l.to_svg(&DrawOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    for v in doc.descendants().filter(|n| {
        n.attribute("class") == Some("value")
            || n.attribute("class")
                .is_some_and(|c| c.starts_with("value "))
    }) {
        let rect = v.children().find(|n| n.has_tag_name("rect")).unwrap();
        let x0: f64 = rect.attribute("x").unwrap().parse().unwrap();
        let w: f64 = rect.attribute("width").unwrap().parse().unwrap();
        let seps: Vec<f64> = v
            .children()
            .filter(|n| n.has_tag_name("line"))
            .map(|n| n.attribute("x1").unwrap().parse().unwrap())
            .collect();
        let mut edges = vec![x0];
        edges.extend(&seps);
        edges.push(x0 + w);
        let texts: Vec<roxmltree::Node> = v.children().filter(|n| n.has_tag_name("text")).collect();
        assert_eq!(texts.len(), edges.len() - 1);
        for (k, t) in texts.iter().enumerate() {
            let cx: f64 = t.attribute("x").unwrap().parse().unwrap();
            let (l, r) = (edges[k], edges[k + 1]);
            // "data -8.0000" in DejaVu Sans 14px is 85.3px wide; with 8px padding each side.
            let text = t.text().unwrap_or("");
            let est = text.len() as f64 * 14.0 * 0.64;
            assert!(
                (cx - (l + r) / 2.0).abs() < 0.11,
                "text centred in its cell"
            );
            assert!(
                r - l >= est.min(r - l) && r - l >= 16.0,
                "cell {text:?} is {} wide",
                r - l
            );
        }
    }
}

#[test]
fn a_value_used_twice_gets_two_edges_that_arrive_apart() {
    let g = Graph::new();
    let a = g.var("a", 3.0);
    let b = (a + a).named("b");
    let d = check(b, &DrawOptions::default());
    let twice: Vec<_> = d
        .edges
        .iter()
        .filter(|e| e.from == "n0" && e.to == "n1_op")
        .collect();
    assert_eq!(twice.len(), 2);
    assert!(
        (twice[0].tip.1 - twice[1].tip.1).abs() > 2.0,
        "the two arrows must be told apart"
    );
}

#[test]
fn mlp_of_about_100_values_is_clean() {
    let g = Graph::new();
    let loss = common::mlp(&g);
    let (values, _) = counts(loss);
    assert!((80..=120).contains(&values), "{values} values");
    check(loss, &DrawOptions::default());
    check(
        loss,
        &DrawOptions {
            rankdir: RankDir::TB,
            ..DrawOptions::default()
        },
    );
}

#[test]
fn random_graphs_are_clean_left_to_right_and_top_to_bottom() {
    for seed in 1..=6 {
        for (n, window) in [(40, 6), (150, 12), (400, 40)] {
            let g = Graph::new();
            let out = common::random(&g, n, window, seed);
            check(out, &DrawOptions::default());
            if seed <= 2 {
                let d = check(
                    out,
                    &DrawOptions {
                        rankdir: RankDir::TB,
                        ..DrawOptions::default()
                    },
                );
                assert!(d.edges.iter().all(|e| e.tip.1 > e.start.1), "top to bottom");
            }
        }
    }
}

#[test]
fn a_random_1000_node_graph_is_clean() {
    let g = Graph::new();
    let out = common::random(&g, 1000, 48, 99);
    let d = check(out, &DrawOptions::default());
    assert!(d.boxes > 900, "{} values drawn", d.boxes);
}

#[test]
fn every_chunk_of_64_elements_says_a_box_that_holds_them() {
    let g = Graph::new();
    let out = common::random(&g, 1000, 48, 99);
    for rankdir in [RankDir::LR, RankDir::TB] {
        let svg = out
            .to_svg(&DrawOptions {
                rankdir,
                ..DrawOptions::default()
            })
            .unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let chunks: Vec<roxmltree::Node> = doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name("g"))
            .collect();
        assert!(chunks.len() > 20, "{} chunks", chunks.len());
        let (mut boxes, mut points) = (0, 0);
        for c in chunks {
            let b: Vec<f64> = c
                .attribute("data-box")
                .unwrap()
                .split(' ')
                .map(|x| x.parse().unwrap())
                .collect();
            let inside = |x: f64, y: f64| {
                x >= b[0] - 0.05 && x <= b[2] + 0.05 && y >= b[1] - 0.05 && y <= b[3] + 0.05
            };
            let groups = c.children().filter(|n| n.has_tag_name("g")).count();
            assert!((1..=64).contains(&groups), "{groups} elements in a chunk");
            for n in c.descendants() {
                let a = |k: &str| n.attribute(k).unwrap().parse::<f64>().unwrap();
                if n.has_tag_name("rect") {
                    boxes += 1;
                    assert!(
                        inside(a("x"), a("y")) && inside(a("x") + a("width"), a("y") + a("height"))
                    );
                }
                if n.has_tag_name("polygon") {
                    for p in n.attribute("points").unwrap().split(' ') {
                        let (x, y) = p.split_once(',').unwrap();
                        points += 1;
                        assert!(
                            inside(x.parse().unwrap(), y.parse().unwrap()),
                            "arrowhead {p} outside {b:?}"
                        );
                    }
                }
            }
        }
        assert!(
            boxes > 900 && points > 2000,
            "{boxes} boxes, {points} arrowhead points"
        );
    }
}

#[test]
fn same_program_same_svg() {
    let svg = || {
        let g = Graph::new();
        let out = common::random(&g, 200, 16, 5);
        out.to_svg(&DrawOptions::default()).unwrap()
    };
    assert_eq!(svg(), svg());
}

#[test]
fn grads_are_hidden_before_backward_unless_asked() {
    let g = Graph::new();
    let x = g.var("x", 0.5);
    let y = (x * 2.0).exp().named("y");
    let before = parse(&y.to_svg(&DrawOptions::default()).unwrap());
    assert_eq!(before.cells["n2"], ["y", "data 2.7183"]);
    let always = DrawOptions {
        grads: ShowGrads::Always,
        ..DrawOptions::default()
    };
    assert_eq!(
        parse(&y.to_svg(&always).unwrap()).cells["n2"][2],
        "grad 0.0000"
    );
    y.backward();
    let after = parse(&y.to_svg(&DrawOptions::default()).unwrap());
    assert_eq!(after.cells["n0"], ["x", "data 0.5000", "grad 5.4366"]);
    let never = DrawOptions {
        grads: ShowGrads::Never,
        decimals: 2,
        ..DrawOptions::default()
    };
    assert_eq!(
        parse(&y.to_svg(&never).unwrap()).cells["n0"],
        ["x", "data 0.50"]
    );
}

#[test]
fn labels_display_as_typed() {
    let g = Graph::new();
    let label = r#"<a & b> | {c} "d" \e"#;
    let x = g.var(label, 1.0);
    let d = parse(&x.tanh().to_svg(&DrawOptions::default()).unwrap());
    assert_eq!(d.cells["n0"][0], label);
}

#[test]
fn op_nodes_show_their_constants() {
    let g = Graph::new();
    let x = g.var("x", 1.0);
    let y = (2.0 - x * 3.0).powf(2.0);
    let svg = y.to_svg(&DrawOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ops: Vec<&str> = doc
        .descendants()
        .filter(|n| {
            n.attribute("class").is_some_and(|c| c.starts_with("op")) && n.has_tag_name("g")
        })
        .map(|n| {
            n.children()
                .find(|c| c.has_tag_name("text"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert_eq!(ops, ["* 3", "2 -", "** 2"]);
}

#[test]
fn non_finite_values_are_marked() {
    let g = Graph::new();
    let x = g.var("x", -1.0);
    let y = x.ln().named("y");
    let z = (y * 0.0 + 1.0).named("z");
    z.backward();
    let d = parse(&z.to_svg(&DrawOptions::default()).unwrap());
    assert!(d.classes["n1"].contains("bad"), "{}", d.classes["n1"]);
    assert!(!d.classes["n0"].contains("bad"));
    assert_eq!(d.cells["n1"][1], "data NaN");
}

#[test]
fn highlight_marks_nodes_and_every_use_edge_and_unknown_grads() {
    let g = Graph::new();
    let l = common::notebook(&g);
    // Step: L's grad is known and flows into d and f; the rest is not known yet.
    let opts = DrawOptions {
        highlight: Highlight {
            nodes: vec![6],
            edges: vec![(4, 6), (5, 6)],
            unknown_grads: vec![0, 1, 2, 3],
        },
        ..DrawOptions::default()
    };
    let d = check(l, &opts);
    assert!(d.classes["n6"].contains("lit"));
    assert!(!d.classes["n4"].contains("lit"));
    let lit: Vec<(&str, &str)> = d
        .edges
        .iter()
        .filter(|e| e.lit)
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    assert_eq!(lit.len(), 3, "{lit:?}");
    assert!(
        lit.contains(&("n4", "n6_op"))
            && lit.contains(&("n5", "n6_op"))
            && lit.contains(&("n6_op", "n6"))
    );
    for id in ["n0", "n1", "n2", "n3"] {
        assert_eq!(d.cells[id][2], "grad ?");
    }
    assert_eq!(d.cells["n4"][2], "grad -2.0000");
    // Boxes keep their size while grads are unknown.
    let plain = parse(&l.to_svg(&DrawOptions::default()).unwrap());
    let w = |d: &common::Drawing, id: &str| d.shapes[id].bbox().2 - d.shapes[id].bbox().0;
    assert_eq!(w(&d, "n1"), w(&plain, "n1"));
    // A use-edge highlight lights every use: a + a.
    let g = Graph::new();
    let a = g.var("a", 1.0);
    let b = a + a;
    let opts = DrawOptions {
        highlight: Highlight {
            edges: vec![(0, 1)],
            ..Highlight::default()
        },
        ..DrawOptions::default()
    };
    let d = parse(&b.to_svg(&opts).unwrap());
    assert_eq!(d.edges.iter().filter(|e| e.lit).count(), 2);
}

#[test]
fn a_single_leaf_draws_one_box() {
    let g = Graph::new();
    let x = g.var("x", 1.5);
    let d = check(x, &DrawOptions::default());
    assert_eq!(d.cells["n0"], ["x", "data 1.5000"]);
    assert!(d.width > 0.0 && d.height > 0.0);
}

#[test]
fn every_value_carries_its_tape_index_as_a_stable_node_id() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let e = (a * b).named("e");
    let svg = e.to_svg(&DrawOptions::default()).unwrap();
    for v in [a, b, e] {
        let id = v.index();
        assert_eq!(
            svg.matches(&format!("data-node-id=\"{id}\"")).count(),
            1,
            "{id}"
        );
    }
    assert!(svg.contains(&format!("data-op-of=\"{}\"", e.index())));
}

/// With room for a sign, a number's box is exactly as wide (to the last bit, since views
/// compare widths to tell whether a box changed) whether or not the number has a minus:
/// the notebook's grads and random numbers of every size, both signs.
#[test]
fn room_for_a_sign_makes_a_box_exactly_as_wide_with_a_minus_or_without() {
    let g = Graph::new();
    let x = g.var("x", 2.0);
    x.backward();
    let opts = DrawOptions {
        grads: ShowGrads::Always,
        sign_room: true,
        ..DrawOptions::default()
    };
    let cells = x.drawn_cells(&opts).unwrap().remove(0);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut checked = 0;
    for k in 0..2000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let magnitude = 10f64.powi(k % 7 - 2);
        let v = (seed >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
        let plus = cells.redrawn(v, Some(magnitude - v), &opts);
        let minus = cells.redrawn(-v, Some(v - magnitude), &opts);
        assert_ne!(plus.texts, minus.texts);
        assert_eq!(
            plus.widths, minus.widths,
            "{:?} / {:?}",
            plus.texts, minus.texts
        );
        checked += 1;
    }
    assert_eq!(checked, 2000);
}

#[test]
fn chunks_are_small_on_the_drawing_so_a_view_meets_few() {
    // A layered net's tape runs across the drawing (a neuron's weights at the left, its
    // sum at the right); chunks in tape order would each span the drawing, and a view
    // would have to lay out all of them.
    let g = Graph::new();
    let xs = [g.leaf(0.5), g.leaf(-1.5)];
    let mut layer: Vec<chainrule::Var> = xs.to_vec();
    for width in [16, 16, 16] {
        layer = (0..width)
            .map(|j| {
                let mut s = g.leaf(0.01 * j as f64);
                for (i, x) in layer.iter().enumerate() {
                    s += g.leaf(0.1 * (i as f64 - j as f64).sin()) * *x;
                }
                s.tanh()
            })
            .collect();
    }
    let out = layer.iter().fold(g.leaf(0.0), |a, &h| a + h);
    let svg = out.to_svg(&DrawOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let w: f64 = doc
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    let h: f64 = doc
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    let boxes: Vec<Vec<f64>> = doc
        .root_element()
        .children()
        .filter_map(|n| n.attribute("data-box"))
        .map(|b| b.split(' ').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert!(
        w > 4.0 * 1280.0 && boxes.len() > 20,
        "{w} px wide, {} chunks",
        boxes.len()
    );
    // A 1280 x 900 view at five places across the drawing, with half a view around it.
    for k in 0..5 {
        let x = (w - 1280.0) * k as f64 / 4.0;
        let (x0, x1, y0, y1) = (
            x - 640.0,
            x + 1280.0 + 640.0,
            h / 2.0 - 900.0,
            h / 2.0 + 900.0,
        );
        let near = boxes
            .iter()
            .filter(|b| b[0] < x1 && b[2] > x0 && b[1] < y1 && b[3] > y0)
            .count();
        let part = 2560.0 / w;
        assert!(
            (near as f64) < (2.0 * part + 0.1) * boxes.len() as f64,
            "a view at x = {x} meets {near} of {} chunks (it spans {:.0}% of the drawing)",
            boxes.len(),
            100.0 * part
        );
    }
}

/// The boxes of some values are those boxes of all the values, in the same order, on
/// random graphs with and without grads and with the stepper's unknown grads marked.
#[test]
fn the_boxes_of_some_values_are_those_of_all_of_them() {
    for (n, seed) in [(12, 1), (60, 2), (200, 3)] {
        let g = Graph::new();
        let out = common::random(&g, n, 8, seed);
        for backward in [false, true] {
            if backward {
                out.backward();
            }
            let opts = DrawOptions {
                highlight: Highlight {
                    unknown_grads: (0..out.index()).step_by(3).collect(),
                    ..Highlight::default()
                },
                ..DrawOptions::default()
            };
            let all = out.drawn_cells(&opts).unwrap();
            // Every value's box, as the drawing has it.
            let drawn = parse(&out.to_svg(&opts).unwrap());
            assert_eq!(all.len(), drawn.cells.len());
            for c in &all {
                assert_eq!(drawn.cells[&format!("n{}", c.index)], c.texts);
            }
            for m in [1, 2, 5] {
                let keep = |i: usize| i % m == 0;
                let some = out.drawn_cells_where(&opts, keep).unwrap();
                let expected: Vec<_> = all.iter().filter(|c| keep(c.index)).collect();
                assert_eq!(some.len(), expected.len());
                for (s, e) in some.iter().zip(expected) {
                    assert_eq!(
                        (s.index, &s.texts, &s.widths, &s.bad),
                        (e.index, &e.texts, &e.widths, &e.bad)
                    );
                }
            }
        }
    }
}

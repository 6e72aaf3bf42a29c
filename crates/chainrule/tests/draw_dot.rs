//! DOT in the notebook's form: golden file, determinism, one edge per use, escaping.
mod common;

use chainrule::{DrawOptions, Graph, RankDir, ShowGrads};

#[test]
fn notebook_dot_matches_the_golden_file() {
    let g = Graph::new();
    let dot = common::notebook(&g).to_dot(&DrawOptions::default());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/notebook.dot");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        chainrule::write_atomic(path, dot.as_bytes()).unwrap();
    }
    let golden = std::fs::read_to_string(path)
        .expect("tests/golden/notebook.dot (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(
        dot, golden,
        "DOT changed; if on purpose, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn same_program_gives_byte_identical_dot() {
    let dot = || {
        let g = Graph::new();
        common::random(&g, 300, 20, 3).to_dot(&DrawOptions::default())
    };
    let (a, b) = (dot(), dot());
    assert_eq!(a, b);
    assert!(!a.contains("0x"), "no memory addresses in names");
}

#[test]
fn one_edge_per_use() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = (a + a).named("b");
    let c = (b * a).named("c");
    let dot = c.to_dot(&DrawOptions::default());
    assert_eq!(dot.matches("\tn0 -> n1_op\n").count(), 2);
    assert_eq!(dot.matches("\tn0 -> n2_op\n").count(), 1);
    assert_eq!(dot.matches("\tn1 -> n2_op\n").count(), 1);
    assert_eq!(dot.matches(" -> ").count(), 4 + 2, "uses plus op -> value");
    // Edges per the trace, which orders them by parent then slot.
    assert_eq!(
        c.trace().edges,
        vec![(0, 1, 0), (0, 1, 1), (1, 2, 0), (0, 2, 1)]
    );
}

#[test]
fn only_what_the_output_depends_on() {
    let g = Graph::new();
    let x = g.var("x", 1.0);
    let _other = (x * 5.0).named("other");
    let y = x.exp().named("y");
    let dot = y.to_dot(&DrawOptions::default());
    assert!(!dot.contains("other"));
    assert!(dot.contains("\tn2 [label=\"{ y | data 2.7183 }\" shape=record]\n"));
    assert!(dot.contains("\tn2_op [label=\"exp\"]\n\tn2_op -> n2\n\tn0 -> n2_op\n"));
}

#[test]
fn record_syntax_in_labels_is_escaped() {
    let g = Graph::new();
    let x = g.var(r#"a|b {c} <d> "e" \f"#, 1.0);
    let dot = x.to_dot(&DrawOptions::default());
    assert!(
        dot.contains(r#"label="{ a\|b\ \{c\}\ \<d\>\ \"e\"\ \\f | data 1.0000 }""#),
        "{dot}"
    );
}

#[test]
fn options_rankdir_decimals_and_grads() {
    let g = Graph::new();
    let x = g.var("x", 1.0 / 3.0);
    let y = (x * 2.0).named("y");
    let tb = DrawOptions {
        rankdir: RankDir::TB,
        decimals: 2,
        ..DrawOptions::default()
    };
    let dot = y.to_dot(&tb);
    assert!(dot.contains("rankdir=TB"));
    assert!(
        dot.contains("{ x | data 0.33 }"),
        "no grads before backward: {dot}"
    );
    assert!(dot.contains("n1_op [label=\"* 2\"]"));
    let always = DrawOptions {
        grads: ShowGrads::Always,
        ..DrawOptions::default()
    };
    assert!(y
        .to_dot(&always)
        .contains("{ x | data 0.3333 | grad 0.0000 }"));
    y.backward();
    assert!(y
        .to_dot(&DrawOptions::default())
        .contains("{ x | data 0.3333 | grad 2.0000 }"));
    let never = DrawOptions {
        grads: ShowGrads::Never,
        ..DrawOptions::default()
    };
    assert!(!y.to_dot(&never).contains("grad"));
    // A grad set by hand counts as grads existing, as in the notebook.
    let g2 = Graph::new();
    let l = g2.var("L", -8.0);
    assert!(!l.to_dot(&DrawOptions::default()).contains("grad"));
    l.set_grad(1.0);
    assert!(l.to_dot(&DrawOptions::default()).contains("grad 1.0000"));
}

/// When Graphviz is installed, it displays escaped labels exactly as typed.
#[test]
fn graphviz_reads_escaped_labels_as_typed() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    }
    let g = Graph::new();
    let label = r#"a|b {c} <d> "e" \f  g"#;
    let x = g.var(label, 1.0);
    let svg = x
        .render(
            chainrule::Engine::Graphviz,
            chainrule::Format::Svg,
            &DrawOptions::default(),
        )
        .unwrap();
    let svg = String::from_utf8(svg).unwrap();
    let opt = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, opt).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.text()
                .unwrap_or_default()
                .replace('\u{a0}', " ")
                .trim()
                .to_string()
        })
        .collect();
    assert!(texts.iter().any(|t| t == label), "{texts:?}");
    assert!(texts.iter().any(|t| t == "data 1.0000"), "{texts:?}");
}

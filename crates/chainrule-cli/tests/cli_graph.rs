//! `chainrule graph`: SVG, PNG and DOT files from the program, DOT on stdout, and the
//! errors (unknown extension, Graphviz missing, too large) with exit 2 and no file.

mod common;
use common::run;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-graph")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn graph(args: &[&str], out: &Path) -> common::Out {
    let mut all = vec!["graph", "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn svg_is_xml_with_the_notebooks_numbers() {
    let path = dir("svg").join("n.svg");
    let out = graph(&[], &path);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(out
        .stderr
        .starts_with(&format!("wrote {} (7 values, ", path.display())));
    let svg = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let text: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    let text = text.join("|");
    for want in [
        "data 2.0000",
        "grad 6.0000",
        "grad -4.0000",
        "data -8.0000",
        "grad 1.0000",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}

#[test]
fn dot_is_the_librarys_golden_notebook_dot() {
    let path = dir("dot").join("n.dot");
    assert_eq!(graph(&[], &path).code, 0);
    let golden = include_str!("../../chainrule/tests/golden/notebook.dot");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), golden);
    // Without -o the same text goes to stdout.
    let out = run(&["graph"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, golden));
}

#[test]
fn options_reach_the_drawing() {
    let out = run(&["graph", "--rankdir", "TB", "--no-grad", "--decimals", "2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("graph [rankdir=TB]"));
    assert!(
        out.stdout
            .contains(r#"n0 [label="{ a | data 2.00 }" shape=record]"#),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("grad"));
    let lower = run(&["graph", "--rankdir", "lr", "-e", "x = 1; y = exp(x)"]);
    assert!(lower.stdout.contains("rankdir=LR"));
    assert!(
        lower
            .stdout
            .contains(r#"n0 [label="{ x | data 1.0000 | grad 2.7183 }" shape=record]"#),
        "{}",
        lower.stdout
    );
}

#[test]
fn png_has_the_png_signature() {
    let path = dir("png").join("n.png");
    let out = graph(&["--rankdir", "TB"], &path);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 1000);
}

#[test]
fn unknown_extension_exits_2_and_writes_nothing() {
    let d = dir("ext");
    for name in ["n.pdf", "n"] {
        let path = d.join(name);
        let out = graph(&[], &path);
        assert_eq!(out.code, 2, "{name}");
        assert!(
            out.stderr
                .contains("help: name the file .svg, .png or .dot"),
            "{}",
            out.stderr
        );
        assert!(!path.exists());
    }
    assert_eq!(
        std::fs::read_dir(&d).unwrap().count(),
        0,
        "no stray temporary file"
    );
}

#[test]
fn graphviz_missing_is_a_clear_error_and_no_file() {
    let d = dir("nodot");
    let empty = d.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let path = d.join("g.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args([
            "graph",
            "--engine",
            "graphviz",
            "-o",
            path.to_str().unwrap(),
        ])
        .env("PATH", &empty)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--engine graphviz needs the Graphviz `dot` program, which is not on PATH"),
        "{stderr}"
    );
    assert!(stderr.contains("apt-get install graphviz"));
    assert!(!path.exists());
}

#[test]
fn too_large_a_graph_exits_2_and_says_how_to_raise_the_limit() {
    let path = dir("large").join("n.svg");
    let out = graph(&["--max-nodes", "5"], &path);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the graph has 7 values, over the drawing limit of 5"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--max-nodes N"));
    assert!(!path.exists());
    assert_eq!(graph(&["--max-nodes", "7"], &path).code, 0);
}

#[test]
fn a_tangled_graph_is_drawn_with_the_simpler_layout_and_says_so() {
    // The issue's chain: 1,000 values reusing 10 leaves in turn, whose long edges would
    // need about 970,000 bend points.
    let mut src: String = (0..10).map(|i| format!("x{i} = 0.{i}1\n")).collect();
    src += "s = x0 * x1\n";
    for i in 2..990 {
        src += &format!("s {} x{}\n", if i % 2 == 1 { "+=" } else { "*=" }, i % 10);
    }
    let d = dir("tangled");
    let program = d.join("chain.cr");
    std::fs::write(&program, src).unwrap();
    let path = d.join("chain.svg");
    let out = graph(&[program.to_str().unwrap()], &path);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("note: Simplified layout: 980 far uses of values are drawn as dashed copies"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--max-layout-points N"),
        "{}",
        out.stderr
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ids = doc
        .descendants()
        .filter(|n| n.attribute("data-node-id").is_some())
        .count();
    assert_eq!(ids, 999);
    assert!(svg.contains("<desc>Simplified layout"));
    // Within the bound, the full layout and no note.
    let out = graph(
        &[program.to_str().unwrap(), "--max-layout-points", "1000000"],
        &path,
    );
    assert_eq!(out.code, 0);
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
}

#[test]
fn a_missing_directory_exits_2() {
    let path = dir("nodir").join("no/such/dir/n.svg");
    let out = graph(&[], &path);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot write the drawing"),
        "{}",
        out.stderr
    );
}

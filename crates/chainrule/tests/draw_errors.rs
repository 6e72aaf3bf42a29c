//! Bad input: graphs too large, unknown formats, failed writes. Clear errors, no
//! half-written files.
mod common;

use chainrule::{DrawError, DrawOptions, Engine, Format, Graph};
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_in(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn too_many_values_is_refused_naming_the_limit() {
    let g = Graph::new();
    let x = g.var("x", 0.1);
    let y = (0..30).fold(x, |v, _| v.tanh());
    let opts = DrawOptions {
        max_nodes: 20,
        ..DrawOptions::default()
    };
    let err = y.to_svg(&opts).unwrap_err();
    assert!(
        matches!(
            err,
            DrawError::TooLarge {
                nodes: 31,
                limit: 20
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("31 values") && msg.contains("limit of 20") && msg.contains("max_nodes"),
        "{msg}"
    );
    // The Graphviz engine is held to the same limit; DOT text is not (it is small).
    let err = y.render(Engine::Graphviz, Format::Svg, &opts).unwrap_err();
    assert!(matches!(err, DrawError::TooLarge { .. }), "{err:?}");
    assert!(y.to_dot(&opts).starts_with("digraph"));
    // Raising the limit draws it.
    let opts = DrawOptions {
        max_nodes: 31,
        ..DrawOptions::default()
    };
    assert!(y.to_svg(&opts).is_ok());
}

#[test]
fn the_default_limit_is_20000_values() {
    let g = Graph::new();
    let x = g.leaf(0.5);
    let y = (0..20_000).fold(x, |v, _| v * 0.999);
    let err = y.to_svg(&DrawOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DrawError::TooLarge {
                nodes: 20_001,
                limit: 20_000
            }
        ),
        "{err:?}"
    );
}

#[test]
fn save_drawing_picks_the_format_from_the_extension() {
    let dir = temp_dir("save");
    let g = Graph::new();
    let l = common::notebook(&g);
    let opts = DrawOptions::default();
    l.save_drawing(dir.join("nb.dot"), &opts, Engine::Builtin)
        .unwrap();
    l.save_drawing(dir.join("nb.svg"), &opts, Engine::Builtin)
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("nb.dot")).unwrap(),
        l.to_dot(&opts)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("nb.svg")).unwrap(),
        l.to_svg(&opts).unwrap()
    );
    let err = l
        .save_drawing(dir.join("nb.pdf"), &opts, Engine::Builtin)
        .unwrap_err();
    assert!(matches!(err, DrawError::UnknownFormat(_)), "{err:?}");
    assert!(err.to_string().contains(".dot, .svg or .png"));
    assert_eq!(files_in(&dir), ["nb.dot", "nb.svg"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_save_leaves_no_file_and_keeps_the_old_one() {
    let dir = temp_dir("fail");
    let g = Graph::new();
    let x = g.var("x", 0.1);
    let y = (0..30).fold(x, |v, _| v.tanh());
    let path = dir.join("y.svg");
    std::fs::write(&path, "old").unwrap();
    let small = DrawOptions {
        max_nodes: 10,
        ..DrawOptions::default()
    };
    assert!(y.save_drawing(&path, &small, Engine::Builtin).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    // Into a folder that does not exist: an Io error and nothing written anywhere.
    let err = y
        .save_drawing(
            dir.join("missing/y.svg"),
            &DrawOptions::default(),
            Engine::Builtin,
        )
        .unwrap_err();
    assert!(matches!(err, DrawError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing/y.svg"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(files_in(&dir), ["y.svg"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(not(feature = "png"))]
#[test]
fn png_without_the_feature_says_how_to_get_it() {
    let g = Graph::new();
    let x = g.var("x", 1.0);
    let err = x
        .render(Engine::Builtin, Format::Png, &DrawOptions::default())
        .unwrap_err();
    assert!(matches!(err, DrawError::PngUnavailable));
    assert!(err.to_string().contains("--features png"));
}

#[cfg(feature = "png")]
#[test]
fn png_is_rendered_at_the_svg_size_and_draws_text() {
    let g = Graph::new();
    let l = common::notebook(&g);
    let opts = DrawOptions::default();
    let png = l.to_png(&opts).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let d = common::parse(&l.to_svg(&opts).unwrap());
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w as f64, h as f64), (d.width, d.height));
    // Text was drawn with the bundled font: a PNG of the same graph without labels differs.
    let g2 = Graph::new();
    let x = g2.var("x", 1.0);
    let with_text = x.to_png(&opts).unwrap();
    x.set_label("xxxxxxxx");
    assert_ne!(with_text, x.to_png(&opts).unwrap());
}

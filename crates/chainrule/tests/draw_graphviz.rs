//! The Graphviz engine: a clear error when `dot` is missing, real output when present.
//! One test in this binary, because it changes PATH for the whole process.

use chainrule::{DrawError, DrawOptions, Engine, Format, Graph};

#[test]
fn graphviz_engine_missing_then_present() {
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = (a * a).named("b");
    let opts = DrawOptions::default();
    let saved = std::env::var_os("PATH");
    let empty = std::env::temp_dir().join(format!("chainrule-nopath-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    std::env::set_var("PATH", &empty);
    let err = b.render(Engine::Graphviz, Format::Svg, &opts).unwrap_err();
    match saved {
        Some(p) => std::env::set_var("PATH", p),
        None => std::env::remove_var("PATH"),
    }
    std::fs::remove_dir_all(&empty).unwrap();
    assert!(matches!(err, DrawError::GraphvizMissing), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("apt-get install graphviz") && msg.contains("Engine::Builtin"),
        "{msg}"
    );

    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped the rest: Graphviz `dot` is not installed");
        return;
    }
    let svg = String::from_utf8(b.render(Engine::Graphviz, Format::Svg, &opts).unwrap()).unwrap();
    assert!(svg.contains("data 4.0000") && svg.contains("<svg"), "{svg}");
    let png = b.render(Engine::Graphviz, Format::Png, &opts).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

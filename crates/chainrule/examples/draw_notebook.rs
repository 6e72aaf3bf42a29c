//! Draws the notebook's graph (`L = (a*b + c) * f` after backward) to the README's
//! pictures: `docs/img/notebook.svg`, and `docs/img/notebook.png` with `--features png`.
//!
//! ```text
//! cargo run --example draw_notebook --features png -- [OUT_DIR]
//! ```
use chainrule::{DrawOptions, Engine, Graph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "docs/img".into());
    std::fs::create_dir_all(&dir)?;
    let g = Graph::new();
    let a = g.var("a", 2.0);
    let b = g.var("b", -3.0);
    let c = g.var("c", 10.0);
    let e = (a * b).named("e");
    let d = (e + c).named("d");
    let f = g.var("f", -2.0);
    let l = (d * f).named("L");
    l.backward();
    let opts = DrawOptions::default();
    let exts: &[&str] = if cfg!(feature = "png") {
        &["svg", "png"]
    } else {
        &["svg"]
    };
    for ext in exts {
        let path = std::path::Path::new(&dir).join(format!("notebook.{ext}"));
        l.save_drawing(&path, &opts, Engine::Builtin)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

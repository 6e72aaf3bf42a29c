//! Writes the page's files as the server serves them (`index.html`, `app.js`,
//! `style.css`) into a directory, each atomically: `scripts/build-site.sh` puts them in
//! the static site.
//!
//! ```text
//! cargo run -p chainrule-serve --example page -- DIR
//! ```

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cargo run -p chainrule-serve --example page -- DIR");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    for (name, text) in chainrule_serve::page_files() {
        let path = dir.join(name);
        if let Err(e) = chainrule::write_atomic(&path, text.as_bytes()) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

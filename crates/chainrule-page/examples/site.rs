//! Writes the static site into a directory, each file atomically: the page on the
//! WebAssembly engine, the page in one file, the embed and its example
//! (`chainrule_page::site`). `scripts/build-site.sh` builds the engine and runs this.
//!
//! ```text
//! cargo run -p chainrule-page --example site -- DIR ENGINE.wasm
//! ```

fn main() {
    let args: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    let [dir, wasm] = &args[..] else {
        eprintln!("usage: cargo run -p chainrule-page --example site -- DIR ENGINE.wasm");
        std::process::exit(2);
    };
    let engine = std::fs::read(wasm).unwrap_or_else(|e| {
        eprintln!("cannot read the engine {}: {e}", wasm.display());
        std::process::exit(1);
    });
    let files = chainrule_page::site::site_files(&engine).unwrap_or_else(|e| {
        eprintln!("cannot bundle the page: {e}");
        std::process::exit(1);
    });
    for (name, bytes) in files {
        let path = dir.join(&name);
        if let Err(e) = chainrule::write_atomic(&path, &bytes) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

//! The static site: the page on the WebAssembly engine with no chainrule process, as files
//! any static server can serve (`scripts/build-site.sh DIR` writes them, given the
//! engine's `.wasm`):
//!
//! - `index.html`, the page's modules and styles (the served page's own), `main-wasm.js`
//!   (the page on [`engine-wasm.js`'s `wasmEngine`]), `train-worker.js` and
//!   `chainrule.wasm`;
//! - `chainrule.html`: the same page in one file (its script a [bundle](crate::bundle),
//!   its styles inline, the engine as base64, the training worker from a blob URL) that
//!   works opened from disk;
//! - `chainrule-embed.js`: the embed, one self-contained script (the engine and the
//!   styles inside) defining `<chainrule-graph>`;
//! - `embed-example.html`: two embeds in a page of prose.
//!
//! ```
//! let files = chainrule_page::site::site_files(b"\0asm\x01\0\0\0").unwrap();
//! let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
//! assert!(names.contains(&"index.html") && names.contains(&"chainrule.html"));
//! ```

use crate::bundle::{bundle_with, BundleError, Format};
use crate::web::{file, html_text, FILES};
use serde_json::json;

/// The page's HTML template: `{{NOTEBOOK}}` is where the notebook's program goes, and
/// `{{MAIN}}` the module that starts the page.
const INDEX_TEMPLATE: &str = include_str!("../web/index.html");

/// The page's HTML, starting with module `main` (`main.js` under `chainrule serve`,
/// `main-wasm.js` on the static site), the notebook's program in the editor.
pub fn page_html(main: &str) -> String {
    INDEX_TEMPLATE
        .replace("{{NOTEBOOK}}", &html_text(chainrule::lang::NOTEBOOK))
        .replace("{{MAIN}}", main)
}

/// The embed's example page: two `<chainrule-graph>` in a page of prose.
const EMBED_EXAMPLE: &str = include_str!("../web/embed-example.html");

/// The files of the static site, by name, for the engine `wasm` (see the module's docs).
pub fn site_files(wasm: &[u8]) -> Result<Vec<(String, Vec<u8>)>, BundleError> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("index.html".into(), page_html("main-wasm.js").into_bytes()),
        ("chainrule.html".into(), one_file_page(wasm)?.into_bytes()),
        (
            "chainrule-embed.js".into(),
            embed_script(wasm)?.into_bytes(),
        ),
        (
            "embed-example.html".into(),
            EMBED_EXAMPLE.as_bytes().to_vec(),
        ),
        ("chainrule.wasm".into(), wasm.to_vec()),
    ];
    out.extend(
        FILES
            .iter()
            .map(|f| (f.path.to_string(), f.text.as_bytes().to_vec())),
    );
    Ok(out)
}

/// The page in one file: the static page with its styles, its modules (a bundle), the
/// engine and the training worker inside.
pub fn one_file_page(wasm: &[u8]) -> Result<String, BundleError> {
    let inline = json!({"engine": base64(wasm), "worker": bundled("train-worker.js", None)?});
    let script = bundled("main-wasm.js", Some(&inline))?;
    let style = |path: &str| {
        let css = file(path)
            .map_or("", |f| f.text)
            .replace("</style", "<\\/style");
        format!("<style>\n{css}</style>")
    };
    let page = page_html("main-wasm.js");
    let mut html = String::with_capacity(page.len() + script.len() + 1024);
    for line in page.lines() {
        let line = match line.trim() {
            r#"<link rel="stylesheet" href="./style.css">"# => style("style.css"),
            r#"<link rel="stylesheet" href="./page.css">"# => style("page.css"),
            r#"<script type="module" src="./main-wasm.js"></script>"# => {
                format!("<script>\n{}</script>", script_text(&script))
            }
            _ => line.to_string(),
        };
        html.push_str(&line);
        html.push('\n');
    }
    Ok(html)
}

/// The embed: `embed.js` and what it reaches, one classic script, with the engine and
/// the styles inside.
pub fn embed_script(wasm: &[u8]) -> Result<String, BundleError> {
    let style = file("style.css").map_or("", |f| f.text);
    let inline = json!({"engine": base64(wasm), "style": style});
    bundled("embed.js", Some(&inline))
}

/// The classic-script bundle of `entry`, with `assets.js` holding `inline` when given.
fn bundled(entry: &str, inline: Option<&serde_json::Value>) -> Result<String, BundleError> {
    let assets = inline.map(|v| format!("export const INLINE = {v};\n"));
    bundle_with(entry, Format::Script, &|path| match (path, &assets) {
        ("assets.js", Some(a)) => Some(a.clone()),
        _ => file(path).map(|f| f.text.to_string()),
    })
}

/// A script's text made safe inside an HTML `<script>` element: a `</script` in a string
/// or a comment would end the element early.
fn script_text(js: &str) -> String {
    js.replace("</script", "<\\/script")
        .replace("</SCRIPT", "<\\/SCRIPT")
}

/// `bytes` in standard base64 with padding (what `atob` reads).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | (u32::from(b) << (16 - 8 * k)));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_one() {
        for (bytes, want) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"\xff\xfe\x00", "//4A"),
        ] {
            assert_eq!(base64(bytes), want);
        }
    }

    #[test]
    fn the_one_file_page_has_nothing_left_to_load() {
        let html = one_file_page(b"\0asm\x01\0\0\0").unwrap();
        assert!(!html.contains("<link rel=\"stylesheet\""), "styles inline");
        assert!(!html.contains(" src="), "no script to load");
        assert!(
            html.contains("AGFzbQEAAAA="),
            "the engine inside, as base64"
        );
        assert!(html.contains("const INLINE = {"), "{}", &html[..200]);
        // One <script> element: the bundle, whose strings cannot end it early.
        assert_eq!(html.matches("<script").count(), 1);
        assert_eq!(html.matches("</script>").count(), 1);
    }
}

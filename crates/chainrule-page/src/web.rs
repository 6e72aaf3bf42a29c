//! The page's files (`crates/chainrule-page/web/`), built into the binary: one table that
//! every home of the page reads. `chainrule serve` serves them at their paths, the static
//! site's build writes them out, and [`bundle`](crate::bundle::bundle) inlines the modules
//! reachable from an entry into one script (the one-file page, the embed, the Jupyter
//! widget).
//!
//! ```
//! let dom = chainrule_page::web::file("dom.js").unwrap();
//! assert!(dom.text.contains("export function h("));
//! assert_eq!(dom.media_type, "text/javascript; charset=utf-8");
//! ```

/// One file of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebFile {
    /// Its path, relative to the page (`graph-view.js`).
    pub path: &'static str,
    /// Its text.
    pub text: &'static str,
    /// Its media type, with the charset, as an HTTP `Content-Type`.
    pub media_type: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// A table entry for `web/$path`, with its media type.
macro_rules! files {
    ($(($path:literal, $kind:expr)),* $(,)?) => {
        &[$(WebFile {
            path: $path,
            text: include_str!(concat!("../web/", $path)),
            media_type: $kind,
        }),*]
    };
}

/// Every file of the page: its styles, its ES modules, the entries of its homes (`main.js`
/// served, `main-wasm.js` static, `embed.js` the embed) and the WebAssembly engine's glue
/// and worker. (`index.html` and `embed-example.html` are pages of the site: see
/// [`crate::site`].)
pub const FILES: &[WebFile] = files![
    ("style.css", CSS),
    ("page.css", CSS),
    ("main.js", JS),
    ("main-wasm.js", JS),
    ("assets.js", JS),
    ("embed.js", JS),
    ("app.js", JS),
    ("program-view.js", JS),
    ("engine-http.js", JS),
    ("engine-wasm.js", JS),
    ("train-worker.js", JS),
    ("warm.js", JS),
    ("dom.js", JS),
    ("editor.js", JS),
    ("graph-view.js", JS),
    ("stepper.js", JS),
    ("node-panel.js", JS),
    ("hand-list.js", JS),
    ("train-view.js", JS),
    ("lessons-view.js", JS),
    ("lesson-tasks.js", JS),
    ("markdown.js", JS),
    ("progress.js", JS),
    ("engine-kernel.js", JS),
    ("widget.js", JS),
];

/// The file at `path` (relative to the page, no leading `./` or `/`), if the page has one.
pub fn file(path: &str) -> Option<&'static WebFile> {
    FILES.iter().find(|f| f.path == path)
}

/// The served page's HTML (`chainrule serve`'s `/`), with the notebook's program in the
/// editor; the static site's is [`crate::site::page_html`]`("main-wasm.js")`.
///
/// ```
/// let page = chainrule_page::web::index_html();
/// assert!(page.contains("L = d*f") && page.contains("./main.js"));
/// ```
pub fn index_html() -> String {
    crate::site::page_html("main.js")
}

/// The media type of an HTML page.
pub const HTML_MEDIA_TYPE: &str = HTML;

/// `text` escaped for an HTML element's content.
pub fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_web_folder_is_in_the_table_and_only_those() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "index.html" && n != "embed-example.html")
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = FILES.iter().map(|f| f.path.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
    }
}

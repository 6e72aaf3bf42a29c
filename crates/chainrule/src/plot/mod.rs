//! Plots for training runs: [`LineChart`] for loss and accuracy curves, and
//! [`DecisionBoundary`] for a model's score over the plane with the data on top.
//!
//! Both write self-contained SVG (no scripts, no external files, text in DejaVu Sans with
//! common fallbacks) and, with the `png` feature, PNG rendered in pure Rust with the
//! bundled font, so a plot looks the same on a machine with no fonts installed.

mod axis;
mod boundary;
mod contour;
mod line;

pub use boundary::DecisionBoundary;
pub use line::{LineChart, Scale};

use crate::io::markup::escape as esc;
use std::fmt;
use std::path::Path;

/// Why a plot could not be made or written. Each message says what to do.
#[derive(Debug)]
pub enum PlotError {
    /// The data handed to a plot is unusable; the message names the place and the fix.
    InvalidInput(String),
    /// A file name whose extension names no format a plot is written in.
    UnknownFormat(String),
    /// A PNG was asked for, but the crate was built without the `png` feature.
    PngUnavailable,
    /// Writing the file failed.
    Io {
        /// The file that could not be written.
        path: std::path::PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The SVG could not be rendered to PNG (too large, or a bug: please report it).
    Render(crate::DrawError),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::InvalidInput(msg) => write!(f, "{msg}"),
            PlotError::UnknownFormat(path) => write!(
                f,
                "cannot tell the format of {path:?}: name the plot .svg or .png"
            ),
            PlotError::PngUnavailable => write!(
                f,
                "PNG plots need chainrule's `png` feature; build with `--features png` or write .svg"
            ),
            PlotError::Io { path, error } => write!(
                f,
                "could not write the plot {}: {error}; check that its directory exists and is writable",
                path.display()
            ),
            PlotError::Render(e) => write!(f, "could not render the plot to PNG: {e}"),
        }
    }
}

impl std::error::Error for PlotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlotError::Io { error, .. } => Some(error),
            PlotError::Render(e) => Some(e),
            _ => None,
        }
    }
}

/// Writes `svg` to `path` as SVG or PNG, as its extension says, atomically.
fn save(path: &Path, svg: impl FnOnce() -> String) -> Result<(), PlotError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let bytes = match ext.as_deref() {
        Some("svg") => svg().into_bytes(),
        Some("png") => png(&svg())?,
        _ => return Err(PlotError::UnknownFormat(path.display().to_string())),
    };
    crate::write_atomic(path, &bytes).map_err(|error| PlotError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// PNG bytes of `svg`.
#[cfg(feature = "png")]
fn png(svg: &str) -> Result<Vec<u8>, PlotError> {
    crate::draw::png::render(svg).map_err(PlotError::Render)
}

#[cfg(not(feature = "png"))]
fn png(_svg: &str) -> Result<Vec<u8>, PlotError> {
    Err(PlotError::PngUnavailable)
}

const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";
const INK: &str = "#222222";
const MUTED: &str = "#666666";
const GRID: &str = "#e4e4e4";
/// Okabe-Ito colours, told apart by most colour-blind readers (yellow left out: too pale
/// on white).
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
];

/// The opening `<svg>` element and a white background.
fn open(s: &mut String, width: f64, height: f64) {
    use std::fmt::Write;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_FAMILY}" font-size="12" fill="{INK}">"#
    );
    let _ = writeln!(
        s,
        r#"<rect width="{width:.0}" height="{height:.0}" fill="white"/>"#
    );
}

/// A `<text>` element; `anchor` is start, middle or end.
#[allow(clippy::too_many_arguments)]
fn text(s: &mut String, x: f64, y: f64, size: f64, anchor: &str, class: &str, body: &str) {
    use std::fmt::Write;
    let _ = writeln!(
        s,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
        esc(body)
    );
}

/// `title` at `size`, shrunk (down to 10 px) and then shortened with an ellipsis until it
/// is at most `width` wide; returns the text and the size to set it at.
fn fit(title: &str, size: f64, width: f64) -> (String, f64) {
    let w = crate::draw::metrics::text_width(title, size);
    if w <= width {
        return (title.to_string(), size);
    }
    let smaller = (size * width / w).max(10.0);
    let mut t: String = title.to_string();
    if crate::draw::metrics::text_width(&t, smaller) <= width {
        return (t, smaller);
    }
    while t.pop().is_some() {
        let cut = format!("{}…", t.trim_end());
        if crate::draw::metrics::text_width(&cut, smaller) <= width {
            return (cut, smaller);
        }
    }
    ("…".to_string(), smaller)
}

/// The plot's title, centred at the top.
fn title(s: &mut String, title: &str, width: f64) {
    if title.is_empty() {
        return;
    }
    let (t, size) = fit(title, 16.0, width - 24.0);
    text(s, width / 2.0, 24.0, size, "middle", "title", &t);
}

/// A note under the plot (e.g. about points that were skipped), in small grey italics.
fn note(s: &mut String, body: &str, y: f64, width: f64) {
    if body.is_empty() {
        return;
    }
    let (t, size) = fit(body, 11.0, width - 24.0);
    use std::fmt::Write;
    let _ = writeln!(
        s,
        r#"<text class="note" x="12" y="{y:.1}" font-size="{size}" font-style="italic" fill="{MUTED}">{}</text>"#,
        esc(&t)
    );
}

/// "s" unless `n` is 1.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_short_titles_and_shortens_long_ones() {
        assert_eq!(fit("loss", 16.0, 100.0), ("loss".to_string(), 16.0));
        let long = "a very long title that cannot possibly fit into forty pixels";
        let (t, size) = fit(long, 16.0, 40.0);
        assert_eq!(size, 10.0);
        assert!(t.ends_with('…'));
        assert!(crate::draw::metrics::text_width(&t, size) <= 40.0);
    }
}

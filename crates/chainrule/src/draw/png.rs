//! PNG from the SVG drawing, rendered in pure Rust by resvg with the bundled DejaVu Sans,
//! so it looks the same on a machine with no fonts installed.

use crate::draw::DrawError;

/// DejaVu Sans (see assets/DejaVuSans-LICENSE.txt).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The most pixels a PNG may have (about 16k x 12k); larger drawings should stay SVG.
const MAX_PIXELS: u64 = 200_000_000;

/// Renders `svg` to PNG bytes.
pub(crate) fn render(svg: &str) -> Result<Vec<u8>, DrawError> {
    let mut opt = resvg::usvg::Options {
        font_family: "DejaVu Sans".into(),
        ..Default::default()
    };
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    let tree =
        resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| DrawError::Render(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(DrawError::ImageTooLarge { width, height });
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or(DrawError::ImageTooLarge { width, height })?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| DrawError::Render(e.to_string()))
}

//! The page of a step-through site: every picture inlined, one shown at a time, with
//! Prev/Next buttons, arrow/Home/End keys and the chain rule beside the picture. No
//! network and no external files, so it works from `file://`; without JavaScript it
//! shows every step one after another.

use crate::draw::stepsite::Frame;
use crate::io::markup::escape;
use std::fmt::Write;

/// The page's look. Class names stay clear of the drawings' own (`box`, `value`, `op`,
/// `edge`, `lit`, `out`, ...), whose styles every inlined SVG brings along.
const STYLE: &str = "\
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1d1d1f;background:#f6f7f9}
header{position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1.5rem;padding:.75rem 1.5rem;background:#fff;border-bottom:1px solid #dde1e6}
h1{margin:0;font-size:1.15rem;font-weight:600}
.controls{display:none;align-items:center;gap:.6rem}
.js .controls{display:flex}
.controls button{font:inherit;padding:.3rem .9rem;border:1px solid #b8c0ca;border-radius:6px;background:#fff;cursor:pointer}
.controls button:hover:not(:disabled){background:#eef2f6}
.controls button:disabled{opacity:.4;cursor:default}
#counter{min-width:8.5em;text-align:center;font-variant-numeric:tabular-nums;font-weight:600}
.keys{color:#68707a;font-size:.85rem}
kbd{font:inherit;font-size:.8rem;padding:0 .35em;border:1px solid #c5ccd4;border-bottom-width:2px;border-radius:4px;background:#fff}
main{padding:1.25rem 1.5rem}
.frame{display:flex;flex-wrap:wrap;gap:1.25rem;align-items:flex-start;margin-bottom:2rem}
.frame.tall{display:grid;grid-template-columns:minmax(0,max-content) minmax(18rem,26rem)}
.js .frame{display:none;margin:0}
.js .frame.current{display:flex}
.js .frame.tall.current{display:grid}
.tall .why{position:sticky;top:5rem}
.pic{flex:0 1 auto;min-width:0;max-width:100%;margin:0;padding:.75rem;background:#fff;border:1px solid #dde1e6;border-radius:8px;overflow:auto}
.pic svg{display:block;max-width:100%;height:auto;margin:auto}
.why{flex:1 1 24rem;max-width:52rem;padding:1rem 1.25rem;background:#fff;border:1px solid #dde1e6;border-radius:8px}
.why h2{margin:0 0 .5rem;font-size:1.1rem}
.why p{margin:.5rem 0}
.chain{margin:.75rem 0;padding:.6rem .75rem;background:#fbf6ef;border-left:3px solid #e8710a;border-radius:4px;font:14px/1.65 'DejaVu Sans Mono',Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.status{color:#4a525c;font-size:.9rem}
";

/// Shows one frame at a time; `Step k of n` in the counter; the URL's `#step-k` opens at
/// step k and follows the steps; a large drawing scrolls to the value just finished.
const SCRIPT: &str = "
(function () {
  var frames = document.querySelectorAll('.frame');
  var last = frames.length - 1, cur = 0;
  var counter = document.getElementById('counter');
  var prev = document.getElementById('prev'), next = document.getElementById('next');
  function show(k) {
    k = Math.max(0, Math.min(last, k));
    frames[cur].classList.remove('current');
    frames[k].classList.add('current');
    cur = k;
    counter.textContent = 'Step ' + k + ' of ' + last;
    prev.disabled = k === 0;
    next.disabled = k === last;
    try { history.replaceState(null, '', '#step-' + k); } catch (e) {}
    var lit = frames[k].querySelector('g.value.lit');
    if (lit && lit.scrollIntoView) lit.scrollIntoView({block: 'nearest', inline: 'nearest'});
  }
  prev.addEventListener('click', function () { show(cur - 1); });
  next.addEventListener('click', function () { show(cur + 1); });
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var to = {ArrowLeft: cur - 1, ArrowRight: cur + 1, Home: 0, End: last}[e.key];
    if (to === undefined) return;
    e.preventDefault();
    show(to);
  });
  var m = /^#step-(\\d+)$/.exec(location.hash);
  show(m ? parseInt(m[1], 10) : 0);
})();
";

/// The whole page for the output named `output`.
pub(crate) fn page(output: &str, frames: &[Frame]) -> String {
    let mut s =
        String::with_capacity(frames.iter().map(|f| f.svg.len() + 1000).sum::<usize>() + 4000);
    let title = format!("Backprop step by step: {}", escape(output));
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n\
         <script>document.documentElement.className = 'js';</script>\n</head>\n<body>\n\
         <header>\n<h1>{title}</h1>\n<nav class=\"controls\" aria-label=\"steps\">\
         <button id=\"prev\" type=\"button\">&larr; Prev</button>\
         <span id=\"counter\" aria-live=\"polite\">Step 0 of {last}</span>\
         <button id=\"next\" type=\"button\">Next &rarr;</button>\
         <span class=\"keys\"><kbd>&larr;</kbd> <kbd>&rarr;</kbd> <kbd>Home</kbd> <kbd>End</kbd></span>\
         </nav>\n</header>\n<main>\n",
        last = frames.len() - 1,
    );
    for (k, f) in frames.iter().enumerate() {
        let _ = write!(
            s,
            "<section class=\"frame{}\" id=\"frame-{k}\">\n<figure class=\"pic\">\n{}</figure>\n\
             <div class=\"why\">\n<h2>{}</h2>\n<p>{}</p>\n",
            if tall(&f.svg) { " tall" } else { "" },
            legible(&f.svg),
            escape(&f.title),
            escape(&f.summary),
        );
        if !f.lines.is_empty() {
            let _ = writeln!(
                s,
                "<div class=\"chain\">{}</div>",
                escape(&f.lines.join("\n"))
            );
        }
        let _ = write!(
            s,
            "<p class=\"status\">{}</p>\n</div>\n</section>\n",
            escape(&f.status)
        );
    }
    let _ = write!(s, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
    s
}

/// Whether a drawing is taller than half its width (top to bottom, or narrow): then the
/// explanation goes beside it; a wide one gets the explanation below, at full size.
fn tall(svg: &str) -> bool {
    matches!((attr(svg, "width"), attr(svg, "height")), (Some(w), Some(h)) if 2.0 * h > w)
}

/// The drawing, kept at least 60% of its size when scaled down to fit, so the text stays
/// legible: a larger graph scrolls inside its frame instead.
fn legible(svg: &str) -> String {
    match attr(svg, "width") {
        Some(w) => svg.replacen(
            "<svg ",
            &format!("<svg style=\"min-width:{:.0}px\" ", 0.6 * w),
            1,
        ),
        None => svg.to_string(),
    }
}

/// The number in attribute `name` of an SVG's root element.
fn attr(svg: &str, name: &str) -> Option<f64> {
    let head = &svg[..svg.find('>').unwrap_or(0)];
    let at = head.find(&format!(" {name}=\""))? + name.len() + 3;
    head[at..].split('"').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::tall;

    #[test]
    fn tall_drawings_are_those_higher_than_half_their_width() {
        assert!(tall(
            r#"<svg xmlns="x" width="300" height="400" viewBox="0 0 300 400">"#
        ));
        assert!(!tall(
            r#"<svg xmlns="x" width="1363" height="120" viewBox="0 0 1363 120">"#
        ));
        assert!(!tall("<svg>"));
    }
}

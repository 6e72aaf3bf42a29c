#!/usr/bin/env bash
# Regenerates the README's pictures with chainrule's own layout and PNG renderer: no
# system Graphviz or fonts needed.
# - docs/img/notebook.svg and .png: the notebook's graph.
# - docs/img/decision-boundary.svg and .png: the boundary of a model really trained by
#   `chainrule train` with its defaults (micrograd's demo: moons, 2-16-16-1 relu, 100 steps).
# - docs/img/page-graph-*.png and page-train-*.png: the live page at 390, 768 and 1280 px,
#   taken in headless Chromium by scripts/page-screenshots.sh (left as they are, with a
#   note, where Chromium is not installed).
# - docs/img/simplified.png: a chain reusing three leaves, drawn with the simpler layout
#   (a layout bound of 30 points, where it needs 41), for docs/drawing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p chainrule --example draw_notebook --features png -- docs/img
plots=$(mktemp -d)
trap 'rm -rf "$plots"' EXIT
cargo run --quiet -p chainrule-cli -- train --quiet --plot "$plots"
cp "$plots/boundary.svg" docs/img/decision-boundary.svg
cp "$plots/boundary.png" docs/img/decision-boundary.png
if command -v chromium >/dev/null 2>&1; then
  scripts/page-screenshots.sh
else
  echo "render-readme-images.sh: no chromium; the live page's pictures are left as they are" >&2
fi
chain='x0 = 0.5; x1 = -1.5; x2 = 2; s = x0 * x1; s += x2; s *= x0; s += x1; s *= x2; s += x0'
cargo run --quiet -p chainrule-cli -- graph -e "$chain" -o docs/img/simplified.png \
  --max-layout-points 30 2>/dev/null

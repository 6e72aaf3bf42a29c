#!/usr/bin/env bash
# Regenerates the README's pictures with chainrule's own layout and PNG renderer: no
# system Graphviz or fonts needed.
# - docs/img/notebook.svg and .png: the notebook's graph.
# - docs/img/decision-boundary.svg and .png: the boundary of a model really trained by
#   `chainrule train` with its defaults (micrograd's demo: moons, 2-16-16-1 relu, 100 steps).
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
chain='x0 = 0.5; x1 = -1.5; x2 = 2; s = x0 * x1; s += x2; s *= x0; s += x1; s *= x2; s += x0'
cargo run --quiet -p chainrule-cli -- graph -e "$chain" -o docs/img/simplified.png \
  --max-layout-points 30 2>/dev/null

#!/usr/bin/env bash
# Regenerates the README's pictures (docs/img/notebook.svg and .png) with chainrule's own
# layout and PNG renderer: no system Graphviz or fonts needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --example draw_notebook --features png -- docs/img

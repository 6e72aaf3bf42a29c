#!/usr/bin/env bash
# The README's pictures of the live page (`chainrule serve`): the graph view and the
# training view at 390, 768 and 1280 px, taken in headless Chromium by the page's browser
# test (`pictures_for_the_readme` in crates/chainrule-serve/tests/page_browser.rs), as
# docs/img/page-graph-WIDTH.png and docs/img/page-train-WIDTH.png; the lessons view at the
# same widths with a wrong grad diagnosed (docs/img/page-lessons-WIDTH.png) and the hand
# grads' diagnoses of the README's terminal example (docs/img/page-diagnosis.png), by
# `lesson_pictures_for_the_readme` in lessons_browser.rs. Needs `chromium`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  echo "page-screenshots.sh: chromium is not installed (apt-get install chromium)" >&2
  exit 1
fi
SCREENSHOTS="$PWD/docs/img" cargo test --quiet -p chainrule-serve --test page_browser \
  pictures_for_the_readme -- --exact
SCREENSHOTS="$PWD/docs/img" cargo test --quiet -p chainrule-serve --test lessons_browser \
  lesson_pictures_for_the_readme -- --exact

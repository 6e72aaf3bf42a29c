#!/usr/bin/env bash
# The README's pictures of the live page, taken in headless Chromium by the page's browser
# tests, so they show the page as it is:
# - `chainrule serve`: the graph view and the training view at 390, 768 and 1280 px
#   (`pictures_for_the_readme` in crates/chainrule-serve/tests/page_browser.rs), as
#   docs/img/page-graph-WIDTH.png and docs/img/page-train-WIDTH.png, and a run at lr 30
#   warned of as diverging, as docs/img/page-train-overshoot-768.png;
# - the static site: the page on WebAssembly at 1280 px and the embed's example at 768 px
#   (`pictures_of_the_site` in site_browser.rs, which also takes the one-file page and
#   every width: they are left in target/site-pictures to look at), as
#   docs/img/site-static-1280.png and docs/img/site-embed-768.png.
# - the lessons view at the same widths with a wrong grad diagnosed, as
#   docs/img/page-lessons-WIDTH.png, and the hand grads' diagnoses of the README's terminal
#   example, as docs/img/page-diagnosis.png (`lesson_pictures_for_the_readme` in
#   lessons_browser.rs).
# Needs `chromium` and `python3`; the static site is CHAINRULE_SITE, or written by the test.
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
all="${CARGO_TARGET_DIR:-$PWD/target}/site-pictures"
SCREENSHOTS="$all" cargo test --quiet -p chainrule-serve --test site_browser \
  pictures_of_the_site -- --exact
cp "$all/site-static-1280.png" "$all/site-embed-768.png" docs/img/

#!/usr/bin/env bash
# Builds the static site into DIR: the page on the engine in WebAssembly, with no chainrule
# process (index.html, the page's ES modules and styles, main-wasm.js, engine-wasm.js,
# train-worker.js, chainrule.wasm), the same page in one file that works opened from disk
# (chainrule.html), the embed (chainrule-embed.js, one self-contained script defining
# <chainrule-graph>) and its example (embed-example.html). Any static file server serves
# it: `python3 -m http.server -d DIR`, GitHub Pages, a course's web space.
#
#   scripts/build-site.sh DIR
#
# The engine is `crates/chainrule-wasm` built for wasm32-unknown-unknown with the `wasm`
# profile (opt-level 3: "z" made it three times slower), then `wasm-opt -O3` when binaryen
# is installed (smaller, and as fast: see the README). The target comes from rustup; where
# rustup cannot give it, Debian's rustc-web, cargo-web, rust-web-src and lld-22 build it
# with -Zbuild-std (installed here with apt-get when missing). CHAINRULE_WASM_TOOLCHAIN=debian
# takes the second way even where rustup works.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/build-site.sh DIR}
target=${CARGO_TARGET_DIR:-target}
build=(build --profile wasm --target wasm32-unknown-unknown -p chainrule-wasm)

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The engine with rustup's target; fails where rustup cannot give the target.
with_rustup() {
  command -v rustup >/dev/null 2>&1 || return 1
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || return 1
  cargo "${build[@]}" || return 1
  wasm="$target/wasm32-unknown-unknown/wasm/chainrule_wasm.wasm"
}

# The engine with Debian's toolchain, which builds the target's std itself (about 75 s,
# in a target directory of its own: the two toolchains' builds do not mix).
with_debian() {
  local packages=() p
  for p in rustc-web cargo-web rust-web-src lld-22; do
    dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p")
  done
  if [ ${#packages[@]} -gt 0 ]; then
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22 \
    /usr/bin/cargo "${build[@]}" -Zbuild-std=std,panic_abort --target-dir "$target/debian-web"
  wasm="$target/debian-web/wasm32-unknown-unknown/wasm/chainrule_wasm.wasm"
}

if [ "${CHAINRULE_WASM_TOOLCHAIN:-rustup}" = debian ] || ! with_rustup; then
  echo "build-site: building the engine with Debian's rustc-web and -Zbuild-std" >&2
  with_debian
fi

mkdir -p "$dir"
if command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -O3 "$wasm" -o "$dir/chainrule.wasm.tmp"
else
  echo "build-site: wasm-opt (binaryen) is not installed: the engine is not shrunk" >&2
  cp "$wasm" "$dir/chainrule.wasm.tmp"
fi
cargo run -q -p chainrule-page --example site -- "$dir" "$dir/chainrule.wasm.tmp"
rm "$dir/chainrule.wasm.tmp"
echo "build-site: wrote $dir ($(wc -c <"$dir/chainrule.wasm") bytes of engine, $(gzip -9c "$dir/chainrule.wasm" | wc -c) gzipped)" >&2

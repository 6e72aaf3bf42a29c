#!/usr/bin/env bash
# The WebAssembly engine's time per `program` call against native code's, on the same
# machine in the same run: `chainrule-bench page` (release) and scripts/bench-wasm.mjs
# (Node) take turns, ROUNDS times; each round's ratio compares runs made one right after
# the other, and the median of the rounds' ratios is printed (by the median call and by
# the fastest, which a busy machine disturbs least).
#
#   scripts/wasm-vs-native.sh ENGINE.wasm [ROUNDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=${1:?usage: scripts/wasm-vs-native.sh ENGINE.wasm [ROUNDS] [RUNS]}
rounds=${2:-7}
runs=${3:-21}
cargo build -q --release -p chainrule-bench
bench="${CARGO_TARGET_DIR:-target}/release/chainrule-bench"
out=$(mktemp)
for round in $(seq "$rounds"); do
  "$bench" page --n "$runs" | sed "s/^/$round /" >>"$out"
  node scripts/bench-wasm.mjs "$wasm" "$runs" | sed "s/^/$round /" >>"$out"
done
python3 - "$out" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    round_, j = line.split(" ", 1)
    j = json.loads(j)
    runs[(round_, j["program"], j["workload"])] = j
for program in sorted({k[1] for k in runs}):
    rounds = sorted({k[0] for k in runs if k[1] == program})
    pairs = [(runs[(r, program, "page-program")], runs[(r, program, "wasm-program")]) for r in rounds]
    med = lambda f: statistics.median(f(n, w) for n, w in pairs)
    print(f"{program}: native {med(lambda n, w: n['median_ms']):.2f} ms, "
          f"wasm {med(lambda n, w: w['median_ms']):.2f} ms (first call {med(lambda n, w: w['first_ms']):.1f} ms); "
          f"wasm/native {med(lambda n, w: w['median_ms'] / n['median_ms']):.2f} by the median call, "
          f"{med(lambda n, w: w['min_ms'] / n['min_ms']):.2f} by the fastest ({len(pairs)} rounds)")
PY
rm -f "$out"

#!/usr/bin/env python3
"""Runs chainrule-bench and the Rust peers (../shared/bench/rust-peers) on W1, W3, W4 and
W5 (second order: only echidna has it), interleaved, RUNS times each, and prints the median
ns per node of each and chainrule's ratio to the fastest peer. Build both first:

    cargo build --release -p chainrule-bench
    CARGO_TARGET_DIR=target/peers cargo build --release \
        --manifest-path ../shared/bench/rust-peers/Cargo.toml

The peers' binary is taken from $RUST_PEERS, else target/peers/release/rust-peers, else
../shared/bench/rust-peers/target/release/rust-peers.

usage: scripts/compare-peers.py [RUNS] [WORKLOAD...]
"""
import json, os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ours = os.path.join(root, "target/release/chainrule-bench")
peers_bin = os.environ.get("RUST_PEERS") or next(
    (p for p in [os.path.join(root, "target/peers/release/rust-peers"),
                 os.path.join(root, "../shared/bench/rust-peers/target/release/rust-peers")]
     if os.path.exists(p)),
    "rust-peers")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
workloads = sys.argv[2:] or ["W1", "W3", "W4", "W5"]
all_peers = ["echidna", "easyml", "reverse"]

def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])

for w in workloads:
    peers = ["echidna"] if w == "W5" else all_peers
    times = {}
    rss = []
    for _ in range(runs):
        line = run([ours, w])
        assert line["ok"], line
        times.setdefault("chainrule", []).append(line["ns_per_node"])
        rss.append(line.get("rss_bytes_per_node"))
        for p in peers:
            line = run([peers_bin, p, w])
            assert line["ok"], line
            times.setdefault(p, []).append(line["ns_per_node"])
    med = {k: statistics.median(v) for k, v in times.items()}
    fastest = min(peers, key=lambda p: med[p])
    cells = " ".join(f"{k}={v:.3g}" for k, v in med.items())
    print(f"{w}: median ns/node over {runs} runs: {cells}; chainrule / {fastest} = "
          f"{med['chainrule'] / med[fastest]:.2f}; chainrule peak RSS per node = {statistics.median(rss)} B")

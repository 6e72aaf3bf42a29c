#!/usr/bin/env python3
"""Runs chainrule-bench and the Rust peers (../shared/bench/rust-peers) on W1, W3 and W4,
interleaved, RUNS times each, and prints the median ns per node of each and chainrule's
ratio to the fastest peer. Build both first:

    cargo build --release -p chainrule-bench
    cargo build --release --manifest-path ../shared/bench/rust-peers/Cargo.toml

usage: scripts/compare-peers.py [RUNS] [WORKLOAD...]
"""
import json, os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ours = os.path.join(root, "target/release/chainrule-bench")
peers_bin = os.path.join(root, "../shared/bench/rust-peers/target/release/rust-peers")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
workloads = sys.argv[2:] or ["W1", "W3", "W4"]
peers = ["echidna", "easyml", "reverse"]

def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])

for w in workloads:
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

#!/usr/bin/env python3
"""Runs chainrule-bench and the Rust peers (../shared/bench/rust-peers) on W1, W3, W4 and
W5 (second order: only echidna has it), interleaved, RUNS rounds each (the order of the
programs rotates from round to round), and prints for each program the best and the
median ns per node, and chainrule's ratio to the fastest peer for each statistic. W4 also
runs its floor (`chainrule-bench W4-floor`, a minimal structure-of-arrays tape doing the
same work), and chainrule's multiple of it is printed beside the peers. The machine's load
(/proc/loadavg) is printed before and after. Build both first:

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
    line = json.loads(out.strip().splitlines()[-1])
    assert line["ok"], line
    return line


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def programs(w):
    """(name, command) of every program timed on workload w."""
    progs = [("chainrule", [ours, w])]
    progs += [(p, [peers_bin, p, w]) for p in (["echidna"] if w == "W5" else all_peers)]
    if w == "W4":
        progs.append(("floor", [ours, "W4-floor"]))
    return progs


def ratio_line(times, others, stat):
    """chainrule's ratio to the best of `others` under `stat` (min or median)."""
    s = {k: stat(v) for k, v in times.items()}
    best = min(others, key=lambda p: s[p])
    return f"{s['chainrule'] / s[best]:.2f} ({best})"


print(f"load average before: {load()}")
for w in workloads:
    progs = programs(w)
    times = {name: [] for name, _ in progs}
    rss = []
    for r in range(runs):
        k = r % len(progs)
        for name, cmd in progs[k:] + progs[:k]:
            line = run(cmd)
            times[name].append(line["ns_per_node"])
            if name == "chainrule":
                rss.append(line.get("rss_bytes_per_node"))
    peers = [n for n, _ in progs if n not in ("chainrule", "floor")]
    print(f"{w}: ns/node over {runs} interleaved rounds, best / median")
    for name, v in times.items():
        print(f"  {name:10} {min(v):8.3g} / {statistics.median(v):.3g}")
    print(f"  chainrule / fastest peer: best {ratio_line(times, peers, min)}, "
          f"median {ratio_line(times, peers, statistics.median)}")
    if "floor" in times:
        print(f"  chainrule / floor: best {ratio_line(times, ['floor'], min)}, "
              f"median {ratio_line(times, ['floor'], statistics.median)}")
    print(f"  chainrule peak RSS per node: {statistics.median(rss)} B")
print(f"load average after: {load()}")

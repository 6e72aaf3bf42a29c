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

usage: scripts/compare-peers.py [RUNS] [WORKLOAD...] [--n N]
       scripts/compare-peers.py --spells SECONDS [RUNS] [WORKLOAD] [--n N]

--n N gives every program the same size n (WORKLOADS.md; W1's default is 1,000,000
iterations, a run of 23 ms for chainrule): a longer run spreads over the machine's slow
spells instead of falling wholly inside one or outside.

--spells runs one workload (W1 unless named) for SECONDS, round after round, every program
once a round in rotating order, and asks how the machine's slow spells fall: a run more
than SLOW (1.25) times its program's median is slow. For each program it prints the share
of slow runs and the median of its fast and of its slow runs; then chainrule's ratio to
each peer within each kind of run; then the RUNS-round sessions (9 unless given first)
that the rounds make one after another, with chainrule's median ratio to the fastest peer
in each as the usual run prints it, and how many crossed the workload's target line (W1
0.6, W3 0.7, W4 0.6, W5 0.6): a session's median crosses it when a spell fell on one
program's runs more than on another's.
"""
import json, os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ours = os.path.join(root, "target/release/chainrule-bench")
peers_bin = os.environ.get("RUST_PEERS") or next(
    (p for p in [os.path.join(root, "target/peers/release/rust-peers"),
                 os.path.join(root, "../shared/bench/rust-peers/target/release/rust-peers")]
     if os.path.exists(p)),
    "rust-peers")
args = sys.argv[1:]
spells = None
size = []  # ["--n", N] passed to every program, when given
if "--n" in args:
    k = args.index("--n")
    if k + 1 >= len(args) or not args[k + 1].isdigit():
        sys.exit("compare-peers.py: --n takes a number (the workloads' n, for every program)")
    size, args = args[k:k + 2], args[:k] + args[k + 2:]
if args[:1] == ["--spells"]:
    if len(args) < 2:
        sys.exit("usage: scripts/compare-peers.py --spells SECONDS [WORKLOAD]")
    spells, args = float(args[1]), args[2:]
runs = int(args[0]) if args and args[0].isdigit() else (9 if spells else 5)
workloads = [a for a in args if not a.isdigit()] or (["W1"] if spells else ["W1", "W3", "W4", "W5"])
all_peers = ["echidna", "easyml", "reverse"]
SLOW = 1.25
# issue 20's lines: chainrule's time over the fastest peer's, at most
TARGET = {"W1": 0.6, "W3": 0.7, "W4": 0.6, "W5": 0.6}


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
    progs = [("chainrule", [ours, w] + size)]
    progs += [(p, [peers_bin, p, w] + size) for p in (["echidna"] if w == "W5" else all_peers)]
    if w == "W4":
        progs.append(("floor", [ours, "W4-floor"] + size))
    return progs


def ratio_line(times, others, stat):
    """chainrule's ratio to the best of `others` under `stat` (min or median)."""
    s = {k: stat(v) for k, v in times.items()}
    best = min(others, key=lambda p: s[p])
    return f"{s['chainrule'] / s[best]:.2f} ({best})"


def rounds(progs, more):
    """Times every program once a round, the order rotating, while `more(r)` says go on
    for round r; gives ns per node by program and chainrule's peak RSS per node."""
    times = {name: [] for name, _ in progs}
    rss = []
    r = 0
    while more(r):
        k = r % len(progs)
        for name, cmd in progs[k:] + progs[:k]:
            line = run(cmd)
            times[name].append(line["ns_per_node"])
            if name == "chainrule":
                rss.append(line.get("rss_bytes_per_node"))
        r += 1
    return times, rss


def spell_report(w, seconds):
    """The --spells run: see the module documentation."""
    import time
    progs = [p for p in programs(w) if p[0] != "floor"]
    start = time.monotonic()
    times, _ = rounds(progs, lambda r: time.monotonic() - start < seconds)
    n = len(times["chainrule"])
    print(f"{w}: {n} rounds in {time.monotonic() - start:.0f} s, ns/node; a run over "
          f"{SLOW}x its program's median is slow")
    print(f"  {'program':10} {'slow':>6} {'fast median':>12} {'slow median':>12} {'slow/fast':>10}")
    kinds = {}
    for name, v in times.items():
        cut = SLOW * statistics.median(v)
        fast = [x for x in v if x <= cut]
        slow = [x for x in v if x > cut]
        kinds[name] = (statistics.median(fast), statistics.median(slow) if slow else None)
        f, sl = kinds[name]
        cells = f"{sl:12.3g} {sl / f:10.2f}" if sl else f"{'-':>12} {'-':>10}"
        print(f"  {name:10} {len(slow) / len(v):6.1%} {f:12.3g} {cells}")
    for peer in [p for p, _ in progs if p != "chainrule"]:
        (cf, cs), (pf, ps) = kinds["chainrule"], kinds[peer]
        both = f", slow runs {cs / ps:.2f}" if cs and ps else ""
        print(f"  chainrule / {peer}: fast runs {cf / pf:.2f}{both}")
    peers = [p for p, _ in progs if p != "chainrule"]
    medians = []
    for s in range(0, n - runs + 1, runs):
        session = {k: v[s:s + runs] for k, v in times.items()}
        ours_m = statistics.median(session["chainrule"])
        medians.append(ours_m / min(statistics.median(session[p]) for p in peers))
    if medians:
        line = TARGET.get(w, 1.0)
        over = sum(m > line for m in medians)
        print(f"  {len(medians)} sessions of {runs} rounds, chainrule's median / fastest peer's: "
              f"lowest {min(medians):.2f}, median {statistics.median(medians):.2f}, "
              f"highest {max(medians):.2f}; over {line} in {over} ({over / len(medians):.0%})")


print(f"load average before: {load()}")
if spells is not None:
    for w in workloads[:1]:
        spell_report(w, spells)
    print(f"load average after: {load()}")
    sys.exit(0)
for w in workloads:
    progs = programs(w)
    times, rss = rounds(progs, lambda r: r < runs)
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

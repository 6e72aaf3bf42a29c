#!/usr/bin/env python3
"""The reference numbers behind chainrule's tanh (crates/chainrule/src/engine/tanh.rs).

    python3 scripts/tanh-reference.py coefficients
        prints the polynomial R(z) of the small branch, tanh(x) = x + x*z*R(z) with
        z = x*x for |x| < 0.55: a Chebyshev fit (mpmath.chebyfit, 250-bit arithmetic) of
        degree 10 in z to (tanh(x) - x)/x^3 on z in [0, 0.55^2], rounded to f64.

    python3 scripts/tanh-reference.py pieces
        prints the table of the middle branch, 0.55 <= |x| < 2.5: for each centre c = m/16,
        m = 9..=40, tanh(c) as a pair of f64 (hi, and the f64 nearest to tanh(c) - hi)
        and the degree-7 polynomial q(h) of a Chebyshev fit (mpmath.chebyfit, 200 bits)
        to (tanh(c + h) - tanh(c))/h on h in [-1/32, 1/32], so that
        tanh(c + h) = hi + (lo + h*q(h)). The fit's own error, h*q against the exact
        difference, is at most 0.036 units of 2^-53 over the table, checked at 401 points
        of each interval (printed to stderr).

    python3 scripts/tanh-reference.py table [OUT]
        writes the test table (default crates/chainrule/src/engine/tanh_table.txt): one
        input a line, `x hi lo` as the f64 bit patterns in hex, where hi is tanh(x)
        correctly rounded to f64 and lo is the f64 nearest to tanh(x) - hi, both from
        mpmath at 200 bits. The inputs are seeded (random.Random(20)), so the file is
        reproducible: log-uniform magnitudes 1e-300..40, uniform ones in [0, 2] and
        [2, 23], both signs, the branch boundaries and their neighbours, and the worst
        inputs found while measuring.

Needs mpmath (pip install mpmath).
"""
import math
import random
import struct
import sys

import mpmath as mp


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def neighbours(x, k=3):
    """x and its k nearest f64 neighbours on each side (x > 0)."""
    b = bits(x)
    return [from_bits(b + i) for i in range(-k, k + 1) if b + i > 0]


def coefficients():
    mp.mp.prec = 250
    a = mp.mpf("0.55")

    def g(z):
        if z < mp.mpf("1e-40"):
            return mp.mpf(-1) / 3
        s = mp.sqrt(z)
        return (mp.tanh(s) - s) / (z * s)

    poly = mp.chebyfit(g, [0, a * a], 11)
    for c in poly[::-1]:
        print(f"    {float(c)!r},")


def pieces():
    mp.mp.prec = 200
    n, deg = 16, 7
    w = mp.mpf(1) / n
    worst = 0
    for m in range(9, 41):
        c = mp.mpf(m) / n
        t = mp.tanh(c)
        hi = float(t)
        lo = float(t - mp.mpf(hi))

        def g(h):
            if abs(h) < mp.mpf("1e-60"):
                return 1 - t * t
            return (mp.tanh(c + h) - t) / h

        q = [float(x) for x in mp.chebyfit(g, [-w / 2, w / 2], deg + 1)[::-1]]
        for i in range(401):
            h = -w / 2 + w * i / 400
            approx = sum(mp.mpf(a) * h**j for j, a in enumerate(q))
            worst = max(worst, abs(h * approx - (mp.tanh(c + h) - t)) * mp.mpf(2) ** 53)
        print("    [" + ", ".join(repr(x) for x in [hi, lo] + q) + "],")
    print(f"fit error at most {float(worst):.3f} units of 2^-53", file=sys.stderr)


def table(out):
    mp.mp.prec = 200
    rng = random.Random(20)
    xs = []
    xs += [10.0 ** rng.uniform(-300, math.log10(40)) for _ in range(1000)]
    xs += [rng.uniform(0.0, 2.0) for _ in range(1000)]
    xs += [rng.uniform(2.0, 23.0) for _ in range(300)]
    xs = [x if rng.random() < 0.5 else -x for x in xs]
    # The branches' boundaries (2^-27, 0.55, 2.5, 22), the middle branch's pieces'
    # edges ((m + 1/2)/16), where tanh first rounds to 1 (about 19.06), where it is 1/2,
    # the subnormals and the largest finite number, each with neighbours.
    edges = [2.0 ** -27, 0.55, 2.5, 22.0, 19.061547465398498, 5e-324, 2.2250738585072014e-308,
             1.7976931348623157e308, 0.5493061443340549, 1.0]
    edges += [(m + 0.5) / 16 for m in range(9, 40)]
    # The worst inputs found while measuring (0.50-0.80 ulp), this version's and an
    # earlier one's (which divided below 2.5).
    worst = [0.5432867002304396, 0.5108841532504724, 0.49730703787724595, 0.5878266720745435,
             1.034903912025524, 2.516649386757761, 0.529756748843621, 0.5428100246761273,
             1.041373546474183, 1.043330260693844, 0.6994062394983569, 1.0777802861463233]
    for x in edges + worst:
        for y in neighbours(x):
            if y <= 1.7976931348623157e308:
                xs += [y, -y]
    with open(out, "w") as f:
        f.write("# x tanh(x)-correctly-rounded remainder, f64 bits in hex: scripts/tanh-reference.py\n")
        for x in xs:
            v = mp.tanh(mp.mpf(x))
            hi = float(v)  # mpmath rounds to nearest
            lo = float(v - mp.mpf(hi))
            f.write(f"{bits(x):016x} {bits(hi):016x} {bits(lo):016x}\n")
    print(f"{len(xs)} inputs written to {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "coefficients":
        coefficients()
    elif len(sys.argv) >= 2 and sys.argv[1] == "pieces":
        pieces()
    elif len(sys.argv) >= 2 and sys.argv[1] == "table":
        table(sys.argv[2] if len(sys.argv) > 2 else "crates/chainrule/src/engine/tanh_table.txt")
    else:
        sys.exit(__doc__)

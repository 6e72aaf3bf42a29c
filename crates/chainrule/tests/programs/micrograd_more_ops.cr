# micrograd's test_more_ops, as a chainrule program (g = 24.70408163265306,
# dg/da = 138.8338, dg/db = 645.5773).
a = -4
b = 2
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + relu(b + a)
d += 3 * d + relu(b - a)
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f

a = 2; b = -3; c = 10
e = a*b
d = e + c
f = -2
L = d*f
L.grad = 1
a.grad = b * e.grad

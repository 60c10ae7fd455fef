"""The six line-search test functions of Moré & Thuente (1994), shared by the Wolfe tests."""
import math


def mt_paper_functions():
    """The six test functions of Moré & Thuente (1994), section 5, as t -> (phi(t), phi'(t)),
    with the paper's (c1, c2)."""
    def f1(a, b=2.0):
        return -a / (a * a + b), (a * a - b) / (a * a + b) ** 2

    def f2(a, b=0.004):
        return (a + b) ** 5 - 2 * (a + b) ** 4, 5 * (a + b) ** 4 - 8 * (a + b) ** 3

    def f3(a, b=0.01, ell=39):
        if a <= 1 - b:
            v, d = 1 - a, -1.0
        elif a >= 1 + b:
            v, d = a - 1, 1.0
        else:
            v, d = (a - 1) ** 2 / (2 * b) + b / 2, (a - 1) / b
        w = ell * math.pi / 2
        return v + 2 * (1 - b) / (ell * math.pi) * math.sin(w * a), d + (1 - b) * math.cos(w * a)

    def yanai(b1, b2):
        def gam(b):
            return math.sqrt(1 + b * b) - b

        def f(a):
            r1, r2 = math.sqrt((1 - a) ** 2 + b2 * b2), math.sqrt(a * a + b1 * b1)
            return gam(b1) * r1 + gam(b2) * r2, -gam(b1) * (1 - a) / r1 + gam(b2) * a / r2
        return f

    return {"MT1": (f1, 1e-3, 0.1), "MT2": (f2, 1e-3, 0.1), "MT3": (f3, 0.1, 0.5),
            "MT4": (yanai(1e-3, 1e-3), 1e-3, 1e-2), "MT5": (yanai(1e-2, 1e-3), 1e-3, 1e-2),
            "MT6": (yanai(1e-3, 1e-2), 1e-3, 1e-2)}

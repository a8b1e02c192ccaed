"""Enclosures contain the true value: at random points of random boxes, the value computed by
mpmath at 60 digits lies inside the Arb interval of the box (and of the point)."""
import functools
import random

import mpmath
import pytest
import sympy as sp
from flint import arb, fmpq

from dpoverify.prover import arb as A
from dpoverify.prover.boxes import end_to_fmpq

x, y = sp.symbols("x y", real=True)

CASES = [
    (sp.exp(x) * y - sp.log(y), (-3, 3), (fmpq(1, 10), 5)),
    (sp.sqrt(y) + x ** 3 - x ** 2, (-2, 2), (0, 4)),
    (y ** sp.Rational(2, 3) / (1 + x ** 2), (-1, 1), (0, 8)),
    (sp.Min(x, y) - sp.Max(x ** 2, y), (-2, 2), (-2, 2)),
    (sp.Abs(x - y) * sp.exp(-x * y), (-2, 2), (-1, 3)),
    (1 / (1 + sp.exp(-x)) - y / 4, (-5, 5), (0, 1)),
    (x ** 4 - 3 * x ** 3 + y ** (-2), (-1, 2), (1, 3)),
    (sp.log(3) * x / (5 * y ** 2) + sp.pi, (0, 1), (fmpq(1, 2), 2)),
    (y ** x, (-2, 2), (fmpq(1, 4), 3)),
]


@functools.lru_cache(maxsize=None)
def _lambdified(expr):
    return sp.lambdify((x, y), expr, modules="mpmath")


def _value(expr, xv, yv):
    f = _lambdified(expr)
    with mpmath.workdps(60):
        return f(mpmath.mpf(int(xv.p)) / int(xv.q), mpmath.mpf(int(yv.p)) / int(yv.q))


def _mpf(end):
    if A._is_inf(end):
        return mpmath.mpf(end)
    q = end_to_fmpq(end)
    return mpmath.mpf(int(q.p)) / int(q.q)


def _inside(v, lo, hi):
    with mpmath.workdps(60):
        return _mpf(lo) - mpmath.mpf(10) ** -40 <= v <= _mpf(hi) + mpmath.mpf(10) ** -40


def _rand(rng, lo, hi):
    lo, hi = fmpq(lo), fmpq(hi)
    return lo + (hi - lo) * fmpq(rng.randint(0, 1000), 1000)


@pytest.mark.parametrize("expr,xr,yr", CASES, ids=[str(c[0])[:40] for c in CASES])
def test_enclosure_contains_true_values(expr, xr, yr):
    rng = random.Random(7)
    f = A.compile_expr(expr)
    for _ in range(15):
        a, b = sorted((_rand(rng, *xr), _rand(rng, *xr)))
        c, d = sorted((_rand(rng, *yr), _rand(rng, *yr)))
        with A.precision(64):
            try:
                lo, hi = f({"x": A.interval(a, b), "y": A.interval(c, d)})
            except A.Undefined:
                continue
        for _ in range(3):
            xv, yv = _rand(rng, a, b), _rand(rng, c, d)
            assert _inside(_value(expr, xv, yv), lo, hi), (expr, (a, b), (c, d), xv, yv)


def test_point_enclosure_is_tight():
    with A.precision(128):
        lo, hi = A.compile_expr(sp.exp(x) - 1)({"x": A.point(fmpq(1, 3))})
    assert hi - lo < fmpq(1, 2 ** 100)


def test_even_power_of_interval_straddling_zero_is_tight():
    lo, hi = A.ipow(A.interval(-1, 2), 2)
    assert lo == 0 and hi == 4  # not [-2, 4] as repeated multiplication would give


def test_undefined_is_not_true():
    f = A.compile_expr(sp.log(x))
    with pytest.raises(A.Undefined):
        f({"x": A.interval(-1, 1)})
    with pytest.raises(A.Undefined):
        A.compile_expr(1 / x)({"x": A.interval(-1, 1)})
    with pytest.raises(A.Undefined):
        A.compile_expr(sp.sqrt(x))({"x": A.interval(-1, 1)})


def test_unbounded_ends():
    lo, hi = A.compile_expr(sp.exp(-x))({"x": A.interval(0, None)})
    assert lo == 0 and hi == 1
    lo, hi = A.compile_expr(x * sp.exp(-x))({"x": A.interval(1, None)})
    assert lo == 0 and A._is_inf(hi)  # 0*inf is 0 for the set product; no false "bounded"
    lo, hi = A.compile_expr(1 / x)({"x": A.interval(0, 2)})
    assert lo == fmpq(1, 2) and A._is_inf(hi)


def test_huge_exponent_is_enclosed_not_overflowed():
    with A.precision(64):
        lo, hi = A.compile_expr(sp.exp(-x / 45))({"x": A.interval(10 ** 9, 10 ** 9 + 1)})
    assert 0 < lo <= hi < fmpq(1, 10 ** 1000)


def test_unsupported_construct_is_refused():
    with pytest.raises(A.Unsupported):
        A.compile_expr(sp.gamma(x))


def test_enclose_over_a_box_of_rationals():
    lo, hi = A.enclose(sp.exp(x) * y, {"x": (0, 1), "y": (fmpq(1, 2), None)}, prec=80)
    assert lo == fmpq(1, 2) and A._is_inf(hi)
    lo, hi = A.enclose(sp.exp(x), {"x": (1, 1)}, prec=80)
    with A.precision(200):
        e = arb(1).exp()
        assert lo < e < hi and hi - lo < fmpq(1, 2 ** 70)


def test_sin_and_cos_by_their_ends_where_monotone():
    """sin on [0, x] (x < pi/2) encloses to [0, sin x] with the lower end exactly 0 (a ball around
    the midpoint reaches below 0); cos on [0, 3] likewise; sin across pi/2 still contains 1."""
    x = sp.Symbol("x")
    lo, hi = A.enclose(sp.sin(x), {"x": (fmpq(0), fmpq(1, 10 ** 10))})
    assert lo == 0 and hi >= arb(1) / 10 ** 10 * (1 - arb(1) / 10 ** 15)
    lo, hi = A.enclose(sp.cos(x), {"x": (fmpq(0), fmpq(3))})
    assert hi == 1 and -0.99 < lo < -0.98
    lo, hi = A.enclose(sp.sin(x), {"x": (fmpq(1), fmpq(2))})
    assert hi >= 1 and lo < 0.842

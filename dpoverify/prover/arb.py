"""Rigorous interval enclosures of sympy expressions, computed with python-flint's Arb.

An interval is a pair ``(lo, hi)``: each end is an *exact* finite ``flint.arb`` (radius 0) or the
float ``-inf`` (``lo``) / ``+inf`` (``hi``); a point at infinity never occurs. Every operation
evaluates the end points with Arb balls and keeps the outer bound of each ball, so the true range
of the expression over the box is always inside the interval, at any working precision. Where an
expression is undefined on part of the box (log of a negative number, division by an interval
that contains 0 in its interior, NaN) evaluation raises :class:`Undefined`: the caller treats it
as "unknown", never as true.

Conventions for unbounded boxes: end products ``0 * inf`` are 0 (the set product of a bounded
and an unbounded interval), and limits are taken at an end that is exactly 0 of a divisor or a
logarithm's argument (``1/[0, b] = [1/b, inf]``), which is the closure of the values over the
open end of a domain such as beta > 0.
"""
from __future__ import annotations

import contextlib
from typing import Callable

import flint
import sympy as sp
from flint import arb, fmpq

NEG = float("-inf")
POS = float("inf")

Interval = tuple  # (lo, hi)
Env = dict  # name -> Interval
Compiled = Callable[[Env], Interval]


class Undefined(ArithmeticError):
    """The expression is undefined or not enclosed on (part of) the box."""


class Unsupported(ValueError):
    """A sympy construct the enclosure does not handle."""


@contextlib.contextmanager
def precision(bits: int):
    """Set Arb's working precision for the duration of a block."""
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = old


# ---------------------------------------------------------------- end points

def _lower(ball: arb):
    if not ball.is_finite():
        raise Undefined("non-finite enclosure")
    return ball.lower()


def _upper(ball: arb):
    if not ball.is_finite():
        raise Undefined("non-finite enclosure")
    return ball.upper()


def _is_inf(e) -> bool:
    return type(e) is float


def _lt(a, b) -> bool:
    """a < b for ends (exact arb or +-inf float)."""
    if _is_inf(a) or _is_inf(b):
        if _is_inf(a) and _is_inf(b):
            return a < b
        return (a == NEG) if _is_inf(a) else (b == POS)
    return bool(a < b)


def _emin(vals):
    m = vals[0]
    for v in vals[1:]:
        if _lt(v, m):
            m = v
    return m


def _emax(vals):
    m = vals[0]
    for v in vals[1:]:
        if _lt(m, v):
            m = v
    return m


def _sign(e) -> int:
    if _is_inf(e):
        return 1 if e > 0 else -1
    if e > 0:
        return 1
    if e < 0:
        return -1
    return 0


def point(q) -> Interval:
    """The interval of an exact rational (fmpq, int, sympy Rational) at the current precision."""
    if isinstance(q, sp.Rational):
        q = fmpq(int(q.p), int(q.q))
    elif isinstance(q, int):
        b = arb(q)
        return (b, b) if b.is_exact() else (_lower(b), _upper(b))
    b = arb(q)
    if b.is_exact():
        return (b, b)
    return (_lower(b), _upper(b))


def interval(lo, hi) -> Interval:
    """Interval between rationals ``lo`` and ``hi``; ``None`` stands for -inf / +inf."""
    a = NEG if lo is None else point(lo)[0]
    b = POS if hi is None else point(hi)[1]
    return (a, b)


def ball(x: Interval) -> arb:
    """The smallest Arb ball containing a finite interval."""
    lo, hi = x
    if _is_inf(lo) or _is_inf(hi):
        raise Undefined("unbounded interval")
    return arb.union(lo, hi) if lo != hi else lo


# ---------------------------------------------------------------- arithmetic

def add(a: Interval, b: Interval) -> Interval:
    lo = NEG if (_is_inf(a[0]) or _is_inf(b[0])) else _lower(a[0] + b[0])
    hi = POS if (_is_inf(a[1]) or _is_inf(b[1])) else _upper(a[1] + b[1])
    return (lo, hi)


def neg(a: Interval) -> Interval:
    lo, hi = a
    return (NEG if _is_inf(hi) else -hi, POS if _is_inf(lo) else -lo)


def _prod(x, y):
    """(lower, upper) of the product of two ends, with 0 * inf = 0."""
    if _is_inf(x) or _is_inf(y):
        s = _sign(x) * _sign(y)
        v = 0 if s == 0 else (POS if s > 0 else NEG)
        if v == 0:
            z = arb(0)
            return z, z
        return v, v
    p = x * y
    return _lower(p), _upper(p)


def _fsign(e) -> int:
    return 1 if e > 0 else (-1 if e < 0 else 0)


def mul(a: Interval, b: Interval) -> Interval:
    al, ah = a
    bl, bh = b
    if type(al) is float or type(ah) is float or type(bl) is float or type(bh) is float:
        los, his = [], []
        for x in a:
            for y in b:
                lo, hi = _prod(x, y)
                los.append(lo)
                his.append(hi)
        return (_emin(los), _emax(his))
    sal, sah, sbl, sbh = _fsign(al), _fsign(ah), _fsign(bl), _fsign(bh)
    if sal >= 0:
        if sbl >= 0:
            lo, hi = al * bl, ah * bh
        elif sbh <= 0:
            lo, hi = ah * bl, al * bh
        else:
            lo, hi = ah * bl, ah * bh
    elif sah <= 0:
        if sbl >= 0:
            lo, hi = al * bh, ah * bl
        elif sbh <= 0:
            lo, hi = ah * bh, al * bl
        else:
            lo, hi = al * bh, al * bl
    else:
        if sbl >= 0:
            lo, hi = al * bh, ah * bh
        elif sbh <= 0:
            lo, hi = ah * bl, al * bl
        else:
            l1, l2 = _lower(al * bh), _lower(ah * bl)
            h1, h2 = _upper(al * bl), _upper(ah * bh)
            return (l1 if l1 < l2 else l2, h1 if h1 > h2 else h2)
    return (_lower(lo), _upper(hi))


def recip(a: Interval) -> Interval:
    lo, hi = a
    slo, shi = _sign(lo), _sign(hi)
    if slo > 0 or (slo == 0 and shi > 0):
        nlo = arb(0) if _is_inf(hi) else _lower(1 / hi)
        nhi = POS if slo == 0 else _upper(1 / lo)
        return (nlo, nhi)
    if shi < 0 or (shi == 0 and slo < 0):
        nlo = NEG if shi == 0 else _lower(1 / hi)
        nhi = arb(0) if _is_inf(lo) else _upper(1 / lo)
        return (nlo, nhi)
    raise Undefined("division by an interval containing 0")


def _ipow_end(x, n: int):
    if _is_inf(x):
        return POS if (x > 0 or n % 2 == 0) else NEG
    p = x ** n
    return p


def ipow(a: Interval, n: int) -> Interval:
    """a**n for an integer n (tight: monotone pieces, not repeated multiplication)."""
    if n == 0:
        return (arb(1), arb(1))
    if n < 0:
        return recip(ipow(a, -n))
    if n == 1:
        return a
    lo, hi = a

    def lo_of(x):
        p = _ipow_end(x, n)
        return p if _is_inf(p) else _lower(p)

    def hi_of(x):
        p = _ipow_end(x, n)
        return p if _is_inf(p) else _upper(p)

    if n % 2 == 1 or _sign(lo) >= 0:
        return (lo_of(lo), hi_of(hi))
    if _sign(hi) <= 0:
        return (lo_of(hi), hi_of(lo))
    return (arb(0), _emax([hi_of(lo), hi_of(hi)]))


def rpow(a: Interval, e: fmpq) -> Interval:
    """a**e for a non-integer rational e: defined for a >= 0 (sympy's real branch)."""
    lo, hi = a
    if _sign(lo) < 0:
        raise Undefined("fractional power of a negative number")
    eb = arb(e)
    if e == fmpq(1, 2):
        f = lambda x: x.sqrt()  # noqa: E731
    else:
        f = lambda x: (x.log() * eb).exp()  # noqa: E731
    if e > 0:
        nlo = arb(0) if _sign(lo) == 0 else _lower(f(lo))
        nhi = POS if _is_inf(hi) else _upper(f(hi))
    else:
        nlo = arb(0) if _is_inf(hi) else _lower(f(hi))
        nhi = POS if _sign(lo) == 0 else _upper(f(lo))
    return (nlo, nhi)


def exp(a: Interval) -> Interval:
    lo, hi = a
    nlo = arb(0) if _is_inf(lo) else _lower(lo.exp())
    nhi = POS if _is_inf(hi) else _upper(hi.exp())
    return (nlo, nhi)


def log(a: Interval) -> Interval:
    lo, hi = a
    if _sign(lo) < 0 or _sign(hi) <= 0:
        raise Undefined("log of a non-positive number")
    nlo = NEG if _sign(lo) == 0 else _lower(lo.log())
    nhi = POS if _is_inf(hi) else _upper(hi.log())
    return (nlo, nhi)


def iabs(a: Interval) -> Interval:
    lo, hi = a
    if _sign(lo) >= 0:
        return a
    if _sign(hi) <= 0:
        return neg(a)
    return (arb(0), _emax([neg(a)[1], hi]))


def imin(args) -> Interval:
    return (_emin([x[0] for x in args]), _emin([x[1] for x in args]))


def imax(args) -> Interval:
    return (_emax([x[0] for x in args]), _emax([x[1] for x in args]))


def floor(a: Interval) -> Interval:
    lo, hi = a
    return (lo if _is_inf(lo) else _lower(lo.floor()), hi if _is_inf(hi) else _upper(hi.floor()))


def ceiling(a: Interval) -> Interval:
    lo, hi = a
    return (lo if _is_inf(lo) else _lower(lo.ceil()), hi if _is_inf(hi) else _upper(hi.ceil()))


def _monotone(method: str, increasing: bool):
    def f(a: Interval) -> Interval:
        lo, hi = a
        if _is_inf(lo) or _is_inf(hi):
            raise Undefined(f"{method} on an unbounded interval")
        ends = (getattr(lo, method)(), getattr(hi, method)())
        if not increasing:
            ends = ends[::-1]
        return (_lower(ends[0]), _upper(ends[1]))
    return f


def _via_ball(method: str):
    def f(a: Interval) -> Interval:
        b = getattr(ball(a), method)()
        return (_lower(b), _upper(b))
    return f


def _piecewise_monotone(method: str, lo_end, hi_end, increasing: bool):
    """``method`` by its ends where the interval lies certainly inside [lo_end, hi_end], on which
    it is monotone (sin on [-3/2, 3/2] inside [-pi/2, pi/2], cos on [0, 3] inside [0, pi]): the
    image of [0, x] under sin is then [0, sin x] exactly at 0, where a ball around the midpoint
    reaches below 0. Elsewhere the ball enclosure."""
    ends, ball_f = _monotone(method, increasing), _via_ball(method)

    def f(a: Interval) -> Interval:
        lo, hi = a
        if not _is_inf(lo) and not _is_inf(hi) and lo >= lo_end and hi <= hi_end:
            return ends(a)
        return ball_f(a)
    return f


UNARY = {
    sp.exp: exp,
    sp.log: log,
    sp.Abs: iabs,
    sp.floor: floor,
    sp.ceiling: ceiling,
    sp.atan: _monotone("atan", True),
    sp.acos: _monotone("acos", False),  # defined on [-1, 1]: an end outside gives NaN, Undefined
    sp.asin: _monotone("asin", True),
    sp.tanh: _monotone("tanh", True),
    sp.asinh: _monotone("asinh", True),
    sp.erf: _monotone("erf", True),
    sp.erfc: _monotone("erfc", False),
    sp.sin: _piecewise_monotone("sin", arb(-3) / 2, arb(3) / 2, True),
    sp.cos: _piecewise_monotone("cos", arb(0), arb(3), False),
}

CONSTANTS = {
    sp.pi: arb.pi,
    sp.E: lambda: arb(1).exp(),
    sp.EulerGamma: arb.const_euler,
    sp.Catalan: arb.const_catalan,
}


# ---------------------------------------------------------------- compilation

def _const(value: Callable[[], arb]) -> Compiled:
    cache: dict[int, Interval] = {}

    def f(env: Env) -> Interval:
        p = flint.ctx.prec
        r = cache.get(p)
        if r is None:
            b = value()
            r = (b, b) if b.is_exact() else (_lower(b), _upper(b))
            cache[p] = r
        return r
    return f


def compile_expr(expr: sp.Expr) -> Compiled:
    """Compile a real sympy expression to ``f(env) -> interval`` (env: symbol name -> interval)."""
    expr = sp.sympify(expr)
    if expr.is_Symbol:
        name = expr.name
        return lambda env: env[name]
    if expr.is_Integer or expr.is_Rational:
        q = fmpq(int(expr.p), int(expr.q))
        return _const(lambda: arb(q))
    if expr.is_Float:
        r = sp.Rational(expr)
        q = fmpq(int(r.p), int(r.q))
        return _const(lambda: arb(q))
    if expr in CONSTANTS:
        return _const(CONSTANTS[expr])
    if expr.is_Add:
        parts = [compile_expr(a) for a in expr.args]

        def f_add(env):
            acc = parts[0](env)
            for p in parts[1:]:
                acc = add(acc, p(env))
            return acc
        return f_add
    if expr.is_Mul:
        num, den = [], []
        for a in expr.args:
            if a.is_Pow and a.exp.is_Integer and a.exp < 0:
                den.append(compile_expr(a.base ** (-a.exp)))
            else:
                num.append(compile_expr(a))

        def f_mul(env):
            acc = num[0](env) if num else (arb(1), arb(1))
            for p in num[1:]:
                acc = mul(acc, p(env))
            if den:
                d = den[0](env)
                for p in den[1:]:
                    d = mul(d, p(env))
                acc = mul(acc, recip(d))
            return acc
        return f_mul
    if expr.is_Pow:
        base, e = expr.args
        if base == sp.E:
            return compile_expr(sp.exp(e, evaluate=False))
        fb = compile_expr(base)
        if e.is_Integer:
            n = int(e)
            return lambda env: ipow(fb(env), n)
        if e.is_Rational:
            q = fmpq(int(e.p), int(e.q))
            return lambda env: rpow(fb(env), q)
        fe = compile_expr(e)
        return lambda env: exp(mul(fe(env), log(fb(env))))
    if isinstance(expr, (sp.Min, sp.Max)):
        parts = [compile_expr(a) for a in expr.args]
        op = imin if isinstance(expr, sp.Min) else imax
        return lambda env: op([p(env) for p in parts])
    if isinstance(expr, sp.Heaviside):
        # appears in derivatives of Min/Max: 0 or 1 where the argument's sign is certain, [0, 1]
        # otherwise (also at 0 itself): a generalised gradient, valid for monotonicity and the
        # mean-value form of a Lipschitz function
        fa = compile_expr(expr.args[0])

        def f_step(env):
            lo, hi = fa(env)
            if _sign(lo) > 0:
                return (arb(1), arb(1))
            if _sign(hi) < 0:
                return (arb(0), arb(0))
            return (arb(0), arb(1))
        return f_step
    if expr.func in UNARY and len(expr.args) == 1:
        g = UNARY[expr.func]
        fa = compile_expr(expr.args[0])
        return lambda env: g(fa(env))
    if isinstance(expr, sp.log) and len(expr.args) == 2:
        return compile_expr(sp.log(expr.args[0]) / sp.log(expr.args[1]))
    if expr.is_number:
        # any other closed-form constant: enclose by evaluating its own tree numerically is not
        # rigorous, so refuse rather than guess.
        raise Unsupported(f"constant {expr} ({type(expr).__name__}) has no rigorous enclosure")
    raise Unsupported(f"cannot enclose {type(expr).__name__}: {expr}")


def compile_all(exprs) -> Compiled:
    """Equal expressions in several forms: the intersection of the enclosures that are defined
    (each is rigorous, so their intersection is). Undefined only if every form is."""
    fs = [compile_expr(e) for e in exprs]
    if len(fs) == 1:
        return fs[0]

    def f_meet(env):
        got = []
        for f in fs:
            try:
                got.append(f(env))
            except Undefined:
                continue
        if not got:
            raise Undefined("no form is defined on the box")
        return (_emax([g[0] for g in got]), _emin([g[1] for g in got]))
    return f_meet


def enclose(expr: sp.Expr, box: dict, prec: int = 64) -> Interval:
    """Enclosure of ``expr`` over ``box`` (name -> (lo, hi) rationals, None for infinite ends)."""
    with precision(prec):
        env = {k: interval(*v) for k, v in box.items()}
        return compile_expr(expr)(env)

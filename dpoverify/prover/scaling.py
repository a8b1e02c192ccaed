"""Scale invariance: one-parameter groups x_i -> lambda^{k_i} x_i under which every atom keeps
its sign, so one variable can be set to 1.

Step (32)->(33) is ``(5Q + 2 d v^2)/2 <= 10 Q`` under ``d <= 5Q`` and ``v <= 1/(32 sqrt Q)``:
every term is weighted-homogeneous for Q -> lambda Q, d -> lambda d, v -> lambda^{-1/2} v, so
the statement for all Q is the statement at Q = 1 with d and v over (0, oo) (their domains
relaxed to the image of the orbit: [x_lo * Q_lo^p, oo) where x' = x Q^p, p > 0, else [0, oo);
sound for proving; counterexamples are mapped back and certified on the printed statement). The weights are the null space of the linear system "all monomials of an
atom have the same weight"; variables inside non-monomial factors (exp, log of sums) get weight 0.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp
from flint import fmpq

from . import arb as A
from .boxes import end_to_fmpq
from .problem import Problem, atoms

MAX_OPS = 300


def _monomial_weights(term: sp.Expr, index: dict, forced: set):
    """Exponent vector of the candidate variables in a product term (others forced to 0)."""
    row = [sp.Integer(0)] * len(index)
    for f in sp.Mul.make_args(term):
        if f.is_number:
            continue
        base, e = f.as_base_exp()
        if base.is_Symbol and e.is_Rational and base.name in index:
            row[index[base.name]] += e
            continue
        for s in f.free_symbols:
            if s.name in index:
                forced.add(s.name)
    return row


def find_scaling(problem: Problem, names: list[str]):
    """(eliminate, weights) for one scaling symmetry among ``names``, or None."""
    cands = [n for n in names if _scalable(problem.var(n))]
    if not cands:
        return None
    index = {n: i for i, n in enumerate(cands)}
    forced: set = set()
    rows = []
    for t in (problem.hyp, problem.goal, problem.vacuous):
        for a in atoms(t):
            if not a.forms:
                continue
            f = a.forms[0]
            if sp.count_ops(f) > MAX_OPS:
                forced |= {s.name for s in f.free_symbols}
                continue
            terms = sp.Add.make_args(sp.expand(f))
            ws = [_monomial_weights(term, index, forced) for term in terms]
            for w in ws[1:]:
                rows.append([x - y for x, y in zip(w, ws[0])])
    n = len(cands)
    for name in forced:
        if name in index:
            r = [0] * n
            r[index[name]] = 1
            rows.append(r)
    if not rows:
        return None
    basis = sp.Matrix(rows).nullspace()
    if not basis:
        return None
    k = basis[0]
    den = sp.ilcm(*[sp.Rational(x).q for x in k]) if len(k) > 1 else sp.Rational(k[0]).q
    k = [sp.Integer(x * den) for x in k]
    g = math.gcd(*[int(x) for x in k])
    k = [x / g for x in k]
    nonzero = [c for c in cands if k[index[c]] != 0]
    if len(nonzero) < 1:
        return None
    # eliminate an unbounded variable if there is one (that is what closes tails)
    nonzero.sort(key=lambda c: (problem.var(c).hi is not None, problem.var(c).integer))
    elim = nonzero[0]
    return elim, {c: int(k[index[c]]) for c in nonzero}


def _scalable(v) -> bool:
    """Positive and unbounded above: relaxing it to [lower end of its image, oo) forgets only
    integrality and how it is coupled to the eliminated variable."""
    return not v.fixed and v.lo is not None and v.lo >= 0 and v.hi is None


def apply_scaling(problem: Problem, elim: str, weights: dict) -> None:
    """Set ``elim`` to 1 in every form and relax the other scaled variables to [0, oo)."""
    for t in (problem.hyp, problem.goal, problem.vacuous):
        for a in atoms(t):
            if elim not in a.names:
                continue
            forms = [sp.sympify(f.xreplace({s: sp.Integer(1) for s in f.free_symbols
                                            if s.name == elim})) for f in a.forms]
            a.forms = forms
            a.compiled = [A.compile_expr(f) for f in forms]
            a._grads = {}
            a.names = frozenset(s.name for f in forms for s in f.free_symbols)
    e = problem.var(elim)
    for name in weights:
        if name == elim:
            continue
        v = problem.var(name)
        lo = _image_lower(v, e, fmpq(-weights[name], weights[elim]))
        if lo is None:
            v.lo_closed = bool(v.lo == 0 and v.lo_closed)
            v.lo = fmpq(0)
        else:
            v.lo, v.lo_closed = lo, bool(v.lo_closed and e.lo_closed)
        v.hi, v.hi_closed, v.integer = None, True, False
    problem.scalings.append((elim, weights))


def _image_lower(v, e, p: fmpq):
    """A rational lower bound > 0 of x' = x e^p over x >= v.lo, e >= e.lo (the image of the two
    domains once e is set to 1), or None where the image reaches down to 0: Z >= 1, Q >= 1 and
    Z' = Z Q keep Z' >= 1, which a relaxation to [0, oo) loses."""
    if p <= 0 or v.lo is None or v.lo <= 0 or e.lo is None or e.lo <= 0:
        return None
    if p.q == 1:
        return v.lo * e.lo ** int(p.p)
    with A.precision(64):
        lo, _ = A.rpow(A.point(e.lo), p)
        lo, _ = A.mul((lo, lo), A.point(v.lo))
    q = end_to_fmpq(lo)
    return q if q > 0 else None


def _lambdas(problem: Problem, point: dict, weights: dict) -> list:
    """Scale factors to try: a fixed ladder both ways, plus those that lift each integer
    variable to 1x, 10x and 1000x its lower end (so rounding down changes it little)."""
    out = [fmpq(1)] + [x for b in LADDER for x in (b, 1 / b)]
    for v in problem.original:
        k = weights.get(v.name, 0)
        x = point.get(v.name)
        if not v.integer or k == 0 or x is None or x <= 0:
            continue
        lo = max(float(v.lo) if v.lo is not None else 1.0, 1.0)
        xf = int(x.p) / int(x.q)
        for target in (lo, 10 * lo, 1000 * lo):
            try:
                lam = Fraction((target / xf) ** (1.0 / k)).limit_denominator(1000)
            except (OverflowError, ZeroDivisionError, ValueError):
                continue
            if lam > 0:
                out.insert(1, fmpq(lam.numerator, lam.denominator))
    seen, uniq = set(), []
    for lam in out:
        if lam not in seen:
            seen.add(lam)
            uniq.append(lam)
    return uniq


def unscale(problem: Problem, partial: dict):
    """Candidate points of the printed domain for a point of the scaled problem: for several
    lambda, x_i = lambda^{k_i} x_i' (elim = lambda^{k_elim}), integers rounded down."""
    out = [dict(partial)]
    for elim, weights in reversed(problem.scalings):
        new = []
        for p in out:
            p = dict(p)
            p.setdefault(elim, fmpq(1))
            for lam in _lambdas(problem, p, weights):
                q = dict(p)
                for name, k in weights.items():
                    if name in q:
                        q[name] = q[name] * lam ** k
                new.append(q)
        out = new[:MAX_UNSCALED]
    integer = {v.name for v in problem.original if v.integer}
    for q in out:
        for name in integer & set(q):
            q[name] = fmpq(q[name].floor())
    return out


LADDER = [fmpq(x) for x in (2, 10, 100, 1000, 10 ** 6)]
MAX_UNSCALED = 16

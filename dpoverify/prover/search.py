"""Counterexample search and certification at exact rational points.

Candidates, in order: centres of boxes where branch and bound found the goal certainly false
under certainly true hypotheses, centres of open boxes, corners and edge midpoints of the
domain (unbounded ends replaced by growing values), then seeded random points inside the boxes
branch and bound left undecided (or inside the whole domain). A fast Arb filter at 64 bits
discards candidates; survivors are *certified*: every hypothesis holds and the goal fails,
evaluated on the printed relations at exact rationals (rational values exactly, transcendental
ones by Arb at increasing precision until the sign is certain), and the point lies in every
variable's domain (integers at integers).
"""
from __future__ import annotations

import itertools
import random
from fractions import Fraction

import sympy as sp
from flint import fmpq

from . import arb as A
from . import boxes as B
from .exact import formula_at
from .problem import Atom, Problem, Var, atoms, evaluate, to_rational, unfold_products
from .scaling import unscale
from .bounds import unfold_bounds

MAX_CORNERS = 729


def default_value(v: Var) -> fmpq:
    """A value inside the domain, used for variables the decision does not depend on."""
    if v.fixed:
        return v.lo
    lo, hi = v.lo, v.hi
    if lo is not None and hi is not None:
        m = (lo + hi) / 2
        return fmpq(m.floor()) if v.integer else m
    if lo is not None:
        return lo if v.lo_closed else lo + 1
    if hi is not None:
        return hi if v.hi_closed else hi - 1
    return fmpq(0)


def _inside(v: Var, q: fmpq) -> fmpq | None:
    if v.integer:
        q = fmpq(q.floor())
    return q if v.contains(q) else None


def _rand_in(rng: random.Random, v: Var, lo, hi) -> fmpq:
    """A random rational in [lo, hi] (None ends: log-uniform growth away from the finite end)."""
    if lo is None and hi is None:
        lo, hi = fmpq(-1), fmpq(1)
    if hi is None:
        span = 10 ** rng.uniform(0, 8)
        q = lo + fmpq(Fraction(span).limit_denominator(1000).numerator,
                      Fraction(span).limit_denominator(1000).denominator)
    elif lo is None:
        span = 10 ** rng.uniform(0, 8)
        f = Fraction(span).limit_denominator(1000)
        q = hi - fmpq(f.numerator, f.denominator)
    else:
        if v.integer:
            return fmpq(rng.randint(int(lo), int(hi)))
        u = fmpq(rng.randint(0, 2 ** 20), 2 ** 20)
        q = lo + (hi - lo) * u
    return fmpq(q.floor()) if v.integer else q


def _centre(v: Var, lo, hi) -> fmpq:
    if lo is None and hi is None:
        return fmpq(0)
    if hi is None:
        return lo + max(fmpq(1), abs(lo))
    if lo is None:
        return hi - max(fmpq(1), abs(hi))
    m = (lo + hi) / 2
    return fmpq(m.floor()) if v.integer else m


def _levels(v: Var) -> list:
    lo, hi = v.lo, v.hi
    vals = []
    if lo is not None and hi is not None:
        vals = [lo, hi, (lo + hi) / 2, lo + (hi - lo) / 1024, hi - (hi - lo) / 1024]
    elif lo is not None:
        vals = [lo, lo + 1, lo + 10, lo + 1000, lo + 10 ** 6] + ([lo + fmpq(1, 1000)] if lo == 0 else [])
    elif hi is not None:
        vals = [hi, hi - 1, hi - 10, hi - 1000, hi - 10 ** 6]
    else:
        vals = [fmpq(0), fmpq(1), fmpq(-1), fmpq(1000), fmpq(-1000)]
    out = []
    for q in vals:
        q = _inside(v, q)
        if q is not None and q not in out:
            out.append(q)
    return out


class Search:
    def __init__(self, problem: Problem, names: list[str], seed: int):
        self.p = problem
        self.names = names
        self.vars = {v.name: v for v in problem.variables}
        self.seed = seed
        self.tried = 0
        self.passed_filter = 0
        self._orig: dict[int, object] = {}

    # ------------------------------------------------------------ points
    def full_points(self, partial: dict) -> list[dict]:
        """Points of the printed domain (name -> sympy Rational, every spec variable) for a point
        of the reduced problem: scalings and products undone, other variables at defaults."""
        out = []
        for p in unscale(self.p, unfold_bounds(self.p, partial)):
            p = unfold_products(self.p, p)
            point = {}
            for v in self.p.original:
                q = p.get(v.name)
                point[v.name] = to_rational(q if q is not None else default_value(v))
            if point not in out:
                out.append(point)
        return out

    def candidates(self, outcome, budget: int):
        vs = [self.vars[n] for n in self.names]
        if outcome is not None:
            for box in outcome.refuted[:200]:
                yield {n: _centre(self.vars[n], *box[n]) for n in self.names}
            for box in outcome.open[:200]:
                yield {n: _centre(self.vars[n], *box[n]) for n in self.names}
        levels = [_levels(v) for v in vs]
        for k, combo in enumerate(itertools.product(*levels)):
            if k >= min(MAX_CORNERS, budget // 2):
                break
            yield dict(zip(self.names, combo))
        rng = random.Random(self.seed)
        pool = None
        if outcome is not None and (outcome.open or outcome.refuted):
            pool = outcome.refuted + outcome.open
        elif outcome is None:
            pool = [{n: (self.vars[n].lo, self.vars[n].hi) for n in self.names}]
        if not pool:
            return
        for _ in range(budget):
            box = pool[rng.randrange(len(pool))]
            yield {n: _rand_in(rng, self.vars[n], *box[n]) for n in self.names}

    # ------------------------------------------------------------ checks
    def _quick_atom(self, atom: Atom, env: dict):
        f = self._orig.get(id(atom))
        if f is None:
            try:
                f = A.compile_expr(atom.orig)
            except A.Unsupported:
                f = False
            self._orig[id(atom)] = f
        if f is False:
            return None
        try:
            lo, hi = f(env)
        except (A.Undefined, KeyError):
            return None
        return B._truth(atom.rel, lo, hi)

    def plausible(self, point: dict) -> bool:
        """Cheap 64-bit Arb filter: False when the point certainly is not a counterexample."""
        with A.precision(64):
            env = {n: A.point(q) for n, q in point.items()}
            q = lambda a: self._quick_atom(a, env)  # noqa: E731
            if evaluate(self.p.hyp, q) is False:
                return False
            if self.p.vacuous is not None and evaluate(self.p.vacuous, q) is True:
                return False
            return evaluate(self.p.goal, q) is not True

    def certify(self, point: dict, max_prec: int = 4096):
        """(True, detail) if the full rational point is a counterexample, exactly."""
        for v in self.p.original:
            q = point[v.name]
            if not v.contains(fmpq(int(q.p), int(q.q))):
                return False, f"{v.name}={q} outside its domain"
        if formula_at(self.p.hyp, point, max_prec) is not True:
            return False, "a hypothesis is not certainly satisfied"
        if self.p.vacuous is not None and formula_at(self.p.vacuous, point, max_prec) is not False:
            return False, "inside (or not certainly outside) the vacuous region"
        g = formula_at(self.p.goal, point, max_prec)
        if g is not False:
            return False, "the goal holds" if g else "the goal is not certainly violated"
        return True, "hypotheses hold and the goal fails, exactly"

    def _check(self, partial: dict):
        for point in self.full_points(partial):
            if not self.plausible(point):
                continue
            self.passed_filter += 1
            ok, _ = self.certify(point)
            if ok:
                return point
        return None

    def try_box(self, box: dict):
        """Certify the centre of a certainly-false box; the full point or None."""
        self.tried += 1
        return self._check({n: _centre(self.vars[n], *box[n]) for n in self.names})

    def run(self, outcome, budget: int):
        """First certified counterexample (full point) or None."""
        for cand in self.candidates(outcome, budget):
            if self.tried >= budget:
                break
            self.tried += 1
            point = self._check(cand)
            if point is not None:
                return point
        return None


def goal_values(problem: Problem, point: dict) -> dict:
    """lhs, rhs of each goal atom at the point (decimal strings, 30 digits)."""
    out = {}
    for a in atoms(problem.goal):
        sub = {s: point[s.name] for s in (a.lhs.free_symbols | a.rhs.free_symbols)}
        try:
            lhs = sp.N(a.lhs.xreplace(sub), 30)
            rhs = sp.N(a.rhs.xreplace(sub), 30)
            out[str(a)] = {"lhs": str(lhs), "rhs": str(rhs)}
        except (ZeroDivisionError, TypeError, ValueError):
            out[str(a)] = {"lhs": "undefined", "rhs": "undefined"}
    return out

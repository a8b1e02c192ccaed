"""Counterexample search and certification at exact rational points.

Candidates, in order: the simplest rational point (smallest denominators, then smallest
numerators) and the centre of each box where branch and bound found the goal certainly false
under certainly true hypotheses, the same for open boxes, a lattice of simple values per
variable (domain ends, small integers, halves, quarters) in order of total simplicity, corners
and edge midpoints of the domain (unbounded ends replaced by growing values), then seeded random
points inside the boxes branch and bound left undecided (or inside the whole domain). A fast Arb
filter at 64 bits discards candidates; survivors are *certified*: every hypothesis holds and the
goal fails, evaluated on the printed relations at exact rationals (rational values exactly,
transcendental ones by Arb at increasing precision until the sign is certain), and the point
lies in every variable's domain (integers at integers). A certified point is then *simplified*:
moved toward the domain's simplest point and each coordinate replaced by the simplest rational
that keeps it a certified counterexample (a budget of checks, no randomness), so the reader sees
the simplest counterexample found, not the first.
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
LATTICE_VALUES = 6  # simple values per variable in the lattice stage
MINIMIZE_CHECKS = 240  # certifications a simplification may spend
SMALL_POINTS = 40  # points with the unbounded real variables small


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


def height(q) -> int:
    """Simplicity of a rational: max(|numerator|, denominator) (smaller is simpler)."""
    q = fmpq(int(q.p), int(q.q)) if not isinstance(q, fmpq) else q
    return max(abs(int(q.p)), int(q.q))


def simplest_between(lo: fmpq, hi: fmpq) -> fmpq:
    """The simplest rational in [lo, hi] (lo <= hi): smallest denominator, then smallest |numerator|
    (the Stern-Brocot / continued-fraction construction)."""
    if lo <= 0 <= hi:
        return fmpq(0)
    if hi < 0:
        return -simplest_between(-hi, -lo)
    n = lo.floor()
    if fmpq(n) == lo:
        return lo
    if n + 1 <= hi:
        return fmpq(n + 1)
    # lo, hi in (n, n + 1): x = n + 1/y with y in [1/(hi - n), 1/(lo - n)]
    return n + 1 / simplest_between(1 / (hi - n), 1 / (lo - n))


def simplest_in(v: Var, lo=None, hi=None, bounded: bool = False) -> fmpq | None:
    """The simplest value of v's domain within [lo, hi] (None: the domain's end); None if empty."""
    lo = v.lo if lo is None and not bounded else lo
    hi = v.hi if hi is None and not bounded else hi
    lo_open = lo is not None and v.lo is not None and lo == v.lo and not v.lo_closed
    hi_open = hi is not None and v.hi is not None and hi == v.hi and not v.hi_closed
    if v.integer:
        a = None if lo is None else fmpq(lo.ceil() + (1 if lo_open and fmpq(lo.ceil()) == lo else 0))
        b = None if hi is None else fmpq(hi.floor() - (1 if hi_open and fmpq(hi.floor()) == hi else 0))
        if a is not None and b is not None and a > b:
            return None
        if (a is None or a <= 0) and (b is None or b >= 0):
            return fmpq(0)
        return a if a is not None and a > 0 else b
    if lo is None and hi is None:
        return fmpq(0)
    a = lo if lo is not None else hi - 2 * max(fmpq(1), abs(hi))
    b = hi if hi is not None else lo + 2 * max(fmpq(1), abs(lo))
    if a > b:
        return None
    q = simplest_between(a, b)
    if (lo_open and q == lo) or (hi_open and q == hi):
        if a == b:
            return None
        gap = (b - a) / 2 ** 30  # the simplest value of the open interval, unless it is within gap of an end
        q = simplest_between(a + gap if lo_open else a, b - gap if hi_open else b)
    return q


def _simple_values(v: Var) -> list:
    """A few simple values of v's domain, simplest first (the lattice stage)."""
    cands = [simplest_in(v)]
    if v.lo is not None:
        cands += [v.lo, v.lo + 1, v.lo + 2, v.lo + fmpq(1, 2), v.lo + fmpq(1, 4)]
    if v.hi is not None:
        cands += [v.hi, v.hi - 1, v.hi - fmpq(1, 2)]
    if v.lo is not None and v.hi is not None:
        cands += [simplest_in(v, v.lo + (v.hi - v.lo) * k / 4, v.lo + (v.hi - v.lo) * (k + 1) / 4)
                  for k in range(4)]
    small = [fmpq(1, 2 ** k) for k in (1, 3, 6)]  # small positive values: relations like v <= 1/(4 sqrt Q)
    cands += [fmpq(x) for x in (1, 2, -1, 3, 4)] + [fmpq(-1, 2)]
    out = []
    for q in cands:
        if q is not None and _inside(v, q) == q and q not in out:
            out.append(q)
    out.sort(key=height)
    out = out[:LATTICE_VALUES - len(small)]
    return out + [q for q in small if _inside(v, q) == q and q not in out]


def _small_values(v: Var) -> list:
    """1/2, 1/8, 1, 1/64 for a real variable unbounded above (those inside its domain); else its
    simplest value alone."""
    if not v.integer and v.hi is None:
        qs = [q for q in (fmpq(1, 2), fmpq(1, 8), fmpq(1), fmpq(1, 64)) if _inside(v, q) == q]
        if qs:
            return qs
    return [simplest_in(v)]


def _by_total_index(sizes: list[int]):
    """Index vectors into lists of these sizes, in order of their sum (simplest first)."""
    dims = len(sizes)
    if dims == 0:
        yield ()
        return

    def rec(i, left):
        if i == dims - 1:
            if left < sizes[i]:
                yield (left,)
            return
        for k in range(min(left, sizes[i] - 1) + 1):
            for rest in rec(i + 1, left - k):
                yield (k, *rest)

    for total in range(sum(s - 1 for s in sizes) + 1):
        yield from rec(0, total)


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
            for boxes in (outcome.refuted[:200], outcome.open[:200]):
                for box in boxes:
                    simple = {n: simplest_in(self.vars[n], *box[n], bounded=True) for n in self.names}
                    if all(q is not None for q in simple.values()):
                        yield simple
                    yield {n: _centre(self.vars[n], *box[n]) for n in self.names}
        # unbounded real variables at small powers of 2 (in order of total index), the rest at their
        # simplest values: relations like v <= 1/(4 sqrt Q), eps <= 1/(16 v (Z+2)) hold there
        scales = [_small_values(v) for v in vs]
        for k, idx in enumerate(_by_total_index([len(x) for x in scales])):
            if k >= SMALL_POINTS:
                break
            yield {n: scales[i][j] for i, (n, j) in enumerate(zip(self.names, idx))}
        lattice = [_simple_values(v) for v in vs]
        for k, idx in enumerate(_by_total_index([len(x) for x in lattice])):
            if k >= budget // 4:
                break
            yield {n: lattice[i][j] for i, (n, j) in enumerate(zip(self.names, idx))}
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

    def _counterexample(self, point: dict) -> bool:
        if not self.plausible(point):
            return False
        self.passed_filter += 1
        return self.certify(point)[0]

    def _check(self, partial: dict):
        for point in self.full_points(partial):
            if self._counterexample(point):
                return self.simplify(point)
        return None

    def simplify(self, point: dict) -> dict:
        """A simpler certified counterexample near ``point`` (or ``point`` itself): the whole point
        moved toward the domain's simplest point (by 1, 1/2, 1/4 or 1/8 of the way) while that keeps
        it a counterexample, then each coordinate replaced by the simplest rational between it and
        its simplest value that does; repeated while something changes, within MINIMIZE_CHECKS
        certifications."""
        checks = [0]
        free = [v for v in self.p.original if not v.fixed]
        target = {}
        for v in free:
            t = simplest_in(v)
            target[v.name] = to_rational(t) if t is not None else point[v.name]

        def accept(cand: dict) -> bool:
            if checks[0] >= MINIMIZE_CHECKS:
                return False
            checks[0] += 1
            return self._counterexample(cand)

        def snap(v: Var, a, b):
            lo, hi = (a, b) if a <= b else (b, a)
            q = simplest_in(v, fmpq(int(lo.p), int(lo.q)), fmpq(int(hi.p), int(hi.q)), bounded=True)
            return None if q is None else to_rational(q)

        def size(pt):
            return sum(height(pt[v.name]) for v in free)

        def joint_step(point):
            for lam in (sp.Rational(1, 1), sp.Rational(1, 2), sp.Rational(1, 4), sp.Rational(1, 8)):
                cand = dict(point)
                for v in free:
                    x, t = point[v.name], target[v.name]
                    y = x + lam * (t - x)
                    if v.integer:  # the integer one step toward the target from y
                        q = sp.floor(y) if t < x else sp.ceiling(y)
                        q = q if v.contains(fmpq(int(q))) else None
                    else:
                        q = snap(v, y, y + (x - y) / 8)
                    if q is not None:
                        cand[v.name] = sp.Integer(q) if v.integer else q
                if cand != point and size(cand) < size(point) and accept(cand):
                    return cand
            return None

        def coordinate_pass(point):
            changed = False
            for v in free:
                x, t = point[v.name], target[v.name]
                if x == t:
                    continue
                for k in range(8):
                    q = snap(v, x, x + (t - x) / 2 ** k)
                    if q is None or q == x or height(q) >= height(x):
                        continue
                    cand = dict(point)
                    cand[v.name] = q
                    if accept(cand):
                        point, changed = cand, True
                        break
            return point, changed

        changed = True
        while changed and checks[0] < MINIMIZE_CHECKS:
            moved = joint_step(point)
            if moved is not None:
                point = moved
                continue
            point, changed = coordinate_pass(point)
        return point

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

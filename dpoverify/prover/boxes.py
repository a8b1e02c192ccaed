"""Branch and bound over boxes of the hypothesis domain, with Arb enclosures.

A box maps each free variable to ``(lo, hi)`` (fmpq, or None for an infinite end). On a box the
hypotheses, the vacuity condition and the goal are decided three-valued: an atom is certain when
an enclosure of one of its forms has a certain sign. Undecided atoms are tightened by
monotonicity (where a partial derivative has a certain sign on the box the extreme lies on a
face: the finite end is substituted, which is also how tails such as Q in [X, oo) close) and by
the mean-value form. Hypotheses that are linear in a variable contract the box first
(``eps <= 1/(16 v (Z+2))`` bounds eps, v and Z from the others), so infeasible parts are dropped
without splitting.

A box is *excluded* (a hypothesis certainly fails: outside the hypothesis region), *vacuous*
(the vacuity condition certainly holds), *proved* (the goal certainly holds), *refuted* (every
point satisfies the hypotheses and violates the goal) or split -- widest variable first in the
variable's own scale, integers on integers, tails geometrically -- until the budget is spent;
what is left is *open*.
"""
from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

import sympy as sp
from flint import arb, fmpq

from . import arb as A
from .exact import sign_of_number
from .problem import Atom, Problem, atoms, conjuncts, evaluate, to_rational

TAIL_CAP = fmpq(2) ** 40  # tails [X, oo) are not split beyond this X


def end_to_fmpq(e) -> fmpq:
    man, exp = e.man_exp()
    man, exp = int(man), int(exp)
    return fmpq(man * 2 ** exp) if exp >= 0 else fmpq(man, 2 ** (-exp))


def _log2p1(q) -> float:
    """log2(1 + q) for a non-negative fmpq of any size."""
    q = q + 1
    return (math.log(int(q.p)) - math.log(int(q.q))) / math.log(2)


def _ratio(a, b) -> float:
    """a / b as a float in [0, 1] for fmpq 0 <= a <= b."""
    r = a / b
    return int(r.p * 2 ** 30 // r.q) / 2 ** 30


def _isqrt_q(q) -> fmpq:
    return fmpq(math.isqrt(int(q.p) // int(q.q)))


def _truth(rel: str, lo, hi):
    s_lo, s_hi = A._sign(lo), A._sign(hi)
    if rel == ">=":
        return True if s_lo >= 0 else (False if s_hi < 0 else None)
    if rel == ">":
        return True if s_lo > 0 else (False if s_hi <= 0 else None)
    zero = s_lo == 0 and s_hi == 0
    nonzero = s_lo > 0 or s_hi < 0
    if rel == "==":
        return True if zero else (False if nonzero else None)
    return True if nonzero else (False if zero else None)


@dataclass
class Linear:
    """f = a*x + b with a, b free of x: contracts x from the other variables' intervals."""

    atom: Atom
    name: str
    a: object
    b: object


@dataclass
class Stats:
    boxes: int = 0
    refinements: int = 0
    contractions: int = 0
    max_depth: int = 0


@dataclass
class Outcome:
    proved: list = field(default_factory=list)
    refuted: list = field(default_factory=list)
    vacuous: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    open: list = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    prec: int = 64
    names: tuple = ()
    certified_early: bool = False
    timed_out: bool = False


class Solver:
    def __init__(self, problem: Problem, names: list[str], prec: int = 64):
        self.p = problem
        self.names = names
        self.vars = {v.name: v for v in problem.variables}
        self.prec = prec
        self.stats = Stats()
        self.linear = self._linear_parts()
        self._exact_cache: dict = {}

    # ------------------------------------------------------------ setup
    def _linear_parts(self) -> list[Linear]:
        out = []
        for atom in conjuncts(self.p.hyp):
            if atom.rel == "!=" or not atom.forms:
                continue
            f = atom.forms[0]
            for s in f.free_symbols:
                if s.name not in self.names:
                    continue
                try:
                    a = sp.diff(f, s)
                    if a.has(s) or a == 0:
                        continue
                    b = sp.expand(f - a * s)
                    if b.has(s):
                        continue
                    out.append(Linear(atom, s.name, A.compile_expr(a), A.compile_expr(b)))
                except (A.Unsupported, TypeError, ValueError):
                    continue
        return out

    def root(self) -> dict:
        return {n: (self.vars[n].lo, self.vars[n].hi) for n in self.names}

    def env(self, box: dict) -> dict:
        return {n: A.interval(lo, hi) for n, (lo, hi) in box.items()}

    # ------------------------------------------------------------ contraction
    def contract(self, box: dict):
        """Shrink the box by the linear hypotheses; None if it becomes empty."""
        if not self.linear:
            return box
        box = dict(box)
        for _ in range(2):
            changed = False
            env = self.env(box)
            for lin in self.linear:
                try:
                    a = lin.a(env)
                    b = lin.b(env)
                except A.Undefined:
                    continue
                sa_lo, sa_hi = A._sign(a[0]), A._sign(a[1])
                if sa_lo <= 0 and sa_hi >= 0:
                    continue
                try:
                    bound = A.mul(A.neg(b), A.recip(a))  # x >= bound if a > 0, x <= bound if a < 0
                except A.Undefined:
                    continue
                v = self.vars[lin.name]
                lo, hi = box[lin.name]
                rel = lin.atom.rel
                if sa_lo > 0 or rel == "==":
                    e = bound[0]
                    if not A._is_inf(e):
                        q = end_to_fmpq(e)
                        if v.integer:
                            q = fmpq(q.ceil())
                        if lo is None or q > lo:
                            lo, changed = q, True
                if sa_hi < 0 or rel == "==":
                    e = bound[1]
                    if not A._is_inf(e):
                        q = end_to_fmpq(e)
                        if v.integer:
                            q = fmpq(q.floor())
                        if hi is None or q < hi:
                            hi, changed = q, True
                if lo is not None and hi is not None:
                    if lo > hi:
                        return None
                    if lo == hi and not v.contains(lo):
                        return None
                box[lin.name] = (lo, hi)
                env[lin.name] = A.interval(lo, hi)
            if not changed:
                break
            self.stats.contractions += 1
        return box

    # ------------------------------------------------------------ atoms on a box
    def atom_truth(self, atom: Atom, env: dict, box: dict):
        for comp in atom.compiled:
            try:
                lo, hi = comp(env)
            except A.Undefined:
                continue
            t = _truth(atom.rel, lo, hi)
            if t is not None:
                return t
        self.stats.refinements += 1
        for k in range(len(atom.compiled)):
            rng = self.refined(atom, k, env, box)
            if rng is not None:
                t = _truth(atom.rel, *rng)
                if t is not None:
                    return t
        return None

    def _grad_values(self, grads: dict, env: dict, box: dict, skip: set) -> dict:
        out = {}
        for n, g in grads.items():
            if g is None or n not in box or n in skip:
                continue
            lo, hi = box[n]
            if lo is not None and lo == hi:
                continue
            try:
                out[n] = g(env)
            except A.Undefined:
                continue
        return out

    def _face(self, comp, grads, env: dict, box: dict, upper: bool, form=None, rounds: int = 2):
        """Lower (upper) end of form over the box, pushing every variable in which the form is
        monotone to the minimising (maximising) finite end; repeated on the smaller face."""
        face = dict(env)
        ends: dict = {}
        for _ in range(rounds):
            gvals = self._grad_values(grads, face, box, set(ends))
            moved = False
            for n, (glo, ghi) in gvals.items():
                lo, hi = box[n]
                inc = A._sign(glo) >= 0
                dec = A._sign(ghi) <= 0
                if not (inc or dec):
                    continue
                end = (hi if inc else lo) if upper else (lo if inc else hi)
                if end is None:
                    continue
                face[n] = A.interval(end, end)
                ends[n] = end
                moved = True
            if not moved:
                break
        try:
            r = comp(face)
        except A.Undefined:
            return None
        if form is not None and A._sign(r[0]) < 0 < A._sign(r[1]):
            if self._zero_at_face(form, box, ends):
                return arb(0)
        return r[1] if upper else r[0]

    def _zero_at_face(self, form, box: dict, ends: dict) -> bool:
        """Whether the face is one rational point where the form is exactly 0: a tangency at a
        hypothesis boundary (sigma(-t log 3) - 1/4 at t = 1) is then decided, not left open."""
        point = {}
        for s in form.free_symbols:
            if s.name in ends:
                point[s] = to_rational(ends[s.name])
                continue
            lo, hi = box.get(s.name, (None, None))
            if lo is None or lo != hi:
                return False
            point[s] = to_rational(lo)
        key = (form, tuple(sorted((str(k), str(v)) for k, v in point.items())))
        if key not in self._exact_cache:
            self._exact_cache[key] = sign_of_number(form.xreplace(point), max_prec=512) == 0
        return self._exact_cache[key]

    def refined(self, atom: Atom, k: int, env: dict, box: dict):
        """Tighter enclosure of form k: monotone faces, then the mean-value form."""
        comp = atom.compiled[k]
        grads = atom.grads(k)
        gvals = self._grad_values(grads, env, box, set())
        if not gvals:
            return None
        form = atom.forms[k]
        lo_e = self._face(comp, grads, env, box, upper=False, form=form)
        hi_e = self._face(comp, grads, env, box, upper=True, form=form)
        lo_e = A.NEG if lo_e is None else lo_e
        hi_e = A.POS if hi_e is None else hi_e
        # mean-value form f(c) + sum g_i (x_i - c_i) on bounded boxes
        free = [n for n in grads if n in box and box[n][0] != box[n][1]]
        if free and all(n in gvals for n in free) and all(
                box[n][0] is not None and box[n][1] is not None for n in free):
            try:
                env_c = dict(env)
                for n in free:
                    lo, hi = box[n]
                    c = (lo + hi) / 2
                    env_c[n] = A.interval(c, c)
                acc = comp(env_c)
                for n in free:
                    lo, hi = box[n]
                    c = (lo + hi) / 2
                    acc = A.add(acc, A.mul(gvals[n], A.interval(lo - c, hi - c)))
                if A._lt(lo_e, acc[0]):
                    lo_e = acc[0]
                if A._lt(acc[1], hi_e):
                    hi_e = acc[1]
            except A.Undefined:
                pass
        return lo_e, hi_e

    # ------------------------------------------------------------ one box
    def classify(self, box: dict):
        box = self.contract(box)
        if box is None:
            return "excluded", None
        env = self.env(box)
        truth = lambda a: self.atom_truth(a, env, box)  # noqa: E731
        h = evaluate(self.p.hyp, truth)
        if h is False:
            return "excluded", box
        if self.p.vacuous is not None:
            vac = evaluate(self.p.vacuous, truth)
            if vac is True:
                return "vacuous", box
        else:
            vac = False
        g = evaluate(self.p.goal, truth)
        if g is True:
            return "proved", box
        if g is False and h is True and vac is False:
            return "refuted", box
        return "open", box

    # ------------------------------------------------------------ splitting
    def _anchor(self, v):
        """The finite end of a half-unbounded domain (0 for the whole line)."""
        if v.lo is not None:
            return v.lo
        return v.hi if v.hi is not None else fmpq(0)

    def _width(self, n: str, lo, hi) -> float:
        """Width in the variable's own scale: linear on bounded domains, log-like otherwise."""
        v = self.vars[n]
        if lo is not None and hi is not None and lo == hi:
            return 0.0
        if hi is None or lo is None:
            end = lo if hi is None else hi
            if end is not None and abs(end) >= TAIL_CAP:
                return 0.0
            return 1.0
        if v.lo is not None and v.hi is not None:
            return _ratio(hi - lo, v.hi - v.lo)
        a = self._anchor(v)
        if lo < a < hi:
            return 1.0
        x0, x1 = sorted((abs(lo - a), abs(hi - a)))
        return (_log2p1(x1) - _log2p1(x0)) / 8

    def _split_point(self, n: str, lo, hi) -> fmpq:
        v = self.vars[n]
        a = self._anchor(v)
        if lo is None and hi is None:
            m = a
        elif hi is None:
            m = a if lo < a else lo + 3 * (abs(lo - a) + 1)
        elif lo is None:
            m = a if hi > a else hi - 3 * (abs(hi - a) + 1)
        elif (v.lo is None or v.hi is None) and not (lo < a < hi):
            x0, x1 = sorted((abs(lo - a), abs(hi - a)))
            m = (lo + hi) / 2
            if x1 > 4 * (x0 + 1):
                g = _isqrt_q((x0 + 1) * (x1 + 1)) - 1
                cand = a + g if lo >= a else a - g
                if lo < cand < hi:
                    m = cand
        elif (v.lo is None or v.hi is None) and lo < a < hi:
            m = a
        else:
            m = (lo + hi) / 2
        if v.integer:
            m = fmpq(m.floor())
            if hi is not None and m >= hi:
                m = hi - 1
        return m

    def split(self, box: dict):
        best, bw = None, 0.0
        for n, (lo, hi) in box.items():
            w = self._width(n, lo, hi)
            if w > bw:
                best, bw = n, w
        if best is None:
            return None
        lo, hi = box[best]
        m = self._split_point(best, lo, hi)
        left, right = dict(box), dict(box)
        left[best] = (lo, m)
        right[best] = (m + 1 if self.vars[best].integer else m, hi)
        return left, right

    # ------------------------------------------------------------ main loop
    def run(self, max_boxes: int, progress=lambda f: None, on_refuted=None,
            deadline: float | None = None) -> Outcome:
        """Classify boxes breadth first. ``on_refuted(box)`` may certify a counterexample in a
        certainly-false box; once it does, only a quarter of the budget is spent on the map.
        Past ``deadline`` (time.monotonic()) the remaining boxes stay open (``out.timed_out``)."""
        out = Outcome(prec=self.prec, names=tuple(self.names))
        queue = deque([(self.root(), 0)])
        limit = max_boxes
        with A.precision(self.prec):
            while queue:
                if self.stats.boxes >= limit:
                    out.open.extend(b for b, _ in queue)
                    break
                if deadline is not None and self.stats.boxes % 16 == 0 and time.monotonic() > deadline:
                    out.open.extend(b for b, _ in queue)
                    out.timed_out = True
                    break
                box, depth = queue.popleft()
                self.stats.boxes += 1
                self.stats.max_depth = max(self.stats.max_depth, depth)
                if self.stats.boxes % 256 == 0:
                    progress(min(1.0, self.stats.boxes / max_boxes))
                status, nbox = self.classify(box)
                if status == "open":
                    parts = self.split(nbox)
                    if parts is None:
                        out.open.append(nbox)
                    else:
                        queue.extend((p, depth + 1) for p in parts)
                    continue
                getattr(out, status).append(nbox if nbox is not None else box)
                if status == "refuted" and on_refuted is not None and limit == max_boxes:
                    if on_refuted(nbox):
                        limit = min(max_boxes, self.stats.boxes + max(max_boxes // 4, 1))
                        out.certified_early = True
        out.stats = self.stats
        return out


def free_names(problem: Problem) -> list[str]:
    """Variables the bnb must range over: non-fixed ones occurring in some form of some atom."""
    used = set()
    for t in (problem.hyp, problem.goal, problem.vacuous):
        for a in atoms(t):
            used |= set(a.names)
    return [v.name for v in problem.variables if v.name in used and not v.fixed]

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
from collections import deque
from dataclasses import dataclass, field

import sympy as sp
from flint import arb, fmpq

from . import arb as A
from .exact import sign_of_number
from .problem import Atom, Problem, _tidy, atoms, conjuncts, evaluate, to_rational

TAIL_CAP = fmpq(2) ** 40  # tails [X, oo) are not split beyond this X
MAX_ROOT_OPS = 60  # hypothesis forms solved exactly for a tangency (algebraic, this size)
FACE_EXPAND_OPS = 300  # faces up to this size are expanded, so that cancelling terms cancel


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
    exhausted: bool = False  # the box budget ran out with boxes still queued


class Solver:
    def __init__(self, problem: Problem, names: list[str], prec: int = 64):
        self.p = problem
        self.names = names
        self.vars = {v.name: v for v in problem.variables}
        self.prec = prec
        self.stats = Stats()
        self.linear = self._linear_parts()
        self._exact_cache: dict = {}
        self._face_cache: dict = {}

    # ------------------------------------------------------------ setup
    def _linear_parts(self) -> list[Linear]:
        out = []
        for atom in conjuncts(self.p.hyp):
            if atom.rel == "!=" or not atom.forms:
                continue
            f = atom.forms[0]
            for s in sorted(f.free_symbols, key=lambda s: s.name):  # PYTHONHASHSEED-free order
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

    def _face(self, comp, grads, env: dict, box: dict, upper: bool, form=None, rounds: int = 3):
        """Lower (upper) end of form over the box, pushing every variable in which the form is
        monotone to the minimising (maximising) finite end; repeated on the smaller face.

        An end that is also the end of the variable's domain is substituted *symbolically*
        (:meth:`_symbolic_face`): on the face sigma = 1/2 of ``(1 + E/2) - 2 sigma - sigma E`` the
        terms cancel exactly, where interval arithmetic would keep a width of order |E|."""
        face = dict(env)
        ends: dict = {}
        sym: dict = {}
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
                v = self.vars[n]
                if form is not None and end in (v.lo, v.hi):
                    sym[n] = end
            if not moved:
                break
            if sym:
                made = self._symbolic_face(form, sym)
                if made is not None:
                    comp, grads = made
        try:
            r = comp(face)
        except A.Undefined:
            return None
        if form is not None and A._sign(r[0]) < 0 < A._sign(r[1]):
            if self._zero_at_face(form, box, ends):
                return arb(0)
        return r[1] if upper else r[0]

    def _symbolic_face(self, form, sym: dict):
        """(compiled, compiled gradients) of ``form`` with the variables of ``sym`` set to their
        domain ends exactly (cached: a form has few such faces); None if not compilable."""
        key = (form, tuple(sorted((n, str(q)) for n, q in sym.items())))
        if key not in self._face_cache:
            sub = {s: to_rational(sym[s.name]) for s in form.free_symbols if s.name in sym}
            try:  # an end where the form is undefined (Min(1, eps/(d v)) at d = 0) has no face
                f = form.xreplace(sub)
            except (ValueError, TypeError, ZeroDivisionError):
                self._face_cache[key] = None
                return None
            if f.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                self._face_cache[key] = None
                return None
            if sp.count_ops(f) <= FACE_EXPAND_OPS:
                f = sp.expand(f)
            try:
                grads = {}
                for s in sorted(f.free_symbols, key=lambda s: s.name):
                    try:
                        grads[s.name] = A.compile_all(_tidy(sp.diff(f, s)))
                    except A.Unsupported:
                        grads[s.name] = None
                self._face_cache[key] = (A.compile_expr(f), grads)
            except A.Unsupported:
                self._face_cache[key] = None
        return self._face_cache[key]

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
        self._open_atoms = open_atoms = {"hyp": [], "goal": []}
        def recorded(kind):
            def truth(a):
                t = self.atom_truth(a, env, box)
                if t is None:
                    open_atoms[kind].append(a)
                return t
            return truth
        truth = lambda a: self.atom_truth(a, env, box)  # noqa: E731
        h = evaluate(self.p.hyp, recorded("hyp"))
        if h is False:
            return "excluded", box
        if self.p.vacuous is not None:
            vac = evaluate(self.p.vacuous, recorded("goal"))
            if vac is True:
                return "vacuous", box
        else:
            vac = False
        g = evaluate(self.p.goal, recorded("goal"))
        if g is True:
            return "proved", box
        if g is False and h is True and vac is False:
            return "refuted", box
        if g is None and h is None and self._on_hypothesis_side(box, env, truth):
            return "proved", box
        return "open", box

    # ------------------------------------------------------------ tangency on one variable
    def _on_hypothesis_side(self, box: dict, env: dict, truth) -> bool:
        """On a box where one variable x is free and the others are points: whether the goal
        holds wherever an open hypothesis conjunct h does, when h and an open goal atom g are
        monotone in x the same way (h strictly) and g holds exactly at h's root r (solved by
        sympy). Then {h >= 0} is the side of r where g >= g(r): Z <= 1/(4 l_b^2) at Z = 2 and
        l_b <= 1/(2 sqrt 2) meet at the irrational r = sqrt(2)/4, which no box decides."""
        free = [n for n, (lo, hi) in box.items() if lo is None or hi is None or lo != hi]
        if len(free) != 1:
            return False
        x = free[0]
        if box[x][0] is None or box[x][1] is None:
            return False
        hyps = [a for a in conjuncts(self.p.hyp) if a.rel in (">=", ">") and truth(a) is None]
        if not hyps:
            return False
        point = {n: to_rational(lo) for n, (lo, hi) in box.items() if n != x}

        def on_side(g: Atom):
            if g.rel not in (">=", ">") or x not in g.names:
                return None
            return True if any(self._tangent(h, g, x, box, env, point) for h in hyps) else None

        return evaluate(self.p.goal, lambda a: truth(a) if truth(a) is not None else on_side(a)) is True

    def _slope(self, atom: Atom, x: str, env: dict) -> int | None:
        """Sign of d(form 0)/dx on the box: 1/-1 if strict, 0 for 0 <= or >= 0 of unknown side."""
        g = atom.grads(0).get(x)
        if g is None:
            return None
        try:
            lo, hi = g(env)
        except A.Undefined:
            return None
        if A._sign(lo) > 0:
            return 1
        if A._sign(hi) < 0:
            return -1
        return None

    def _tangent(self, h: Atom, g: Atom, x: str, box: dict, env: dict, point: dict) -> bool:
        sh, sg = self._slope(h, x, env), self._slope(g, x, env)
        if sh is None or sg != sh:
            return False
        lo, hi = box[x]
        key = (id(h), id(g), x, str(lo), str(hi), tuple(sorted((k, str(v)) for k, v in point.items())))
        if key not in self._exact_cache:
            self._exact_cache[key] = self._root_check(h, g, x, lo, hi, point)
        return self._exact_cache[key]

    def _root_check(self, h: Atom, g: Atom, x: str, lo, hi, point: dict) -> bool:
        fh, fg = h.forms[0], g.forms[0]
        sub = {s: point[s.name] for s in (fh.free_symbols | fg.free_symbols) if s.name in point}
        xs = next((s for s in fh.free_symbols if s.name == x), None)
        if xs is None or fh.atoms(sp.Function) or sp.count_ops(fh) > MAX_ROOT_OPS:
            return False  # sympy solves algebraic equations of modest size only (fast)
        try:
            roots = sp.solveset(fh.xreplace(sub), xs, sp.Interval(to_rational(lo), to_rational(hi)))
        except (NotImplementedError, TypeError, ValueError):
            return False
        if not isinstance(roots, sp.FiniteSet) or len(roots) != 1:
            return False
        r = next(iter(roots))
        value = fg.xreplace(sub).xreplace({s: r for s in fg.free_symbols if s.name == x})
        sign = sign_of_number(sp.sympify(value), max_prec=512)
        return sign is not None and (sign > 0 or (sign == 0 and g.rel == ">="))

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

    def _face_bound(self, box: dict) -> set:
        """Variables whose split cannot move the open goal/vacuity atoms' decisive end on this
        box: every such atom has, in some form, a partial derivative in x of certain sign, the
        same sign for all of them (the face, or the tail's limit, already gives each minimum;
        the half of a split holding that end keeps it). Opposite signs (|x| >= xy as
        x(1-y) >= 0 or -x(1+y) >= 0) are split: each half may satisfy another atom. Hypothesis
        atoms are not considered: splitting x may separate where a hypothesis holds from where
        it fails, monotone or not."""
        open_atoms = getattr(self, "_open_atoms", None)
        if not open_atoms or not open_atoms["goal"]:
            return set()
        hyp_names = set().union(*(a.names for a in open_atoms["hyp"])) if open_atoms["hyp"] else set()
        env = self.env(box)
        bound = set()
        for n in box:
            if n in hyp_names:
                continue
            signs = set()
            for a in open_atoms["goal"]:
                if n not in a.names:
                    continue
                sg = self._monotone(a, n, env) if a.rel in (">=", ">") else None
                if sg is None:
                    break
                signs.add(sg)
            else:
                if len(signs) <= 1:
                    bound.add(n)
        return bound

    def _monotone(self, atom: Atom, n: str, env: dict) -> int | None:
        """1 (-1) if some form of the atom is non-decreasing (non-increasing) in n on the box."""
        for k in range(len(atom.compiled)):
            g = atom.grads(k).get(n)
            if g is None:
                continue
            try:
                glo, ghi = g(env)
            except A.Undefined:
                continue
            if A._sign(glo) >= 0:
                return 1
            if A._sign(ghi) <= 0:
                return -1
        return None

    def split(self, box: dict):
        best, bw = None, 0.0
        bound = self._face_bound(box)
        for n, (lo, hi) in box.items():
            w = self._width(n, lo, hi)
            if n in bound:
                w /= 2 ** 20  # split last: a monotone face already gives the box's minimum
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
    def run(self, max_boxes: int, progress=lambda f: None, on_refuted=None) -> Outcome:
        """Classify boxes breadth first. ``on_refuted(box)`` may certify a counterexample in a
        certainly-false box; once it does, only a quarter of the budget is spent on the map.
        The budget is a number of boxes only (never seconds): the outcome is a function of the
        problem and the budget."""
        out = Outcome(prec=self.prec, names=tuple(self.names))
        queue = deque([(self.root(), 0)])
        limit = max_boxes
        with A.precision(self.prec):
            while queue:
                if self.stats.boxes >= limit:
                    out.open.extend(b for b, _ in queue)
                    out.exhausted = True
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

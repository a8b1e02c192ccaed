"""An Implication spec as the prover sees it: variables with exact domains, and three formulas
(hypotheses, goal, vacuity condition) made of atoms ``f REL 0``.

Each atom keeps the printed relation (``orig``), used for every exact point check, and one or
more *forms*: expressions with the same sign as ``f`` on the whole domain, used for enclosures.
Forms drop factors that are positive on the domain (so ``Q beta^2/N (...) >= Q beta^2/(4N)``
becomes a statement in which beta and N no longer occur: scale invariance) and, where both sides
are positive, compare logarithms (``2KQ^2 e^{-Q/45} <= x`` becomes ``log 2 + log K + 2 log Q - Q/45
<= log x``), which is what closes tails in Q -> oo and keeps huge exponents in log space.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp
from flint import fmpq

from . import arb as A



@dataclass
class Var:
    """A variable's exact domain: ends are fmpq or None (infinite); integer domains have integer ends."""

    name: str
    lo: Any
    hi: Any
    lo_closed: bool = True
    hi_closed: bool = True
    integer: bool = False
    fixed: bool = False

    @property
    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        if self.lo > self.hi:
            return True
        return self.lo == self.hi and not (self.lo_closed and self.hi_closed)

    def refined_symbol(self) -> sp.Symbol:
        """A symbol carrying the sign/integrality sympy can use (positive, nonnegative, integer)."""
        kw: dict[str, bool] = {"real": True}
        if self.lo is not None and (self.lo > 0 or (self.lo == 0 and not self.lo_closed)):
            kw["positive"] = True
        elif self.lo is not None and self.lo >= 0:
            kw["nonnegative"] = True
        elif self.hi is not None and (self.hi < 0 or (self.hi == 0 and not self.hi_closed)):
            kw["negative"] = True
        elif self.hi is not None and self.hi <= 0:
            kw["nonpositive"] = True
        if self.integer:
            kw["integer"] = True
        return sp.Symbol(self.name, **kw)

    def contains(self, q: fmpq) -> bool:
        if self.integer and q.q != 1:
            return False
        if self.lo is not None and (q < self.lo or (q == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (q > self.hi or (q == self.hi and not self.hi_closed)):
            return False
        return True

    def describe(self) -> str:
        lo = "-oo" if self.lo is None else str(self.lo)
        hi = "oo" if self.hi is None else str(self.hi)
        lb = "[" if (self.lo_closed and self.lo is not None) else "("
        rb = "]" if (self.hi_closed and self.hi is not None) else ")"
        return f"{self.name} in {'integers ' if self.integer else ''}{lb}{lo}, {hi}{rb}"


def to_fmpq(x) -> fmpq:
    r = sp.Rational(x)
    return fmpq(int(r.p), int(r.q))


def to_rational(q: fmpq) -> sp.Rational:
    return sp.Rational(int(q.p), int(q.q))


def var_from_param(p) -> Var:
    d = p.domain
    lo = None if d.lo == -sp.oo else to_fmpq(d.lo)
    hi = None if d.hi == sp.oo else to_fmpq(d.hi)
    lo_c, hi_c = bool(d.lo_closed), bool(d.hi_closed)
    if d.integer:
        if lo is not None:
            c = fmpq(lo.ceil())
            lo = c + 1 if (c == lo and not lo_c) else c
            lo_c = True
        if hi is not None:
            f = fmpq(hi.floor())
            hi = f - 1 if (f == hi and not hi_c) else f
            hi_c = True
    return Var(p.name, lo, hi, lo_c, hi_c, bool(d.integer))


@dataclass
class Atom:
    """``f REL 0`` with REL in >=, >, ==, !=; ``orig`` is f as printed, ``forms`` same-sign variants."""

    rel: str
    orig: sp.Expr
    lhs: sp.Expr
    rhs: sp.Expr
    forms: list = field(default_factory=list)  # sympy expressions
    compiled: list = field(default_factory=list)
    names: frozenset = frozenset()
    _grads: dict = field(default_factory=dict)

    def __str__(self) -> str:
        rel = {">=": ">=", ">": ">", "==": "=", "!=": "!="}[self.rel]
        return f"{self.lhs} {rel} {self.rhs}"

    def negate(self) -> "Atom":
        flip = {">=": (">", -1), ">": (">=", -1), "==": ("!=", 1), "!=": ("==", 1)}
        rel, s = flip[self.rel]
        return Atom(rel, s * self.orig, s * self.lhs if s > 0 else self.rhs,
                    self.rhs if s > 0 else self.lhs)

    def grads(self, k: int) -> dict:
        """Compiled partial derivatives of form k, by variable name (None where not compilable)."""
        g = self._grads.get(k)
        if g is None:
            g = {}
            form = self.forms[k]
            for s in sorted(form.free_symbols, key=lambda s: s.name):  # PYTHONHASHSEED-free order
                try:
                    g[s.name] = A.compile_all(_tidy(sp.diff(form, s)))
                except A.Unsupported:
                    g[s.name] = None
            self._grads[k] = g
        return g


def _tidy(expr: sp.Expr) -> list[sp.Expr]:
    """A derivative in the forms whose enclosures are intersected: factor_terms, and where that
    is cheap (algebraic functions of modest size; sqrt(Q) is a generator) the factored form:
    -y(1-y)(1-2x), or sqrt(Q)(320 sqrt(Q) - Z - 2) for 64Q/(Z+2) - sqrt(Q)/5 on Q in [X, oo),
    not a sum whose interval enclosure cannot see the sign."""
    out = [sp.factor_terms(expr)]
    algebraic = not expr.atoms(sp.Function) and all(
        p.exp.is_Rational for p in expr.atoms(sp.Pow))
    if algebraic and sp.count_ops(expr) <= 80:
        try:
            f = sp.factor(expr)
            if f != out[0]:
                out.append(f)
        except (sp.PolynomialError, TypeError, ValueError):
            pass
    return out


def parse(rel: Any, refine: dict | None = None) -> Any:
    """A sympy boolean (relations, And, Or, Not, True/False) -> formula tree of Atoms.

    Trees: ``True``/``False``, an :class:`Atom`, ``("and", [...])`` or ``("or", [...])``.
    An inequality affine in an absolute value is split (:func:`split_abs`); ``refine`` (symbol
    -> symbol with the domain's sign) tells the sign of its coefficient.
    """
    if rel is None:
        return None
    if isinstance(rel, bool):
        return rel
    rel = sp.sympify(rel)
    if rel is sp.true:
        return True
    if rel is sp.false:
        return False
    if isinstance(rel, sp.And):
        return ("and", [parse(a, refine) for a in rel.args])
    if isinstance(rel, sp.Or):
        return ("or", [parse(a, refine) for a in rel.args])
    if isinstance(rel, sp.Not):
        return negate(parse(rel.args[0], refine))
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan, sp.StrictLessThan)):
        strict = isinstance(rel, (sp.StrictGreaterThan, sp.StrictLessThan))
        big, small = ((rel.lhs, rel.rhs) if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan))
                      else (rel.rhs, rel.lhs))
        split = split_abs(big, small, strict, refine or {})
        if split is None:
            split = split_min_max(big, small, strict, refine or {})
        if split is not None:
            return parse(split, refine)
        return Atom(">" if strict else ">=", big - small, big, small)
    if isinstance(rel, sp.Equality):
        return Atom("==", rel.lhs - rel.rhs, rel.lhs, rel.rhs)
    if isinstance(rel, sp.Unequality):
        return Atom("!=", rel.lhs - rel.rhs, rel.lhs, rel.rhs)
    raise A.Unsupported(f"not a relation: {rel!r} (use <=, <, >=, >, Eq, Ne, And, Or)")


def split_abs(big: sp.Expr, small: sp.Expr, strict: bool, refine: dict):
    """``big >= small`` (``>`` if strict) without one absolute value, or None.

    Where ``big - small = a |x| + b`` with a, b free of ``|x|`` and a of known sign:
    a < 0 gives ``b >= |a| |x|``, i.e. ``b >= a x and b >= -a x``; a > 0 gives ``a x + b >= 0 or
    -a x + b >= 0`` (``|x| = max(x, -x)``). Both are equivalences: the printed statement is
    decided, and each side is free of the kink that interval arithmetic cannot see through
    (``|l_b^2 + 2 eps v u| <= l_b^2 + 2 eps v`` is tight at u = 1).
    """
    f = big - small
    rel = sp.StrictGreaterThan if strict else sp.GreaterThan
    for ab in sorted(f.atoms(sp.Abs), key=sp.default_sort_key):
        s = sp.Dummy("s")
        g = f.xreplace({ab: s})
        if not g.has(s):
            continue
        a = sp.diff(g, s)
        if a.has(s) or a.has(sp.Abs):
            continue
        b = g.xreplace({s: 0})
        ar = a.xreplace(refine)
        x = ab.args[0]
        if ar.is_negative:
            return sp.And(rel(b, a * x, evaluate=False), rel(b, -a * x, evaluate=False))
        if ar.is_positive:
            return sp.Or(rel(a * x + b, 0, evaluate=False), rel(-a * x + b, 0, evaluate=False))
    return None


def split_min_max(big: sp.Expr, small: sp.Expr, strict: bool, refine: dict):
    """``big >= small`` (``>`` if strict) without one Min or Max, or None.

    Where ``big - small = f(m)`` at ``m = Min(a, b, ...)`` and f is increasing in m (the sign
    of df/dm known to sympy for every real m and every point of the domain), ``f(min) =
    min f(a_i)``: ``f(a) >= 0 and f(b) >= 0`` (a Max with f decreasing likewise). An
    equivalence: each conjunct is smooth where the printed atom has a kink along a = b
    (``8KQ^{9/4} exp(-min(c sqrt(Q)/5, Q^{3/4}/256)) < 1`` is two one-piece conditions). The
    other direction would give a disjunction, which is left whole.
    """
    f = big - small
    rel = sp.StrictGreaterThan if strict else sp.GreaterThan
    for mm in sorted(f.atoms(sp.Min, sp.Max), key=sp.default_sort_key):
        s = sp.Dummy("m", real=True)
        g = f.xreplace({mm: s})
        if not g.has(s):
            continue
        slope = sp.diff(g, s).xreplace(refine)
        if slope.is_positive:
            inc = True
        elif slope.is_negative:
            inc = False
        else:
            continue
        if inc != isinstance(mm, sp.Min):
            continue  # a disjunction: every box would carry both parts (twice the work), kept whole
        return sp.And(*[rel(big.xreplace({mm: a}), small.xreplace({mm: a}), evaluate=False)
                        for a in mm.args], evaluate=False)
    return None


def negate(t: Any) -> Any:
    if isinstance(t, bool):
        return not t
    if isinstance(t, Atom):
        return t.negate()
    op, args = t
    return ("or" if op == "and" else "and", [negate(a) for a in args])


def atoms(t: Any) -> list:
    if t is None or isinstance(t, bool):
        return []
    if isinstance(t, Atom):
        return [t]
    return [a for s in t[1] for a in atoms(s)]


def conjuncts(t: Any) -> list:
    """Top-level conjunct atoms (usable for contraction)."""
    if isinstance(t, Atom):
        return [t]
    if isinstance(t, tuple) and t[0] == "and":
        return [a for s in t[1] for a in conjuncts(s)]
    return []


def substitute(t: Any, f) -> Any:
    """Apply f(atom) -> Atom | bool to every atom and simplify constants away."""
    if t is None or isinstance(t, bool):
        return t
    if isinstance(t, Atom):
        return f(t)
    op, args = t
    new = [substitute(a, f) for a in args]
    if op == "and":
        if any(a is False for a in new):
            return False
        new = [a for a in new if a is not True]
        return True if not new else (new[0] if len(new) == 1 else ("and", new))
    if any(a is True for a in new):
        return True
    new = [a for a in new if a is not False]
    return False if not new else (new[0] if len(new) == 1 else ("or", new))


def evaluate(t: Any, atom_value) -> bool | None:
    """Kleene three-valued evaluation; atom_value(atom) -> True/False/None."""
    if t is None:
        return None
    if isinstance(t, bool):
        return t
    if isinstance(t, Atom):
        return atom_value(t)
    op, args = t
    vals = [evaluate(a, atom_value) for a in args]
    if op == "and":
        if any(v is False for v in vals):
            return False
        return True if all(v is True for v in vals) else None
    if any(v is True for v in vals):
        return True
    return False if all(v is False for v in vals) else None


def show(t: Any) -> str:
    if t is None:
        return "-"
    if isinstance(t, bool):
        return str(t)
    if isinstance(t, Atom):
        return str(t)
    op, args = t
    return "(" + f" {op} ".join(show(a) for a in args) + ")"


# ---------------------------------------------------------------- forms

def _strip_positive(expr: sp.Expr) -> sp.Expr:
    """expr with factors that are positive on the domain removed (sign preserved)."""
    num, den = sp.fraction(sp.together(expr))
    sign = 1
    if den.is_positive:
        pass
    elif den.is_negative:
        sign = -1
    else:
        return expr
    num = sp.factor_terms(sp.expand(num)) if sp.count_ops(num) < 400 else num
    keep = []
    for f in sp.Mul.make_args(num):
        if f.is_positive:
            continue
        if f.is_negative:
            sign = -sign
            continue
        keep.append(f)
    out = sp.Mul(*keep) if keep else sp.Integer(1)
    return sign * out


def _log_form(lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr | None:
    """log(lhs) - log(rhs) expanded, when both sides are positive on the domain."""
    if not (lhs.is_positive and rhs.is_positive):
        return None
    if not (lhs.has(sp.exp) or rhs.has(sp.exp) or lhs.is_Pow or rhs.is_Pow
            or any(a.is_Pow and not a.exp.is_Integer for a in sp.preorder_traversal(lhs - rhs)
                   if isinstance(a, sp.Basic))):
        return None
    f = sp.expand_log(sp.log(lhs), force=True) - sp.expand_log(sp.log(rhs), force=True)
    return f


def build_forms(atom: Atom, refine: dict) -> None:
    """Fill atom.forms (with refined symbols) and compile them."""
    f0 = atom.orig.xreplace(refine)
    lhs, rhs = atom.lhs.xreplace(refine), atom.rhs.xreplace(refine)
    forms = []
    try:
        f1 = _strip_positive(f0)
    except Exception:  # sympy can fail on exotic input; the printed form still works
        f1 = f0
    forms.append(f1)
    if f1 != f0 and f0.free_symbols <= f1.free_symbols:
        forms.append(f0)
    if atom.rel in (">=", ">", "=="):
        try:
            lf = _log_form(lhs, rhs)
        except Exception:
            lf = None
        if lf is not None and lf.free_symbols <= f1.free_symbols:
            forms.append(lf)
    compiled, kept = [], []
    for f in forms:
        try:
            compiled.append(A.compile_expr(f))
            kept.append(f)
        except A.Unsupported:
            if f is forms[0]:
                raise
    atom.forms, atom.compiled = kept, compiled
    atom.names = frozenset(s.name for f in kept for s in f.free_symbols)


@dataclass
class Problem:
    variables: list  # Var, in spec order
    hyp: Any
    goal: Any
    vacuous: Any  # None if the spec has no vacuous_when
    fixed: dict  # name -> fmpq
    refine: dict  # real symbol -> refined symbol
    products: list = field(default_factory=list)  # (w, x, y): w = x*y replaced x and y
    scalings: list = field(default_factory=list)  # (eliminated, weights) of scale symmetries
    original: list = field(default_factory=list)  # the spec's domains (fixed ones restricted)
    bounds: list = field(default_factory=list)  # bounds.Bound: x = t * g replaced x

    def original_var(self, name: str) -> Var:
        for v in self.original:
            if v.name == name:
                return v
        raise KeyError(name)

    def var(self, name: str) -> Var:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)


def build(spec, fixed: dict) -> Problem:
    """Variables (fixed ones restricted to their point), parsed formulas with forms."""
    from dpoverify.claims import DomainError

    variables = [var_from_param(p) for p in spec.variables]
    names = {v.name for v in variables}
    fx = {}
    for name, value in (fixed or {}).items():
        if name not in names:
            continue
        v = next(x for x in variables if x.name == name)
        q = to_fmpq(value)
        if not v.contains(q):
            raise DomainError(f"--param {name}={value} is outside its domain ({v.describe()})")
        v.lo = v.hi = q
        v.lo_closed = v.hi_closed = True
        v.fixed = True
        fx[name] = q
    refine = {}
    sub = {}
    for v in variables:
        refine[sp.Symbol(v.name, real=True)] = v.refined_symbol()
        if v.fixed:
            sub[sp.Symbol(v.name, real=True)] = to_rational(v.lo)
    # spec symbols may carry other assumptions: map by name
    exprs = [spec.goal, spec.vacuous_when, *spec.assumptions]
    for e in exprs:
        if e is None or isinstance(e, bool):
            continue
        for s in sp.sympify(e).free_symbols:
            if s.name not in names:
                raise A.Unsupported(f"symbol '{s.name}' is not one of the spec's variables "
                                    f"({', '.join(sorted(names))})")
            v = next(x for x in variables if x.name == s.name)
            refine[s] = v.refined_symbol()
            if v.fixed:
                sub[s] = to_rational(v.lo)

    def prep(rel):
        if rel is None:
            return None
        rel = sp.sympify(rel)
        if sub:
            rel = rel.xreplace(sub)
        return parse(rel, refine)

    hyp_list = [prep(a) for a in spec.assumptions]
    hyp = substitute(("and", hyp_list), lambda a: a) if hyp_list else True
    original = [replace(v) for v in variables]
    return Problem(variables, hyp, prep(spec.goal), prep(spec.vacuous_when), fx, refine,
                   original=original)


# ---------------------------------------------------------------- composite parameters

def _positive_continuous(v: Var) -> bool:
    return (not v.integer and not v.fixed and v.lo is not None and v.lo >= 0
            and not (v.lo == 0 and v.lo_closed))


def _product_domain(x: Var, y: Var, name: str) -> Var:
    lo = x.lo * y.lo
    hi = None if (x.hi is None or y.hi is None) else x.hi * y.hi
    return Var(name, lo, hi, x.lo_closed and y.lo_closed,
               hi is not None and x.hi_closed and y.hi_closed)


def reduce_products(problem: Problem) -> list:
    """Replace two positive continuous variables x, y that every atom sees only through x*y by
    one variable w = x*y (domain: the product of the intervals, the exact image of the box).

    ``eps <= 1/(16 v (Z+2))`` and a goal in ``eps v`` become statements in ``eps*v`` alone,
    whose region is a box instead of a hyperbola. Returns the products made, ``(w, x, y)``.
    """
    made = []
    all_atoms = [a for t in (problem.hyp, problem.goal, problem.vacuous) for a in atoms(t)]
    changed = True
    while changed:
        changed = False
        cands = [v for v in problem.variables if _positive_continuous(v)]
        for x in cands:
            for y in cands:
                if x is y or not any({x.name, y.name} <= set(a.names) for a in all_atoms):
                    continue
                w = Var(f"{x.name}*{y.name}", None, None)
                w = _product_domain(x, y, w.name)
                ws = w.refined_symbol()
                xs, ys = x.refined_symbol(), y.refined_symbol()
                new_forms = []
                ok = True
                for a in all_atoms:
                    if not ({x.name, y.name} & set(a.names)):
                        new_forms.append(None)
                        continue
                    fs = []
                    for f in a.forms:
                        g = _strip_positive(sp.cancel(sp.together(f.xreplace({xs: ws / ys}))))
                        if ys in g.free_symbols or xs in g.free_symbols:
                            ok = False
                            break
                        fs.append(g)
                    if not ok:
                        break
                    new_forms.append(fs)
                if not ok:
                    continue
                for a, fs in zip(all_atoms, new_forms):
                    if fs is None:
                        continue
                    compiled = [A.compile_expr(f) for f in fs]
                    a.forms, a.compiled, a._grads = fs, compiled, {}
                    a.names = frozenset(s.name for f in fs for s in f.free_symbols)
                problem.variables.append(w)
                made.append((w.name, x.name, y.name))
                changed = True
                break
            if changed:
                break
    problem.products = made
    return made


def unfold_products(problem: Problem, point: dict) -> dict:
    """Values of x, y for each product w = x*y in a point (name -> fmpq), inside their domains."""
    point = dict(point)
    vs = {v.name: v for v in problem.variables}
    for w, xn, yn in reversed(getattr(problem, "products", [])):
        if w not in point:
            continue
        q = point.pop(w)
        x, y = vs[xn], vs[yn]
        lo = y.lo if y.lo is not None else fmpq(0)
        hi = y.hi
        if x.hi is not None and x.hi > 0:
            lo = max(lo, q / x.hi)
        if x.lo is not None and x.lo > 0:
            hi = q / x.lo if hi is None else min(hi, q / x.lo)
        cands = [fmpq(1), (lo + hi) / 2 if hi is not None else lo + 1, lo, hi]
        for c in cands:
            if c is not None and c > 0 and y.contains(c) and (hi is None or c <= hi) and c >= lo \
                    and x.contains(q / c):
                point[yn], point[xn] = c, q / c
                break
    return point

"""Normalising by hypothesis bounds: ``x <= g(y)`` with x >= 0 and g > 0 becomes x = t g(y),
t in [0, 1]; otherwise x = g(y) - t with t >= 0; ``x >= g(y)`` becomes x = g(y) + t, t >= 0
(``S_own >= Q min sigma``: a goal increasing in S_own is then decided at its lower end).

Under ``d <= 5Q`` and ``v <= 1/(32 sqrt Q)`` the region of (Q, d, v) is unbounded and curved, and
``d v^2`` has no finite enclosure on a tail box Q >= X; with d = 5Q t_d and v = t_v/(32 sqrt Q)
the region is a box and ``d v^2 = 5 t_d t_v^2/1024``. The ends of x's own domain stay as
hypotheses on t g (``s_lo >= 1/4`` survives ``s_lo = t s_j``); integrality is dropped, so the
normalised problem is a relaxation that can only prove; a point found in it is mapped back
(x = t * lower enclosure of g, integers rounded down) and certified on the printed statement.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from flint import fmpq

from . import arb as A
from .boxes import end_to_fmpq
from .problem import Atom, Problem, Var, _strip_positive, atoms, conjuncts, to_rational


@dataclass
class Bound:
    name: str  # the variable x
    t: str  # the new variable: t = x / g, or t = g - x (shift), or t = x - g (above)
    g: sp.Expr  # the bound, in the variables current when x was replaced
    shift: bool = False
    above: bool = False  # x >= g: x = g + t


def normalize(problem: Problem, names: list[str]) -> list[Bound]:
    """Replace every variable with a bound hypothesis: ``x <= g`` by ``t * g`` (or ``g - t``),
    ``x >= g`` by ``g + t``."""
    made: list[Bound] = []
    all_atoms = [a for t in (problem.hyp, problem.goal, problem.vacuous) for a in atoms(t)]
    sides = {id(a): (a.lhs.xreplace(problem.refine), a.rhs.xreplace(problem.refine)) for a in all_atoms}
    extra: list[Atom] = []
    for atom in conjuncts(problem.hyp):
        if atom.rel not in (">=", ">"):
            continue
        big, small = sides[id(atom)]
        above = False
        if small.is_Symbol and small.name in names and not big.has(small):
            g, x = big, small  # x <= g
        elif big.is_Symbol and big.name in names and not small.has(big):
            g, x, above = small, big, True  # x >= g
        else:
            continue
        var = problem.var(x.name)
        if var.fixed:
            continue
        if above:  # x = g + t, t >= 0
            tname = f"{x.name}-({_short(g)})"
            tv = Var(tname, fmpq(0), None, atom.rel == ">=", True)
            ts = tv.refined_symbol()
            sub = {x: g + ts}
        elif var.lo is not None and var.lo >= 0 and g.is_positive:  # x = t g, t in [0, 1]
            tname = f"{x.name}/({_short(g)})"
            tv = Var(tname, fmpq(0), fmpq(1), bool(var.lo == 0 and var.lo_closed), atom.rel == ">=")
            ts = tv.refined_symbol()
            sub = {x: ts * g}
        else:  # x = g - t, t >= 0 (integrality relaxed)
            tname = f"({_short(g)})-{x.name}"
            tv = Var(tname, fmpq(0), None, atom.rel == ">=", True)
            ts = tv.refined_symbol()
            sub = {x: g - ts}
        scaled = not above and tv.hi is not None  # x = t g >= 0 already
        kept_ends = _domain_atoms(var, x, skip_lo=scaled and var.lo <= 0)
        all_atoms += kept_ends
        sides.update({id(a): (a.lhs, a.rhs) for a in kept_ends})
        extra += kept_ends
        try:
            new = {}
            for a in all_atoms:
                if x.name not in a.names:
                    continue
                forms = [_strip_positive(sp.cancel(sp.together(f.xreplace(sub)))) for f in a.forms]
                new[id(a)] = forms
        except (A.Unsupported, TypeError, ValueError):
            continue
        for a in all_atoms:
            if id(a) in new:
                forms = new[id(a)]
                compiled = []
                kept = []
                for f in forms:
                    try:
                        compiled.append(A.compile_expr(f))
                        kept.append(f)
                    except A.Unsupported:
                        pass
                a.forms, a.compiled, a._grads = kept, compiled, {}
                a.names = frozenset(s.name for f in kept for s in f.free_symbols)
            lhs, rhs = sides[id(a)]
            sides[id(a)] = (lhs.xreplace(sub), rhs.xreplace(sub))
        problem.variables.append(tv)
        names = [n for n in names if n != x.name] + [tname]
        made.append(Bound(x.name, tname, g, shift=tv.hi is None, above=above))
    if extra:
        problem.hyp = ("and", ([problem.hyp] if isinstance(problem.hyp, Atom) else
                               list(problem.hyp[1]) if problem.hyp[0] == "and" else [problem.hyp])
                       + extra)
    problem.bounds = made
    return made


def _domain_atoms(var: Var, x: sp.Symbol, skip_lo: bool) -> list[Atom]:
    """The ends of x's own domain as hypotheses ``x >= lo``, ``hi >= x`` (in x; substituted
    with x), so that x = t g keeps x >= 1/4 instead of relaxing it to x >= 0."""
    out = []
    if var.lo is not None and not skip_lo:
        lo = to_rational(var.lo)
        out.append(Atom(">=" if var.lo_closed else ">", x - lo, x, lo, forms=[x - lo]))
    if var.hi is not None:
        hi = to_rational(var.hi)
        out.append(Atom(">=" if var.hi_closed else ">", hi - x, hi, x, forms=[hi - x]))
    for a in out:
        a.compiled = [A.compile_expr(f) for f in a.forms]
        a.names = frozenset({x.name})
    return out


def _short(g: sp.Expr) -> str:
    s = str(g)
    return s if len(s) <= 24 else s[:21] + "..."


def unfold_bounds(problem: Problem, point: dict) -> dict:
    """x = t * (lower enclosure of g at the point), or g - t, or g + t (upper enclosure), rational;
    integers rounded towards the inside of the bound."""
    point = dict(point)
    for b in reversed(getattr(problem, "bounds", [])):
        if b.t not in point:
            continue
        t = point.pop(b.t)
        env = {}
        try:
            with A.precision(128):
                for s in b.g.free_symbols:
                    q = point.get(s.name)
                    if q is None:
                        raise KeyError(s.name)
                    env[s.name] = A.point(q)
                lo, hi = A.compile_expr(b.g)(env)
        except (KeyError, A.Undefined, A.Unsupported):
            continue
        if A._is_inf(hi if b.above else lo):
            continue
        if b.above:  # x = (upper enclosure of g) + t, integers rounded up
            x = end_to_fmpq(hi) + t
            x = fmpq(x.ceil()) if problem.original_var(b.name).integer else x
        else:
            x = end_to_fmpq(lo) - t if b.shift else t * end_to_fmpq(lo)
            x = fmpq(x.floor()) if problem.original_var(b.name).integer else x
        point[b.name] = x
    return point

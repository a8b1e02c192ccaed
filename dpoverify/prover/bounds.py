"""Normalising by hypothesis bounds: ``x <= g(y)`` with x >= 0 and g > 0 becomes x = t g(y),
t in [0, 1]; for x of any sign, x = g(y) - t with t >= 0.

Under ``d <= 5Q`` and ``v <= 1/(32 sqrt Q)`` the region of (Q, d, v) is unbounded and curved, and
``d v^2`` has no finite enclosure on a tail box Q >= X; with d = 5Q t_d and v = t_v/(32 sqrt Q)
the region is a box and ``d v^2 = 5 t_d t_v^2/1024``. The normalised problem is a relaxation
(lower ends of x and integrality are dropped), so it can only prove; a point found in it is
mapped back (x = t * lower enclosure of g, integers rounded down) and certified on the printed
statement.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from flint import fmpq

from . import arb as A
from .boxes import end_to_fmpq
from .problem import Problem, Var, _strip_positive, atoms, conjuncts


@dataclass
class Bound:
    name: str  # the variable x
    t: str  # the new variable: t = x / g, or t = g - x (shift) for x of any sign
    g: sp.Expr  # the bound, in the variables current when x was replaced
    shift: bool = False


def normalize(problem: Problem, names: list[str]) -> list[Bound]:
    """Replace every variable with an upper-bound hypothesis ``x <= g`` by ``t * g``."""
    made: list[Bound] = []
    all_atoms = [a for t in (problem.hyp, problem.goal, problem.vacuous) for a in atoms(t)]
    sides = {id(a): (a.lhs.xreplace(problem.refine), a.rhs.xreplace(problem.refine)) for a in all_atoms}
    for atom in conjuncts(problem.hyp):
        if atom.rel not in (">=", ">"):
            continue
        g, x = sides[id(atom)]
        if not (x.is_Symbol and x.name in names) or g.has(x):
            continue
        var = problem.var(x.name)
        if var.fixed:
            continue
        if var.lo is not None and var.lo >= 0 and g.is_positive:  # x = t g, t in [0, 1]
            tname = f"{x.name}/({_short(g)})"
            tv = Var(tname, fmpq(0), fmpq(1), bool(var.lo == 0 and var.lo_closed), atom.rel == ">=")
            ts = tv.refined_symbol()
            sub = {x: ts * g}
        elif not var.integer:  # x = g - t, t >= 0
            tname = f"({_short(g)})-{x.name}"
            tv = Var(tname, fmpq(0), None, atom.rel == ">=", True)
            ts = tv.refined_symbol()
            sub = {x: g - ts}
        else:
            continue
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
        made.append(Bound(x.name, tname, g, shift=tv.hi is None))
    problem.bounds = made
    return made


def _short(g: sp.Expr) -> str:
    s = str(g)
    return s if len(s) <= 24 else s[:21] + "..."


def unfold_bounds(problem: Problem, point: dict) -> dict:
    """x = t * (lower enclosure of g at the point), rational; integers rounded down."""
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
                lo, _ = A.compile_expr(b.g)(env)
        except (KeyError, A.Undefined, A.Unsupported):
            continue
        if A._is_inf(lo):
            continue
        x = end_to_fmpq(lo) - t if b.shift else t * end_to_fmpq(lo)
        if problem.original_var(b.name).integer:
            x = fmpq(x.floor())
        point[b.name] = x
    return point

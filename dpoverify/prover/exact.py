"""The exact stage: what sympy decides outright, and exact truth of a formula at a rational point.

Over the domain: identities (``simplify(lhs - rhs) == 0``), constant relations, and signs sympy's
assumption system derives from the domain (``x**2 + y >= 0`` for y >= 0). At a point: the printed
relation is evaluated at exact rationals; a rational value decides exactly, a transcendental one
(exp, log, sqrt) by Arb at increasing precision until the sign is certain.
"""
from __future__ import annotations

import sympy as sp

from . import arb as A
from .problem import Atom, evaluate, substitute

PRECISIONS = (64, 128, 256, 512, 1024, 2048, 4096)


def sign_of_number(x: sp.Expr, max_prec: int = 4096):
    """Sign (-1, 0, 1) of a closed-form real number, or None if not certain.

    Rationals are exact; anything else is enclosed by Arb at increasing precision. A zero that
    is not syntactically rational is only accepted if sympy simplifies it to 0.
    """
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    try:
        f = A.compile_expr(x)
    except A.Unsupported:
        return None
    for p in PRECISIONS:
        if p > max_prec:
            break
        try:
            with A.precision(p):
                lo, hi = f({})
        except A.Undefined:
            return None
        if A._sign(lo) > 0:
            return 1
        if A._sign(hi) < 0:
            return -1
        if A._sign(lo) == 0 and A._sign(hi) == 0:
            return 0
    try:
        if sp.simplify(x) == 0:
            return 0
    except Exception:  # noqa: BLE001 - sympy simplification failure is just "unknown"
        pass
    return None


def _truth(rel: str, sign):
    if sign is None:
        return None
    return {">=": sign >= 0, ">": sign > 0, "==": sign == 0, "!=": sign != 0}[rel]


def atom_at(atom: Atom, point: dict, max_prec: int = 4096):
    """Exact truth of the printed atom at a rational point (name -> sympy Rational); None if
    undefined there or not decidable within ``max_prec`` bits."""
    sub = {s: point[s.name] for s in atom.orig.free_symbols}
    try:
        value = atom.orig.xreplace(sub)
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or value.has(sp.I):
            return None
    except (ZeroDivisionError, TypeError):
        return None
    if not value.is_number:
        return None
    return _truth(atom.rel, sign_of_number(value, max_prec))


def formula_at(t, point: dict, max_prec: int = 4096):
    return evaluate(t, lambda a: atom_at(a, point, max_prec))


def decide_atom(atom: Atom):
    """True/False if the atom holds/fails at every point of the domain (exactly), else the atom."""
    f = atom.orig
    if not f.free_symbols:
        v = _truth(atom.rel, sign_of_number(f))
        return atom if v is None else v
    form = atom.forms[0] if atom.forms else f
    if atom.rel in ("==", "!="):
        try:
            zero = sp.simplify(form) == 0
        except Exception:  # noqa: BLE001
            zero = False
        if zero:
            return atom.rel == "=="
        return atom
    if atom.rel == ">=":
        if form.is_nonnegative:
            return True
        if form.is_negative:
            return False
    else:
        if form.is_positive:
            return True
        if form.is_nonpositive:
            return False
    return atom


def simplify_formula(t):
    """The formula with every exactly decided atom replaced by its constant."""
    return substitute(t, decide_atom)

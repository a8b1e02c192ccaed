"""Parameter regimes: resolving a spec's regime to exact values and placing it against hypotheses.

A regime maps parameter names of the paper (K, Q, d, v, l_b, Z, delta, beta, tau, eps, c, ...)
to exact sympy numbers. A spec's default regime may hold expressions of other parameters
(``{"d": "5*Q", "v": "1/(32*sqrt(Q))"}``); :func:`resolve` substitutes until every value is a
number, so fixing ``Q`` propagates. Text is read by :mod:`dpoverify.safe_expr` (a closed
arithmetic grammar, never Python): regimes also come from counterexample files. Hypotheses are sympy relations; :func:`place` decides each
one exactly at a regime (holds / fails / on its boundary, i.e. both sides equal).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import sympy as sp

from .. import safe_expr
from ..claims import symbol

# Names of the paper's notation, read as real symbols (never as sympy's own objects: ``Q`` is
# sympy's assumption query, ``beta`` the beta function).
NOTATION = ("K", "Q", "N", "d", "v", "l_b", "Z", "beta", "tau", "eps", "delta", "c", "t", "T")


def sym(expr: Any, names: Iterable[str] = ()) -> sp.Expr:
    """An exact value or expression (sympy object, int, float, or text in the grammar of
    :mod:`dpoverify.safe_expr`) with the paper's names and ``names`` as real symbols.
    Raises ValueError for anything else."""
    if isinstance(expr, sp.Basic):
        return expr
    return safe_expr.value(expr, set(NOTATION) | set(names))


def resolve(regime: Mapping[str, Any], fixed: Mapping[str, Any] | None = None) -> dict[str, sp.Expr]:
    """Exact values of every parameter: ``fixed`` overrides ``regime``; expressions are substituted
    until each value is a number. Raises ValueError naming what cannot be resolved."""
    names = set(regime) | set(fixed or {})
    exprs = {k: sym(v, names) for k, v in regime.items()}
    exprs.update({k: sym(v, names) for k, v in (fixed or {}).items()})
    values: dict[str, sp.Expr] = {}
    for _ in range(len(exprs) + 1):
        progress = False
        for k, e in exprs.items():
            if k in values:
                continue
            e = e.subs({symbol(n): val for n, val in values.items()})
            if not e.free_symbols:
                val = sp.nsimplify(e) if e.is_Float else e
                if not (val.is_real and val.is_finite):
                    raise ValueError(f"parameter {k} = {val} is not a finite real number")
                values[k] = val
                progress = True
        if not progress:
            break
    missing = {k: exprs[k] for k in exprs if k not in values}
    if missing:
        detail = ", ".join(f"{k} = {e}" for k, e in missing.items())
        raise ValueError(f"cannot resolve regime: {detail} (fix the missing parameters with --param)")
    return values


def floats(values: Mapping[str, sp.Expr]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def evaluate(expr: Any, values: Mapping[str, sp.Expr]) -> sp.Expr:
    """An expression (horizon, failure probability) at exact parameter values."""
    e = sym(expr, values)
    return e.subs({symbol(n): v for n, v in values.items()})


def as_text(values: Mapping[str, sp.Expr]) -> dict[str, str]:
    """Exact values as strings that :func:`resolve` reads back unchanged (counterexample payloads)."""
    return {k: sp.sstr(v) for k, v in values.items()}


@dataclass(frozen=True)
class Placement:
    """One hypothesis at one regime: holds (True/False, None if undecidable), on its boundary."""

    label: str
    relation: sp.Basic
    holds: bool | None
    boundary: bool
    lhs: float | None
    rhs: float | None

    def describe(self) -> str:
        where = "on the boundary of" if self.boundary else ("inside" if self.holds else "outside")
        vals = f" ({self.lhs:.6g} vs {self.rhs:.6g})" if self.lhs is not None and self.rhs is not None else ""
        return f"{where} hypothesis {self.label}{vals}"


def _is_zero(x: sp.Expr) -> bool:
    """Exactly zero? (cheap structural test first, then sympy's numeric-with-proof ``equals``)."""
    z = x.is_zero
    if z is not None:
        return bool(z)
    return abs(float(x.evalf(30))) < 1e-25 and bool(x.equals(0))


@lru_cache(maxsize=1024)
def hypothesis_relation(h: Any) -> tuple[str, sp.Basic]:
    """(label, relation) for a hypothesis given as a sympy relation or a Statement-like object."""
    expr = getattr(h, "expr", h)
    rel = sym(expr)
    label = getattr(h, "text", "") or getattr(h, "label", "") or sp.sstr(rel)
    return str(label), rel


def place(hypotheses: Iterable[Any], values: Mapping[str, sp.Expr]) -> list[Placement]:
    """Decide each hypothesis exactly at ``values``."""
    out = []
    subs = {symbol(n): v for n, v in values.items()}
    for h in hypotheses:
        label, rel = hypothesis_relation(h)
        lhs = rhs = None
        boundary = False
        if isinstance(rel, sp.core.relational.Relational):
            l, r = rel.lhs.subs(subs), rel.rhs.subs(subs)
            if not (l.free_symbols or r.free_symbols) and not (l.is_finite and r.is_finite):
                # a bound that is infinite here (Z <= 1/(4 l_b^2) at l_b = 0): the paper's bounds are
                # positive and grow without limit there, so an infinite greater side holds
                upper = isinstance(rel, (sp.LessThan, sp.StrictLessThan))
                greater, lesser = (r, l) if upper else (l, r)
                ordered = upper or isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan))
                decided = sp.true if ordered and greater.has(sp.zoo, sp.oo) and lesser.is_finite else sp.false
            else:
                decided = rel.func(l, r)
            if not (l.free_symbols or r.free_symbols) and l.is_finite and r.is_finite:
                lhs, rhs = float(l), float(r)
                boundary = _is_zero(l - r) and not isinstance(rel, (sp.StrictLessThan, sp.StrictGreaterThan))
        else:
            decided = rel.subs(subs)
        holds: bool | None = bool(decided) if decided in (sp.true, sp.false) else None
        out.append(Placement(label, rel, holds, boundary, lhs, rhs))
    return out


def machine_memory() -> int:
    """Bytes of physical memory of this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_needed(values: Mapping[str, sp.Expr], observable: str, grid_points: int) -> tuple[float, str]:
    """(bytes, description) the simulator needs at a resolved regime, estimated from the array sizes
    (dpoverify/simulator): the N x d data (N = 2KQ), the ODE state of V x d weights and N
    accumulators kept by the solver's stages and at every output time, the margins at every output
    time, and the N x N kernel and pair masks for the kernel observable; doubled for temporaries."""
    def size(name, default=1.0):
        v = values.get(name)
        return default if v is None else float(abs(sp.N(v, 15)))

    K, Q, d = size("K"), size("Q"), size("d")
    N = 2 * K * Q
    V = 2 * K  # at most two tokens per value
    state = V * d + N
    words = N * d + (grid_points + 12) * state + 3 * grid_points * N
    if observable == "kernel":
        words += 2 * N * N
    return 2 * 8 * words, f"N = 2KQ = {N:.4g}, d = {d:.4g}, {grid_points} output times"


def require_memory(values: Mapping[str, sp.Expr], observable: str, grid_points: int) -> None:
    """Raise ValueError naming the size when a regime needs more memory than the machine has."""
    need, what = memory_needed(values, observable, grid_points)
    have = machine_memory()
    if not need <= have:
        raise ValueError(f"this regime needs about {_gib(need)} of memory to simulate ({what}); "
                         f"this machine has {_gib(have)}")


def _gib(n: float) -> str:
    return f"{n / 2 ** 30:.3g} GiB" if n < 2 ** 70 else f"10^{math.log10(n / 2 ** 30):.0f} GiB"

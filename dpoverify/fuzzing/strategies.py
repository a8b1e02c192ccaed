"""Hypothesis strategies over the paper's parameter space, built constructively from a spec.

Every hypothesis of a :class:`~dpoverify.specs.SimulationProperty` that reads ``s <= bound`` or
``s >= bound`` for one parameter ``s`` (its *subject*; e.g. ``v <= 1/(32 sqrt(Q))``: subject v,
bound depending on Q) becomes a bound on ``s``; a relation with no parameter alone on one side
is solved for its last-drawn parameter (``Z*l_b**2 <= 1/4`` -> ``Z <= 1/(4 l_b^2)``) with the
direction read off numerically. Parameters are drawn in dependency order (K, Q, l_b, Z, d, v, ...,
then anything whose bounds mention them), each inside the intersection of its bounds, so no draw
is rejected by ``assume``. Placements:

* ``inside``: every hypothesis holds (reals drawn uniformly between their bounds, the bound
  itself included, so the search reaches the boundary);
* ``("boundary", i)``: hypothesis i holds with equality (an integer subject takes the largest
  integer allowed), the others hold;
* ``("outside", i)``: hypothesis i fails (its subject just past the bound up to 4x beyond it, or
  below a lower bound), the others hold where they still can. Where violating i forces another to
  fail too (l_b > 1/2 leaves no integer Z <= 1/(4 l_b^2)), the regime says so: ``Drawn.violated``
  is computed exactly after the draw.

Sizes are CPU-bounded by the profile (:func:`limits`): N = 2KQ <= max_n and N d <= max_nd, and the
simulator's own requirement d >= K + 1 always holds (Q >= K leaves room for it below 5Q). Base
ranges (:func:`axes`) are the paper's domains cut to CPU size; l_b is drawn in [0, 1/2] unless a
placement pushes it past a hypothesis (above 1/2 no integer Z >= 1 satisfies Z <= 1/(4 l_b^2)), and
delta never reaches 1/2 (Definition C.1). Reals are drawn on a grid of 1/1000 of their interval,
log-spaced when it spans more than a factor 20, rounded to 4 significant digits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import sympy as sp
from hypothesis import assume, strategies as st

from ..claims import symbol
from ..profiles import Profile
from .regime import hypothesis_relation, resolve, sym

FRACTION = 1000  # reals are drawn on a grid of 1/1000 of their interval (readable, shrinkable)
ORDER = ("K", "Q", "l_b", "Z", "d", "v", "beta", "tau", "eps", "delta", "c")


@dataclass(frozen=True)
class Axis:
    """A parameter's base range when no hypothesis bounds it (CPU-sized)."""

    lo: Any
    hi: Any
    integer: bool = False
    hard: bool = False  # ``hi`` is a domain end no regime may pass, even outside a hypothesis
    size: bool = False  # ``hi`` is the profile's size cap: boundary and outside draws respect it too


@dataclass(frozen=True)
class Limits:
    max_k: int
    max_n: int  # N = 2KQ
    max_nd: int  # N * d (memory and time of one right-hand side evaluation)


def limits(profile: Profile) -> Limits:
    """ci stays around N <= 600 so a property example costs well under a second; thorough grows."""
    return {
        "quick": Limits(max_k=3, max_n=240, max_nd=60_000),
        "ci": Limits(max_k=6, max_n=600, max_nd=400_000),
    }.get(profile.name, Limits(max_k=20, max_n=profile.sim_max_n, max_nd=20_000_000))


AXES: dict[str, Axis] = {}  # ranges packs add for parameters of their own (register_axis)


def register_axis(name: str, axis: Axis) -> None:
    """The fuzz range of a parameter a pack introduces, e.g. ``register_axis("p", Axis(0, 1))``
    (without one, a parameter the fuzzer draws ranges over [0, 1]). The paper's ranges
    (:func:`axes`) cannot be replaced."""
    if name not in AXES and name in axes(Limits(1, 1, 1)):
        raise ValueError(f"the fuzz range of {name} is fixed by dpoverify; name the parameter differently")
    if name in AXES and AXES[name] != axis:
        raise ValueError(f"a fuzz range for {name} is already registered ({AXES[name]})")
    AXES[name] = axis


def axes(lim: Limits) -> dict[str, Axis]:
    """Base ranges in the paper's notation (Section 3, Definition C.1), then registered ones."""
    K, Q = symbol("K"), symbol("Q")
    return {**AXES, **{
        "K": Axis(1, lim.max_k, integer=True),
        "Q": Axis(K, sp.floor(sp.Rational(lim.max_n, 2) / K), integer=True),  # Q >= K: room for d >= K + 1 <= 5Q
        "d": Axis(K + 1, sp.Min(20 * Q, sp.floor(sp.Rational(lim.max_nd, 2) / (K * Q))), integer=True, size=True),
        "Z": Axis(1, K, integer=True),
        "l_b": Axis(0, sp.Rational(1, 2)),  # l_b > 1/2 leaves no Z >= 1 with Z <= 1/(4 l_b^2)
        "v": Axis(sp.Rational(1, 5000), 1),
        "delta": Axis(0, sp.Rational(49, 100), hard=True),  # Definition C.1: delta < 1/2
        "beta": Axis(sp.Rational(1, 10), 2),
        "tau": Axis(sp.Rational(1, 2), 2),
        "eps": Axis(sp.Rational(1, 100), 100),
        "c": Axis(sp.Rational(1, 100), 10),
    }}


@dataclass(frozen=True)
class Bound:
    """Hypothesis ``index`` as a bound on ``subject``: upper (s <= expr) or lower (s >= expr);
    ``direction`` None means it must be read numerically at draw time (solved relations)."""

    index: int
    label: str
    relation: sp.Basic
    subject: str
    expr: sp.Expr
    direction: str | None
    strict: bool


def _alone(rel) -> tuple[str, sp.Expr, str, bool] | None:
    strict = isinstance(rel, (sp.StrictLessThan, sp.StrictGreaterThan))
    less = isinstance(rel, (sp.LessThan, sp.StrictLessThan))
    if rel.lhs.is_Symbol:
        return rel.lhs.name, rel.rhs, ("upper" if less else "lower"), strict
    if rel.rhs.is_Symbol:
        return rel.rhs.name, rel.lhs, ("lower" if less else "upper"), strict
    return None


def bounds(hypotheses) -> list[Bound]:
    """Each hypothesis as a bound on one parameter (see module docstring)."""
    out = []
    for i, h in enumerate(hypotheses):
        label, rel = hypothesis_relation(h)
        if not isinstance(rel, sp.core.relational.Relational) or isinstance(rel, (sp.Eq, sp.Ne)):
            raise ValueError(f"hypothesis {label!r} is not an inequality; the fuzzer cannot place it")
        alone = _alone(rel)
        if alone:
            s, e, direction, strict = alone
            out.append(Bound(i, label, rel, s, e, direction, strict))
            continue
        names = sorted((s.name for s in rel.free_symbols), key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
        s = names[-1]
        sols = [x for x in sp.solve(sp.Eq(rel.lhs, rel.rhs), symbol(s)) if not x.has(sp.I)]
        if len(sols) != 1:
            raise ValueError(f"hypothesis {label!r}: cannot solve for one parameter (tried {s})")
        out.append(Bound(i, label, rel, s, sols[0], None,
                         isinstance(rel, (sp.StrictLessThan, sp.StrictGreaterThan))))
    return out


def draw_order(names, bnds: list[Bound]) -> list[str]:
    """Parameters in an order where every bound's expression is drawn before its subject."""
    deps = {n: set() for n in names}
    for b in bnds:
        deps.setdefault(b.subject, set()).update(s.name for s in b.expr.free_symbols)
    for n, ax in axes(Limits(1, 1, 1)).items():
        if n in deps:
            deps[n].update(s.name for s in (sp.sympify(ax.lo).free_symbols | sp.sympify(ax.hi).free_symbols))
    ordered: list[str] = []
    pending = sorted(deps, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    while pending:
        for n in pending:
            if all(d in ordered or d not in deps or d == n for d in deps[n]):
                ordered.append(n)
                pending.remove(n)
                break
        else:
            raise ValueError(f"circular bounds among {pending}")
    return ordered


@dataclass
class Drawn:
    """A drawn regime: exact values and the placement asked for (the placement it has is decided
    exactly by :func:`dpoverify.fuzzing.regime.place`)."""

    values: dict[str, sp.Expr]
    mode: str  # "inside", "boundary", "outside"
    target: str | None  # label of the hypothesis on whose boundary / outside it was placed

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        vals = ", ".join(f"{k}={sp.sstr(v)}" for k, v in self.values.items())
        where = self.mode + (f" [{self.target}]" if self.target else "")
        return f"Drawn({where}: {vals})"


def _num(e: sp.Expr, known: Mapping[str, sp.Expr]) -> sp.Expr:
    return sp.sympify(e).subs({symbol(n): v for n, v in known.items()})


def _direction(b: Bound, known: Mapping[str, sp.Expr], at: sp.Expr) -> str:
    """For a solved relation: is it an upper or a lower bound on its subject near ``at``?"""
    if b.direction:
        return b.direction
    probe = b.relation.subs({symbol(n): v for n, v in known.items()}).subs(symbol(b.subject), at * 2 + 1)
    return "lower" if bool(probe) else "upper"


def _interval(name: str, ax: Axis, own: list[Bound], known, skip: int | None):
    lo, hi = _num(ax.lo, known), _num(ax.hi, known)
    for b in own:
        if b.index == skip:
            continue
        e = _num(b.expr, known)
        if not e.is_finite:  # e.g. Z <= 1/(4 l_b^2) at l_b = 0: no bound at all
            continue
        if _direction(b, known, e) == "upper":
            hi = sp.Min(hi, e)
        else:
            lo = sp.Max(lo, e)
    return sp.nsimplify(lo) if lo.is_Float else lo, hi


def _real_between(lo, hi, lo_n: float, hi_n: float, k: int) -> sp.Expr:
    """The k-th of FRACTION steps from lo to hi (log-spaced when hi/lo > 20, so small values such
    as v get drawn), rounded to 4 significant digits; the ends are exact (boundaries)."""
    if k <= 0:
        return lo
    if k >= FRACTION:
        return hi
    u = k / FRACTION
    x = lo_n * (hi_n / lo_n) ** u if lo_n > 0 and hi_n / lo_n > 20 else lo_n + (hi_n - lo_n) * u
    val = sp.Rational(f"{x:.4g}")
    return val if bool(lo < val) and bool(val < hi) else (lo if u < 0.5 else hi)


def regimes(spec, profile: Profile, mode: str = "inside", target: int | None = None,
            keep: Mapping[str, Any] | None = None) -> st.SearchStrategy:
    """Regimes for ``spec`` placed as asked (``mode`` in inside / boundary / outside of
    hypothesis number ``target``). ``keep`` pins parameters (exact values)."""
    ax = axes(limits(profile))
    bnds = bounds(spec.hypotheses)
    drawn_names = [n for n in spec.regime if n in ax] + [b.subject for b in bnds]
    order = draw_order(dict.fromkeys(drawn_names), bnds)
    keep = {k: sym(v) for k, v in (keep or {}).items()}
    label = None if target is None else hypothesis_relation(spec.hypotheses[target])[0]
    derived = {k: v for k, v in spec.regime.items() if k not in order and k not in keep}
    return _regimes(spec, ax, bnds, order, keep, derived, mode, target, label)


@st.composite
def _regimes(draw, spec, ax, bnds, order, keep, derived, mode, target, label):
    known: dict[str, sp.Expr] = dict(keep)
    for name in order:
        if name in known:
            continue
        a = ax.get(name, Axis(0, 1))
        own = [b for b in bnds if b.subject == name]
        tb = next((b for b in own if b.index == target), None)
        lo, hi = _interval(name, a, own, known, skip=target if tb is not None else None)
        if tb is not None and mode != "inside":
            e = _num(tb.expr, known)
            upper = _direction(tb, known, e) == "upper"
            if mode == "boundary":
                val = sp.floor(e) if (a.integer and upper) else sp.ceiling(e) if a.integer else e
                assume(bool(val >= _num(a.lo, known)))  # e.g. Z <= 1/(4 l_b^2) < 1: no integer boundary
            else:  # outside: past the bound, as far as 4x (or down toward 0 for a lower bound)
                if a.integer:
                    if upper:
                        first = sp.floor(e) + 1
                        room = min(int(3 * max(e, 1)), 60, int(_num(a.hi, known)) - int(first))
                        assume(room >= 0)  # e.g. Z > 1/(4 l_b^2) needs K > 1/(4 l_b^2) values
                        val = first + draw(st.integers(0, room))
                    else:
                        first = sp.ceiling(e) - 1
                        val = first - draw(st.integers(0, max(0, int(first) - int(_num(a.lo, known)))))
                else:
                    s = sp.Rational(draw(st.integers(1, FRACTION * 3)), FRACTION)
                    val = e * (1 + s) if upper else e / (1 + s)
                    if upper and a.hard:  # stay inside the domain: (e, hi]
                        cap = _num(a.hi, known)
                        assume(bool(cap > e))
                        val = e + (cap - e) * s / 3
                    if e == 0:  # l_b >= 0 style lower bound: nothing below 0 is a regime
                        val = e + s
            if a.size:
                assume(bool(val <= _num(a.hi, known)))  # e.g. d = 5Q must fit the N d budget
        else:
            lo_n, hi_n = float(lo), float(hi)
            if a.integer:
                ilo, ihi = math.ceil(lo_n - 1e-12), math.floor(hi_n + 1e-12)
                if ihi < ilo:  # empty (another hypothesis already violated forces this)
                    val = sp.Integer(max(ilo, int(_num(a.lo, known))))
                else:
                    val = sp.Integer(draw(st.integers(ilo, ihi)))
            else:
                if hi_n < lo_n:
                    val = lo
                else:
                    k = draw(st.one_of(st.just(FRACTION), st.integers(0, FRACTION)))
                    val = _real_between(lo, hi, lo_n, hi_n, k)
        known[name] = sp.nsimplify(val) if getattr(val, "is_Float", False) else val
    # parameters the spec derives from others (e.g. N = 2KQ) follow the drawn ones
    values = resolve(derived, known)
    values.update(known)
    return Drawn(values=values, mode=mode, target=label)


def placements(spec) -> list[tuple[str, int | None, str]]:
    """Every placement the fuzzer searches: (mode, hypothesis index, label)."""
    out = [("inside", None, "inside all hypotheses")]
    for b in bounds(spec.hypotheses):
        out.append(("boundary", b.index, f"on the boundary of {b.label}"))
        out.append(("outside", b.index, f"outside {b.label}"))
    return out


seeds = st.integers(0, 2**32 - 1)

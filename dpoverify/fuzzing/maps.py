"""Where it breaks: for each simulated claim, how far outside each hypothesis its conclusion fails.

For every SimulationProperty and every hypothesis whose subject is a parameter (v, l_b, Z, d,
delta, Q, eps, ...), the subject is swept from its bound outward -- value/bound = 1, 1.5, 2, 4,
8, 16, then x4 (1, 0.75, 0.5, 0.25, then /4 for a lower bound) -- with every other parameter at
the spec's default regime (derived parameters such as eps = 1/(16 v (Z+2)) follow). At each point
``draws`` training sets are simulated and the conclusion's check applied; the map records the
fraction of draws where the conclusion fails and the smallest slack. The sweep stops where the
conclusion *breaks* (fails in at least half the draws), where the simulation would exceed the
profile's size cap (N = 2KQ and N·d), or after the profile's point budget (counts, never
seconds); a sweep that stops before the break says "break not reached" and why. "First fails" is
the smallest ratio at which any draw fails. Sweeping Z needs K >= Z values; K is raised to Z there.

A sweep that does not reach the break from the default regime is run a second time from the
*edge* regime (:func:`edge`): every other continuous parameter at the bound its hypothesis allows
and Q at its smallest allowed value, where a break the default regime cannot afford comes within
reach. Breaks are reported in their natural variable: the subject's value (e.g. v), and for d the
noise energy d v²/Q (see ``NATURAL``).

``boundary.json`` (schema ``dpoverify.boundary/1``)::

    {"schema", "tool_version", "profile", "seed", "draws", "created", "provenance",
     "maps": [{"claim", "obligation", "title", "hypothesis", "subject", "direction": "upper"|"lower",
               "natural_variable", "base": "default"|"edge", "base_regime": {name: value},
               "bound_at_default": float, "first_fails_at_ratio": float|null,
               "break_at_ratio": float|null, "held_up_to_ratio": float|null, "stopped": str,
               "points": [{"ratio", "value", "failure_rate", "failures", "draws", "min_slack",
                           "natural" (where the subject has one),
                           "also_violated": [labels of other hypotheses violated there]}]}]}

and ``boundary.png`` (one panel per obligation: failure rate against ratio, a line per hypothesis;
dashed: from the edge regime).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import sympy as sp

from .. import __version__, registry, safe_expr
from ..profiles import Profile
from ..results import now, provenance
from .output import pyplot, save_png, write_doc
from ..specs import SimulationProperty
from . import regime as rg
from .engine import Point, derive_seeds
from .strategies import bounds, limits

BOUNDARY_SCHEMA = "dpoverify.boundary/1"
STEPS_UP = (1, 1.5, 2, 4, 8, 16)  # then x4 until the break, the size cap or the point budget
STEPS_DOWN = (1, 0.75, 0.5, 0.25)  # then /4
POINTS = {"quick": 8, "ci": 8}  # points per sweep (thorough: 9): to 256x (1024x); counts, never seconds
DRAWS = {"quick": 2, "ci": 3}  # thorough: 10
BREAK = 0.5  # the conclusion breaks where it fails in at least this fraction of the draws
REFINE = 2  # geometric bisections of the bracket (last held, break) once the break is found
# The variable a break is read in, where the data model of Section 3 has one: the noise energy
# d v^2 of a sample against its Q same-cluster neighbours (the kernel's diagonal excess, Lemma B.1).
NATURAL = {"d": ("d v²/Q", lambda x: x["d"] * x["v"] ** 2 / x["Q"], ("v", "Q"))}


def ratios(upper: bool, budget: int) -> list[float]:
    """The swept ratios value/bound: STEPS_UP (STEPS_DOWN) then x4 (/4), ``budget`` of them."""
    steps = list(STEPS_UP if upper else STEPS_DOWN)
    while len(steps) < budget:
        steps.append(steps[-1] * 4 if upper else steps[-1] / 4)
    return steps[:budget]


def _value(bound: float, ratio: float, integer: bool) -> sp.Expr:
    """The swept value: bound * ratio (integers: the nearest integer on the same side, >= 1)."""
    if not integer:
        return sp.Rational(f"{bound * ratio:.6g}")
    if ratio == 1:
        return sp.Integer(max(1, math.floor(bound + 1e-9)))
    if ratio > 1:
        return sp.Integer(max(math.floor(bound + 1e-9) + 1, round(bound * ratio)))
    return sp.Integer(max(1, min(math.ceil(bound - 1e-9) - 1, round(bound * ratio))))


def edge(spec, subject: str) -> dict[str, sp.Expr]:
    """The other parameters at the edge of the hypotheses: every other continuous parameter with
    one upper bound at that bound, and Q at its smallest allowed value (its lower bound, else 1),
    so that a break the default regime cannot afford to reach comes within reach."""
    bnds = bounds(spec.hypotheses)
    count: dict[str, int] = {}
    for b in bnds:
        count[b.subject] = count.get(b.subject, 0) + 1
    fixed: dict[str, sp.Expr] = {}
    for b in bnds:
        if b.subject != subject and count[b.subject] == 1 and b.direction == "upper" \
                and b.subject not in ("K", "Q", "d", "Z"):
            fixed[b.subject] = b.expr
    if subject != "Q" and "Q" in spec.regime:
        low = [b.expr for b in bnds if b.subject == "Q" and b.direction == "lower"]
        fixed["Q"] = low[0] if low else sp.Integer(1)
    return fixed


def sweep(spec, hyp_index: int, profile: Profile, seed: int, base: dict[str, sp.Expr] | None = None) -> dict[str, Any]:
    """One hypothesis of one spec: the failure rate of the conclusion along the sweep, from the
    default regime (``base`` overrides some of it), until the conclusion breaks (fails in >= BREAK
    of the draws), a size cap or the point budget stops it."""
    b = next(x for x in bounds(spec.hypotheses) if x.index == hyp_index)
    default = rg.resolve(spec.regime, base)
    bound = float(rg.evaluate(b.expr, default))
    upper = b.direction != "lower"
    integer = b.subject in ("K", "Q", "d", "Z")
    draws = DRAWS.get(profile.name, 10)
    lim = limits(profile)
    max_n, max_nd = 4 * lim.max_n, 4 * lim.max_nd
    natural = NATURAL.get(b.subject)
    if natural and not all(x in default for x in natural[2]):
        natural = None
    seen: set = set()

    def measure(ratio: float) -> dict | None:
        """The point at ``ratio`` (None: its value repeats one already measured). Raises _Stop."""
        val = _value(bound, ratio, integer)
        if val in seen:
            return None
        seen.add(val)
        fixed = {**(base or {}), b.subject: val}
        if b.subject == "Z" and "K" in spec.regime and val > default["K"]:
            fixed["K"] = val  # Z values sharing one token need K >= Z values
        try:
            values = rg.resolve(spec.regime, fixed)
            n = 2 * int(values.get("K", 1)) * int(values.get("Q", 1))
            nd = n * int(values.get("d", 1))
            if n > max_n or nd > max_nd:
                raise _Stop(None, f"size cap: N = {n} > {max_n}" if n > max_n else f"size cap: N·d = {nd} > {max_nd}")
            point = Point(spec, values)
            fails, slacks = 0, []
            for s in derive_seeds(seed, draws, stream=int(ratio * 1000)):
                holds, slack, _ = point.check(point.observe(s))
                fails += not holds
                slacks.append(slack)
        except ValueError as exc:  # e.g. delta >= 1/2: no such regime in the simulator, nor beyond
            raise _Stop({"ratio": ratio, "value": float(val), "error": str(exc)},
                        f"no regime at {b.subject} = {float(val):.4g}") from None
        rec = {"ratio": ratio, "value": float(val), "failure_rate": fails / draws, "failures": fails,
               "draws": draws, "min_slack": min(slacks),
               "also_violated": [p.label for p in point.placements if p.holds is False and p.label != b.label]}
        if natural:
            rec["natural"] = float(natural[1](rg.floats(values)))
        return rec

    points, broke, stopped = [], None, "point budget"
    try:
        for ratio in ratios(upper, POINTS.get(profile.name, 9)):
            rec = measure(ratio)
            if rec is not None:
                points.append(rec)
                if rec["failure_rate"] >= BREAK:
                    broke, stopped = ratio, "break reached"
                    break
    except _Stop as stop:
        points += [stop.point] if stop.point else []
        stopped = stop.reason
    held = [p["ratio"] for p in points if p.get("failure_rate") is not None and p["failure_rate"] < BREAK]
    last = held[-1] if held else None
    try:
        for _ in range(REFINE if broke is not None and last is not None else 0):  # narrow the bracket
            rec = measure(math.sqrt(last * broke))
            if rec is None:
                break
            points.append(rec)
            last, broke = (rec["ratio"], broke) if rec["failure_rate"] < BREAK else (last, rec["ratio"])
    except _Stop as stop:  # not expected between two simulated points; recorded if it happens
        points += [stop.point] if stop.point else []
    points.sort(key=lambda p: p["ratio"], reverse=not upper)
    failing = [p["ratio"] for p in points if p.get("failures")]
    return {"hypothesis": b.label, "subject": b.subject, "direction": "upper" if upper else "lower",
            "natural_variable": natural[0] if natural else b.subject,
            "base": "default" if not base else "edge",
            "base_regime": rg.as_text({k: v for k, v in default.items() if k in (base or {})}),
            "bound_at_default": bound, "first_fails_at_ratio": failing[0] if failing else None,
            "break_at_ratio": broke, "held_up_to_ratio": last, "stopped": stopped, "points": points}


class _Stop(Exception):
    """The sweep cannot go further: ``point`` (or None) records why, ``reason`` says it."""

    def __init__(self, point: dict | None, reason: str):
        super().__init__(reason)
        self.point, self.reason = point, reason


def boundary_maps_of(spec, profile: Profile, seed: int) -> list[dict[str, Any]]:
    """A sweep per hypothesis of one spec from the default regime; where it does not reach the
    break, a second from the edge regime (:func:`edge`) when that differs from the default."""
    out = []
    for b in bounds(spec.hypotheses):
        out.append(sweep(spec, b.index, profile, seed))
        at_edge = edge(spec, b.subject)
        if out[-1]["break_at_ratio"] is None and at_edge and \
                rg.resolve(spec.regime, at_edge) != rg.resolve(spec.regime):
            out.append(sweep(spec, b.index, profile, seed, base=at_edge))
    return out


def boundary_maps(claim_ids: list[str], profile: Profile, seed: int,
                  on_map: Callable[[dict], None] = lambda m: None) -> list[dict[str, Any]]:
    maps = []
    for claim, ob in registry.obligations(claim_ids, SimulationProperty):
        for run in boundary_maps_of(ob.spec, profile, seed):
            m = {"claim": claim.id, "obligation": ob.id, "title": ob.title, **run}
            maps.append(m)
            on_map(m)
    return maps


def _at(m: dict, ratio: float) -> str:
    """The swept value at ``ratio`` in the map's natural variable (and the subject's value)."""
    p = next(p for p in m["points"] if p["ratio"] == ratio)
    subject = f"{m['subject']} = {p['value']:.4g}"
    if "natural" in p:
        return f"{m['natural_variable']} = {p['natural']:.3g} ({subject}, {ratio:.3g}× the bound)"
    return f"{subject} ({ratio:.3g}× the bound)"


def describe(m: dict) -> str:
    """Where the conclusion breaks, in the sweep's natural variable, or how far it held."""
    brk, held = m["break_at_ratio"], m["held_up_to_ratio"]
    if brk is not None:
        p = next(p for p in m["points"] if p["ratio"] == brk)
        text = ("breaks on the boundary" if brk == 1 else f"breaks at {_at(m, brk)}") + \
            f": {p['failures']}/{p['draws']} draws fail"
        return text + (f"; held at {_at(m, held)}" if held is not None else "")
    if held is None:
        return f"no point simulated ({m['stopped']})"
    side = "up" if m["direction"] == "upper" else "down"
    return f"held {side} to {_at(m, held)}; break not reached ({m['stopped']})"


def table(maps: list[dict]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per obligation: (claim/obligation, [(hypothesis and base regime, what the sweep found)]);
    an obligation whose conclusion fails on the boundary of every hypothesis gets one row."""
    groups: dict[str, list[dict]] = {}
    for m in maps:
        groups.setdefault(f"{m['claim']}/{m['obligation']}", []).append(m)
    out = []
    for key, ms in groups.items():
        if all(m["break_at_ratio"] == 1 for m in ms):
            out.append((key, [("every hypothesis", "breaks on the boundary of each (inside the hypotheses): "
                                                   "the conclusion fails there already")]))
            continue
        out.append((key, [(_plain(m["hypothesis"]) + (f" (edge: {_regime_text(m['base_regime'])})"
                                               if m["base"] == "edge" else ""), describe(m)) for m in ms]))
    return out


def _plain(label: str) -> str:
    """A hypothesis label for people: powers as ^, not Python's **."""
    return label.replace("**", "^")


def _regime_text(regime: dict) -> str:
    """``base_regime`` (exact values as text, :func:`regime.as_text`) as decimals, read back by the
    closed grammar of :mod:`dpoverify.safe_expr`, like every value written to a file."""
    return ", ".join(f"{k} = {float(safe_expr.value(v)):.4g}" for k, v in regime.items())


def plot(maps: list[dict], path) -> None:
    plt = pyplot()
    keys = list(dict.fromkeys((m["claim"], m["obligation"]) for m in maps))
    cols = 3
    rows = max(1, math.ceil(len(keys) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.2 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys):
        for m in (m for m in maps if (m["claim"], m["obligation"]) == key):
            pts = [p for p in m["points"] if "failure_rate" in p]
            if pts:
                ax.plot([p["ratio"] for p in pts], [p["failure_rate"] for p in pts], marker="o",
                        ls="-" if m["base"] == "default" else "--",
                        label=_plain(m["hypothesis"]) + (" (edge regime)" if m["base"] == "edge" else ""))
        ax.set_xscale("log")
        ax.set_ylim(-0.05, 1.05)
        ax.axvline(1, color="grey", lw=0.8, ls=":")
        ax.set_title(f"{key[0]} / {key[1]}", fontsize=8)
        ax.set_xlabel("value / bound (1 = on the hypothesis)", fontsize=7)
        ax.set_ylabel("conclusion fails (fraction of draws)", fontsize=7)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.tight_layout()
    save_png(fig, path)


def document(maps: list[dict], profile: Profile, seed: int) -> dict[str, Any]:
    return {"schema": BOUNDARY_SCHEMA, "tool_version": __version__, "profile": profile.name, "seed": seed,
            "draws": DRAWS.get(profile.name, 10), "created": now(), "provenance": provenance(), "maps": maps}


def write(maps: list[dict], profile: Profile, seed: int, out_dir) -> tuple[Any, Any]:
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    js = write_doc(out / "boundary.json", document(maps, profile, seed))
    png = out / "boundary.png"
    plot(maps, png)
    return js, png

"""Where it breaks: for each simulated claim, how far outside each hypothesis its conclusion fails.

For every SimulationProperty and every hypothesis whose subject is a parameter (v, l_b, Z, d,
delta, Q, eps, ...), the subject is swept from its bound outward (ratios value/bound in
``RATIOS_UP`` for an upper bound, ``RATIOS_DOWN`` for a lower one) with every other parameter at
the spec's default regime (derived parameters such as eps = 1/(16 v (Z+2)) follow). At each point
``draws`` training sets are simulated and the conclusion's check applied: the map records the
fraction of draws where the conclusion fails and the smallest slack. "First fails" is the
smallest ratio at which any draw fails. Sweeping Z needs K >= Z values; K is raised to Z there.
Points with N = 2KQ above 4x the profile's fuzzing size are skipped (recorded as such).

``boundary.json`` (schema ``dpoverify.boundary/1``)::

    {"schema", "tool_version", "profile", "seed", "draws", "created", "provenance",
     "maps": [{"claim", "obligation", "title", "hypothesis", "subject", "direction": "upper"|"lower",
               "bound_at_default": float, "first_fails_at_ratio": float|null,
               "points": [{"ratio", "value", "failure_rate", "failures", "draws", "min_slack",
                           "also_violated": [labels of other hypotheses violated there]}]}]}

and ``boundary.png`` (one panel per obligation: failure rate against ratio, a line per hypothesis).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import sympy as sp

from .. import __version__, registry
from ..profiles import Profile
from ..results import now, provenance
from .output import pyplot, save_png, write_doc
from ..specs import SimulationProperty
from . import regime as rg
from .engine import Point, derive_seeds
from .strategies import bounds, limits

BOUNDARY_SCHEMA = "dpoverify.boundary/1"
RATIOS_UP = (1, 1.5, 2, 4, 8, 16)
RATIOS_DOWN = (1, 0.75, 0.5, 0.25, 0.1)
DRAWS = {"quick": 2, "ci": 3}  # thorough: 10


def _value(bound: float, ratio: float, integer: bool) -> sp.Expr:
    """The swept value: bound * ratio (integers: the nearest integer on the same side, >= 1)."""
    if not integer:
        return sp.Rational(f"{bound * ratio:.6g}")
    if ratio == 1:
        return sp.Integer(max(1, math.floor(bound + 1e-9)))
    if ratio > 1:
        return sp.Integer(max(math.floor(bound + 1e-9) + 1, round(bound * ratio)))
    return sp.Integer(max(1, min(math.ceil(bound - 1e-9) - 1, round(bound * ratio))))


def sweep(spec, hyp_index: int, profile: Profile, seed: int) -> dict[str, Any]:
    """One hypothesis of one spec: the failure rate of the conclusion along the sweep."""
    b = next(x for x in bounds(spec.hypotheses) if x.index == hyp_index)
    default = rg.resolve(spec.regime)
    bound = float(rg.evaluate(b.expr, default))
    upper = b.direction != "lower"
    integer = b.subject in ("K", "Q", "d", "Z")
    draws = DRAWS.get(profile.name, 10)
    max_n = 4 * limits(profile).max_n
    points, first = [], None
    seen = set()
    for ratio in (RATIOS_UP if upper else RATIOS_DOWN):
        if bound == 0 and not upper:
            break
        val = _value(bound, ratio, integer)
        if val in seen:
            continue
        seen.add(val)
        fixed = {b.subject: val}
        if b.subject == "Z" and "K" in spec.regime and val > default["K"]:
            fixed["K"] = val  # Z values sharing one token need K >= Z values
        try:
            values = rg.resolve(spec.regime, fixed)
            n = 2 * int(values.get("K", 1)) * int(values.get("Q", 1))
            if n > max_n:
                points.append({"ratio": ratio, "value": float(val), "skipped": f"N = {n} > {max_n} ({profile.name})"})
                continue
            point = Point(spec, values)
            fails, slacks = 0, []
            for s in derive_seeds(seed, draws, stream=int(ratio * 1000)):
                holds, slack, _ = point.check(point.observe(s))
                fails += not holds
                slacks.append(slack)
        except ValueError as exc:  # e.g. delta >= 1/2: no such regime in the simulator
            points.append({"ratio": ratio, "value": float(val), "error": str(exc)})
            continue
        rate = fails / draws
        if fails and first is None:
            first = ratio
        points.append({"ratio": ratio, "value": float(val), "failure_rate": rate, "failures": fails,
                       "draws": draws, "min_slack": min(slacks),
                       "also_violated": [p.label for p in point.placements
                                         if p.holds is False and p.label != b.label]})
    return {"hypothesis": b.label, "subject": b.subject, "direction": "upper" if upper else "lower",
            "bound_at_default": bound, "first_fails_at_ratio": first, "points": points}


def boundary_maps(claim_ids: list[str], profile: Profile, seed: int,
                  on_map: Callable[[dict], None] = lambda m: None) -> list[dict[str, Any]]:
    maps = []
    for claim, ob in registry.obligations(claim_ids, SimulationProperty):
        for b in bounds(ob.spec.hypotheses):
            m = {"claim": claim.id, "obligation": ob.id, "title": ob.title, **sweep(ob.spec, b.index, profile, seed)}
            maps.append(m)
            on_map(m)
    return maps


def table(maps: list[dict]) -> list[tuple[str, str, str]]:
    """(claim/obligation, hypothesis, where it first fails) rows."""
    rows = []
    for m in maps:
        f = m["first_fails_at_ratio"]
        tested = [p["ratio"] for p in m["points"] if "failure_rate" in p]
        reach = (max(tested) if m["direction"] == "upper" else min(tested)) if tested else None
        side = "up to" if m["direction"] == "upper" else "down to"
        where = (f"holds {side} {reach:g} x the bound" if reach is not None else "no point simulated") if f is None else (
            "fails already on the boundary" if f == 1 else f"first fails at {f:g} x the bound")
        rows.append((f"{m['claim']}/{m['obligation']}", m["hypothesis"], where))
    return rows


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
                ax.plot([p["ratio"] for p in pts], [p["failure_rate"] for p in pts], marker="o", label=m["hypothesis"])
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

"""How tight each simulated bound is inside its hypotheses: bound / observed.

For every SimulationProperty, ``draws`` training sets are simulated at the spec's default regime and
at regimes the inside search of :mod:`.properties` visits; each check's ``detail`` is read for
(bound, observed) pairs:

* ``detail["tightness"]``: ``{"a / b": [a, b]}`` -- the general form a check may report, oriented
  so that a ratio > 1 is room (bound / observed for an upper bound, observed / bound for a lower
  one); the trajectory bands report their own r^L(t), r^U(t) this way (tightest t <= tau_1 and at
  tau_1) beside the final band log 3/40 <= r(tau_1) <= log 3;
* ``log_bound`` / ``log_risk`` (population risk): "risk bound / measured risk", as log10 of the ratio;
* ``relative_room`` / ``max_deviation`` (kernel bands): "band / max |deviation|" per pair class;
* ``max_abs_residual`` / ``bound_at_tightest`` (rate band): "bound / |residual|".

A ratio of 1 means the bound is attained; large ratios mean room to spare (a loose bound); < 1 a
violation. Where a check reports none of these, its slack (in the check's own units) is given.

``tightness.json`` (schema ``dpoverify.tightness/1``)::

    {"schema", "tool_version", "profile", "seed", "draws", "created", "provenance",
     "rows": [{"claim", "obligation", "title", "quantity", "log10": bool,
               "at_default": {"min", "median", "max"}, "regime": {name: value}, "draws": int,
               "slack_min": float}]}

and ``tightness.png`` (bar chart of log10(bound / observed) at the default regime).
"""
from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any, Callable

from .. import __version__, registry
from ..profiles import Profile
from ..results import now, provenance
from ..specs import SimulationProperty
from . import regime as rg
from .engine import Point, derive_seeds
from .output import pyplot, save_png, write_doc

TIGHTNESS_SCHEMA = "dpoverify.tightness/1"
DRAWS = {"quick": 3, "ci": 5}  # thorough: 20
LN10 = math.log(10)


def ratios(detail: dict[str, Any]) -> dict[str, tuple[float, bool]]:
    """(bound / observed, is_log10) pairs a check's detail reveals (see module docstring)."""
    out: dict[str, tuple[float, bool]] = {}
    for name, (a, b) in (detail.get("tightness") or {}).items():
        out[name] = (a / b if b else math.inf, False)
    if "log_bound" in detail and "log_risk" in detail:
        out["log10(risk bound / measured risk)"] = ((detail["log_bound"] - detail["log_risk"]) / LN10, True)
    if "relative_room" in detail and "max_deviation" in detail:
        for cls, room in detail["relative_room"].items():
            out[f"band / max|deviation| ({cls})"] = (1 / (1 - room) if room < 1 else math.inf, False)
    if "max_abs_residual" in detail and "bound_at_tightest" in detail:
        out["bound / |residual| (tightest)"] = (detail["bound_at_tightest"] / detail["max_abs_residual"], False)
    return out


def measure(spec, profile: Profile, seed: int) -> tuple[dict[str, list[float]], dict[str, bool], list[float], dict]:
    values = rg.resolve(spec.regime)
    point = Point(spec, values)
    seen: dict[str, list[float]] = {}
    is_log: dict[str, bool] = {}
    slacks = []
    for s in derive_seeds(seed, DRAWS.get(profile.name, 20)):
        _, slack, detail = point.check(point.observe(s))
        slacks.append(slack)
        for name, (r, lg) in ratios(detail).items():
            seen.setdefault(name, []).append(r)
            is_log[name] = lg
    return seen, is_log, slacks, rg.as_text(values)


def rows_of(claim_id: str, obligation_id: str, title: str, spec, profile: Profile, seed: int) -> list[dict[str, Any]]:
    """The rows of one obligation, each computed from this spec's own check (no bound is shared)."""
    seen, is_log, slacks, regime = measure(spec, profile, seed)
    base = {"claim": claim_id, "obligation": obligation_id, "title": title, "regime": regime,
            "draws": len(slacks), "slack_min": min(slacks)}
    if not seen:
        return [base | {"quantity": "slack (check units)", "log10": False,
                        "at_default": {"min": min(slacks), "median": statistics.median(slacks), "max": max(slacks)}}]
    return [base | {"quantity": name, "log10": is_log[name],
                    "at_default": {"min": min(vals), "median": statistics.median(vals), "max": max(vals)}}
            for name, vals in seen.items()]


def tightness(claim_ids: list[str], profile: Profile, seed: int,
              on_row: Callable[[dict], None] = lambda r: None) -> list[dict[str, Any]]:
    rows = []
    for claim, ob in registry.obligations(claim_ids, SimulationProperty):
        for row in rows_of(claim.id, ob.id, ob.title, ob.spec, profile, seed):
            rows.append(row)
            on_row(row)
    return rows


def _log10(row) -> float:
    x = row["at_default"]["min"]
    if row["log10"]:
        return x
    return math.log10(x) if x > 0 and math.isfinite(x) else float("nan")


def plot(rows: list[dict], path) -> None:
    plt = pyplot()
    shown = [r for r in rows if r["quantity"] != "slack (check units)" and math.isfinite(_log10(r))]
    fig, ax = plt.subplots(figsize=(12, 0.32 * max(len(shown), 4) + 1.2))
    labels = [f"{r['claim']}/{r['obligation']}: {r['quantity']}" for r in shown]
    vals = [_log10(r) for r in shown]
    ax.barh(range(len(shown)), vals, color=["tab:red" if v < 0 else "tab:blue" for v in vals])
    ax.set_yticks(range(len(shown)), labels, fontsize=6)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xscale("symlog")
    ax.set_xlabel("log10(bound / observed) at the default regime, worst draw (0 = attained, < 0 = violated)")
    ax.invert_yaxis()
    fig.tight_layout()
    save_png(fig, path)


def write(rows: list[dict], profile: Profile, seed: int, out_dir) -> tuple[Path, Path]:
    out = Path(out_dir)
    doc = {"schema": TIGHTNESS_SCHEMA, "tool_version": __version__, "profile": profile.name, "seed": seed,
           "draws": DRAWS.get(profile.name, 20), "created": now(), "provenance": provenance(), "rows": rows}
    js = write_doc(out / "tightness.json", doc)
    plot(rows, out / "tightness.png")
    return js, out / "tightness.png"

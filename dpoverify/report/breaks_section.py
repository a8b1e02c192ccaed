"""Where it breaks and how tight it is, from the fuzzing products:

* ``boundary.json`` (dpoverify.boundary/1, ``dpoverify boundary``): each simulated conclusion swept
  outward across each hypothesis, the failure rate at each point and the ratio at which it first
  fails — drawn as maps (failure rate against the factor beyond the bound) and tabulated;
* ``tightness.json`` (dpoverify.tightness/1, ``dpoverify tightness``): bound / observed inside the
  hypotheses — tabulated and drawn as log10 ratios.

Non-finite numbers arrive spelled "inf", "-inf", "nan" (dpoverify.fuzzing.output.jsonable).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..render import text
from .audit_section import fmt
from .doc import Figure, Link, Para, Section, Table
from .figures import canvas
from .load import Inputs
from .verdict_table import claim_anchor

NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def num(x) -> float | None:
    if x is None:
        return None
    return NONFINITE[x] if isinstance(x, str) and x in NONFINITE else float(x)


def _claim_cell(inputs: Inputs, cid: str):
    checked = {c["id"] for c in (inputs["check"] or {}).get("claims", [])}
    return Link(cid, claim_anchor(cid)) if cid in checked else cid


def beyond(ratio: float, direction: str) -> float:
    """How many times beyond its bound a point is: value/bound for an upper bound, bound/value for a lower."""
    return ratio if direction == "upper" else (1 / ratio if ratio else math.inf)


def reach(m: dict) -> float:
    """How far beyond the bound the sweep went where the conclusion was checked."""
    return max((beyond(num(p["ratio"]), m["direction"]) for p in _measured(m)), default=1.0)


def _measured(m: dict) -> list[dict]:
    """The sweep's points where the conclusion was checked (a point may carry no failure rate, or nan)."""
    return [p for p in m["points"] if p.get("failure_rate") is not None and not math.isnan(num(p["failure_rate"]))]


def _hypothesis(m: dict) -> str:
    """The hypothesis label, marked where the sweep started from the edge regime (dpoverify.fuzzing.maps.edge)."""
    return m["hypothesis"] + (" (from the edge regime)" if m.get("base") == "edge" else "")


def boundary_section(inputs: Inputs) -> Section:
    sec = Section("boundary", "Where it breaks: conclusions outside their hypotheses")
    return inputs.loaded("boundary").fill(sec, lambda doc: _boundary(sec, doc, inputs))


def _boundary(sec: Section, doc: dict, inputs: Inputs) -> Section:
    maps = doc["maps"]
    sec.add(Para((f"Profile {doc['profile']}, seed {doc['seed']}, {doc['draws']} draws per point, written "
                  f"{doc['created']}. Each hypothesis's subject is pushed outward from its bound with every other "
                  "parameter at the claim's default regime (rows marked 'from the edge regime': every other "
                  "continuous parameter at its bound and Q at its smallest); the conclusion is checked on fresh "
                  "simulated training sets at each point.",)))
    rows = []
    for m in maps:
        first = num(m.get("first_fails_at_ratio"))
        rows.append((_claim_cell(inputs, m["claim"]), m["obligation"], text(_hypothesis(m)), m["direction"],
                     fmt(num(m.get("bound_at_default"))),
                     (f"held to ×{fmt(reach(m))}; break not reached ({m['stopped']})" if m.get("stopped")
                      else f"holds over the whole sweep (to ×{fmt(reach(m))})") if first is None else
                     "already on the boundary" if first == 1 else
                     f"{fmt(first)} (×{fmt(beyond(first, m['direction']))} beyond)",
                     f"{max((num(p['failure_rate']) for p in _measured(m)), default=0.0):.0%}"))
    sec.add(Table(("claim", "obligation", "hypothesis", "bound", "bound at default", "first fails at value/bound",
                   "worst failure rate"), tuple(rows), anchor="boundary-table", kind="boundary"))
    panels: dict[tuple[str, str], list[dict]] = {}
    for m in maps:
        panels.setdefault((m["claim"], m["obligation"]), []).append(m)
    if not panels:
        return sec.add(Para("boundary.json holds no maps.",))
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    with canvas(4.2 * ncols, 3.1 * nrows, ncols=ncols, nrows=nrows) as (fig, axes):
        axes = np.atleast_2d(axes)
        for ax, ((cid, oid), ms) in zip(axes.flat, panels.items()):
            for m in ms:
                pts = sorted(_measured(m), key=lambda p: beyond(num(p["ratio"]), m["direction"]))
                x = [beyond(num(p["ratio"]), m["direction"]) for p in pts]
                ax.plot(x, [num(p["failure_rate"]) for p in pts], "-o", ms=3, label=text(_hypothesis(m)))
            ax.axvline(1.0, color="k", lw=0.8, ls=":", label="on the bound (×1)")
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"×{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(f"{cid} / {oid}", fontsize=8)
            ax.set_xlabel("factor beyond the bound", fontsize=8)
            ax.set_ylabel("failure rate", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=6)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
    sec.add(Figure("fig-boundary-maps", "Where-it-breaks maps",
                   "Failure rate of each simulated conclusion (panel) as one hypothesis (line) is violated by a "
                   "growing factor: value/bound for an upper bound, bound/value for a lower one (1 = on the "
                   "boundary). A line that stays at 0 means the conclusion survives that violation in the sweep.",
                   fig.png))
    return sec


def tightness_section(inputs: Inputs) -> Section:
    sec = Section("tightness", "How tight each bound is inside its hypotheses")
    return inputs.loaded("tightness").fill(sec, lambda doc: _tightness(sec, doc, inputs))


def _tightness(sec: Section, doc: dict, inputs: Inputs) -> Section:
    rows_in = doc["rows"]
    sec.add(Para((f"Profile {doc['profile']}, seed {doc['seed']}, {doc['draws']} draws, written {doc['created']}. "
                  "Ratios are bound / observed: 1 = attained, large = room to spare, < 1 = violated. Quantities "
                  "marked log10 are given as log10 of the ratio.",)))
    rows = []
    for r in rows_in:
        a = r["at_default"]
        rows.append((_claim_cell(inputs, r["claim"]), r["obligation"], r["quantity"], "yes" if r.get("log10") else "no",
                     fmt(num(a.get("min"))), fmt(num(a.get("median"))), fmt(num(a.get("max"))), str(r["draws"]),
                     fmt(num(r.get("slack_min"))),
                     ", ".join(f"{k}={v}" for k, v in (r.get("regime") or {}).items())))  # exact text
    sec.add(Table(("claim", "obligation", "quantity", "log10", "min", "median", "max", "draws", "min slack",
                   "default regime"), tuple(rows), anchor="tightness-table", kind="tightness"))
    plotted = []
    for r in rows_in:
        a = r["at_default"]
        vals = [num(a.get(k)) for k in ("min", "median", "max")]
        if r["quantity"].startswith("slack") or any(v is None or not math.isfinite(v) for v in vals):
            continue  # a slack in the check's own units is no ratio
        if not r.get("log10"):
            if min(vals) <= 0:
                continue
            vals = [math.log10(v) for v in vals]
        plotted.append((f"{r['claim']} / {r['obligation']}: {r['quantity']}", *vals))
    if plotted:
        with canvas(9, max(2.5, 0.32 * len(plotted) + 1.4)) as (fig, ax):
            y = np.arange(len(plotted))
            lo, med, hi = (np.array([p[i] for p in plotted]) for i in (1, 2, 3))
            ax.barh(y, med, color=["#c62828" if m < 0 else "#4a78b5" for m in med], alpha=0.8)
            ax.errorbar(med, y, xerr=[med - lo, hi - med], fmt="none", ecolor="k", capsize=2, lw=0.8)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_yticks(y, [p[0] for p in plotted], fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel("log10(bound / observed)  (0 = attained, < 0 = violated)")
        sec.add(Figure("fig-tightness", "Tightness of each bound at its default regime",
                       "Median over draws of log10(bound / observed), with the min–max range; red bars are "
                       "violations.", fig.png))
    return sec

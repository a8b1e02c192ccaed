"""The empirical scaling law of Section 4.2, with the noise held fixed (issue 5, item 6).

For each number of values K the simulator finds Q*(K), the smallest Q per value (on a geometric
grid) at which the simulated error at tau_1 = K tau log 3 / (5 beta^2) (Theorem 4.2) falls below
0.05, averaged over ``seeds`` training sets, for two errors -- the population risk (Definition 3.1,
exact) and the risk of the worst single value -- and four set-ups: distinct answer tokens per
value vs one shared answer-token pair for all values (the paper's Yes/No experiments), d fixed vs
d growing with K (d = 8K). The noise v is fixed (it does not shrink with Q as the theorems'
v <= 1/(32 sqrt Q) does). Q* is found by bisection on the grid (the error is taken as monotone in
Q; every evaluation is recorded); where the largest Q of the grid does not reach 0.05, Q* is
reported as censored (> that Q).

Each curve with >= 3 uncensored points is fitted two ways by least squares: Q* = a + b ln K (the
Theta(log K) of Section 4.2) and Q* = c K^alpha (a power law), with R^2 for each; beside them the Q
that eq. 4's bound asks for, the smallest Q >= 40 with 2 K Q^2 e^{-Q/45} < 0.05.

``scaling.json`` (schema ``dpoverify.scaling/1``)::

    {"schema", "tool_version", "profile", "seed", "created", "provenance",
     "setup": {"v", "l_b", "beta", "tau", "Z", "threshold", "horizon", "Ks", "Q_grid", "seeds", "d_fixed"},
     "eq4_Q": {K: Q},
     "curves": [{"tokens": "distinct"|"shared", "d": "fixed"|"growing", "error": "population"|"worst value",
                 "Q_star": {K: Q or null}, "censored": {K: bool},
                 "fit_log": {"a", "b", "r2"}|null, "fit_power": {"c", "alpha", "r2"}|null}],
     "evaluations": [{"tokens", "d", "K", "Q", "risk", "worst", "risk_by_seed", "worst_by_seed"}]}

and ``scaling.png`` (Q* against K for both errors, eq. 4's Q beside them).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import __version__
from ..profiles import Profile
from ..results import now, provenance
from ..simulator import sample_dataset, simulate
from ..simulator.regime import Regime
from ..simulator.risk import population_risk
from .engine import derive_seeds
from .output import pyplot, save_png, write_doc

SCALING_SCHEMA = "dpoverify.scaling/1"
THRESHOLD = 0.05
COLORS = {("distinct", "fixed"): "tab:blue", ("distinct", "growing"): "tab:orange",
          ("shared", "fixed"): "tab:green", ("shared", "growing"): "tab:red"}
V_FIXED = 0.4
GRID = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
SIZES = {"quick": ((1, 2, 4, 8), 64, 2), "ci": ((1, 2, 4, 8, 16, 32), 256, 3)}  # Ks, max Q, seeds
THOROUGH = ((1, 2, 4, 8, 16, 32, 64, 128), 1024, 10)


def eq4_q(K: int) -> int:
    """Smallest Q >= 40 (Theorem 4.3's hypothesis) with 2 K Q^2 e^{-Q/45} < 0.05 (log space)."""
    Q = 40
    while math.log(2 * K) + 2 * math.log(Q) - Q / 45 >= math.log(THRESHOLD):
        Q += 1
    return Q


class Errors:
    """Mean population risk and worst-value risk at (K, Q) over the seeds, cached."""

    def __init__(self, tokens: str, d_mode: str, d_fixed: int, seeds: list[int], record: list):
        self.tokens, self.d_mode, self.d_fixed, self.seeds, self.record = tokens, d_mode, d_fixed, seeds, record
        self.cache: dict[tuple[int, int], tuple[float, float]] = {}

    def d(self, K: int) -> int:
        return self.d_fixed if self.d_mode == "fixed" else max(8 * K, K + 1)

    def __call__(self, K: int, Q: int) -> tuple[float, float]:
        if (K, Q) not in self.cache:
            reg = Regime(K=K, Q=Q, d=self.d(K), v=V_FIXED, l_b=0.25, Z=1, tokens=self.tokens)
            risks, worsts = [], []
            for s in self.seeds:
                ds = sample_dataset(reg, s, dtype=np.float32) if reg.N * reg.d > 4_000_000 else sample_dataset(reg, s)
                T = reg.tau_1
                pr = population_risk(ds, simulate(ds, T, rtol=1e-6, atol=1e-9), T)
                risks.append(pr.risk)
                worsts.append(math.exp(pr.log_risk_worst_value))
            self.cache[(K, Q)] = (float(np.mean(risks)), float(np.mean(worsts)))
            self.record.append({"tokens": self.tokens, "d": self.d_mode, "K": K, "Q": Q, "d_value": reg.d,
                                "risk": self.cache[(K, Q)][0], "worst": self.cache[(K, Q)][1],
                                "risk_by_seed": risks, "worst_by_seed": worsts})
        return self.cache[(K, Q)]


def q_star(err: Errors, K: int, which: int, grid: list[int]) -> int | None:
    """Smallest grid Q with error < THRESHOLD (bisection); None if the largest does not reach it."""
    if err(K, grid[-1])[which] >= THRESHOLD:
        return None
    lo, hi = -1, len(grid) - 1  # error(grid[hi]) < threshold; grid[lo] not known to be
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if err(K, grid[mid])[which] < THRESHOLD:
            hi = mid
        else:
            lo = mid
    return grid[hi]


def _r2(y, yhat) -> float:
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    ss = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(((y - yhat) ** 2).sum()) / ss if ss > 0 else 1.0


def fits(q: dict[int, int | None]) -> tuple[dict | None, dict | None]:
    pts = [(K, Q) for K, Q in q.items() if Q is not None]
    if len(pts) < 3:
        return None, None
    K = np.array([p[0] for p in pts], float)
    Q = np.array([p[1] for p in pts], float)
    b, a = np.polyfit(np.log(K), Q, 1)
    alpha, lnc = np.polyfit(np.log(K), np.log(Q), 1)
    return ({"a": float(a), "b": float(b), "r2": _r2(Q, a + b * np.log(K))},
            {"c": float(math.exp(lnc)), "alpha": float(alpha), "r2": _r2(np.log(Q), lnc + alpha * np.log(K))})


def scaling(profile: Profile, seed: int, on_curve: Callable[[dict], None] = lambda c: None) -> dict[str, Any]:
    Ks, qmax, n_seeds = SIZES.get(profile.name, THOROUGH)
    grid = [q for q in GRID if q <= qmax]
    d_fixed = max(64, 2 * max(Ks) + 1)
    seeds = derive_seeds(seed, n_seeds)
    evaluations: list[dict] = []
    curves = []
    for tokens in ("distinct", "shared"):
        for d_mode in ("fixed", "growing"):
            err = Errors(tokens, d_mode, d_fixed, seeds, evaluations)
            for which, name in ((0, "population"), (1, "worst value")):
                q = {K: q_star(err, K, which, grid) for K in Ks}
                fit_log, fit_power = fits(q)
                curve = {"tokens": tokens, "d": d_mode, "error": name, "Q_star": q,
                         "censored": {K: v is None for K, v in q.items()},
                         "fit_log": fit_log, "fit_power": fit_power}
                curves.append(curve)
                on_curve(curve)
    return {"schema": SCALING_SCHEMA, "tool_version": __version__, "profile": profile.name, "seed": seed,
            "created": now(), "provenance": provenance(),
            "setup": {"v": V_FIXED, "l_b": 0.25, "beta": 1.0, "tau": 1.0, "Z": 1, "threshold": THRESHOLD,
                      "horizon": "tau_1 = K tau log 3 / (5 beta^2)", "Ks": list(Ks), "Q_grid": grid,
                      "seeds": seeds, "d_fixed": d_fixed, "d_growing": "8K"},
            "eq4_Q": {K: eq4_q(K) for K in Ks}, "curves": curves, "evaluations": evaluations}



def describe(curve: dict) -> str:
    qs = ", ".join(f"{K}:{'censored' if Q is None else Q}" for K, Q in curve["Q_star"].items())
    fl, fp = curve["fit_log"], curve["fit_power"]
    fit = "too few uncensored points to fit" if fl is None else (
        f"Q* = {fl['a']:.3g} + {fl['b']:.3g} ln K (R² {fl['r2']:.3f}); Q* = {fp['c']:.3g} K^{fp['alpha']:.3f} "
        f"(R² {fp['r2']:.3f})")
    return f"{curve['tokens']:8s} d {curve['d']:7s} {curve['error']:11s}  Q*(K) {qs}  | {fit}"


def plot(doc: dict, path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    Ks = doc["setup"]["Ks"]
    for ax, name in zip(axes, ("population", "worst value")):
        for c in (c for c in doc["curves"] if c["error"] == name):
            color = COLORS[(c["tokens"], c["d"])]
            pts = [(int(K), Q) for K, Q in c["Q_star"].items() if Q is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o", color=color, label=f"{c['tokens']} tokens, d {c['d']}")
            cens = [int(K) for K, Q in c["Q_star"].items() if Q is None]
            if cens:
                ax.scatter(cens, [max(doc["setup"]["Q_grid"]) * (1.3 if c["d"] == "fixed" else 1.6)] * len(cens),
                           marker="^", s=18, color=color)
        ax.plot(Ks, [doc["eq4_Q"][K] for K in Ks], "k--", label="Q eq. 4's bound asks for")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("K (number of values)")
        ax.set_title(f"smallest Q with simulated {name} error < 0.05 (v = {doc['setup']['v']})", fontsize=8)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("Q per value (^: not reached on the grid)")
    fig.tight_layout()
    save_png(fig, path)


def write(doc: dict, out_dir) -> tuple[Path, Path]:
    out = Path(out_dir)
    js = write_doc(out / "scaling.json", doc)
    plot(doc, out / "scaling.png")
    return js, out / "scaling.png"

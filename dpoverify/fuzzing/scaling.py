"""The empirical scaling law of Section 4.2, with the noise held fixed (issue 5, item 6).

For each number of values K the simulator finds Q*(K), the smallest integer Q per value at which
the simulated error at tau_1 = K tau log 3 / (5 beta^2) (Theorem 4.2) falls below 0.05, averaged
over ``seeds`` training sets, for two errors -- the population risk (Definition 3.1, exact) and
the risk of the worst single value -- and four set-ups: distinct answer tokens per value vs one
shared answer-token pair for all values (the paper's Yes/No experiments), d fixed vs d growing
with K (d = 8K). The noise v is fixed (it does not shrink with Q as the theorems'
v <= 1/(32 sqrt Q) does). Q* is found by bisection over the integers 1..Q_max (the error is taken
as decreasing in Q; every evaluation is recorded); where Q_max does not reach 0.05, Q* is reported
as censored (> Q_max).

Each curve with >= 3 uncensored points is compared against four models of Q*(K), fitted by least
squares on the Q scale (:func:`compare_models`): constant, a + b ln K (the Theta(log K) of
Section 4.2), a + b K, and c K^alpha, with 95% t-intervals on the parameters and AICc (small n);
the best by AICc names the shape, and the curve is called flat when that is the constant or the
interval of its growth parameter contains 0. Beside them the Q that eq. 4's bound asks for, the
smallest Q >= 40 with 2 K Q^2 e^{-Q/45} < 0.05 (K enters eq. 4 only through the union bound's
factor 2KQ^2).

``scaling.json`` (schema ``dpoverify.scaling/1``)::

    {"schema", "tool_version", "profile", "seed", "created", "provenance",
     "setup": {"v", "l_b", "beta", "tau", "Z", "threshold", "horizon", "Ks", "Q_grid": [1, Q_max], "Q_search",
               "seeds", "d_fixed", "d_growing"},
     "eq4_Q": {K: Q},
     "curves": [{"tokens": "distinct"|"shared", "d": "fixed"|"growing", "error": "population"|"worst value",
                 "Q_star": {K: Q or null}, "censored": {K: bool},
                 "models": {"n", "resolution", "criterion": "AICc", "selected", "also_supported", "flat",
                            "shape", "models": [{"model", "formula", "params", "interval95", "rss", "r2",
                                                 "aicc", "delta_aicc"}]}|null,
                 "fit_log": {"a", "b", "r2", "interval95"}|null,            (the log K model of "models")
                 "fit_power": {"c", "alpha", "r2", "interval95"}|null}],    (the power law of "models")
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
SIZES = {"quick": ((1, 2, 4, 8, 16), 64, 2), "ci": ((1, 2, 4, 8, 16, 32), 256, 3)}  # Ks, max Q, seeds
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


def q_star(err: Errors, K: int, which: int, qmax: int) -> int | None:
    """Smallest integer Q in 1..qmax with error < THRESHOLD (bisection, the error taken as
    decreasing in Q); None if qmax does not reach it."""
    if err(K, qmax)[which] >= THRESHOLD:
        return None
    lo, hi = 0, qmax  # error(hi) < threshold; lo is not known to be (0: below every Q)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if err(K, mid)[which] < THRESHOLD:
            hi = mid
        else:
            lo = mid
    return hi


MODELS = ("constant", "log K", "linear in K", "power law")
GROWTH = {"log K": "b", "linear in K": "b", "power law": "alpha"}  # the parameter that makes Q* grow
FORMULA = {"constant": "Q* = a", "log K": "Q* = a + b ln K", "linear in K": "Q* = a + b K",
           "power law": "Q* = c K^α"}
SUPPORT = 2.0  # models within this many AICc units of the best are reported as also supported


def _design(model: str, K: np.ndarray) -> np.ndarray:
    one = np.ones_like(K)
    return {"constant": one[:, None], "log K": np.column_stack([one, np.log(K)]),
            "linear in K": np.column_stack([one, K])}[model]


def _least_squares(model: str, K: np.ndarray, Q: np.ndarray) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """(parameters, fitted Q, Jacobian at the fit); least squares on the Q scale for every model."""
    if model == "power law":
        from scipy.optimize import curve_fit

        alpha0, lnc0 = np.polyfit(np.log(K), np.log(Q), 1)
        (c, alpha), _ = curve_fit(lambda k, c, a: c * k ** a, K, Q, p0=(math.exp(lnc0), alpha0), maxfev=10_000)
        fitted = c * K ** alpha
        return {"c": float(c), "alpha": float(alpha)}, fitted, np.column_stack([K ** alpha, fitted * np.log(K)])
    X = _design(model, K)
    coef = np.linalg.lstsq(X, Q, rcond=None)[0]
    names = ("a",) if model == "constant" else ("a", "b")
    return dict(zip(names, map(float, coef))), X @ coef, X


def compare_models(points: dict[int, float | None], resolution: float = 0.0) -> dict[str, Any] | None:
    """Least-squares fits of Q*(K) by MODELS on the Q scale, each with 95% t-intervals on its
    parameters and AICc (Gaussian errors, the variance estimated; k counts it). ``resolution``: the
    width of the cell each Q* is known to (1 for an integer search); the error variance is taken
    no smaller than resolution^2/12, so an exact fit to quantized data is not infinitely likely.

    The selected model is the best by AICc (others within SUPPORT units are listed as also
    supported); the curve is "flat" when it is the constant, or when the interval of its growth
    parameter (b, or alpha) contains 0 -- but not resolved (flat None) when the constant is best
    while some growth model's interval lies above 0. None with fewer than 3 uncensored points; with 3 or 4 the
    fits are listed but nothing is selected (AICc needs n > k + 1, k = 3 for the 2-parameter
    models). A fit that does not converge is listed with its error and left out of the ranking."""
    from scipy import stats

    pts = sorted((K, Q) for K, Q in points.items() if Q is not None)
    if len(pts) < 3:
        return None
    K = np.array([p[0] for p in pts], float)
    Q = np.array([p[1] for p in pts], float)
    n = len(pts)
    floor = max(resolution ** 2 / 12, 1e-12 * float(np.mean(Q ** 2)))
    models = []
    for name in MODELS:
        try:
            params, fitted, J = _least_squares(name, K, Q)
        except RuntimeError as exc:  # curve_fit gave up: the model is listed, not compared
            models.append({"model": name, "formula": FORMULA[name], "error": str(exc), "aicc": None})
            continue
        p = len(params)
        rss = float(((Q - fitted) ** 2).sum())
        sigma2 = max(rss / n, floor)  # ML variance, not below the quantization
        log_l = -0.5 * n * (math.log(2 * math.pi * sigma2) + rss / (n * sigma2))
        k = p + 1
        aicc = -2 * log_l + 2 * k + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else None
        intervals = {}
        if n > p:
            s2 = max(rss / (n - p), floor)
            cov = s2 * np.linalg.pinv(J.T @ J)
            half = stats.t.ppf(0.975, n - p) * np.sqrt(np.diag(cov))
            intervals = {q: [v - h, v + h] for (q, v), h in zip(params.items(), map(float, half))}
        ss = float(((Q - Q.mean()) ** 2).sum())
        models.append({"model": name, "formula": FORMULA[name], "params": params, "interval95": intervals,
                       "rss": rss, "r2": 1 - rss / ss if ss > 0 else 1.0, "aicc": aicc})
    if n < 5:
        return {"n": n, "resolution": resolution, "criterion": "AICc", "models": models, "selected": None,
                "also_supported": [], "flat": None,
                "shape": f"not resolved: {n} points (AICc needs 5 for 2-parameter models)"}
    ranked = [m for m in models if m["aicc"] is not None]
    best = min(ranked, key=lambda m: m["aicc"])
    for m in ranked:
        m["delta_aicc"] = m["aicc"] - best["aicc"]
    growth = GROWTH.get(best["model"])
    iv = best["interval95"].get(growth) if growth else None
    flat = growth is None or (iv is not None and iv[0] <= 0 <= iv[1])
    also = [m["model"] for m in ranked if m is not best and m["delta_aicc"] <= SUPPORT]
    shape = _shape(best, flat)
    rising = [m for m in ranked if m["model"] in GROWTH and m["interval95"][GROWTH[m["model"]]][0] > 0]
    if best["model"] == "constant" and rising:  # the criterion and the intervals disagree: say so
        m = rising[0]
        lo, hi = m["interval95"][GROWTH[m["model"]]]
        flat, shape = None, f"not resolved: constant best by AICc; {m['model']} slope {lo:.2g} to {hi:.2g}"
    return {"n": n, "resolution": resolution, "criterion": "AICc", "models": models, "selected": best["model"],
            "also_supported": also, "flat": flat, "shape": shape}


def _shape(m: dict, flat: bool) -> str:
    """What the best model says about growth, in words."""
    if flat:
        return "flat" if m["model"] == "constant" else f"flat (the {m['model']} slope's interval contains 0)"
    if m["interval95"][GROWTH[m["model"]]][1] < 0:
        return f"falls as K grows ({m['model']})"
    if m["model"] == "power law":
        lo, hi = m["interval95"].get("alpha", [math.nan, math.nan])
        return f"grows like K^{m['params']['alpha']:.2f}" + (" (exponent's interval contains 1)" if lo <= 1 <= hi else "")
    return {"log K": "grows like log K", "linear in K": "grows linearly in K"}[m["model"]]


def fits(cmp: dict | None) -> tuple[dict | None, dict | None]:
    """The log-K and power-law models of a comparison alone, in the shape earlier readers of
    scaling.json expect ("fit_log", "fit_power"); None where absent or not converged."""
    by = {m["model"]: m for m in (cmp or {}).get("models", []) if "params" in m}

    def one(name):
        m = by.get(name)
        return None if m is None else {**m["params"], "r2": m["r2"], "interval95": m["interval95"]}

    return one("log K"), one("power law")


def scaling(profile: Profile, seed: int, on_curve: Callable[[dict], None] = lambda c: None) -> dict[str, Any]:
    Ks, qmax, n_seeds = SIZES.get(profile.name, THOROUGH)
    d_fixed = max(64, 2 * max(Ks) + 1)
    seeds = derive_seeds(seed, n_seeds)
    evaluations: list[dict] = []
    curves = []
    for tokens in ("distinct", "shared"):
        for d_mode in ("fixed", "growing"):
            err = Errors(tokens, d_mode, d_fixed, seeds, evaluations)
            for which, name in ((0, "population"), (1, "worst value")):
                q = {K: q_star(err, K, which, qmax) for K in Ks}
                cmp = compare_models(q, resolution=1.0)  # Q* is an integer: known to a cell of width 1
                fit_log, fit_power = fits(cmp)
                curve = {"tokens": tokens, "d": d_mode, "error": name, "Q_star": q,
                         "censored": {K: v is None for K, v in q.items()},
                         "models": cmp, "fit_log": fit_log, "fit_power": fit_power}
                curves.append(curve)
                on_curve(curve)
    return {"schema": SCALING_SCHEMA, "tool_version": __version__, "profile": profile.name, "seed": seed,
            "created": now(), "provenance": provenance(),
            "setup": {"v": V_FIXED, "l_b": 0.25, "beta": 1.0, "tau": 1.0, "Z": 1, "threshold": THRESHOLD,
                      "horizon": "tau_1 = K tau log 3 / (5 beta^2)", "Ks": list(Ks), "Q_grid": [1, qmax],
                      "Q_search": "integers 1..Q_max by bisection", "seeds": seeds, "d_fixed": d_fixed,
                      "d_growing": "8K"},
            "eq4_Q": {K: eq4_q(K) for K in Ks}, "curves": curves, "evaluations": evaluations}


def _num(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def describe(curve: dict, qmax: int | None = None) -> list[str]:
    """Lines (each < 80 columns) saying what a curve's Q*(K) shows: the best model by AICc, its
    parameters with 95% intervals, the other models' ΔAICc. ``qmax``: the largest Q tried."""
    over = f">{qmax}" if qmax else ">Q_max"
    qs = ", ".join(f"{K}:{over if Q is None else Q}" for K, Q in curve["Q_star"].items())
    head = [f"{curve['tokens']} tokens, d {curve['d']}, {curve['error']} error", f"  Q*(K) {qs}"]
    cmp = curve.get("models")
    if cmp is None:
        return head + ["  too few uncensored points (< 3) to compare models"]
    if cmp["selected"] is None:
        return head + [f"  → {cmp['shape']}"]
    by = {m["model"]: m for m in cmp["models"]}
    best = by[cmp["selected"]]
    params = [f"{k} = {_num(v)} (95%: {_num(best['interval95'][k][0])} to {_num(best['interval95'][k][1])})"
              if k in best["interval95"] else f"{k} = {_num(v)}" for k, v in best["params"].items()]
    others = ", ".join(f"{m['model']} +{m['delta_aicc']:.1f}" if "delta_aicc" in m else f"{m['model']} (no fit)"
                       for m in cmp["models"] if m is not best)
    also = f"; also supported: {', '.join(cmp['also_supported'])}" if cmp["also_supported"] else ""
    return head + [f"  → {cmp['shape']}{also}", f"  best by AICc: {best['formula']} with {params[0]}",
                   *(f"    {p}" for p in params[1:]), f"  ΔAICc {others} (n = {cmp['n']})"]


def _predict(m: dict, K: np.ndarray) -> np.ndarray:
    """Q* of a fitted model at K (line drawn through the points in the plot)."""
    p = m["params"]
    if m["model"] == "power law":
        return p["c"] * K ** p["alpha"]
    return p["a"] + {"constant": 0 * K, "log K": p.get("b", 0) * np.log(K), "linear in K": p.get("b", 0) * K}[m["model"]]


def plot(doc: dict, path) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    Ks = doc["setup"]["Ks"]
    for ax, name in zip(axes, ("population", "worst value")):
        for c in (c for c in doc["curves"] if c["error"] == name):
            color = COLORS[(c["tokens"], c["d"])]
            pts = [(int(K), Q) for K, Q in c["Q_star"].items() if Q is not None]
            cmp = c.get("models") or {}
            shape = f" ({cmp['shape'].split(':')[0].split(' (')[0]})" if cmp.get("shape") else ""
            if pts:
                ax.plot(*zip(*pts), marker="o", ls="none", color=color,
                        label=f"{c['tokens']} tokens, d {c['d']}{shape}")
            best = next((m for m in cmp.get("models", []) if m["model"] == cmp.get("selected")), None)
            if best is not None and len(pts) >= 2:
                grid = np.geomspace(min(p[0] for p in pts), max(p[0] for p in pts), 50)
                ax.plot(grid, _predict(best, grid), color=color, lw=1)
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
    axes[0].set_ylabel("Q per value (^: not reached by the largest Q)")
    fig.tight_layout()
    save_png(fig, path)


def write(doc: dict, out_dir) -> tuple[Path, Path]:
    out = Path(out_dir)
    js = write_doc(out / "scaling.json", doc)
    plot(doc, out / "scaling.png")
    return js, out / "scaling.png"

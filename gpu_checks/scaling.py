"""How DPO's margins and test error scale with the number of values K (Figure 5, Section 5).

Theorem 4.2 bounds every training margin between β² t / (8 K τ) and 5 β² t / (K τ) for t <= τ_1:
the margin growth rate falls like 1/K. Theorem 4.3 bounds the test error by 2 K Q² e^{-Q/45},
linear in K at fixed Q; the paper fits test error against K with R² 0.97 / 0.95 / 0.99.
"""
from __future__ import annotations

import numpy as np
from scipy import stats


def margin_rate(log: list[dict]) -> float:
    """Least-squares slope of the train reward margin against step over the first half of the run."""
    last = log[-1]["step"]
    pts = [(e["step"], e["train"]["rewards/margins"]) for e in log if e["step"] <= last / 2]
    if len(pts) < 2:
        pts = [(e["step"], e["train"]["rewards/margins"]) for e in log]
    s, m = np.array(pts, dtype=float).T
    return float(np.polyfit(s, m, 1)[0])


CI_LEVEL = 0.95


def _fit(x: np.ndarray, y: np.ndarray) -> dict:
    """Least squares y = intercept + slope x (scipy.stats.linregress) with a t interval for the slope:
    slope ± t_{n-2} stderr -- it assumes independent Gaussian residuals, and with n = 5 values of K
    it rests on 3 degrees of freedom."""
    if len(x) < 3 or np.ptp(y) == 0:
        return {"slope": None, "intercept": None, "r2": None, "stderr": None, "ci95": None}
    fit = stats.linregress(x, y)
    t = stats.t.ppf((1 + CI_LEVEL) / 2, len(x) - 2)
    return {"slope": fit.slope, "intercept": fit.intercept, "r2": fit.rvalue ** 2, "stderr": fit.stderr,
            "ci95": [fit.slope - t * fit.stderr, fit.slope + t * fit.stderr], "n_points": len(x),
            "ci_method": f"t interval, scipy.stats.linregress stderr, {len(x) - 2} degrees of freedom "
                         f"from {len(x)} values of K"}


def summarize(runs: dict[str, dict]) -> dict:
    """The ``scaling`` block from finished runs (keys are K as strings)."""
    ks = sorted(int(k) for k in runs)
    rate = np.array([runs[str(k)]["margin_rate"] for k in ks])
    err = np.array([runs[str(k)]["final"]["test"]["error"] for k in ks])
    out = {"k": ks, "margin_rate": rate.tolist(), "test_error": err.tolist(),
           "rate_fit": None, "trend": None, "error_fit_linear": None, "error_fit_logk": None}
    if len(ks) < 3:
        return out
    logk = np.log(np.array(ks, dtype=float))
    tau, p = stats.kendalltau(ks, rate, alternative="less", method="exact")
    out["trend"] = {"test": "Kendall tau, exact permutation p, one-sided (rate decreases with K)",
                    "tau": float(tau), "p_one_sided": float(p),
                    "strictly_decreasing": bool(np.all(np.diff(rate) < 0))}
    if np.all(rate > 0):
        f = _fit(logk, np.log(rate))
        if f["slope"] is not None:
            out["rate_fit"] = {"exponent": f["slope"], "intercept": f["intercept"], "r2": f["r2"],
                               "stderr": f["stderr"], "ci95": f["ci95"], "ci_method": f["ci_method"],
                               "n_points": f["n_points"], "model": "log rate = intercept + exponent * log K"}
    out["error_fit_linear"] = _fit(np.array(ks, dtype=float), err)
    out["error_fit_logk"] = _fit(logk, err)
    return out

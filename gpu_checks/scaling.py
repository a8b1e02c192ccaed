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


BOOTSTRAP_RESAMPLES = 2000


def _draws(run: dict) -> list[dict]:
    """Every trained draw of one K (results files before draws: the run itself)."""
    return run.get("draws") or [run]


def _bootstrap(samples: list[np.ndarray], statistic, seed: int) -> list[float] | None:
    """95% percentile interval of ``statistic(*samples)`` resampling the draws of each K
    independently (scipy.stats.bootstrap, one sample per K); None when some K has one draw."""
    if any(len(x) < 2 for x in samples):
        return None
    res = stats.bootstrap(tuple(samples), statistic, vectorized=False, paired=False, method="percentile",
                          n_resamples=BOOTSTRAP_RESAMPLES, confidence_level=CI_LEVEL,
                          random_state=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return [float(lo), float(hi)]


def _r2(ks: np.ndarray, y: np.ndarray) -> float:
    return float(stats.linregress(ks, y).rvalue ** 2) if np.ptp(y) > 0 else 0.0


def summarize(runs: dict[str, dict], seed: int = 0) -> dict:
    """The ``scaling`` block from finished runs (keys are K as strings), judged from all draws.

    Per K the rate and test error are the means over its draws. With R >= 2 draws per K the fits
    carry bootstrap intervals over draws (``draws_ci``): the exponent, the linear slope and R² of
    error against K, and K·rate's max/min ratio; the rate trend is Kendall's τ over every
    (K, draw) pair. With one draw per K the intervals are the t intervals of the fits, as before."""
    ks = sorted(int(k) for k in runs)
    rate_d = [np.array([d["margin_rate"] for d in _draws(runs[str(k)])], dtype=float) for k in ks]
    err_d = [np.array([d["final"]["test"]["error"] for d in _draws(runs[str(k)])], dtype=float) for k in ks]
    rate = np.array([x.mean() for x in rate_d])
    err = np.array([x.mean() for x in err_d])
    n_draws = [len(x) for x in rate_d]
    out = {"k": ks, "margin_rate": rate.tolist(), "test_error": err.tolist(), "draws": n_draws,
           "margin_rate_draws": [x.tolist() for x in rate_d], "test_error_draws": [x.tolist() for x in err_d],
           "rate_fit": None, "trend": None, "error_fit_linear": None, "error_fit_logk": None, "band": None}
    if len(ks) < 3:
        return out
    logk = np.log(np.array(ks, dtype=float))
    kf = np.array(ks, dtype=float)
    pooled_k = np.concatenate([[k] * n for k, n in zip(ks, n_draws)])
    pooled_rate = np.concatenate(rate_d)
    ties = len(pooled_k) != len(ks)
    tau, p = stats.kendalltau(pooled_k, pooled_rate, alternative="less", method="asymptotic" if ties else "exact")
    out["trend"] = {"test": "Kendall tau, " + ("asymptotic p over every (K, draw) pair" if ties else "exact permutation p")
                    + ", one-sided (rate decreases with K)",
                    "tau": float(tau), "p_one_sided": float(p), "n_points": int(len(pooled_k)),
                    "strictly_decreasing": bool(np.all(np.diff(rate) < 0))}
    boot_method = (f"95% percentile bootstrap over draws (scipy.stats.bootstrap, {BOOTSTRAP_RESAMPLES} resamples, "
                   f"draws of each K resampled independently, seed {seed})")
    if np.all(rate > 0):
        f = _fit(logk, np.log(rate))
        if f["slope"] is not None:
            out["rate_fit"] = {"exponent": f["slope"], "intercept": f["intercept"], "r2": f["r2"],
                               "stderr": f["stderr"], "ci95": f["ci95"], "ci_method": f["ci_method"],
                               "n_points": f["n_points"], "model": "log rate = intercept + exponent * log K"}
            ci = _bootstrap(rate_d, lambda *x: stats.linregress(logk, np.log(np.maximum([m.mean() for m in x], 1e-300))).slope, seed)
            if ci is not None:
                out["rate_fit"].update(ci95=ci, ci_method=boot_method)
        kr = kf * rate
        out["band"] = {"k_times_rate": kr.tolist(), "ratio": float(kr.max() / kr.min()), "ci95": None}
        ci = _bootstrap(rate_d, lambda *x: (lambda v: v.max() / v.min() if v.min() > 0 else np.inf)(
            kf * np.array([m.mean() for m in x])), seed)
        if ci is not None:
            out["band"].update(ci95=ci, ci_method=boot_method)
    for key, x in (("error_fit_linear", kf), ("error_fit_logk", logk)):
        f = _fit(x, err)
        if f["slope"] is not None:
            slope_ci = _bootstrap(err_d, lambda *e, x=x: stats.linregress(x, [m.mean() for m in e]).slope, seed)
            r2_ci = _bootstrap(err_d, lambda *e, x=x: _r2(x, np.array([m.mean() for m in e])), seed)
            if slope_ci is not None:
                f.update(ci95=slope_ci, ci_method=boot_method, r2_ci95=r2_ci)
        out[key] = f
    return out

"""A simulator model of IPO's gradient flow, registered as the observable ``ipo_pair_flow``.

Model. n independent pairs, pair i preferred with probability p_i, drawn uniformly from (0, 1) by
the seed; a tabular policy sets each margin h_i freely, starting at the reference (h_i(0) = 0).
The expected IPO loss is (1/n) sum_i L_i(h_i), L_i(h) = p_i (h - 1/(2 beta))^2 + (1 - p_i)(h + 1/(2 beta))^2,
and gradient flow with time constant tau follows
    tau dh_i/dt = -n dL/dh_i = -L_i'(h_i) = -(2 h_i - (2 p_i - 1)/beta).
The observable integrates this system numerically (scipy's solve_ivp, RK45, rtol 1e-10) up to the
horizon; it does not use the closed form, which flow.py's property is checked against.

Regime keys: beta, tau (claim parameters) and n (the number of pairs, read here).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import dpoverify as dv

GRID_POINTS = 41


@dataclass(eq=False)
class PairFlow(dv.Observation):
    """t (len(t),), h (len(t), n) the margins along the flow, p (n,) the preference probabilities."""

    t: np.ndarray = None
    h: np.ndarray = None
    p: np.ndarray = None

    def summary(self) -> dict:
        return {"seed": self.seed, "horizon": self.horizon, "n": int(self.p.size),
                "max_abs_h": float(np.abs(self.h).max())}


def ipo_pair_flow(values, options, seed, horizon, loss) -> PairFlow:
    if loss != "ipo":
        raise ValueError(f"ipo_pair_flow simulates the IPO loss only (got loss={loss!r})")
    if horizon is None or not horizon > 0:
        raise ValueError(f"ipo_pair_flow needs a positive horizon (got {horizon})")
    beta, tau, n = values["beta"], values["tau"], int(round(values["n"]))
    rng = np.random.default_rng(int(seed))
    p = rng.uniform(0.0, 1.0, size=n)

    def rhs(_t, h):
        return -(2 * h - (2 * p - 1) / beta) / tau

    from scipy.integrate import solve_ivp  # here, not at import: loading the pack stays cheap

    t_eval = np.linspace(0.0, horizon, int(options.get("grid_points", GRID_POINTS)))
    sol = solve_ivp(rhs, (0.0, horizon), np.zeros(n), t_eval=t_eval, rtol=1e-10, atol=1e-12)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return PairFlow(dataset=None, seed=int(seed), horizon=horizon, t=sol.t, h=sol.y.T, p=p)


dv.register_observable("ipo_pair_flow", ipo_pair_flow, fields=("n",))
dv.register_axis("T", dv.Axis(dv.parse_value("1/10"), 10))  # horizons the fuzzer draws

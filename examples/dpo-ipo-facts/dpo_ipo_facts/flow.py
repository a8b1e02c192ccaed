"""IPO's gradient flow stays within its bound and converges to its minimiser.

With the model of model.py, tau dh_i/dt = -(2 h_i - (2 p_i - 1)/beta), h_i(0) = 0. This linear ODE
has the solution h_i(t) = h*_i (1 - exp(-2t/tau)) with h*_i = (p_i - 1/2)/beta (minimisers.py), so
along the whole flow
    (a) |h_i(t)| <= |h*_i| <= 1/(2 beta): IPO never pushes a margin past its bounded target, and
    (b) |h_i(T) - h*_i| = |h*_i| exp(-2T/tau): the distance to the minimiser decays at rate 2/tau.
The check compares the simulated trajectory with (a) and (b), each up to 1e-7 of the bound
1/(2 beta): the numerical integration (rtol 1e-10) is accurate to about 1e-9 of it, so only a real
violation exceeds the tolerance. Contrast with DPO, whose margins grow without bound
where p_i -> 1 (minimisers.py, step dpo-unbounded).
"""
import numpy as np
import sympy as sp

import dpoverify as dv

BETA = dv.Param("beta", dv.Domain(0, sp.oo, lo_closed=False), "regularisation temperature", "β")
TAU = dv.Param("tau", dv.Domain(0, sp.oo, lo_closed=False), "time constant of the gradient flow", "τ")
HORIZON = dv.Param("T", dv.Domain(0, sp.oo, lo_closed=False), "time the flow is followed to", "T")
TOL = 1e-7  # of the bound 1/(2 beta); the integration error is ~1e-9 of it


def bounded_and_converging(obs, params):
    """(holds, slack, detail): slack is the smallest room left by (a) and (b), in units of the
    bound 1/(2 beta), minus the tolerance."""
    beta, tau, T = params["beta"], params["tau"], obs.horizon
    target = (obs.p - 0.5) / beta
    bound = 1 / (2 * beta)
    room_a = (bound - np.abs(obs.h).max()) / bound + TOL
    expected = np.abs(target) * np.exp(-2 * T / tau)
    err = np.abs(obs.h[-1] - target)
    room_b = float(np.min((expected - err) / bound)) + TOL
    slack = min(float(room_a), room_b)
    return slack >= 0, slack, {"max_abs_h": float(np.abs(obs.h).max()), "bound": bound,
                               "max_final_distance": float(err.max()), "tolerance": TOL}


CLAIM = dv.Claim(
    id="ipo-flow",
    title="IPO's gradient flow is bounded by 1/(2 beta) and converges at rate 2/tau",
    source=dv.Source("Section 5.1 (IPO), gradient flow of eq. 17"),
    statement="Under gradient flow from the reference policy, every IPO margin stays within 1/(2 beta) and "
              "approaches (p - 1/2)/beta as exp(-2t/tau).",
    params=(BETA, TAU, HORIZON),
    obligations=(
        dv.Obligation("bounded-converging", dv.Kind.SIMULATION, "simulated flow within its bound, converging",
                      "eq. 17", dv.SimulationProperty(
                          regime={"beta": sp.Rational(1, 2), "tau": 1, "T": 3, "n": 16},
                          hypotheses=(),  # the domains say beta, tau, T > 0; nothing more is assumed
                          observable="ipo_pair_flow", loss="ipo",
                          horizon=sp.Symbol("T"),  # a plain sympy symbol: dpoverify reads it by name
                          check=bounded_and_converging)),
    ),
)

"""Expressions shared by the claims of Appendix C (approximately orthogonal clusters) and the
Section 7 no-flip claim, each defined once in the paper's notation (arXiv 2408.03459v5).

Proof-step variables that are not parameters of the paper (angles, sums of sigma(-r), Gaussian
projections) are declared here as :class:`Param` with the domain the proof gives them.
"""
import sympy as sp

from dpoverify.claims import Domain, Param
from theorems import _appendix_b as ab
from theorems import _notation as nt

S = nt.SYM
K, Q, N, d, v, l_b, Z, beta, tau, eps, delta, c, t = (
    S[n] for n in ("K", "Q", "N", "d", "v", "l_b", "Z", "beta", "tau", "eps", "delta", "c", "t"))
R = sp.Rational
LOG3 = sp.log(3)

# ------------------------------------------------------------------ parameters, as the theorems narrow them
L_B_C5 = nt.l_b.restrict(lo=R(1, 4), hi=R(1, 2))  # 1/2 >= l_b >= 1/4 (Theorems C.5, C.6)
L_B_HALF = nt.l_b.restrict(hi=R(1, 2))  # l_b <= 1/2 (Lemma C.3)
L_B_ONE = nt.l_b.restrict(hi=1)  # l_b <= 1 (Lemma C.4 as printed)

# ------------------------------------------------------------------ proof-step variables
gamma = Param("gamma", Domain(0, 1), "<c_i, e_{c_i}> for a unit c_i (WLOG >= 0, Lemma C.2's proof)", "γ")
# Angles: rational boxes inside [0, pi/2] and [0, pi]; the hypotheses (cos xi >= 31/32) keep every
# admissible configuration far inside them (xi < 0.26, theta in [pi/2 - 0.51, pi/2 + 0.51]).
xi_1 = Param("xi_1", Domain(0, R(3, 2)), "angle between c_{i1} and e_{c_{i1}}", "ξ₁")
xi_2 = Param("xi_2", Domain(0, R(3, 2)), "angle between c_{i2} and e_{c_{i2}}", "ξ₂")
theta = Param("theta", Domain(0, 3), "angle between c_{i1} and c_{i2}", "θ")
# The alpha-event Lemma C.3 leaves implicit, made explicit as the domain: |alpha| <= 3/2 per sample
# (the weakest per-sample bound for which (59) <= eps v/2 at delta = eps v/8, l_b = 1/2).
ALPHA_MAX = R(3, 2)
alpha_j = Param("alpha_j", Domain(0, ALPHA_MAX), "|projection of x_j's Gaussian part on a deviation direction|", "|α_j|")
alpha_k = Param("alpha_k", Domain(0, ALPHA_MAX), "|projection of x_k's Gaussian part on a deviation direction|", "|α_k|")
# Deviations as fractions of the bounds the proof has for them (|u| <= 1).
u_b = Param("u_b", Domain(-1, 1), "a dot product's deviation from its mean, as a fraction of its earlier bound")
u_x = Param("u_x", Domain(-1, 1), "the added deviation, as a fraction of its bound")
S_i = Param("S_i", Domain(0, integer=True), "|S_i|, the values sharing a token with value i (<= Z, Lemma B.2)")
# sigma(-r) while 0 <= r <= log 3 (every training margin, until tau_s; Theorem B.3's argument)
SIGMA_RANGE = Domain(R(1, 4), R(1, 2))
s_lo = Param("s_lo", SIGMA_RANGE, "min_k sigma(-r_k), until tau_s")
s_hi = Param("s_hi", SIGMA_RANGE, "max_k sigma(-r_k), until tau_s")
s_j = Param("s_j", SIGMA_RANGE, "sigma(-r_j) of the sample itself, until tau_s")
# Cluster sums sum_m sigma(-r_m) (Q terms) written as Q times their mean; 0 <= r_m <= log 3 until tau_1.
m_same = Param("m_same", Domain(R(1, 4), R(1, 2)), "mean of sigma(-r_m) over the test sample's own cluster", "Σ⁺/Q")
m_opp = Param("m_opp", Domain(R(1, 4), R(1, 2)), "mean of sigma(-r_m) over the opposite cluster of its value", "Σ⁻/Q")
p_w = Param("p_w", Domain(0, 1, lo_closed=False), "pi_theta(y_w | x)", "π_θ(y_w)")
p_l = Param("p_l", Domain(0, 1, lo_closed=False), "pi_theta(y_l | x)", "π_θ(y_l)")
q_w = Param("q_w", Domain(0, 1, lo_closed=False), "pi_ref(y_w | x)", "π_ref(y_w)")
q_l = Param("q_l", Domain(0, 1, lo_closed=False), "pi_ref(y_l | x)", "π_ref(y_l)")
R_max = Param("R_max", Domain(0, lo_closed=False), "an upper bound on the reward margin at the end of training")
SY = {p.name: p.symbol for p in (gamma, xi_1, xi_2, theta, alpha_j, alpha_k, u_b, u_x, S_i,
                                 s_lo, s_hi, s_j, m_same, m_opp, p_w, p_l, q_w, q_l, R_max)}

# ------------------------------------------------------------------ Definition C.1, Lemma C.2
COS_BOUND = 1 - delta**2 / 8  # |<c_i, e_{c_i}>| >= 1 - delta^2/8
WORST_49 = sp.sin(2 * sp.acos(COS_BOUND))  # eq. 49, first form
WORST_49_ALG = 2 * COS_BOUND * sp.sqrt(1 - COS_BOUND**2)  # eq. 49, second form
MID_50 = 2 * sp.sqrt(delta**2 / 4 - delta**4 / 64)  # eq. 50, middle term
ANGLES_49 = (  # the configuration of Lemma C.2's proof, as inequalities over the angles
    sp.cos(SY["xi_1"]) >= COS_BOUND,
    sp.cos(SY["xi_2"]) >= COS_BOUND,
    SY["theta"] >= sp.pi / 2 - SY["xi_1"] - SY["xi_2"],  # spherical triangle inequality,
    SY["theta"] <= sp.pi / 2 + SY["xi_1"] + SY["xi_2"],  # e_{c_i1} orthogonal to e_{c_i2}
)

# ------------------------------------------------------------------ Lemma C.3
DELTA_HYP = (delta <= eps * v / 8, delta <= R(1, 4))  # delta <= min(eps v / 8, 1/4)
ALPHA_SUM = SY["alpha_j"] + SY["alpha_k"]
DEV_59 = 2 * delta + delta * l_b + delta / 2 * ALPHA_SUM  # eq. 59, cross-value pairs
DEV_SAME = l_b * delta + delta / 2 * ALPHA_SUM  # "l_b delta + delta alpha", same-value pairs

E16 = sp.exp(-eps**2 / 16)
BERN = sp.exp(-(c * eps / v) * sp.Min(1, eps / (d * v)))  # Bernstein term with its constant c
FAIL_C = (16 * Z + 8) * K * Q**2 * E16 + (8 * Z + 4) * K * Q**2 * BERN  # Lemmas C.3-C.4, C.5, C.6

# ------------------------------------------------------------------ Lemma C.4, Theorem C.5
ERR_B2 = (2 * Z + 4) * eps * v + l_b**2 * Z  # eq. 14/18
ERR_C4 = (R(5, 2) * Z + 5) * eps * v + l_b**2 * Z  # eq. 61
ERR_C6 = (R(7, 2) * Z + 7) * eps * v + l_b**2 * Z  # eq. 72

HYP_C5 = (  # Theorems C.5 and C.6, relations between parameters (l_b's box is L_B_C5)
    Z <= 1 / (4 * l_b**2),
    d <= 5 * Q,
    v <= 1 / (4 * sp.sqrt(Q)),
    eps <= 1 / (16 * v * (Z + 2)),
    *DELTA_HYP,
)
C5_PARAMS = (nt.Z, nt.d, nt.Q, nt.v, nt.eps, L_B_C5, nt.delta)

TAU_1 = N * tau * LOG3 / (10 * Q * beta**2)  # eqs. 19, 62
RL_C5 = Q * beta**2 / (8 * N * tau) * t  # Theorem C.5
RU_C5 = 10 * Q * beta**2 / (N * tau) * t  # Theorem C.5 (B.3's eq. 33)


def lower_bound_22(err):
    """(22) with Lemma C.4's error factor ``err``: tau dr_j/dt >= this, per unit beta^2."""
    sl, sh, sj = SY["s_lo"], SY["s_hi"], SY["s_j"]
    return (2 * Q * (1 + l_b**2) * beta**2 / N * sl + 2 * Q * (1 - l_b**2) * beta**2 / N * sl
            + 2 * d * v**2 * beta**2 / N * sj - 2 * beta**2 * Q / N * err * sh)


def upper_bound_24(err):
    """(24) with error factor ``err``: tau dr_j/dt <= this."""
    sh, sj = SY["s_hi"], SY["s_j"]
    return (2 * Q * (1 + l_b**2) * beta**2 / N * sh + 2 * Q * (1 - l_b**2) * beta**2 / N * sh
            + 2 * d * v**2 * beta**2 / N * sj + 2 * beta**2 * Q / N * err * sh)


CITED_25_26 = (Z <= 1 / (4 * l_b**2), eps <= 1 / (16 * v * (Z + 2)))  # "as Z <= 1/(4l_b^2) and eps <= ..."
SIGMA_UNTIL_TAU_S = (SY["s_lo"] <= SY["s_j"], SY["s_j"] <= SY["s_hi"])  # min <= sigma_j <= max

# ------------------------------------------------------------------ Theorem C.6
RISK_BOUND = 2 * K * Q**2 * sp.exp(-eps**2 / (2 * (2 + d * v**2 + eps * v)))  # eqs. 35, 63, 75
RISK_TAIL_C6 = 2 * K * Q**2 * sp.exp(-eps**2 / (2 * (1 + l_b**2 + d * v**2 + R(5, 2) * eps * v)))


def lower_bound_73(sign):
    """(73) with the sign the paper prints (-1) or the one (72) gives (+1) before 2(1 - l_b^2)."""
    return (2 * (1 + l_b**2) * beta**2 / N * Q * SY["m_same"]
            + sign * 2 * (1 - l_b**2) * beta**2 / N * Q * SY["m_opp"]
            - 2 * beta**2 * Q / N * ERR_C6 * SY["s_hi"])


LOWER_74 = Q * beta**2 / N - beta**2 * Q / N * ERR_C6  # eq. 74
SUMS_UNTIL_TAU_1 = (SY["m_same"] <= SY["s_hi"], SY["m_opp"] <= SY["s_hi"])  # means <= max

# ------------------------------------------------------------------ main-text substitutions
main_text = ab.at_main_text  # eps = 1/(16v(Z+2)), then d = 5Q, v = 1/(32 sqrt Q), N = 2KQ
MAIN_SUBS_TEXT = ab.SUBSTITUTIONS

# ------------------------------------------------------------------ Section 7
MARGIN = beta * (sp.log(SY["p_w"] / SY["p_l"]) - sp.log(SY["q_w"] / SY["q_l"]))  # eq. 1's reward margin

# ------------------------------------------------------------------ simulation (Theorems C.5, C.6)
SIM_REGIME = {  # CPU-sized, delta at the largest value the hypotheses allow (eps at its maximum)
    "K": 2, "Q": 40, "d": "5*Q", "v": "1/(32*sqrt(Q))", "l_b": "1/4", "Z": 1, "beta": 1, "tau": 1,
    "eps": "1/(16*v*(Z+2))", "delta": "eps*v/8", "c": 1,
}
SIM_HYPOTHESES = (*HYP_C5, l_b >= R(1, 4), l_b <= R(1, 2))
SOLVER_SLACK = 1e-6  # relative violations below this are within the ODE solver's error control (rtol 1e-8)


def lemma_c3_event(dataset, params) -> tuple[bool, float]:
    """Whether the sampled kernel satisfies Lemma C.3's (51)-(55) (the event C.5/C.6's proofs
    condition on), and the smallest slack of those bounds in units of eps v."""
    import numpy as np

    from dpoverify.fuzzing.observables import pair_masks
    from dpoverify.simulator import kernel

    C, m = kernel(dataset), pair_masks(dataset)
    p = params
    ev, lb2, dv2 = p["eps"] * p["v"], p["l_b"] ** 2, p["d"] * p["v"] ** 2
    slack = [5 * ev - np.abs(np.diag(C) - 2 * (1 + lb2 + dv2)),
             5 * ev - np.abs(C[m["same"]] - 2 * (1 + lb2)),
             5 * ev - np.abs(C[m["opposite"]] - 2 * (1 - lb2)),
             lb2 + 2.5 * ev - np.abs(C[m["shared"]])]
    worst = min(float(s.min()) for s in slack if s.size)
    return worst >= 0, worst / ev


def trajectory_check(on_event: bool):
    """check(obs, params) for Theorem C.5: r^L(t) <= r_i(t) <= r^U(t) on (0, tau_1] and
    log3/80 <= r_i(tau_1) <= log 3 (slack: the smallest gap, relative to r^U(t) resp. log 3);
    with ``on_event``, only draws where Lemma C.3's event occurred are judged."""
    import math

    import numpy as np

    def check(obs, params):
        detail = {}
        if on_event:
            occurred, ev_slack = lemma_c3_event(obs.dataset, params)
            detail["lemma_c3_event"], detail["event_slack_eps_v"] = occurred, ev_slack
            if not occurred:
                return True, math.inf, detail | {"judged": False}
        N = 2 * params["K"] * params["Q"]
        scale = params["Q"] * params["beta"] ** 2 / (N * params["tau"])
        ts, r = obs.t[1:], obs.r[1:]  # t = 0: r = r^L = r^U = 0 by construction
        lo, hi = scale * ts / 8, 10 * scale * ts
        l3 = math.log(3)
        gaps = {  # relative to r^U(t) on the trajectory, to log 3 at tau_1
            "r >= r^L": ((r - lo[:, None]) / hi[:, None]).min(),
            "r <= r^U": ((hi[:, None] - r) / hi[:, None]).min(),
            "r(tau_1) >= log3/80": (obs.final.min() - l3 / 80) / l3,
            "r(tau_1) <= log 3": (l3 - obs.final.max()) / l3}
        name, worst = min(gaps.items(), key=lambda kv: kv[1])
        detail |= {"judged": True, "tightest": name, "gaps": {k: float(g) for k, g in gaps.items()},
                   "final_min": float(np.min(obs.final)), "final_max": float(np.max(obs.final))}
        return bool(worst >= -SOLVER_SLACK), float(worst), detail

    return check


def risk_check(on_event: bool):
    """check(obs, params) for Theorem C.6: log R(P) <= log of eq. 63's bound (slack in nats)."""
    import math

    def check(obs, params):
        detail = {}
        if on_event:
            occurred, ev_slack = lemma_c3_event(obs.dataset, params)
            detail["lemma_c3_event"], detail["event_slack_eps_v"] = occurred, ev_slack
            if not occurred:
                return True, math.inf, detail | {"judged": False}
        p = params
        log_bound = (math.log(2 * p["K"] * p["Q"] ** 2)
                     - p["eps"] ** 2 / (2 * (2 + p["d"] * p["v"] ** 2 + p["eps"] * p["v"])))
        slack = log_bound - obs.log_risk
        detail |= {"judged": True, "log_risk": obs.log_risk, "log_bound": log_bound,
                   "bound_vacuous": log_bound >= 0}
        return bool(slack >= 0), float(slack), detail

    return check

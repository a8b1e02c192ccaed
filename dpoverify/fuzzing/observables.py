"""Observables: what a SimulationProperty's ``check(observation, params)`` receives.

Each observable samples the training set of Section 3 at a regime with one seed
(``dpoverify.simulator``), runs what it needs and returns an :class:`Observation` subclass.
``params`` (a :class:`Params`) maps every parameter name to a float, with the exact values in
``params.exact`` and the horizon, if any, under ``params["horizon"]``.

train_margins    TrainMargins: r (len(t), N) on ``grid_points`` evenly spaced times 0..horizon of
                 the flow of eq. 3 (loss of the spec: dpo / ipo / slic), ``final`` = r(horizon).
population_risk  Risk: the exact population risk (Definition 3.1) of the implicit reward model at
                 the horizon, overall and for the worst single value, in log space
                 (``log_risk``, ``log_worst``; ``risk``/``worst`` are their exp, 0 below 1e-308).
kernel           Kernel: the dense kernel C of eq. 3 (N, N) and boolean masks of the pair classes of
                 Lemma B.1: ``diag`` (j = k), ``same`` (same cluster, j != k), ``opposite`` (the two
                 clusters of one value), ``shared`` (different values whose response sets share a
                 token), ``disjoint`` (different values, no common token).
flow_residual    FlowResidual: along the trajectory, ``rate`` = tau dr_j/dt (exact, eq. 3),
                 ``phi`` = -f'(r) (sigma(-r) for DPO), and ``residual`` = rate minus the
                 within-value mean field of Lemma B.2,
                 (beta^2/N)[2(1+l_b^2) S_same + 2(1-l_b^2) S_opp + 2 d v^2 phi_j], where S_same and
                 S_opp sum phi over the sample's own cluster and the opposite cluster of its value;
                 ``max_phi`` (len(t),) = max_j phi_j at each time.

Every observation carries ``dataset``, ``seed``, ``horizon`` and ``realized`` (parameters the
sampled data realize, e.g. the token sharing Z of its token layout).

A pack adds its own model or observable with :func:`register_observable`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..simulator.data import Dataset, sample_dataset
from ..simulator.dynamics import cluster_token_matrix, simulate
from ..simulator.kernel import kernel as dense_kernel
from ..simulator.losses import phi as phi_of
from ..simulator.regime import Regime

GRID_POINTS = 65  # evaluation times per trajectory (horizon included)
REGIME_FIELDS = ("K", "Q", "d", "v", "l_b", "Z", "delta", "beta", "tau")
OPTION_FIELDS = ("z_reading", "tokens", "tilt")


class Params(dict):
    """Parameter name -> float; ``exact`` holds the sympy values they were rounded from."""

    def __init__(self, exact: dict, horizon: float | None = None):
        super().__init__({k: float(v) for k, v in exact.items()})
        self.exact = dict(exact)
        if horizon is not None:
            self["horizon"] = float(horizon)


def simulator_regime(values: dict[str, float], options: dict[str, Any]) -> Regime:
    """The simulator's Regime from resolved parameters (integers for K, Q, d, Z)."""
    kw: dict[str, Any] = {}
    for name in REGIME_FIELDS:
        if name in values:
            x = values[name]
            if name in ("K", "Q", "d", "Z"):
                if abs(x - round(x)) > 1e-9:
                    raise ValueError(f"{name} = {x} must be an integer")
                x = int(round(x))
            kw[name] = x
    kw.update({k: options[k] for k in OPTION_FIELDS if k in options})
    return Regime(**kw)


@dataclass(eq=False)
class Observation:
    dataset: Dataset
    seed: int
    horizon: float | None
    realized: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """A small JSON-able digest for evidence files."""
        return {"seed": self.seed, "horizon": self.horizon, "N": self.dataset.N, **self.realized}


@dataclass(eq=False)
class TrainMargins(Observation):
    t: np.ndarray = None
    r: np.ndarray = None  # (len(t), N)
    final: np.ndarray = None  # (N,)
    trajectory: Any = None

    def summary(self) -> dict[str, Any]:
        return super().summary() | {"final_min": float(self.final.min()), "final_max": float(self.final.max())}


@dataclass(eq=False)
class Risk(Observation):
    log_risk: float = 0.0
    log_worst: float = 0.0
    detail: Any = None
    trajectory: Any = None

    @property
    def risk(self) -> float:
        return float(np.exp(self.log_risk))

    @property
    def worst(self) -> float:
        return float(np.exp(self.log_worst))

    def summary(self) -> dict[str, Any]:
        return super().summary() | {"log_risk": self.log_risk, "log_worst": self.log_worst}


@dataclass(eq=False)
class Kernel(Observation):
    C: np.ndarray = None
    masks: dict[str, np.ndarray] = None


@dataclass(eq=False)
class FlowResidual(Observation):
    t: np.ndarray = None
    r: np.ndarray = None
    rate: np.ndarray = None
    phi: np.ndarray = None
    residual: np.ndarray = None
    max_phi: np.ndarray = None

    def summary(self) -> dict[str, Any]:
        return super().summary() | {"max_abs_residual": float(np.abs(self.residual).max())}


def _dataset(values, options, seed) -> Dataset:
    ds = sample_dataset(simulator_regime(values, options), int(seed))
    return ds


def _realized(ds: Dataset) -> dict[str, Any]:
    return {"Z": int(ds.Z)}


def _grid(horizon: float, options) -> np.ndarray:
    return np.linspace(0.0, horizon, int(options.get("grid_points", GRID_POINTS)))


def _need_horizon(horizon):
    if horizon is None or not horizon > 0:
        raise ValueError(f"this observable needs a positive horizon (got {horizon})")


def train_margins(values, options, seed, horizon, loss) -> TrainMargins:
    _need_horizon(horizon)
    ds = _dataset(values, options, seed)
    tr = simulate(ds, horizon, loss=loss, t_eval=_grid(horizon, options))
    return TrainMargins(ds, int(seed), horizon, _realized(ds), t=tr.t, r=tr.r, final=tr.r[-1], trajectory=tr)


def population_risk(values, options, seed, horizon, loss) -> Risk:
    from ..simulator import risk as risk_mod

    _need_horizon(horizon)
    ds = _dataset(values, options, seed)
    tr = simulate(ds, horizon, loss=loss)
    res = risk_mod.population_risk(ds, tr, horizon)
    return Risk(ds, int(seed), horizon, _realized(ds), log_risk=float(res.log_risk),
                log_worst=float(res.log_risk_worst_value), detail=res, trajectory=tr)


def pair_masks(ds: Dataset) -> dict[str, np.ndarray]:
    """Boolean (N, N) masks of Lemma B.1's pair classes."""
    cl, val = ds.cluster, ds.value
    same_cluster = cl[:, None] == cl[None, :]
    same_value = val[:, None] == val[None, :]
    eye = np.eye(ds.N, dtype=bool)
    pairs = ds.pairs
    share_vals = (pairs[:, None, :, None] == pairs[None, :, None, :]).any(axis=(2, 3))  # (K, K)
    share = share_vals[val][:, val]
    return {"diag": eye, "same": same_cluster & ~eye, "opposite": same_value & ~same_cluster,
            "shared": share & ~same_value, "disjoint": ~share & ~same_value}


def kernel(values, options, seed, horizon, loss) -> Kernel:
    ds = _dataset(values, options, seed)
    return Kernel(ds, int(seed), horizon, _realized(ds), C=dense_kernel(ds), masks=pair_masks(ds))


def margin_rates(ds: Dataset, p: np.ndarray) -> np.ndarray:
    """tau dr_j/dt = (beta^2/N) sum_i p_i C(x_i, x_j) for each row of p (T, N), in O(N d)."""
    reg = ds.regime
    E = cluster_token_matrix(ds)  # (2K, V)
    X3 = ds.blocks()
    S = np.einsum("tkq,kqd->tkd", p.reshape(len(p), 2 * reg.K, reg.Q), X3)  # (T, 2K, d)
    M = np.einsum("kv,tkd->tvd", E, S)  # (T, V, d): sum_i p_i (y_w,i - y_l,i) g_i^T
    U = np.einsum("kv,tvd->tkd", E, M)  # (T, 2K, d): (y_w,k - y_l,k)^T M
    rate = np.einsum("tkd,kqd->tkq", U, X3).reshape(len(p), ds.N)
    return reg.beta ** 2 / ds.N * rate


def mean_field(ds: Dataset, p: np.ndarray) -> np.ndarray:
    """Lemma B.2's within-value mean field of tau dr_j/dt for each row of p (T, N)."""
    reg = ds.regime
    P = p.reshape(len(p), 2 * reg.K, reg.Q)
    S = P.sum(axis=2)  # (T, 2K)
    opp = S.reshape(len(p), reg.K, 2)[:, :, ::-1].reshape(len(p), 2 * reg.K)
    lb2 = reg.l_b ** 2
    mf = 2 * (1 + lb2) * S[:, :, None] + 2 * (1 - lb2) * opp[:, :, None] + 2 * reg.d * reg.v ** 2 * P
    return reg.beta ** 2 / ds.N * mf.reshape(len(p), ds.N)


def flow_residual(values, options, seed, horizon, loss) -> FlowResidual:
    _need_horizon(horizon)
    ds = _dataset(values, options, seed)
    tr = simulate(ds, horizon, loss=loss, t_eval=_grid(horizon, options))
    p = np.asarray(phi_of(loss, tr.r), dtype=np.float64)
    rate = margin_rates(ds, p)
    return FlowResidual(ds, int(seed), horizon, _realized(ds), t=tr.t, r=tr.r, rate=rate, phi=p,
                        residual=rate - mean_field(ds, p), max_phi=p.max(axis=1))


Observe = Callable[[dict, dict, int, float | None, str], Observation]
OBSERVABLES: dict[str, Observe] = {
    "train_margins": train_margins,
    "population_risk": population_risk,
    "kernel": kernel,
    "flow_residual": flow_residual,
}
# The regime keys each observable reads besides the claim's parameters (checked when a pack loads).
FIELDS: dict[str, tuple[str, ...]] = {name: REGIME_FIELDS + ("N",) for name in OBSERVABLES}


def _origin(fn) -> tuple[str, str]:
    return getattr(fn, "__module__", "?"), getattr(fn, "__qualname__", repr(fn))


def register_observable(name: str, observe: Observe, fields: tuple[str, ...] = ()) -> None:
    """Make ``observe(values, options, seed, horizon, loss) -> Observation`` available to
    :class:`~dpoverify.specs.SimulationProperty` as ``observable=name``. ``values`` holds the
    regime as floats, ``options`` the spec's options; the result must be an :class:`Observation`
    (its ``summary()`` goes into the evidence). ``fields``: regime keys it reads that are not
    parameters of the claims using it. This is how a pack adds a simulator model of its own.
    Registering a name twice with another function is an error (two packs would disagree); the
    same function again (its module imported anew) replaces it."""
    if name in OBSERVABLES and _origin(OBSERVABLES[name]) != _origin(observe):
        raise ValueError(f"observable {name!r} is already registered (by {'.'.join(_origin(OBSERVABLES[name]))})")
    OBSERVABLES[name] = observe
    FIELDS[name] = tuple(fields)

"""Population risk (Definition 3.1, eq. 2) of the implicit reward model at time T.

Given the training set, a fresh sample x~ of cluster k has margin
    r~(T) = (beta^2/(N tau)) sum_j C(x~, x_j) A_j(T) = x~ . u_k,
    u_k = (beta^2/(N tau)) sum_k' H[k, k'] sum_{j in k'} A_j(T) x_j,
with A_j(T) = int_0^T phi(r_j) dt. With x~ = mu_k + v z, z ~ N(0, I_d), r~ is exactly
N(mu_k . u_k, v^2 |u_k|^2), so P(r~ <= 0) = Phi(-mu_k . u_k / (v |u_k|)), computed as
scipy.special.log_ndtr (natural log) because in the paper's regime it is far below 1e-300.
The population risk is the mean over the 2K equally weighted clusters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, logsumexp
from scipy.stats import binomtest

from .backend import get_backend
from .dynamics import Trajectory, cluster_token_matrix


@dataclass(frozen=True)
class PopulationRisk:
    """Exact risk given the training set. Logs are natural logs; ``log10_*`` for display."""

    T: float
    log_risk: float  # log R(P)
    log_risk_cluster: np.ndarray  # (2K,) log P(r~ <= 0 | cluster k)
    log_risk_value: np.ndarray  # (K,) log of the mean over the value's two clusters
    worst_value: int  # index i of the value with the largest risk
    z_score: np.ndarray  # (2K,) mean/sd of r~ per cluster

    @property
    def risk(self) -> float:
        return math.exp(self.log_risk)

    @property
    def log_risk_worst_value(self) -> float:
        return float(self.log_risk_value[self.worst_value])

    @property
    def log10_risk(self) -> float:
        return self.log_risk / math.log(10)

    @property
    def log10_risk_worst_value(self) -> float:
        return self.log_risk_worst_value / math.log(10)


def fresh_margin_directions(trajectory: Trajectory, T: float, backend: str = "numpy") -> np.ndarray:
    """(2K, d): u_k with r~ = x~ . u_k for a fresh sample of cluster k, from the integrals A(T)."""
    ds = trajectory.dataset
    reg = ds.regime
    be = get_backend(backend)
    S = be.aggregate(trajectory.integrals(T).reshape(2 * reg.K, reg.Q), be.put(ds.blocks()))
    return (reg.beta ** 2 / (ds.N * reg.tau)) * (ds.H @ S)


def population_risk(dataset, trajectory: Trajectory, T: float, backend: str = "numpy") -> PopulationRisk:
    """Exact P(r~(T) <= 0) for a fresh sample, per cluster, per value and overall (log space)."""
    if trajectory.dataset is not dataset:
        raise ValueError("the trajectory was computed on a different dataset")
    U = fresh_margin_directions(trajectory, T, backend)
    mean = np.einsum("kd,kd->k", dataset.means, U)
    sd = dataset.regime.v * np.linalg.norm(U, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, mean / sd, np.where(mean > 0, np.inf, -np.inf))
    log_cl = log_ndtr(-z)  # a degenerate r~ = 0 counts as a failure (r <= 0): log 1 = 0
    K = dataset.regime.K
    log_val = logsumexp(log_cl.reshape(K, 2), axis=1) - math.log(2)
    return PopulationRisk(T=float(T), log_risk=float(logsumexp(log_cl) - math.log(2 * K)),
                          log_risk_cluster=log_cl, log_risk_value=log_val,
                          worst_value=int(np.argmax(log_val)), z_score=z)


@dataclass(frozen=True)
class MonteCarloRisk:
    failures: int
    n: int
    seed: int
    confidence: float
    ci_low: float
    ci_high: float
    method: str

    @property
    def estimate(self) -> float:
        return self.failures / self.n

    def contains(self, p: float) -> bool:
        return self.ci_low <= p <= self.ci_high


def monte_carlo_risk(dataset, trajectory: Trajectory, T: float, n: int = 10 ** 6, seed: int = 0,
                     confidence: float = 0.95, batch: int = 2 ** 17, subspace: bool = True) -> MonteCarloRisk:
    """Count r~(T) <= 0 over n fresh samples; exact Clopper-Pearson interval (scipy binomtest).

    The fresh margins are computed from the weights, r~ = beta (y~_w - y~_l)^T DW(T) x~, not from
    the exact formula's u_k. ``subspace=True`` draws x~ = mu_k + v z exactly in distribution but only
    the noise component inside span{(y_w,k - y_l,k)^T DW}, the only part any margin sees
    (2K normals per sample instead of d); ``subspace=False`` draws full d-dimensional samples.
    """
    if trajectory.dataset is not dataset:
        raise ValueError("the trajectory was computed on a different dataset")
    if n < 1 or not 0 < confidence < 1:
        raise ValueError("need n >= 1 and 0 < confidence < 1")
    reg = dataset.regime
    D = reg.beta * (cluster_token_matrix(dataset) @ trajectory.delta_W(T))  # (2K, d) margin directions
    mean = np.einsum("kd,kd->k", dataset.means, D)
    rng = np.random.default_rng(seed)
    if subspace:
        Qb, R = np.linalg.qr(D.T)  # D^T = Qb R; z . D_k = (Qb^T z) . R[:, k], Qb^T z ~ N(0, I)
        proj = R.T  # (2K, m)
    failures, done = 0, 0
    while done < n:
        m = min(batch, n - done)
        k = rng.integers(0, 2 * reg.K, size=m)
        if subspace:
            z = rng.standard_normal((m, proj.shape[1]))
            noise = np.einsum("nm,nm->n", z, proj[k])
        else:
            Xt, _ = dataset.sample_test(m, int(rng.integers(2 ** 63)), clusters=k)
            noise = np.einsum("nd,nd->n", Xt - dataset.means[k], D[k]) / reg.v
        margin = mean[k] + reg.v * noise
        failures += int(np.count_nonzero(margin <= 0))
        done += m
    ci = binomtest(failures, n).proportion_ci(confidence_level=confidence, method="exact")
    return MonteCarloRisk(failures=failures, n=n, seed=seed, confidence=confidence,
                          ci_low=float(ci.low), ci_high=float(ci.high),
                          method="subspace" if subspace else "full")

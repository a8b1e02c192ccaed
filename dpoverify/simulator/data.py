"""Sampling the training set of Section 3: K pairs of clusters N(l_b e_1 +/- c_i, v^2 I_d), Q each.

Rows are grouped by cluster: cluster k = 2i (C_{i,+}, sign +1) and k = 2i + 1 (C_{i,-}, sign -1)
occupy rows kQ .. (k+1)Q - 1, so N = 2KQ and ``X.reshape(2K, Q, d)`` is the per-cluster view.
Coordinates are 0-based: the paper's e_1 (direction of b) is column 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .regime import Regime, concept_vectors, realized_Z, token_pairs


@dataclass(frozen=True, eq=False)
class Dataset:
    """A seeded training set with everything the dynamics and the risk need."""

    regime: Regime
    seed: int
    X: np.ndarray  # (N, d) embeddings g(x_i)
    cluster: np.ndarray  # (N,) cluster index k in [0, 2K)
    y_w: np.ndarray  # (N,) preferred token id
    y_l: np.ndarray  # (N,) rejected token id
    concepts: np.ndarray  # (K, d) concept vectors c_i
    pairs: np.ndarray  # (K, 2) response pair (a_i, b_i) of each value
    Z: int  # token sharing realized by ``pairs`` under regime.z_reading
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def N(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    @property
    def V(self) -> int:
        """Vocabulary size (number of distinct tokens used)."""
        return int(self.pairs.max()) + 1

    @property
    def value(self) -> np.ndarray:
        return self.cluster // 2

    @property
    def sign(self) -> np.ndarray:
        """+1 for rows of an aligned cluster C_{i,+}, -1 for C_{i,-}."""
        return np.where(self.cluster % 2 == 0, 1, -1)

    @property
    def b(self) -> np.ndarray:
        b = np.zeros(self.d)
        b[0] = self.regime.l_b
        return b

    @property
    def means(self) -> np.ndarray:
        """(2K, d) cluster means l_b e_1 +/- c_i."""
        signs = np.tile([1.0, -1.0], self.regime.K)
        return self.b[None, :] + signs[:, None] * np.repeat(self.concepts, 2, axis=0)

    @property
    def cluster_tokens(self) -> np.ndarray:
        """(2K, 2): (y_w, y_l) of every cluster."""
        p = np.repeat(self.pairs, 2, axis=0)
        p[1::2] = p[1::2, ::-1]
        return p

    @property
    def H(self) -> np.ndarray:
        """(2K, 2K) preference-sharing factors (y_w,k - y_l,k)^T (y_w,k' - y_l,k') between clusters."""
        if "H" not in self._cache:
            ct = self.cluster_tokens
            D = np.zeros((len(ct), self.V))
            np.add.at(D, (np.arange(len(ct)), ct[:, 0]), 1.0)
            np.add.at(D, (np.arange(len(ct)), ct[:, 1]), -1.0)
            self._cache["H"] = D @ D.T
        return self._cache["H"]

    def astype(self, dtype) -> "Dataset":
        """The same samples stored in another dtype (float32 halves the dynamics' memory traffic)."""
        return replace(self, X=self.X.astype(dtype), _cache={})

    def blocks(self) -> np.ndarray:
        """(2K, Q, d) view of X by cluster."""
        r = self.regime
        return self.X.reshape(2 * r.K, r.Q, self.d)

    def sample_test(self, n: int, seed: int, clusters: np.ndarray | None = None,
                    dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
        """n fresh samples of the distribution (equal-weight clusters unless ``clusters`` given):
        returns (X_test (n, d), cluster (n,)). Seeded by ``seed`` alone."""
        rng = np.random.default_rng(seed)
        if clusters is None:
            clusters = rng.integers(0, 2 * self.regime.K, size=n)
        clusters = np.asarray(clusters)
        Xt = rng.standard_normal((len(clusters), self.d), dtype=dtype)
        Xt *= self.regime.v
        Xt += self.means[clusters].astype(dtype)
        return Xt, clusters


def sample_dataset(regime: Regime, seed: int, dtype=np.float64) -> Dataset:
    """The training set: Q i.i.d. samples per cluster from N(l_b e_1 +/- c_i, v^2 I_d), seeded.

    ``dtype=np.float32`` halves memory and time of the dynamics; it draws a different (still
    seeded) stream of normals than float64.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer (got {seed!r})")
    K, Q, d = regime.K, regime.Q, regime.d
    pairs = token_pairs(regime)
    concepts = concept_vectors(regime)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2 * K * Q, d), dtype=dtype)
    X *= regime.v
    signs = np.tile([1.0, -1.0], K)
    means = signs[:, None] * np.repeat(concepts, 2, axis=0)
    means[:, 0] += regime.l_b
    X3 = X.reshape(2 * K, Q, d)
    X3 += means[:, None, :].astype(dtype)
    cluster = np.repeat(np.arange(2 * K), Q)
    ct = np.repeat(pairs, 2, axis=0)
    ct[1::2] = ct[1::2, ::-1]
    return Dataset(regime=regime, seed=int(seed), X=X, cluster=cluster,
                   y_w=ct[cluster, 0].copy(), y_l=ct[cluster, 1].copy(),
                   concepts=concepts, pairs=pairs, Z=realized_Z(pairs, regime.z_reading))

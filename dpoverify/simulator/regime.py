"""The parameters of Section 3's preference distribution and the token layout they imply.

Token sharing Z. The paper (Section 3) defines Z as "the maximum number of times a token appears
across all preference responses", and also requires that "no two pairs of clusters have the exact
same set of responses". Value i owns a response pair {a_i, b_i}: its aligned cluster C_{i,+}
prefers a_i over b_i, its misaligned cluster C_{i,-} prefers b_i over a_i (Lemma B.1, eq. 11:
opposite preferences). Two readings of "across all preference responses":

* ``z_reading="pair"``: count over the K response sets {a_i, b_i}. Z = 1 means every value has its
  own two tokens; Z >= 1.
* ``z_reading="cluster"``: count over the 2K clusters' responses (y_w, y_l). Each token of a pair
  is used by both clusters of its value, so Z is always even and Z >= 2; a cluster-Z of Z
  allows floor(Z/2) values per token.

Layouts. ``tokens="distinct"`` realizes the requested Z in the worst case: the response sets are the K
edges of a simple graph on the tokens (no two values with the same set, a_i != b_i) with maximum
degree min(Z, K) -- some token is shared by as many values as Z allows -- on the fewest tokens
that allow it, so that as many values as possible share tokens (filled token by token, else in
circulant order).
``tokens="shared"`` gives every value the same pair (token 0 = "Yes" preferred in C_{i,+},
token 1 = "No"), as the paper's experiments do; it violates the distinct-response-set assumption,
ignores the requested Z and realizes Z = K (pair) or 2K (cluster).

Concept vectors. c_i = e_{c_i} with c_i = i + 1 (0-based; e_0 carries b = l_b e_0), so d >= K + 1.
For delta > 0 (Definition C.1) each c_i is tilted by the largest angle allowed,
<c_i, e_{c_i}> = 1 - delta^2/8, toward a direction chosen by ``tilt``:
"pairs" tilts values 2m and 2m+1 toward each other (the worst case of Lemma C.2's proof,
|<c_i1, c_i2>| = sin(2 xi)); an odd last value tilts toward b's direction e_0;
"b" tilts every c_i toward e_0; "fresh" tilts c_i toward its own unused basis vector
e_{K+1+i} (needs d >= 2K + 1), so concepts stay exactly orthogonal to each other and to b.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TOKEN_LAYOUTS = ("distinct", "shared")
Z_READINGS = ("pair", "cluster")
TILTS = ("pairs", "b", "fresh")


@dataclass(frozen=True)
class Regime:
    """One point of the paper's parameter space (Section 3, Theorem 4.2, Definition C.1)."""

    K: int
    Q: int
    d: int
    v: float
    l_b: float
    Z: int = 1
    z_reading: str = "pair"
    delta: float = 0.0
    beta: float = 1.0
    tau: float = 1.0
    tokens: str = "distinct"
    tilt: str = "pairs"

    def __post_init__(self) -> None:
        problems = []
        for name in ("K", "Q", "d", "Z"):
            val = getattr(self, name)
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
                problems.append(f"{name} must be a positive integer (got {val!r})")
        for name in ("v", "beta", "tau"):
            val = getattr(self, name)
            if not (isinstance(val, (int, float, np.floating, np.integer)) and math.isfinite(val) and val > 0):
                problems.append(f"{name} must be a finite number > 0 (got {val!r})")
        if not (math.isfinite(self.l_b) and self.l_b >= 0):
            problems.append(f"l_b must be a finite number >= 0 (got {self.l_b!r})")
        if not (math.isfinite(self.delta) and 0 <= self.delta < 0.5):
            problems.append(f"delta must lie in [0, 1/2) (Definition C.1; got {self.delta!r})")
        if self.tokens not in TOKEN_LAYOUTS:
            problems.append(f"tokens must be one of {TOKEN_LAYOUTS} (got {self.tokens!r})")
        if self.z_reading not in Z_READINGS:
            problems.append(f"z_reading must be one of {Z_READINGS} (got {self.z_reading!r})")
        if self.tilt not in TILTS:
            problems.append(f"tilt must be one of {TILTS} (got {self.tilt!r})")
        if problems:
            raise ValueError("impossible regime: " + "; ".join(problems))
        if self.d < self.K + 1:
            raise ValueError(f"impossible regime: d = {self.d} < K + 1 = {self.K + 1}; the K concept "
                             "vectors and b = l_b e_1 need K + 1 orthogonal basis directions")
        if self.delta > 0 and self.tilt == "fresh" and self.d < 2 * self.K + 1:
            raise ValueError(f"impossible regime: tilt='fresh' needs d >= 2K + 1 = {2 * self.K + 1} (got d = {self.d})")
        if self.tokens == "distinct" and self.z_reading == "cluster" and self.Z < 2:
            raise ValueError("impossible regime: with z_reading='cluster' every token of a value's pair "
                             "appears in both of its clusters, so Z >= 2 (got Z = 1)")

    @property
    def N(self) -> int:
        return 2 * self.K * self.Q

    @property
    def tau_1(self) -> float:
        """Theorem 4.2's horizon tau_1 = K tau log 3 / (5 beta^2)."""
        return self.K * self.tau * math.log(3) / (5 * self.beta ** 2)

    @property
    def pair_degree(self) -> int:
        """Most response sets {a_i, b_i} one token may belong to under the requested Z."""
        return self.Z if self.z_reading == "pair" else self.Z // 2


def token_pairs(regime: Regime) -> np.ndarray:
    """(K, 2) int array: row i = (a_i, b_i), C_{i,+} prefers a_i, C_{i,-} prefers b_i."""
    K = regime.K
    if regime.tokens == "shared":
        return np.tile(np.array([0, 1]), (K, 1))
    z = regime.pair_degree
    target = min(z, K)  # the most response sets one token can be in
    n = target + 1
    while n * (n - 1) // 2 < K or n * z < 2 * K:
        n += 1
    while True:
        for build in (_lexicographic, _circulant):
            edges = build(n, K, z)
            if edges is not None and np.bincount(np.ravel(edges)).max() == target:
                return np.array(edges, dtype=np.int64)
        n += 1


def _add(edges, deg, seen, u, w, z) -> bool:
    key = (min(u, w), max(u, w))
    if u == w or key in seen or deg[u] >= z or deg[w] >= z:
        return False
    seen.add(key)
    deg[u] += 1
    deg[w] += 1
    edges.append((u, w))
    return True


def _lexicographic(n: int, m: int, z: int):
    """Fill token 0's response sets first, then token 1's, ... (degrees <= z); None if stuck."""
    deg, edges, seen = [0] * n, [], set()
    for u in range(n):
        for w in range(u + 1, n):
            if _add(edges, deg, seen, u, w, z) and len(edges) == m:
                return edges
    return None


def _circulant(n: int, m: int, z: int):
    """Edges (u, u + s mod n) for s = 1, 2, ... (near z-regular); None if stuck."""
    deg, edges, seen = [0] * n, [], set()
    for s in range(1, n // 2 + 1):
        for u in range(n):
            if _add(edges, deg, seen, u, (u + s) % n, z) and len(edges) == m:
                return edges
    return None


def realized_Z(pairs: np.ndarray, z_reading: str) -> int:
    """Z of a token layout under a reading (see module docstring)."""
    counts = np.bincount(pairs.ravel())
    zmax = int(counts.max())
    return zmax if z_reading == "pair" else 2 * zmax


def concept_vectors(regime: Regime) -> np.ndarray:
    """(K, d) unit concept vectors c_i (Section 3; Definition C.1 worst-case tilt when delta > 0)."""
    K, d = regime.K, regime.d
    c = np.zeros((K, d))
    c[np.arange(K), np.arange(K) + 1] = 1.0
    if regime.delta == 0:
        return c
    cos = 1.0 - regime.delta ** 2 / 8.0
    sin = math.sqrt(1.0 - cos ** 2)
    for i in range(K):
        if regime.tilt == "b":
            target = 0
        elif regime.tilt == "fresh":
            target = K + 1 + i
        else:
            partner = i + 1 if i % 2 == 0 else i - 1
            target = partner + 1 if partner < K else 0
        c[i] = 0.0
        c[i, i + 1] = cos
        c[i, target] = sin
    return c

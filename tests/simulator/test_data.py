"""Section 3's distribution: token layouts realizing Z, concept vectors (Definition C.1), seeding."""
import math

import numpy as np
import pytest

from dpoverify.simulator import Regime, concept_vectors, sample_dataset, token_pairs
from dpoverify.simulator.regime import realized_Z


def small(**kw):
    base = dict(K=4, Q=5, d=12, v=0.1, l_b=0.3)
    base.update(kw)
    return Regime(**base)


@pytest.mark.parametrize("K,Z", [(1, 1), (5, 1), (5, 2), (7, 3), (10, 4), (3, 5)])
def test_pair_reading_layout_realizes_worst_case_Z(K, Z):
    pairs = token_pairs(small(K=K, Z=Z, d=K + 1))
    assert pairs.shape == (K, 2)
    assert np.all(pairs[:, 0] != pairs[:, 1])
    sets = {frozenset(p) for p in pairs.tolist()}
    assert len(sets) == K, "two values share the same response set"
    counts = np.bincount(pairs.ravel())
    assert counts.max() <= Z
    # worst case: as much sharing as the requested Z and K allow
    assert counts.max() == min(Z, K)
    if Z >= 2 and K >= 2:  # every value shares a token with another one
        assert all(counts[a] > 1 or counts[b] > 1 for a, b in pairs)


def test_cluster_reading_counts_each_token_twice_per_value():
    reg = small(K=6, Z=4, z_reading="cluster")
    ds = sample_dataset(reg, 0)
    per_token_clusters = np.bincount(ds.cluster_tokens.ravel())
    assert per_token_clusters.max() == ds.Z == 4
    assert realized_Z(ds.pairs, "pair") == 2
    with pytest.raises(ValueError, match="Z >= 2"):
        small(Z=1, z_reading="cluster")


def test_shared_layout_is_yes_no_for_every_value():
    ds = sample_dataset(small(K=3, tokens="shared"), 1)
    assert ds.V == 2 and ds.Z == 3
    assert set(map(tuple, ds.cluster_tokens.tolist())) == {(0, 1), (1, 0)}


@pytest.mark.parametrize("kw,msg", [
    (dict(d=4, K=4), "K \\+ 1"), (dict(delta=0.5), "delta"), (dict(tokens="many"), "tokens"),
    (dict(v=0.0), "v must"), (dict(K=0), "K must"), (dict(Q=2.5), "Q must"),
    (dict(delta=0.1, tilt="fresh", d=8), "2K \\+ 1"),
])
def test_impossible_regimes_are_named(kw, msg):
    with pytest.raises(ValueError, match=msg):
        small(**kw)


@pytest.mark.parametrize("tilt", ["pairs", "b", "fresh"])
def test_tilted_concepts_meet_definition_c1_at_its_boundary(tilt):
    delta = 0.3
    reg = small(K=5, d=12, delta=delta, tilt=tilt)
    c = concept_vectors(reg)
    assert np.allclose(np.linalg.norm(c, axis=1), 1.0)
    assert np.allclose(c[np.arange(5), np.arange(5) + 1], 1 - delta ** 2 / 8)
    gram = np.abs(c @ c.T)[~np.eye(5, dtype=bool)]
    assert gram.max() <= delta  # Lemma C.2
    if tilt == "pairs":  # the worst case of Lemma C.2's proof, sin(2 xi)
        xi = math.acos(1 - delta ** 2 / 8)
        assert math.isclose(gram.max(), math.sin(2 * xi), rel_tol=1e-12)
    if tilt == "fresh":
        assert gram.max() == 0 and np.all(c[:, 0] == 0)


def test_orthogonal_concepts_are_basis_vectors_orthogonal_to_b():
    ds = sample_dataset(small(), 0)
    assert np.array_equal(ds.concepts @ ds.concepts.T, np.eye(4))
    assert np.all(ds.concepts[:, 0] == 0) and ds.b[0] == 0.3


def test_seed_reproduces_and_distinguishes():
    reg = small()
    a, b, c = sample_dataset(reg, 7), sample_dataset(reg, 7), sample_dataset(reg, 8)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    ta, _ = a.sample_test(50, seed=3)
    tb, _ = b.sample_test(50, seed=3)
    assert np.array_equal(ta, tb)


def test_clusters_have_the_stated_means_and_spread():
    reg = Regime(K=2, Q=4000, d=6, v=0.5, l_b=0.25)
    ds = sample_dataset(reg, 0)
    X3 = ds.blocks()
    se = reg.v / math.sqrt(reg.Q)
    assert np.abs(X3.mean(1) - ds.means).max() < 5 * se
    assert np.abs(X3.std(1) - reg.v).max() < 0.05
    assert np.array_equal(ds.sign[:reg.Q], np.ones(reg.Q))
    # misaligned cluster prefers the other token of its value's pair
    assert ds.y_w[0] == ds.y_l[reg.Q] and ds.y_l[0] == ds.y_w[reg.Q]

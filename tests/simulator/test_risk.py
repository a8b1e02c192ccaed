"""Population risk (Definition 3.1): exact Gaussian formula in log space vs Monte Carlo over fresh
samples with a Clopper-Pearson interval, and vs margins computed sample by sample."""
import math

import numpy as np
import pytest

from dpoverify.simulator import (Regime, kernel, monte_carlo_risk, population_risk,
                                 sample_dataset, simulate)
from dpoverify.simulator.risk import fresh_margin_directions as directions

NOISY = Regime(K=3, Q=20, d=30, v=0.35, l_b=0.3, Z=2)  # risk of order 1e-2


@pytest.fixture(scope="module")
def noisy():
    ds = sample_dataset(NOISY, 0)
    return ds, simulate(ds, NOISY.tau_1)


def test_exact_risk_is_of_order_one_percent_here(noisy):
    ds, tr = noisy
    risk = population_risk(ds, tr, NOISY.tau_1)
    assert 1e-3 < risk.risk < 5e-2
    assert math.isclose(risk.risk, np.exp(risk.log_risk_cluster).mean(), rel_tol=1e-12)
    assert risk.log_risk_worst_value == risk.log_risk_value.max()


@pytest.mark.parametrize("subspace,n", [(True, 400_000), (False, 40_000)])
def test_monte_carlo_interval_contains_the_exact_risk(noisy, subspace, n):
    ds, tr = noisy
    exact = population_risk(ds, tr, NOISY.tau_1).risk
    mc = monte_carlo_risk(ds, tr, NOISY.tau_1, n=n, seed=42, subspace=subspace, confidence=0.999)
    assert mc.failures > 0 and mc.contains(exact), (mc, exact)


def test_monte_carlo_refutes_a_wrong_risk(noisy):
    ds, tr = noisy
    exact = population_risk(ds, tr, NOISY.tau_1).risk
    mc = monte_carlo_risk(ds, tr, NOISY.tau_1, n=400_000, seed=1)
    assert not mc.contains(1.5 * exact) and not mc.contains(exact / 1.5)


def test_monte_carlo_is_seeded(noisy):
    ds, tr = noisy
    a = monte_carlo_risk(ds, tr, NOISY.tau_1, n=50_000, seed=9)
    b = monte_carlo_risk(ds, tr, NOISY.tau_1, n=50_000, seed=9)
    c = monte_carlo_risk(ds, tr, NOISY.tau_1, n=50_000, seed=10)
    assert a == b and a.failures != c.failures


def test_fresh_margin_is_the_kernel_sum_over_training_integrals(noisy):
    ds, tr = noisy
    reg = ds.regime
    Xt, k = ds.sample_test(200, seed=5)
    A = tr.integrals(reg.tau_1)
    # r~ = (beta^2/(N tau)) sum_j C(x~, x_j) A_j, brute force
    D = np.zeros((ds.N, ds.V))
    D[np.arange(ds.N), ds.y_w] += 1
    D[np.arange(ds.N), ds.y_l] -= 1
    Dt = np.zeros((len(k), ds.V))
    ct = ds.cluster_tokens[k]
    Dt[np.arange(len(k)), ct[:, 0]] += 1
    Dt[np.arange(len(k)), ct[:, 1]] -= 1
    brute = reg.beta ** 2 / (ds.N * reg.tau) * ((Dt @ D.T) * (Xt @ ds.X.T)) @ A
    via_u = np.einsum("nd,nd->n", Xt, directions(tr, reg.tau_1)[k])
    via_w = reg.beta * np.einsum("nv,vd,nd->n", Dt, tr.delta_W(reg.tau_1), Xt)
    assert np.allclose(brute, via_u, rtol=1e-9, atol=1e-12)
    assert np.allclose(brute, via_w, rtol=1e-6, atol=1e-9)
    # training margins from the same formula are the trajectory's margins
    assert np.allclose(reg.beta ** 2 / (ds.N * reg.tau) * kernel(ds) @ A, tr.r[-1], rtol=1e-6)


def test_paper_regime_risk_is_reported_in_log_space():
    reg = Regime(K=2, Q=40, d=200, v=1 / (32 * math.sqrt(40)), l_b=0.25)
    ds = sample_dataset(reg, 0)
    risk = population_risk(ds, simulate(ds, reg.tau_1), reg.tau_1)
    assert risk.risk == 0.0  # underflows in float
    assert math.isfinite(risk.log_risk) and risk.log10_risk < -300
    assert risk.log10_risk_worst_value >= risk.log10_risk


def test_risk_at_time_zero_is_one():
    ds = sample_dataset(NOISY, 1)
    tr = simulate(ds, 1.0)
    assert population_risk(ds, tr, 0.0).log_risk == 0.0  # r~ = 0 counts as an error


def test_risk_needs_the_trajectory_of_the_same_dataset(noisy):
    ds, tr = noisy
    with pytest.raises(ValueError, match="different dataset"):
        population_risk(sample_dataset(NOISY, 1), tr, NOISY.tau_1)


def test_monte_carlo_intervals_are_calibrated(noisy):
    """20 seeded 95% intervals: about one misses the exact value (five or more has prob. ~0.3%)."""
    ds, tr = noisy
    exact = population_risk(ds, tr, NOISY.tau_1).risk
    misses = sum(not monte_carlo_risk(ds, tr, NOISY.tau_1, n=50_000, seed=s).contains(exact)
                 for s in range(20))
    assert misses <= 4

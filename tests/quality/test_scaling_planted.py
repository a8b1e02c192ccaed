"""Planted scaling laws for `dpoverify scaling` (issue 11 §5): synthetic Q*(K) point sets with a
known shape -- flat, log K, linear in K -- fed to the model comparison must each be recognised,
with the growth parameter's 95% interval covering the planted value."""
import math

import numpy as np
import pytest

from dpoverify.fuzzing.scaling import compare_models, describe

pytestmark = pytest.mark.quality
KS = (1, 2, 4, 8, 16, 32, 64, 128)


def planted(f, noise: float, seed: int, ks=KS) -> dict[int, float]:
    rng = np.random.default_rng(seed)
    return {K: float(f(K) + noise * rng.standard_normal()) for K in ks}


@pytest.mark.parametrize("seed", range(5))
def test_planted_flat_is_flat(seed):
    out = compare_models(planted(lambda K: 12.0, 1.0, seed))
    assert out["flat"] is True
    assert out["shape"].startswith("flat")


@pytest.mark.parametrize("seed", range(5))
def test_planted_log_is_log(seed):
    out = compare_models(planted(lambda K: 5 + 3 * math.log(K), 0.5, seed))
    assert (out["selected"], out["flat"], out["shape"]) == ("log K", False, "grows like log K")
    lo, hi = next(m for m in out["models"] if m["model"] == "log K")["interval95"]["b"]
    assert lo < 3 < hi


@pytest.mark.parametrize("seed", range(5))
def test_planted_linear_is_linear(seed):
    out = compare_models(planted(lambda K: 2 + 0.75 * K, 1.0, seed))
    assert (out["selected"], out["flat"], out["shape"]) == ("linear in K", False, "grows linearly in K")
    lo, hi = next(m for m in out["models"] if m["model"] == "linear in K")["interval95"]["b"]
    assert lo < 0.75 < hi


def test_integer_search_data_of_the_issue():
    """Q* on the integers, exact fits included: 6, 12, 24 at K = 8, 16, 32 is linear (not K^0.75),
    and a population curve that only jitters is flat (not 'a + b ln K')."""
    linear = compare_models({1: 2, 2: 2, 4: 3, 8: 6, 16: 12, 32: 24}, resolution=1.0)
    assert linear["selected"] == "linear in K" and not linear["flat"]
    exact = compare_models({4: 3, 8: 6, 16: 12, 32: 24, 64: 48}, resolution=1.0)  # RSS 0 for two models
    assert exact["selected"] == "linear in K" and all(math.isfinite(m["aicc"]) for m in exact["models"])
    flat = compare_models({1: 3, 2: 6, 4: 4, 8: 6, 16: 6, 32: 6}, resolution=1.0)
    assert flat["flat"] and flat["selected"] == "constant"


def test_criterion_and_intervals_disagreeing_is_not_called_flat():
    """Five points that rise (2, 1, 2, 5, 9): AICc's small-sample penalty prefers the constant, but
    the linear slope's interval lies above 0 -- reported as not resolved, not as flat."""
    out = compare_models({1: 2, 2: 1, 4: 2, 8: 5, 16: 9}, resolution=1.0)
    assert out["selected"] == "constant" and out["flat"] is None
    assert out["shape"].startswith("not resolved: constant best by AICc; linear in K slope")
    curve = {"tokens": "distinct", "d": "growing", "error": "population", "Q_star": {}, "models": out}
    assert all(len("  " + line) <= 80 for line in describe(curve))


def test_too_few_points_select_nothing():
    out = compare_models({1: 3, 2: 5, 4: 9, 8: 17}, resolution=1.0)
    assert out["selected"] is None and out["flat"] is None and out["shape"].startswith("not resolved")
    assert compare_models({1: 3, 2: None, 4: 9}) is None
    curve = {"tokens": "distinct", "d": "fixed", "error": "population", "Q_star": {1: 3, 2: 5, 4: 9, 8: 17},
             "models": out}
    assert all(len("  " + line) <= 80 for line in describe(curve))  # as `dpoverify scaling` prints them


def test_a_power_law_that_does_not_converge_is_left_out(monkeypatch):
    import scipy.optimize

    def fail(*a, **k):
        raise RuntimeError("Optimal parameters not found")

    monkeypatch.setattr(scipy.optimize, "curve_fit", fail)
    out = compare_models(planted(lambda K: 2 + 0.75 * K, 1.0, 0))
    power = next(m for m in out["models"] if m["model"] == "power law")
    assert power["aicc"] is None and "not found" in power["error"]
    assert out["selected"] == "linear in K" and "power law (no fit)" in describe(
        {"tokens": "distinct", "d": "fixed", "error": "population", "Q_star": {}, "models": out})[-1]

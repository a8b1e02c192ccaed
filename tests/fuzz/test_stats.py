"""Exact binomial tests and Clopper-Pearson intervals (dpoverify.fuzzing.stats)."""
import pytest
from scipy.stats import binom

from dpoverify.fuzzing.stats import clopper_pearson, rate_test

pytestmark = pytest.mark.fuzz


def test_one_failure_refutes_a_tiny_claimed_probability():
    t = rate_test(1, 20, 1e-12)
    assert t.refuted and t.p_value == pytest.approx(20e-12, rel=1e-6)


def test_failures_at_the_claimed_rate_do_not_refute():
    t = rate_test(2, 20, 0.1)  # expected 2 failures
    assert not t.refuted and t.p_value == pytest.approx(1 - binom.cdf(1, 20, 0.1))


def test_threshold_is_the_stated_confidence():
    # smallest count refuting p = 0.05 with 100 draws at 99%: P(X >= k) < 0.01
    k = next(k for k in range(101) if 1 - binom.cdf(k - 1, 100, 0.05) < 0.01)
    assert rate_test(k, 100, 0.05).refuted and not rate_test(k - 1, 100, 0.05).refuted


def test_vacuous_claims_are_never_refuted():
    assert not rate_test(20, 20, 1.0).refuted and not rate_test(20, 20, 3.5).refuted


def test_zero_claimed_probability():
    assert rate_test(1, 5, 0.0).refuted and not rate_test(0, 5, 0.0).refuted


def test_clopper_pearson_contains_rate_and_is_exact():
    lo, hi = clopper_pearson(3, 10, 0.95)
    assert lo < 0.3 < hi
    assert binom.sf(2, 10, lo) == pytest.approx(0.025, rel=1e-6)  # P(X >= 3 | lo) = alpha/2
    assert clopper_pearson(0, 10)[0] == 0.0


@pytest.mark.parametrize("bad", [(3, 2, 0.1), (0, 0, 0.1), (1, 5, -0.1)])
def test_bad_input(bad):
    with pytest.raises(ValueError):
        rate_test(*bad)

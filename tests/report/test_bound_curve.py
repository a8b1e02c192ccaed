"""Figure 4's bound curve: the smallest Q with 2KQ²e^{−Q/45} < 0.05, decided rigorously."""
import math

import pytest
from flint import arb

from dpoverify.report.bound_curve import below, curve, smallest_q


def brute_force(K: int) -> int:
    """Scan every Q ≥ 40 in floats (safe here: no value is within 1e-9 relative of 0.05)."""
    Q = 40
    while 2 * K * Q * Q * math.exp(-Q / 45) >= 0.05:
        Q += 1
    return Q


@pytest.mark.parametrize("K", [1, 2, 3, 7, 10, 16, 100, 999])
def test_matches_a_scan_of_every_q(K):
    assert smallest_q(K).Q == brute_force(K)


def test_the_papers_example_k10_needs_more_than_875():
    p = smallest_q(10)
    assert p.Q == 880 and p.bound_at_Q < 0.05 <= p.bound_at_Q_minus_1


def test_answer_is_certified_on_both_sides_with_balls():
    for K in (1, 10, 10**6, 10**40):
        q = smallest_q(K).Q
        g = lambda Q: (arb(40) * K).log() + 2 * arb(Q).log() - arb(Q) / 45
        assert g(q) < 0 and g(q - 1) > 0  # strict, certified by the balls


def test_grows_like_log_k():
    pts = curve([10**e for e in range(0, 13)])
    qs = [p.Q for p in pts]
    assert qs == sorted(qs)
    steps = [b - a for a, b in zip(qs, qs[1:])]
    # Q = 45 (log 40K + 2 log Q): a decade of K adds 45 log 10 / (1 − 90/Q), between 45 log 10
    # (Q → ∞) and its value at the smallest Q (764): Θ(log K), with steps shrinking toward 103.6
    lo, hi = 45 * math.log(10), 45 * math.log(10) / (1 - 90 / qs[0])
    assert all(lo - 1 < s < hi + 1 for s in steps), steps
    assert steps[-1] < steps[0]


def test_below_refuses_nothing_and_rejects_bad_k():
    assert below(1, 10**4) and not below(1, 100)
    with pytest.raises(ValueError):
        smallest_q(0)
    with pytest.raises(ValueError):
        smallest_q(2.5)

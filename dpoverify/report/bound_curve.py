"""Figure 4 from the bound itself: the smallest Q with 2KQ² e^{−Q/45} < 0.05 (Theorem 4.3, eq. 4).

Decided rigorously for each K with python-flint Arb balls, in log space so that huge K cannot
overflow: 2KQ²e^{−Q/45} < 1/20  ⇔  g(Q) = log(40K) + 2 log Q − Q/45 < 0. g is concave in Q with
its maximum at Q = 90 (g'(Q) = 2/Q − 1/45), so it increases on [1, 90] and decreases beyond; the
smallest Q is found by a monotone search on the decreasing part after checking the rising part.
g(Q) is never exactly 0 for integer Q ≥ 1 (e^{Q/45} is transcendental), so raising the working
precision always decides a comparison.
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import arb, ctx

TARGET = "1/20"  # the error level of Figure 4
PEAK = 90  # argmax of g
Q_MIN = 40  # Theorem 4.3 also assumes Q ≥ 40


def _g(K: int, Q: int) -> arb:
    return (arb(40) * K).log() + 2 * arb(Q).log() - arb(Q) / 45


def below(K: int, Q: int) -> bool:
    """Rigorously decide 2KQ² e^{−Q/45} < 1/20."""
    prec = ctx.prec
    try:
        while True:
            g = _g(K, Q)
            if g < 0:
                return True
            if g > 0:
                return False
            ctx.prec *= 2  # the ball straddles 0: refine
            if ctx.prec > 1 << 16:
                raise ArithmeticError(f"cannot decide the eq. 4 bound at K={K}, Q={Q}")
    finally:
        ctx.prec = prec


@dataclass(frozen=True)
class BoundPoint:
    K: int
    Q: int  # smallest integer Q ≥ 40 with 2KQ²e^{−Q/45} < 1/20
    bound_at_Q: float  # 2KQ²e^{−Q/45} at Q (rounded for display; decided rigorously)
    bound_at_Q_minus_1: float  # the same at Q − 1 (≥ 1/20 unless Q − 1 < 40)


def _value(K: int, Q: int) -> float:
    return float((_g(K, Q)).exp().mid()) / 20


def smallest_q(K: int) -> BoundPoint:
    """The Q that eq. 4 asks for at K: smallest integer Q ≥ 40 with 2KQ²e^{−Q/45} < 0.05."""
    if int(K) != K or K < 1:
        raise ValueError(f"K must be a positive integer (got {K!r})")
    K = int(K)
    if below(K, Q_MIN):  # g rises on [40, 90]: nothing smaller than Q_MIN to look at
        q = Q_MIN
    else:
        # g(40) ≥ 0 and g increases up to 90, so g ≥ 0 on [40, 90]; g decreases beyond 90.
        lo, hi = PEAK, 2 * PEAK  # invariant: not below at lo, below at hi (once found)
        while not below(K, hi):
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if below(K, mid) else (mid, hi)
        q = hi
    return BoundPoint(K, q, _value(K, q), _value(K, q - 1))


def curve(ks) -> list[BoundPoint]:
    return [smallest_q(k) for k in sorted(set(int(k) for k in ks))]

"""Exact tests for probabilistic claims: "the event fails with probability at most p".

Given ``failures`` out of ``draws`` independent draws, the one-sided exact binomial test
(``scipy.stats.binomtest``, alternative "greater") asks whether the true failure rate exceeds
the claimed ``p``; the claim is refuted only when its p-value is below ``1 - confidence``.
The observed rate is reported with its exact Clopper–Pearson interval either way.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from scipy.stats import binomtest

CONFIDENCE = 0.99  # a probabilistic claim is refuted at this confidence, never below


@dataclass(frozen=True)
class RateTest:
    failures: int
    draws: int
    claimed: float  # the claimed failure probability p (capped at 1)
    p_value: float  # P(X >= failures | rate = claimed), X ~ Binomial(draws, claimed)
    rate: float
    ci_low: float  # Clopper–Pearson interval of the failure rate at ``confidence``
    ci_high: float
    confidence: float
    refuted: bool

    def as_dict(self) -> dict:
        return asdict(self) | {"test": "exact one-sided binomial (scipy.stats.binomtest, greater)",
                               "interval": "Clopper-Pearson"}

    def describe(self) -> str:
        pct = round(100 * self.confidence)
        return (f"{self.failures}/{self.draws} draws failed (rate {self.rate:.3g}, {pct}% CI "
                f"[{self.ci_low:.3g}, {self.ci_high:.3g}]) vs claimed p ≤ {self.claimed:.3g}: "
                f"binomial p-value {self.p_value:.3g}")


def clopper_pearson(failures: int, draws: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact two-sided Clopper–Pearson interval for a binomial proportion."""
    ci = binomtest(failures, draws).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def largest_rejected(failures: int, draws: int, confidence: float = CONFIDENCE) -> float:
    """The largest claimed failure probability :func:`rate_test` rejects: the exact one-sided lower
    confidence bound of the rate (where P(X >= failures | p) = 1 - confidence)."""
    return float(binomtest(failures, draws, alternative="greater").proportion_ci(
        confidence_level=confidence, method="exact").low)


def rate_test(failures: int, draws: int, claimed: float, confidence: float = CONFIDENCE) -> RateTest:
    """Test ``failures``/``draws`` against a claimed failure probability ``claimed``.

    A claimed probability of 0 is refuted by any failure (p-value 0). ``claimed`` >= 1 asserts
    nothing: never refuted (the caller reports VACUOUS).
    """
    if draws <= 0 or not 0 <= failures <= draws:
        raise ValueError(f"need 0 <= failures <= draws and draws > 0 (got {failures}/{draws})")
    if not claimed >= 0:
        raise ValueError(f"claimed failure probability must be >= 0 (got {claimed})")
    p = min(float(claimed), 1.0)
    if p == 0.0:
        p_value = 0.0 if failures else 1.0
    else:
        p_value = float(binomtest(failures, draws, p, alternative="greater").pvalue)
    lo, hi = clopper_pearson(failures, draws, confidence)
    return RateTest(failures, draws, p, p_value, failures / draws, lo, hi, confidence,
                    refuted=p < 1.0 and p_value < 1.0 - confidence)

"""Verdicts for obligations and their aggregation into a claim's verdict.

PROVED             the statement holds on the whole stated domain (exact or rigorous interval proof)
REFUTED            a counterexample was found and re-verified (exactly, or at a stated confidence)
NO_COUNTEREXAMPLE  searched and found nothing; the evidence says what was tried, in which regimes
VACUOUS            the statement asserts nothing where it was checked (failure probability >= 1,
                   error bound >= 1, empty hypothesis region)
UNDECIDED          neither proved nor refuted; the evidence says why (open boxes, missing input)
ERROR              the engine failed; the evidence holds the message
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable


class Verdict(str, Enum):
    PROVED = "PROVED"
    REFUTED = "REFUTED"
    NO_COUNTEREXAMPLE = "NO COUNTEREXAMPLE"
    VACUOUS = "VACUOUS"
    UNDECIDED = "UNDECIDED"
    ERROR = "ERROR"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


# Aggregation order: the first verdict in this list that any obligation has is the claim's verdict.
# A REFUTED is never hidden; a claim is PROVED only when every obligation is.
SEVERITY = (
    Verdict.REFUTED,
    Verdict.ERROR,
    Verdict.UNDECIDED,
    Verdict.NO_COUNTEREXAMPLE,
    Verdict.VACUOUS,
    Verdict.PROVED,
)


def aggregate(verdicts: Iterable[Verdict]) -> Verdict:
    """The claim-level verdict: the most severe obligation verdict (see SEVERITY).

    A claim with no obligations at all is UNDECIDED: nothing was checked.
    """
    present = set(verdicts)
    if not present:
        return Verdict.UNDECIDED
    for v in SEVERITY:
        if v in present:
            return v
    raise ValueError(f"unknown verdicts {present}")  # pragma: no cover


@dataclass
class Result:
    """What an engine returns for one obligation.

    ``summary`` is one line a reader sees in the table; ``evidence`` is a JSON-serialisable dict
    with everything needed to re-check the verdict (method, boxes, counts, intervals, seeds);
    ``counterexample`` is the payload to save for ``dpoverify replay`` (None if there is none).
    """

    verdict: Verdict
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None

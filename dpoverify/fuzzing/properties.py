"""Hypothesis search for violations of a SimulationProperty over regimes (issue 5, items 1-4).

For each placement of :func:`.strategies.placements` (inside all hypotheses, on each boundary,
outside each hypothesis) Hypothesis draws (regime, seed) pairs, computes the observable, applies
the spec's check and calls ``hypothesis.target(-slack)`` so the search climbs toward violations.

* Where the regime is inside every hypothesis (with the Z the data realize) and the claim is not
  vacuous there (failure probability p < 1): a deterministic property fails on one draw; a
  probabilistic one fails the example when one failing draw alone is significant (p < 1%).
  Hypothesis then shrinks to a minimal failing (regime, seed), which is *confirmed* by
  :func:`dpoverify.fuzzing.engine.decide` — the same seed for a deterministic property; for a
  probabilistic one M fresh independent draws at that regime and an exact binomial test (the
  search itself is exploratory; only the pre-registered confirmation decides). Failing draws with
  p >= 1% are kept as candidates; the worst is confirmed the same way at the end.
* Outside a hypothesis (or where p >= 1) failures refute nothing: they are recorded as where the
  conclusion breaks.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import sympy as sp
from hypothesis import HealthCheck, given, seed as hseed, settings, target
from hypothesis.errors import Unsatisfiable

from ..profiles import Profile
from ..verdicts import Result, Verdict
from . import regime as rg
from .engine import Point, decide, derive_seeds
from .stats import CONFIDENCE
from .strategies import Drawn, placements, regimes, seeds as seed_strategy


SHRINK_SECONDS = {"quick": 5.0, "ci": 15.0}  # shrinking budget per placement (thorough: 120 s)


class Violation(AssertionError):
    """A draw inside every hypothesis where the claim is not vacuous and the check failed."""


@dataclass
class Search:
    """What one placement's search saw."""

    mode: str
    label: str
    examples: int = 0
    inside: int = 0  # draws inside every hypothesis (realized Z)
    asserted: int = 0  # ... where the claim asserts something (p < 1 or deterministic)
    failures: int = 0  # failing draws, any placement
    failures_asserted: int = 0
    min_slack: float = float("inf")
    worst: dict[str, Any] | None = None
    candidate: tuple[dict, int, float] | None = None  # (values, seed, slack) to confirm
    minimal: tuple[dict, int] | None = None  # shrunk failing example
    confirmation: Result | None = None
    seconds: float = 0.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        conf = None
        if self.confirmation is not None:
            conf = {"verdict": self.confirmation.verdict.value, "summary": self.confirmation.summary,
                    "test": self.confirmation.evidence.get("test"),
                    "failing_seeds": self.confirmation.evidence.get("failing_seeds")}
        return {"mode": self.mode, "placement": self.label, "examples": self.examples,
                "inside": self.inside, "asserted": self.asserted, "failures": self.failures,
                "failures_where_asserted": self.failures_asserted,
                "min_slack": None if self.min_slack == float("inf") else self.min_slack,
                "worst": self.worst, "confirmation": conf, "seconds": round(self.seconds, 2),
                "note": self.note}


def search(spec, profile: Profile, seed: int, mode: str, index: int | None, label: str,
           examples: int | None = None) -> Search:
    """Search one placement (see module docstring)."""
    rec = Search(mode, label)
    t0 = time.perf_counter()
    failing: dict[str, tuple[dict, int]] = {}
    violated: set[str] = set()
    first_failure: list[float] = []
    budget = SHRINK_SECONDS.get(profile.name, 120.0)

    def body(drawn: Drawn, s: int) -> None:
        key = f"{drawn!r}, seed {s}"
        if key not in failing and not (first_failure and time.perf_counter() - first_failure[0] > budget):
            evaluate(drawn, s, key)  # after the shrink budget, unseen examples pass unevaluated
        if key in failing:  # one raise site: Hypothesis replays the shrunk example and sees it again
            rec.minimal = failing[key]
            raise Violation(key)

    def evaluate(drawn: Drawn, s: int, key: str) -> None:
        point = Point(spec, drawn.values)
        obs = point.observe(s)
        placed = point.with_realized(obs.realized)
        holds, slack, detail = placed.check(obs)
        rec.examples += 1
        inside = not placed.outside() and not placed.undecided()
        asserted = inside and not placed.vacuous_probability()
        rec.inside += inside
        rec.asserted += asserted
        violated.update(p.label for p in placed.outside())
        if math.isfinite(slack):  # a check may return inf where it judges nothing
            target(-slack, label="violation (-slack)")
        if slack < rec.min_slack:
            rec.min_slack = slack
            rec.worst = {"regime": rg.as_text(placed.values), "seed": s, "slack": slack,
                         "inside": inside, "asserted": asserted,
                         "violated": [p.label for p in placed.outside()],
                         "failure_probability": placed.p, "detail": detail}
        if holds:
            return
        rec.failures += 1
        if not asserted:
            return
        rec.failures_asserted += 1
        if placed.deterministic or placed.p < 1 - CONFIDENCE:
            failing[key] = (placed.values, s)
            first_failure[:] = first_failure or [time.perf_counter()]
        elif rec.candidate is None or slack < rec.candidate[2]:
            rec.candidate = (placed.values, s, slack)

    n = examples or profile.max_examples
    base = settings.get_profile(profile.name)
    test = settings(base, max_examples=n, database=None, report_multiple_bugs=False,
                    suppress_health_check=[*base.suppress_health_check, HealthCheck.filter_too_much])(
        given(regimes(spec, profile, mode, index), seed_strategy)(body))
    test = hseed(seed)(test)
    try:
        test()
    except Violation:
        pass
    except Unsatisfiable as exc:
        rec.note = f"no regime could be drawn: {exc}"
    if mode == "boundary" and rec.examples and not rec.inside:
        rec.note = (f"this boundary was never reached inside the other hypotheses: every draw on it violated "
                    f"{', '.join(sorted(violated))} (the hypothesis is implied by the others there)")
    found = rec.minimal or (rec.candidate[:2] if rec.candidate else None)
    if found is not None:
        values, s = found
        confirm = [s] if spec.failure_probability is None else derive_seeds(s, profile.sim_draws, stream=1)
        rec.confirmation = decide(spec, values, confirm)
    rec.seconds = time.perf_counter() - t0
    return rec


def fuzz_spec(spec, profile: Profile, seed: int, examples: int | None = None,
              only: str | None = None) -> tuple[Result, list[Search]]:
    """Search every placement of ``spec``; the obligation's verdict over all of them.

    REFUTED if a confirmation inside the hypotheses refutes; VACUOUS if no draw landed where the
    claim asserts something; NO COUNTEREXAMPLE otherwise. ``only`` restricts to one mode.
    """
    records = []
    refuted = False
    for k, (mode, index, label) in enumerate(placements(spec)):
        if only and mode != only:
            continue
        if refuted and mode != "outside":  # one confirmed counterexample is enough inside
            records.append(Search(mode, label, note="skipped: already refuted"))
            continue
        rec = search(spec, profile, seed + 7919 * k, mode, index, label, examples)
        refuted = refuted or rec.confirmation is not None and rec.confirmation.verdict is Verdict.REFUTED
        records.append(rec)
    refuting = [r for r in records if r.confirmation is not None and r.confirmation.verdict is Verdict.REFUTED]
    asserted = sum(r.asserted for r in records)
    evidence = {"method": "Hypothesis search over regimes (hypothesis.target on -slack), exact binomial "
                          "confirmation at 99%", "profile": profile.name, "seed": seed,
                "placements": [r.as_dict() for r in records]}
    breaks = [f"{r.label}: {r.failures}/{r.examples}" for r in records if r.mode == "outside" and r.failures]
    tail = f"; breaks {', '.join(breaks)}" if breaks else ""
    total = sum(r.examples for r in records)
    if refuting:
        r = refuting[0]
        res = r.confirmation
        return Result(Verdict.REFUTED, f"{r.label}: {res.summary}", evidence, res.counterexample), records
    if asserted == 0:
        return Result(Verdict.VACUOUS, f"no drawn regime where the claim asserts something "
                                       f"({total} examples; failure probability >= 1 or outside){tail}",
                      evidence), records
    fails = sum(r.failures_asserted for r in records)
    return Result(Verdict.NO_COUNTEREXAMPLE,
                  f"{asserted} of {total} examples where the claim asserts something, {fails} failing draws "
                  f"(none confirmed){tail}", evidence), records


def example_line(values: dict[str, sp.Expr], s: int) -> str:
    """An ``@example`` line for tests/fuzz/test_regressions.py."""
    return f"@example(regime={rg.as_text(values)!r}, seed={s})"

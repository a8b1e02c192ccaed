"""Counterexamples a reader can trust: inside the hypotheses, simple, the same every run."""
import sympy as sp
from flint import fmpq

from dpoverify import prover
from dpoverify.claims import Domain, Implication, Param, symbol
from dpoverify.prover.search import height, simplest_between
from dpoverify.verdicts import Verdict

R = sp.Rational
Z, S, x, y = (symbol(n) for n in ("Z", "S", "x", "y"))


def test_simplest_between():
    assert simplest_between(fmpq(1, 3), fmpq(3, 4)) == fmpq(1, 2)
    assert simplest_between(fmpq(13, 10), fmpq(17, 10)) == fmpq(3, 2)
    assert simplest_between(fmpq(-12, 5), fmpq(-21, 10)) == fmpq(-7, 3)
    assert simplest_between(fmpq(7, 3), fmpq(7, 3)) == fmpq(7, 3)
    assert simplest_between(fmpq(-1), fmpq(5)) == 0
    assert height(fmpq(-7, 3)) == 7


def test_planted_step_reports_its_simple_counterexample(ctx):
    """A Lemma-B.2-like step: |S| <= 2(Z - 1) does not give |S| <= Z. The counterexample set is
    unbounded (Z = 1271, S = 2067 is one); the simplest is Z = 3, S = 4 and that is what is shown."""
    spec = Implication((Param("Z", Domain(1, integer=True)), Param("S", Domain(0, integer=True))),
                       (S <= 2 * (Z - 1),), S <= Z)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    assert r.counterexample["point"] == {"Z": "3", "S": "4"}


def test_simple_rationals_are_preferred_and_deterministic(ctx):
    # fails exactly where x + y > 3/2 inside the unit square: 1 and 1 (or 1 and 1/2 ...) are simplest
    spec = Implication((Param("x", Domain(0, 1)), Param("y", Domain(0, 1))), (), x + y <= R(3, 2))
    r1 = prover.run(spec, ctx)
    r2 = prover.run(spec, ctx)
    assert r1.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r1.counterexample["point"].items()}
    assert pt["x"] + pt["y"] > R(3, 2)
    assert max(height(fmpq(int(q.p), int(q.q))) for q in pt.values()) <= 2
    assert r1.counterexample == r2.counterexample


def test_counterexample_lies_inside_the_hypotheses(ctx):
    # the goal fails for y > 1 too, but the hypotheses allow y <= x/4 only
    spec = Implication((Param("x", Domain(0, 8)), Param("y", Domain(0))), (y <= x / 4,), y <= R(1, 3))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert pt["y"] <= pt["x"] / 4 and pt["y"] > R(1, 3)

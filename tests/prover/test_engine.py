"""Verdicts of the prover on small specs whose answer is known, and what their evidence says."""
import json

import pytest
import sympy as sp

from dpoverify import prover
from dpoverify.claims import Domain, DomainError, Implication, Param, symbol
from dpoverify.results import dumps
from dpoverify.verdicts import Verdict

R = sp.Rational
x, y, Q, K, Z, beta, N = (symbol(n) for n in ("x", "y", "Q", "K", "Z", "beta", "N"))


def P(name, *a, **k):
    return Param(name, Domain(*a, **k))


def test_identity_is_proved_exactly(ctx):
    spec = Implication((P("beta", 0, lo_closed=False), P("N", 2, integer=True)), (),
                       sp.Eq(5 * beta ** 2 / N * (N * sp.log(3) / (5 * beta ** 2)), sp.log(3)))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    assert "exact" in r.evidence["method"]


def test_false_constant_is_refuted_with_a_point(ctx):
    # r^U(tau_1) with the slope halved: log(3)/2, claimed >= log 3
    spec = Implication((P("beta", 0, lo_closed=False), P("N", 2, integer=True)), (),
                       5 * beta ** 2 / (2 * N) * (N * sp.log(3) / (5 * beta ** 2)) >= sp.log(3))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = r.counterexample["point"]
    assert set(pt) == {"beta", "N"} and sp.Rational(pt["N"]).is_integer


def test_bnb_proves_a_nonlinear_inequality(ctx):
    spec = Implication((P("x", 0, 1), P("y", 0, 1)), (), x * y * (1 - x) * (1 - y) <= R(1, 16))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    assert r.evidence["bnb"]["boxes"] > 1  # not decided by sympy alone


def test_tight_false_inequality_is_refuted_exactly(ctx):
    # max of x y (1-x)(1-y) is 1/16 at (1/2, 1/2): 1/17 is violated only near the centre
    spec = Implication((P("x", 0, 1), P("y", 0, 1)), (), x * y * (1 - x) * (1 - y) <= R(1, 17))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(v) for k, v in r.counterexample["point"].items()}
    assert pt["x"] * pt["y"] * (1 - pt["x"]) * (1 - pt["y"]) > R(1, 17)
    assert r.counterexample["certified_by"] == "exact rational arithmetic"


def test_integer_variables_only_refuted_at_integers(ctx):
    # for real K in (1, 2) the goal fails, for integer K never: must not be refuted
    spec = Implication((P("K", 1, 3, integer=True),), (), (K - 1) * (K - 2) >= 0)
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    spec = Implication((P("K", 1, 3),), (), (K - 1) * (K - 2) >= 0)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    k = R(r.counterexample["point"]["K"])
    assert 1 < k < 2


def test_integer_counterexample_is_an_integer(ctx):
    spec = Implication((P("Z", 1, integer=True),), (Z <= 10,), Z ** 2 <= 50)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    z = R(r.counterexample["point"]["Z"])
    assert z.is_integer and 8 <= z <= 10


def test_unbounded_tail_closed_by_monotonicity(ctx):
    # 2 K Q^2 e^{-Q/45} at Q = 1500, K = 10 is 1.5e-7; for larger Q it decreases
    spec = Implication((P("Q", 40, integer=True), P("K", 1, 10, integer=True)), (Q >= 1500,),
                       2 * K * Q ** 2 * sp.exp(-Q / 45) <= R(1, 10 ** 6))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    # ... and without the hypothesis it fails (at small Q)
    spec = Implication(spec.variables, (), spec.goal)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    assert R(r.counterexample["point"]["Q"]) < 1500


def test_tail_that_fails_far_out_is_refuted(ctx):
    # Q e^{-Q/10^4} <= 100 holds for small Q but fails around Q ~ 10^3 .. 10^7
    spec = Implication((P("Q", 1),), (), Q * sp.exp(-Q / 10 ** 4) <= 100)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    q = R(r.counterexample["point"]["Q"])
    assert q * sp.exp(-q / 10 ** 4) > 100


def test_scale_invariant_parameters_are_dropped(ctx):
    spec = Implication((P("beta", 0, lo_closed=False), P("N", 2, integer=True), P("x", 0, 1)), (),
                       beta ** 2 / N * (1 - x ** 2) <= beta ** 2 / N)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    assert {"beta", "N"} <= set(r.evidence.get("dropped", [])) or r.evidence["method"].startswith("exact")


def test_vacuous_where_condition_holds_everywhere(ctx):
    spec = Implication((P("x", 0, 1),), (), x >= 2, vacuous_when=x <= 1)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.VACUOUS


def test_partly_vacuous_decides_the_rest(ctx):
    # the goal fails only where the statement is vacuous: proved, with the vacuous part reported
    spec = Implication((P("x", 0, 2),), (), x <= 1, vacuous_when=x >= 1)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    assert r.evidence["region"]["vacuous"]["measure"] > 0.4
    # ... and fails outside it: refuted by a point outside the vacuous part
    spec = Implication((P("x", 0, 2),), (), x <= R(1, 2), vacuous_when=x >= 1)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    assert R(1, 2) < R(r.counterexample["point"]["x"]) < 1


def test_contradictory_hypotheses_are_vacuous(ctx):
    spec = Implication((P("x", 0, 1), P("y", 0, 1)), (x + y >= 3,), x <= -5)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.VACUOUS


def test_fixed_parameter_restricts_the_domain(ctx):
    spec = Implication((P("x", 0, 10), P("y", 0, 1)), (), x * y <= 5)
    assert prover.run(spec, ctx).verdict == Verdict.REFUTED
    ctx.fixed = {"x": R(4)}
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    assert r.evidence["fixed"] == {"x": "4"}
    ctx.fixed = {"x": R(11)}
    with pytest.raises(DomainError):
        prover.run(spec, ctx)


def test_undecided_reports_open_boxes(quick):
    # true but with a tangency the enclosures cannot separate: x^2 - 2xy + y^2 >= 0 written
    # so that sympy's sign rules do not see it and no box ever is certain near x = y
    spec = Implication((P("x", -1, 1), P("y", -1, 1)), (), x ** 2 + y ** 2 >= 2 * x * y)
    r = prover.run(spec, quick)
    assert r.verdict in (Verdict.UNDECIDED, Verdict.PROVED)
    if r.verdict == Verdict.UNDECIDED:
        assert r.evidence["region"]["open"]["leaves"] > 0
        assert r.evidence["region"]["open"]["boxes"]


def test_and_or_goals(ctx):
    spec = Implication((P("x", 0, 1),), (), sp.Or(x <= R(1, 2), x >= R(1, 2)))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    spec = Implication((P("x", 0, 1),), (), sp.And(x <= R(3, 4), x >= R(1, 4)))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED


def test_replay_reverifies_and_detects_fixed_statements(ctx):
    bad = Implication((P("x", 0, 1),), (), x ** 2 <= R(1, 2))
    r = prover.run(bad, ctx)
    assert r.verdict == Verdict.REFUTED
    again = prover.replay(bad, r.counterexample, ctx)
    assert again.verdict == Verdict.REFUTED
    fixed = Implication((P("x", 0, 1),), (), x ** 2 <= 1)
    held = prover.replay(fixed, r.counterexample, ctx)  # the verdict at the saved point, no fresh search
    assert held.verdict == Verdict.NO_COUNTEREXAMPLE and "no longer a counterexample" in held.summary
    tampered = prover.replay(bad, {"point": {"x": "1/10"}}, ctx)
    assert tampered.verdict == Verdict.NO_COUNTEREXAMPLE and "the goal holds" in tampered.summary
    assert prover.replay(bad, {"point": {"x": "2"}}, ctx).verdict == Verdict.VACUOUS  # outside x's domain
    assert prover.replay(bad, {"point": {"z": "1"}}, ctx).verdict == Verdict.ERROR


def test_evidence_is_json_and_names_method_and_seed(ctx):
    spec = Implication((P("x", 0, 1), P("y", 0, 1)), (x <= y,), x * (1 - y) <= R(3, 10))
    r = prover.run(spec, ctx)
    doc = json.loads(dumps(r.evidence))
    assert "branch-and-bound" in doc["method"] and "seed 3" in doc["method"]
    assert doc["region"]["summary"]


def test_progress_is_reported(ctx):
    seen = []
    ctx.progress = seen.append
    prover.run(Implication((P("x", 0, 1),), (), x * (1 - x) <= R(1, 4)), ctx)
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


def test_transcendental_counterexample_is_certified_with_arb(ctx):
    # exp(x) >= 1 + x + x^2/2 fails for x < 0
    spec = Implication((P("x", -2, 2),), (), sp.exp(x) >= 1 + x + x ** 2 / 2)
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    assert "Arb" in r.counterexample["certified_by"]
    xv = R(r.counterexample["point"]["x"])
    assert xv < 0 and sp.exp(xv) < 1 + xv + xv ** 2 / 2

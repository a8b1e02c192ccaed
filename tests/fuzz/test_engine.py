"""The SimulationProperty engine at one regime: verdicts, vacuity, replay (dpoverify.fuzzing.engine)."""
import pytest
import sympy as sp

from dpoverify.engines import Context
from dpoverify.fuzzing import engine
from dpoverify.fuzzing.regime import resolve
from dpoverify.fuzzing.stats import largest_rejected
from dpoverify.profiles import get
from dpoverify.results import load_counterexample, save_counterexample
from dpoverify.verdicts import Verdict

from ._specs import band_spec, final_band

pytestmark = pytest.mark.fuzz
QUICK = get("quick")


def ctx(**fixed):
    return Context(QUICK, seed=3, fixed={k: sp.Rational(v) for k, v in fixed.items()})


def test_regime_resolution_propagates_fixed_parameters():
    v = resolve(band_spec().regime, {"Q": sp.Integer(100)})
    assert v["d"] == 500 and v["v"] == sp.Rational(1, 320) and v["N"] == 400


def test_true_deterministic_property_has_no_counterexample():
    r = engine.run(band_spec(), ctx())
    assert r.verdict is Verdict.NO_COUNTEREXAMPLE and r.evidence["draws"] == QUICK.sim_draws


def test_planted_wrong_bound_is_refuted_and_replays(tmp_path):
    spec = band_spec(check=final_band(lo_factor=0.5))  # claims r(tau_1) >= log(3)/2: false (r ~ 0.2)
    r = engine.run(spec, ctx())
    assert r.verdict is Verdict.REFUTED and r.counterexample["failing_seeds"]
    path = save_counterexample(tmp_path, "toy", "band", r.counterexample, 3, "quick")
    again = engine.replay(spec, load_counterexample(path)["payload"], ctx())
    assert again.verdict is Verdict.REFUTED and again.evidence["replayed"]
    assert engine.replay(band_spec(), r.counterexample, ctx()).verdict is Verdict.NO_COUNTEREXAMPLE


def test_probabilistic_claim_is_tested_as_a_probability():
    always = band_spec(check=final_band(lo_factor=0.5), failure_probability="1/1000")
    r = engine.run(always, ctx())
    assert r.verdict is Verdict.REFUTED and r.evidence["test"]["failures"] == QUICK.sim_draws
    generous = band_spec(check=final_band(lo_factor=0.5), failure_probability="999/1000")
    r = engine.run(generous, ctx())  # 5/5 failures are likely at p = 0.999: not refuted
    assert r.verdict is Verdict.NO_COUNTEREXAMPLE and r.evidence["test"]["p_value"] > 0.01
    assert r.evidence["test"]["ci_low"] < 1 <= r.evidence["test"]["ci_high"] + 1e-12


def test_failure_probability_at_least_one_is_vacuous_but_reports_observation():
    r = engine.run(band_spec(check=final_band(lo_factor=0.5), failure_probability="K*Q"), ctx())
    assert r.verdict is Verdict.VACUOUS and ">= 1" in r.summary and "5/5 draws failed" in r.summary


def test_outside_a_hypothesis_is_vacuous_and_says_which():
    r = engine.run(band_spec(), ctx(v="1/2"))
    assert r.verdict is Verdict.VACUOUS
    assert "outside hypothesis v <= 1/(32*sqrt(Q))" in r.summary and r.evidence["draws"] >= 1


def test_unresolved_failure_probability_is_an_error_not_a_pass():
    with pytest.raises(ValueError, match="depends on c"):
        engine.run(band_spec(failure_probability="exp(-c*Q)"), ctx())


def test_seeds_are_derived_reproducibly():
    assert engine.derive_seeds(3, 4) == engine.derive_seeds(3, 4) != engine.derive_seeds(4, 4)
    assert engine.derive_seeds(3, 4, stream=1) != engine.derive_seeds(3, 4)


def test_refuting_threshold_of_an_unspecified_constant():
    """p(c) = 100 e^{-c}; 5/5 failures reject exactly the claims p < 0.01^{1/5} (p-value p^5)."""
    c = sp.Symbol("c", real=True)
    p_crit = 0.01 ** 0.2
    assert largest_rejected(5, 5) == pytest.approx(p_crit, rel=1e-9)
    c_star = engine.refuting_threshold(("c", 100 * sp.exp(-c)), 5, 5)
    assert c_star == pytest.approx(float(sp.log(100 / sp.Float(p_crit))), rel=1e-3)
    assert engine.refuting_threshold(("c", sp.exp(-c) / 10 ** 6), 5, 5) == 0.0  # below p_crit for every c > 0


def test_unspecified_constant_judged_at_its_infimum_unless_fixed():
    """A wrong bound claimed with failure probability 1000 e^{-c}: at the infimum (c -> oo, p = 0) it
    is refuted and the threshold c* = log(1000/p_crit) reported; --param c=1 (p >= 1) is vacuous,
    --param c=20 (p ~ 2e-6) refuted without a threshold."""
    c = sp.Symbol("c", real=True)
    spec = band_spec(check=final_band(lo_factor=0.5), failure_probability=sp.Integer(0),
                     failure_probability_in=("c", 1000 * sp.exp(-c)))
    r = engine.run(spec, ctx())
    n = r.evidence["draws"]
    assert r.verdict is Verdict.REFUTED
    expected = float(sp.log(1000 / sp.Float(largest_rejected(n, n))))
    assert r.evidence["unspecified_constant"]["refuted_for_above"] == pytest.approx(expected, rel=1e-3)
    assert f"refuted for every c > {expected:.3g}" in r.summary
    assert engine.run(spec, ctx(c=1)).verdict is Verdict.VACUOUS
    fixed = engine.run(spec, ctx(c=20))
    assert fixed.verdict is Verdict.REFUTED and "unspecified_constant" not in fixed.evidence

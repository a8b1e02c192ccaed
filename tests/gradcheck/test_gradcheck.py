"""The gradient-identity engine: its ground truth is autodiff of the real loss (checked here by
finite differences), it refutes planted wrong formulas with a replayable counterexample, and it
finds no counterexample to the true ones."""
import json
from dataclasses import replace

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dpoverify import engines, gradcheck  # noqa: E402
from dpoverify.engines import Context  # noqa: E402
from dpoverify.profiles import get  # noqa: E402
from dpoverify.results import dumps  # noqa: E402
from dpoverify.specs import GradientIdentity  # noqa: E402
from dpoverify.verdicts import Verdict  # noqa: E402
from theorems import eq_5, lemma_4_1, section_7_gpo, section_7_response_dynamics  # noqa: E402

CTX = Context(profile=get("quick"), seed=3)


@pytest.mark.parametrize("model,quantity", [
    ("single-token", "margin_rate"), ("single-token", "response_reward_rate"),
    ("single-token", "test_margin_rate"),
    ("multi-token", "token_reward_rate"), ("multi-token", "margin_rate")])
@pytest.mark.parametrize("loss", ["dpo", "ipo"])
def test_true_rate_matches_finite_differences_along_the_flow(model, quantity, loss):
    rng = np.random.default_rng(0)
    inst = gradcheck.random_instance(rng, model, loss)
    rate = gradcheck.true_rate(inst, quantity)
    tau_wdot = gradcheck.true_rate(inst, "weight_rate")
    h = 1e-6

    def q(W):
        x = gradcheck.Instance(**{**inst.to_payload(), "W": W})
        if quantity == "test_margin_rate":
            with torch.no_grad():
                return x.test_policy().margins(torch.as_tensor(W)).numpy()
        return {"margin_rate": x.r, "response_reward_rate": np.stack([x.r_w, x.r_l], -1),
                "token_reward_rate": np.stack([x.r_tok_w, x.r_tok_l], -1)}[quantity]

    fd = (q(inst.W + h * tau_wdot) - q(inst.W - h * tau_wdot)) / (2 * h)
    assert np.allclose(rate, fd, rtol=1e-6, atol=1e-8)


def test_weight_rate_is_minus_the_loss_gradient():
    inst = gradcheck.random_instance(np.random.default_rng(1), "multi-token", "dpo")
    W = torch.tensor(inst.W, requires_grad=True)
    inst.policy().loss(W).backward()
    assert np.allclose(gradcheck.true_rate(inst, "weight_rate"), -W.grad.numpy())


def test_planted_beta_instead_of_beta_squared_is_refuted_and_replays():
    true_spec = lemma_4_1.CLAIM.obligation("eq-3").spec
    planted = replace(true_spec, formula=lambda x: lemma_4_1.eq8_margin_rate(x) / x.beta)
    res = gradcheck.run(planted, CTX)
    assert res.verdict is Verdict.REFUTED
    payload = json.loads(dumps(res.counterexample))  # survives the counterexample file
    again = gradcheck.replay(planted, payload, CTX)
    assert again.verdict is Verdict.REFUTED
    assert again.evidence["relative_discrepancy"] == pytest.approx(res.counterexample["relative_discrepancy"])
    # the same instance does not refute the true formula
    assert gradcheck.replay(true_spec, payload, CTX).verdict is Verdict.NO_COUNTEREXAMPLE


@pytest.mark.parametrize("factor", [1 + 1e-6, 0.5])
def test_small_planted_errors_are_refuted(factor):
    spec = lemma_4_1.CLAIM.obligation("eq-6").spec
    planted = replace(spec, formula=lambda x: factor * lemma_4_1.eq6_weight_rate(x))
    assert gradcheck.run(planted, CTX).verdict is Verdict.REFUTED


EXPECTED = {
    ("lemma-4.1", "eq-6"): Verdict.NO_COUNTEREXAMPLE,
    ("lemma-4.1", "eq-7"): Verdict.NO_COUNTEREXAMPLE,
    ("lemma-4.1", "eq-3"): Verdict.NO_COUNTEREXAMPLE,
    ("lemma-4.1", "eq-3-new-sample"): Verdict.NO_COUNTEREXAMPLE,
    ("section-7.gpo", "ipo"): Verdict.NO_COUNTEREXAMPLE,
    ("section-7.gpo", "slic"): Verdict.NO_COUNTEREXAMPLE,
    ("section-7.response-dynamics", "as-printed"): Verdict.REFUTED,
    ("section-7.response-dynamics", "corrected"): Verdict.NO_COUNTEREXAMPLE,
    ("eq-5", "eq-79"): Verdict.NO_COUNTEREXAMPLE,
    ("eq-5", "eq-78"): Verdict.REFUTED,
    ("eq-5", "eq-5"): Verdict.REFUTED,
    ("eq-5", "eq-5-corrected"): Verdict.NO_COUNTEREXAMPLE,
}
CLAIMS = {m.CLAIM.id: m.CLAIM for m in (lemma_4_1, section_7_gpo, section_7_response_dynamics, eq_5)}


@pytest.mark.parametrize("cid,oid", sorted(EXPECTED))
def test_claim_obligations_get_their_verdicts(cid, oid):
    res, _ = engines.run(CLAIMS[cid].obligation(oid).spec, CTX)
    assert res.verdict is EXPECTED[(cid, oid)], res.summary
    if res.verdict is Verdict.NO_COUNTEREXAMPLE:
        assert res.evidence["max_relative_discrepancy"] < 1e-12
        assert res.evidence["informative_instances"] >= 1


def test_every_obligation_of_these_claims_is_covered():
    assert {(c.id, o.id) for c in CLAIMS.values() for o in c.obligations} == set(EXPECTED)


def test_the_wrong_loss_is_refuted():
    """eq. 3 with sigma(-r) checked against the IPO flow must fail: the engine uses spec.loss."""
    spec = replace(lemma_4_1.CLAIM.obligation("eq-3").spec, loss="ipo")
    assert gradcheck.run(spec, CTX).verdict is Verdict.REFUTED


def test_new_sample_dynamics_use_the_new_samples_tokens():
    """Planted: C(x_i, x~) built with the training tokens of sample 0 instead of x~'s must fail."""
    def wrong(x):
        C = ((x.Yw - x.Yl) @ np.repeat((x.Yw - x.Yl)[:1], len(x.Gt), 0).T) * (x.G @ x.Gt.T)
        return (x.beta ** 2 / (1 + np.exp(x.r))) @ C / x.N
    spec = GradientIdentity("test_margin_rate", wrong)
    assert gradcheck.run(spec, Context(profile=get("ci"), seed=0)).verdict is Verdict.REFUTED


def test_shape_mismatch_is_an_error_not_a_verdict():
    spec = GradientIdentity("margin_rate", lambda x: np.zeros(x.N + 1))
    res, _ = engines.run(spec, CTX)
    assert res.verdict is Verdict.ERROR and "shape" in res.summary


def test_fixed_parameters_and_seed_are_honoured():
    import sympy as sp
    spec = lemma_4_1.CLAIM.obligation("eq-3").spec
    ctx = Context(profile=get("quick"), seed=5, fixed={"beta": sp.Rational(1, 10)})
    res = gradcheck.run(spec, ctx)
    assert all(i["beta"] == 0.1 for i in res.evidence["instances"])
    assert res.evidence == gradcheck.run(spec, ctx).evidence

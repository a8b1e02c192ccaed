"""The example pack examples/dpo-ipo-facts, installed as CI installs it (its own pyproject's
entry point): found next to this paper's pack, every true fact passes, the planted false step is
refuted, and its engine refutes a wrong gradient formula."""
import math
from importlib.metadata import entry_points

import pytest

import dpoverify as dv
from dpoverify import packs

INSTALLED = {ep.name for ep in entry_points(group=packs.ENTRY_POINT_GROUP)}
pytestmark = pytest.mark.skipif(
    "dpo-ipo-facts" not in INSTALLED,
    reason="the example pack is not installed: pip install -e examples/dpo-ipo-facts (.ci/run does)")

EXPECTED = {
    "ipo-dpo.minimisers": {"ipo-stationary": "PROVED", "ipo-bounded": "PROVED", "dpo-stationary": "PROVED",
                           "dpo-unbounded": "PROVED", "dpo-above-ipo": "PROVED", "dpo-bounded": "REFUTED"},
    "bt-dpo.gradients": {"bt-nll": "NO COUNTEREXAMPLE", "dpo-gradient": "NO COUNTEREXAMPLE",
                         "ipo-gradient": "NO COUNTEREXAMPLE"},
    "ipo-flow": {"bounded-converging": "NO COUNTEREXAMPLE"},
}


@pytest.fixture(scope="module")
def example():
    found = {lp.pack.name: lp for lp in packs.installed()}
    assert {"dpo-diverse-values", "dpo-ipo-facts"} <= set(found)
    packs.merge(list(found.values()))  # the two packs share no claim id
    return found["dpo-ipo-facts"]


def test_the_example_pack_declares_its_paper_and_claims(example):
    assert example.pack.paper.version == "arXiv 2310.12036v2"
    assert set(example.claims) == set(EXPECTED)
    assert all(c.source.version == "arXiv 2310.12036v2" for c in example.claims.values())


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_true_facts_hold_and_only_the_planted_step_is_refuted(example, claim_id):
    pytest.importorskip("torch")
    result = dv.check(example.claims[claim_id], profile="quick", seed=0)
    assert {o.id: o.verdict.value for o in result.obligations} == EXPECTED[claim_id], \
        {o.id: o.summary for o in result.obligations}


def test_the_refutation_is_where_dpo_exceeds_the_bound_and_replays(example):
    res = dv.check(example.claims["ipo-dpo.minimisers"], obligations=["dpo-bounded"])["dpo-bounded"]
    p = dv.parse_value(res.counterexample["point"]["p"])
    assert float(p) > math.e / (1 + math.e)
    assert dv.replay(res).verdict is dv.Verdict.REFUTED


def test_the_autodiff_engine_refutes_a_wrong_gradient(example):
    pytest.importorskip("torch")
    from dpo_ipo_facts import gradients
    from dpo_ipo_facts.autodiff import AutodiffIdentity

    def without_sigma(theta, beta):  # DPO's gradient with the weight sigma(-beta m) dropped
        return -beta * (gradients._unit(theta, gradients.W) - gradients._unit(theta, gradients.L))

    wrong = dv.Claim("planted-1", "t", dv.Source("s"), "s", obligations=(
        dv.Obligation("g", dv.Kind.SIMULATION, "g", "c", AutodiffIdentity(gradients.V, gradients._dpo, without_sigma)),))
    res = dv.check(wrong)["g"]
    assert res.verdict is dv.Verdict.REFUTED
    assert dv.replay(res).verdict is dv.Verdict.REFUTED

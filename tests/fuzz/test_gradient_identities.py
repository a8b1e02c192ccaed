"""Lemma 4.1, eq. 5 on the multi-token model and Section 7's GPO variants, fuzzed by Hypothesis:
random softmax-model instances (``dpoverify.gradcheck.random_instance``, drawn from a Hypothesis
seed) against torch autograd of the real loss, ``hypothesis.target`` on the discrepancy.

The Hypothesis search must agree with the gradcheck engine's own verdict on its instances: a
formula the engine refutes must fail here too, one it does not must hold on every instance drawn.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, target

from dpoverify import profiles, registry
from dpoverify.engines import Context, run
from dpoverify.gradcheck import TOLERANCE, compare, random_instance
from dpoverify.specs import GradientIdentity
from dpoverify.verdicts import Verdict

pytestmark = pytest.mark.fuzz
IDENTITIES = [pytest.param(c.id, k, id=f"{c.id}/{o.id}") for c in registry.all_claims().values()
              for k, o in enumerate(c.obligations) if isinstance(o.spec, GradientIdentity)]


def discrepancy(spec, seed: int) -> float:
    inst = random_instance(np.random.default_rng(seed), spec.model, spec.loss)
    out = compare(spec, inst)
    return out["relative_discrepancy"] if out["scale"] > 0 else 0.0


def search_worst(spec) -> float:
    worst = [0.0]

    @settings(max_examples=profiles.get("ci").gradient_instances * 2, database=None)
    @given(st.integers(0, 2**32 - 1))
    def prop(seed):
        rel = discrepancy(spec, seed)
        target(min(rel, 1e6), label="relative discrepancy")
        worst[0] = max(worst[0], rel)

    prop()
    return worst[0]


@pytest.mark.parametrize("claim_id,k", IDENTITIES)
def test_search_agrees_with_gradcheck(claim_id, k):
    spec = registry.get(claim_id).obligations[k].spec
    engine_verdict = run(spec, Context(profiles.get("quick"), seed=0))[0].verdict
    worst = search_worst(spec)
    print(f"{claim_id}: worst relative discrepancy {worst:.3g} (gradcheck: {engine_verdict.value})")
    if engine_verdict is Verdict.REFUTED:
        assert worst > TOLERANCE
    else:
        assert engine_verdict is Verdict.NO_COUNTEREXAMPLE and worst <= TOLERANCE

"""Every SimulationProperty obligation of the registry, fuzzed under the ci profile.

A refutation of the paper is a result, not a test failure: it is printed and must be reproducible
(its payload replays to REFUTED). The test fails when the search errors, cannot place a regime
inside the hypotheses, or finds a refutation that does not replay.
"""
import pytest

from dpoverify import profiles, registry
from dpoverify.fuzzing import engine
from dpoverify.fuzzing.properties import fuzz_spec, search
from dpoverify.fuzzing.strategies import placements
from dpoverify.engines import Context
from dpoverify.specs import SimulationProperty
from dpoverify.verdicts import Verdict

pytestmark = pytest.mark.fuzz
CI = profiles.get("ci")
OBLIGATIONS = [pytest.param(c.id, k, id=f"{c.id}/{o.id}") for c in registry.all_claims().values()
               for k, o in enumerate(c.obligations) if isinstance(o.spec, SimulationProperty)]


def _spec(claim_id, k):
    return registry.get(claim_id).obligations[k].spec


@pytest.mark.parametrize("claim_id,k", OBLIGATIONS)
def test_inside_hypotheses(claim_id, k):
    spec = _spec(claim_id, k)
    rec = search(spec, CI, 0, "inside", None, "inside")
    assert rec.examples > 0 and not rec.note, rec.note
    assert rec.inside == rec.examples, "the inside strategy drew a regime outside a hypothesis"
    print(f"{claim_id}: {rec.examples} examples, {rec.asserted} asserted, {rec.failures} failing, "
          f"min slack {rec.min_slack:.4g}")
    if rec.confirmation is not None and rec.confirmation.verdict is Verdict.REFUTED:
        again = engine.replay(spec, rec.confirmation.counterexample, Context(CI))
        assert again.verdict is Verdict.REFUTED, again.summary
        print(f"  REFUTED: {rec.confirmation.summary}")


@pytest.mark.parametrize("claim_id,k", OBLIGATIONS)
def test_boundaries_and_outside(claim_id, k):
    spec = _spec(claim_id, k)
    result, records = fuzz_spec(spec, CI, 1, examples=max(3, CI.max_examples // 5))
    assert result.verdict is not Verdict.ERROR
    assert len(records) == len(placements(spec))
    for rec in records:
        if rec.mode == "boundary" and rec.examples:
            assert rec.inside > 0 or rec.note, f"{rec.label}: no boundary draw inside the hypotheses"
    if result.verdict is Verdict.REFUTED:
        assert engine.replay(spec, result.counterexample, Context(CI)).verdict is Verdict.REFUTED
    print(f"{claim_id}: {result.verdict.value}: {result.summary}")

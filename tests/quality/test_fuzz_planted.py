"""Planted wrong bounds the fuzzer must catch: every simulated property of the registry, with its
check replaced by a wrong (too strong) bound on the same observable, is refuted both by the engine
at the default regime and by the Hypothesis search inside the hypotheses; a planted wrong gradient
formula and a planted wrong flow are caught by the property tests of tests/fuzz."""
import math
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from dpoverify import profiles, registry
from dpoverify.engines import Context
from dpoverify.fuzzing import engine
from dpoverify.fuzzing.properties import search
from dpoverify.gradcheck import TOLERANCE
from dpoverify.specs import GradientIdentity, SimulationProperty
from dpoverify.verdicts import Verdict
from tests.fuzz.test_flow_vs_gd import gaps
from tests.fuzz.test_gradient_identities import search_worst

pytestmark = pytest.mark.quality


def _margins(obs, p):  # claims r(horizon) >= log 3 for every sample (the paper's upper end)
    slack = float(obs.final.min()) / math.log(3) - 1
    return slack >= 0, slack, {}


def _risk(obs, p):  # claims R(P) <= exp(-10^9): far below anything the flow reaches
    slack = -1e9 - float(obs.log_risk)
    return slack >= 0, slack, {}


def _kernel(obs, p):  # claims same-cluster entries within 1e-6 of 2(1 + l_b^2)
    dev = float(np.abs(obs.C[obs.masks["same"]] - 2 * (1 + p["l_b"] ** 2)).max()) if obs.masks["same"].any() else 1.0
    return dev <= 1e-6, 1e-6 - dev, {}


def _residual(obs, p):  # claims the within-value mean field is exact up to 1e-9 max phi
    slack = float((1e-9 * obs.max_phi[:, None] - np.abs(obs.residual)).min())
    return slack >= 0, slack, {}


PLANTED = {"train_margins": _margins, "population_risk": _risk, "kernel": _kernel, "flow_residual": _residual}
SIMULATED = [pytest.param(c.id, k, id=f"{c.id}/{o.id}") for c in registry.all_claims().values()
             for k, o in enumerate(c.obligations) if isinstance(o.spec, SimulationProperty)]
IDENTITIES = [pytest.param(c.id, k, id=f"{c.id}/{o.id}") for c in registry.all_claims().values()
              for k, o in enumerate(c.obligations) if isinstance(o.spec, GradientIdentity)]


def planted(spec):
    return replace(spec, check=PLANTED[spec.observable], failure_probability=sp.Rational(1, 10**6))


@pytest.mark.parametrize("claim_id,k", SIMULATED)
def test_engine_refutes_planted_bound_at_default_regime(claim_id, k):
    spec = registry.get(claim_id).obligations[k].spec
    res = engine.run(planted(spec), Context(profiles.get("quick"), seed=0))
    if any(p.holds is False for p in engine.Point(spec, engine.rg.resolve(spec.regime)).placements):
        assert res.verdict is Verdict.VACUOUS  # the default regime lies outside the spec's own hypotheses
    else:
        assert res.verdict is Verdict.REFUTED, res.summary
        assert engine.replay(planted(spec), res.counterexample, Context(profiles.get("quick"))).verdict is Verdict.REFUTED


@pytest.mark.parametrize("claim_id,k", SIMULATED)
def test_search_refutes_planted_bound_inside_hypotheses(claim_id, k):
    spec = planted(registry.get(claim_id).obligations[k].spec)
    rec = search(spec, profiles.get("quick"), 0, "inside", None, "inside")
    assert rec.confirmation is not None and rec.confirmation.verdict is Verdict.REFUTED, rec.as_dict()
    assert rec.minimal is not None  # shrunk to a minimal failing (regime, seed)


@pytest.mark.parametrize("claim_id,k", IDENTITIES)
def test_planted_wrong_formula_is_found(claim_id, k):
    spec = registry.get(claim_id).obligations[k].spec
    wrong = replace(spec, formula=lambda inst, f=spec.formula: 1.01 * np.asarray(f(inst)) + 1e-3)
    assert search_worst(wrong) > TOLERANCE


def test_planted_wrong_flow_is_caught():
    from dpoverify.simulator.regime import Regime

    reg = Regime(K=2, Q=4, d=6, v=0.05, l_b=0.25)
    g1, g2 = gaps(reg, 0, "dpo", 16, flow_loss="ipo")  # GD of DPO against the IPO flow
    assert not (g2 < 0.05 and g2 <= 0.65 * g1)

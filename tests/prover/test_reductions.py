"""Reductions before branch and bound: products, scale symmetries, bound normalisation; and that
counterexamples found in a reduced problem map back to integer points of the printed domain."""
import sympy as sp

from dpoverify import prover
from dpoverify.claims import Domain, Implication, Param, symbol
from dpoverify.verdicts import Verdict

R = sp.Rational
Q, d, v, eps, Z = (symbol(n) for n in ("Q", "d", "v", "eps", "Z"))
VARS = (Param("Q", Domain(1, integer=True)), Param("d", Domain(1, integer=True)),
        Param("v", Domain(0, lo_closed=False)))
HYPS = (d <= 5 * Q, v <= 1 / (32 * sp.sqrt(Q)))


def test_bound_normalisation_proves_step_32_33(ctx):
    r = prover.run(Implication(VARS, HYPS, (5 * Q + 2 * d * v ** 2) / 2 <= 10 * Q), ctx)
    assert r.verdict == Verdict.PROVED
    assert "normalised" in r.evidence["method"]


def test_scaled_counterexample_maps_back_to_integers(ctx):
    # false wherever d v^2 > 0; the scale symmetry Q, d ~ lambda^2, v ~ 1/lambda is used
    r = prover.run(Implication(VARS, HYPS, (5 * Q + 2 * d * v ** 2) / 2 <= R(5, 2) * Q), ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(s) for k, s in r.counterexample["point"].items()}
    assert pt["Q"].is_integer and pt["d"].is_integer and pt["Q"] >= 1 and pt["d"] >= 1
    assert pt["d"] <= 5 * pt["Q"] and pt["v"] <= 1 / (32 * sp.sqrt(pt["Q"]))


def test_product_of_parameters_becomes_one_variable(ctx):
    vars_ = (Param("eps", Domain(0, lo_closed=False)), Param("v", Domain(0, lo_closed=False)),
             Param("Z", Domain(1, 4, integer=True)))
    spec = Implication(vars_, (eps <= 1 / (16 * v * (Z + 2)),), (2 * Z + 4) * eps * v <= R(1, 8))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.PROVED
    spec = Implication(vars_, (eps <= 1 / (16 * v * (Z + 2)),), (2 * Z + 4) * eps * v <= R(1, 9))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.REFUTED
    pt = {k: R(s) for k, s in r.counterexample["point"].items()}
    assert (2 * pt["Z"] + 4) * pt["eps"] * pt["v"] > R(1, 9)


def test_relaxation_never_refutes_by_itself(ctx):
    # true only because Q >= 1 (a domain bound the scale symmetry forgets): must stay proved
    vars_ = (Param("Q", Domain(1)), Param("d", Domain(0, lo_closed=False)))
    r = prover.run(Implication(vars_, (d <= Q,), Q + d / Q >= 1), ctx)
    assert r.verdict == Verdict.PROVED


def test_tangency_at_an_irrational_hypothesis_boundary(ctx):
    # before tau_s every r <= log 3, so sigma(-r) >= 1/4 with equality at r = log 3 exactly
    r_ = symbol("r")
    spec = Implication((Param("r", Domain()),), (r_ <= sp.log(3),), 1 / (1 + sp.exp(r_)) >= R(1, 4))
    assert prover.run(spec, ctx).verdict == Verdict.PROVED
    # strictly greater fails only at the irrational point log 3: no rational counterexample exists,
    # so the honest answer is UNDECIDED with the boundary box open, never PROVED
    spec = Implication(spec.variables, spec.assumptions, 1 / (1 + sp.exp(r_)) > R(1, 4))
    r = prover.run(spec, ctx)
    assert r.verdict == Verdict.UNDECIDED and r.evidence["region"]["open"]["leaves"]

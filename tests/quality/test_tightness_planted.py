"""Planted bounds for `dpoverify tightness` (issue 11 §4): a row reports the ratio of the bound of
its own obligation to what the simulator observed, so a bound planted as a known multiple of the
observed margins reads back as that multiple, and the refuted band as printed reads < 1."""
from dataclasses import replace

import pytest
import sympy as sp

from dpoverify import profiles, registry
from dpoverify.fuzzing import regime as rg
from dpoverify.fuzzing import tightness
from dpoverify.fuzzing.engine import Point, derive_seeds
from theorems import _appendix_b as B

pytestmark = pytest.mark.quality
QUICK = profiles.get("quick")
t = B.t


def _spec(obligation_id):
    return registry.get("theorem-b.3").obligation(obligation_id).spec


def _row(rows, quantity):
    return next(r for r in rows if r["quantity"] == quantity)["at_default"]


def _observed_final():
    """r(tau_1) of every draw tightness makes, computed here independently of any check."""
    spec = _spec("trajectory-band-corrected")
    point = Point(spec, rg.resolve(spec.regime))
    finals = [point.observe(s).final for s in derive_seeds(0, tightness.DRAWS["quick"])]
    return point.horizon, finals


@pytest.mark.parametrize("multiple", [3, 0.5])
def test_planted_multiple_of_the_observed_margin_reads_back(multiple):
    horizon, finals = _observed_final()
    top, bottom = max(float(f.max()) for f in finals), min(float(f.min()) for f in finals)
    # r^U(t) = lam t with lam tau_1 = multiple x the largest r(tau_1); r^L(t) likewise below the smallest
    upper = sp.Float(multiple * top / horizon, 30) * t
    lower = sp.Float(bottom / (multiple * horizon), 30) * t
    spec = replace(_spec("trajectory-band-corrected"), check=B.trajectory_band_check(lower, upper))
    rows = tightness.rows_of("planted", "band", "planted band", spec, QUICK, 0)
    assert _row(rows, "r^U(τ₁) / r(τ₁)")["min"] == pytest.approx(multiple, rel=1e-9)
    assert _row(rows, "r(τ₁) / r^L(τ₁)")["min"] == pytest.approx(multiple, rel=1e-9)


def test_refuted_band_as_stated_reads_below_one_and_each_row_uses_its_own_bound():
    stated = tightness.rows_of("theorem-b.3", "s", "", _spec("trajectory-band-as-stated"), QUICK, 0)
    corrected = tightness.rows_of("theorem-b.3", "c", "", _spec("trajectory-band-corrected"), QUICK, 0)
    s, c = _row(stated, "r^U(τ₁) / r(τ₁)"), _row(corrected, "r^U(τ₁) / r(τ₁)")
    assert s["max"] < 1 < c["min"]  # check refutes the printed band; the corrected one holds
    # same draws, same r(tau_1): the two rows differ exactly by r^U_33 / r^U_stated = 10 Q / (2 d v^2)
    values = rg.resolve(_spec("trajectory-band-as-stated").regime)
    ratio = B.RU_B3_33 / B.RU_B3_STATED
    factor = float(ratio.subs({s: values[s.name] for s in ratio.free_symbols}))
    assert factor == pytest.approx(float(5 * values["Q"] / (values["d"] * values["v"] ** 2)))
    assert c["min"] / s["min"] == pytest.approx(factor, rel=1e-9)
    assert _row(stated, "r^U / r (tightest t ≤ τ₁)")["max"] < 1 < _row(corrected, "r^U / r (tightest t ≤ τ₁)")["min"]

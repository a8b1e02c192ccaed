"""Planted breaks for `dpoverify boundary` (issue 11 §5): a conclusion planted to fail exactly past
a known value of v, or of the noise energy d v²/Q, must be reported as breaking there -- in that
variable, bracketed by the last value where it held -- and a sweep that cannot reach a break says
so instead of calling the hypothesis irrelevant."""
import pytest

from dpoverify import profiles
from dpoverify.fuzzing import maps
from dpoverify.fuzzing.strategies import bounds
from tests.fuzz._specs import band_spec

pytestmark = pytest.mark.quality
QUICK = profiles.get("quick")


def _index(spec, subject):
    return next(b.index for b in bounds(spec.hypotheses) if b.subject == subject)


def _breaks_past(name, threshold):
    def check(obs, params):
        x = params["v"] if name == "v" else params["d"] * params["v"] ** 2 / params["Q"]
        return x <= threshold, threshold - x, {}
    return check


def test_planted_v_break_is_found_and_bracketed():
    spec = band_spec(check=_breaks_past("v", 0.2))
    m = maps.sweep(spec, _index(spec, "v"), QUICK, 0)
    held = next(p for p in m["points"] if p["ratio"] == m["held_up_to_ratio"])
    broke = next(p for p in m["points"] if p["ratio"] == m["break_at_ratio"])
    assert m["stopped"] == "break reached" and held["value"] <= 0.2 < broke["value"]
    assert broke["value"] / held["value"] < 1.5  # refined below the x4 step of the sweep
    assert maps.describe(m).startswith(f"breaks at v = {broke['value']:.4g}")


def test_planted_noise_energy_break_is_reached_from_the_edge_regime():
    spec = band_spec(check=_breaks_past("dv2/Q", 0.02))
    default = maps.sweep(spec, _index(spec, "d"), QUICK, 0)
    assert default["break_at_ratio"] is None and default["stopped"].startswith("size cap")
    assert "break not reached (size cap" in maps.describe(default)
    found = [m for m in maps.boundary_maps_of(spec, QUICK, 0) if m["subject"] == "d"]
    assert [m["base"] for m in found] == ["default", "edge"]
    edge = found[1]
    assert edge["base_regime"]["Q"] == "8"  # Q at its smallest allowed value (Q >= 8)
    held = next(p for p in edge["points"] if p["ratio"] == edge["held_up_to_ratio"])
    broke = next(p for p in edge["points"] if p["ratio"] == edge["break_at_ratio"])
    assert held["natural"] <= 0.02 < broke["natural"]
    assert maps.describe(edge).startswith("breaks at d v²/Q = ")


def test_a_conclusion_that_never_fails_says_break_not_reached():
    spec = band_spec(check=lambda obs, params: (True, 1.0, {}))
    m = maps.sweep(spec, _index(spec, "l_b"), QUICK, 0)
    assert m["break_at_ratio"] is None and m["first_fails_at_ratio"] is None
    assert len([p for p in m["points"] if "failure_rate" in p]) == maps.POINTS["quick"]
    assert maps.describe(m).endswith("break not reached (point budget)")

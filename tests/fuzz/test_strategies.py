"""The constructive strategies place regimes where they say (exactly decided)."""
import pytest
import sympy as sp
from hypothesis import given, settings

from dpoverify.fuzzing.regime import place
from dpoverify.fuzzing.strategies import bounds, limits, placements, regimes
from dpoverify.profiles import get

from ._specs import HYPS, band_spec

pytestmark = pytest.mark.fuzz
SPEC = band_spec()
CI = get("ci")
# l_b <= 1/2 cannot be violated alone: l_b > 1/2 leaves no integer Z >= 1 with Z <= 1/(4 l_b^2)
ALONE = [k for k, h in enumerate(HYPS) if sp.sstr(h) != "l_b <= 1/2"]


def test_bounds_read_subjects_and_directions():
    b = {x.label: (x.subject, x.direction) for x in bounds(HYPS)}
    assert b["Z <= 1/(4*l_b**2)"] == ("Z", "upper") and b["Q >= 8"] == ("Q", "lower")
    solved = bounds((sp.sympify("Z*l_b**2 <= 1/4", locals={"Z": sp.Symbol("Z", real=True),
                                                            "l_b": sp.Symbol("l_b", real=True)}),))
    assert solved[0].subject == "Z" and solved[0].direction is None  # read numerically


def _sizes_ok(values):
    lim = limits(CI)
    K, Q, d = (int(values[n]) for n in ("K", "Q", "d"))
    return 2 * K * Q <= lim.max_n and d >= K + 1


@settings(max_examples=30)
@given(regimes(SPEC, CI, "inside"))
def test_inside_satisfies_every_hypothesis(drawn):
    assert all(p.holds for p in place(HYPS, drawn.values)) and _sizes_ok(drawn.values)


@pytest.mark.parametrize("k", range(len(HYPS)))
def test_boundary_is_exactly_on_the_hypothesis(k):
    @settings(max_examples=10)
    @given(regimes(SPEC, CI, "boundary", k))
    def inner(drawn):
        p = place(HYPS, drawn.values)
        assert all(x.holds for x in p)
        if HYPS[k].lhs.name != "Z":  # Z takes the largest integer <= 1/(4 l_b^2): on it only if integer
            assert p[k].boundary, (drawn, p[k])

    inner()


@pytest.mark.parametrize("k", ALONE)
def test_outside_violates_exactly_one(k):
    @settings(max_examples=10)
    @given(regimes(SPEC, CI, "outside", k))
    def inner(drawn):
        violated = [i for i, x in enumerate(place(HYPS, drawn.values)) if x.holds is False]
        assert violated == [k], drawn

    inner()


def test_placements_cover_inside_and_both_sides_of_every_hypothesis():
    modes = [(m, i) for m, i, _ in placements(SPEC)]
    assert modes[0] == ("inside", None)
    assert {i for m, i in modes if m == "boundary"} == {i for m, i in modes if m == "outside"} == set(range(len(HYPS)))


def test_sizes_grow_with_the_profile():
    assert limits(get("quick")).max_n < limits(CI).max_n < limits(get("thorough")).max_n


def test_a_bound_infinite_at_the_regime_holds_as_plus_infinity():
    """Z <= 1/(4 l_b^2) at l_b = 0 (the bound grows without limit): placed inside, never a crash;
    Z >= that bound fails there."""
    import sympy as sp

    from dpoverify.claims import symbol
    from dpoverify.fuzzing.regime import place

    Z, l_b = symbol("Z"), symbol("l_b")
    at = {"Z": 1, "l_b": 0}
    assert place([Z <= 1 / (4 * l_b ** 2)], at)[0].holds is True
    assert place([Z >= 1 / (4 * l_b ** 2)], at)[0].holds is False
    assert place([Z <= 1 / (4 * l_b ** 2)], {"Z": 5, "l_b": sp.Rational(1, 4)})[0].holds is False

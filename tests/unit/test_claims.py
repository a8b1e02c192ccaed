import pytest
import sympy as sp

from dpoverify.claims import Domain, DomainError, parse_value


@pytest.mark.parametrize("text,value", [("880", 880), ("1/4", sp.Rational(1, 4)), ("0.25", sp.Rational(1, 4)),
                                        ("1e-3", sp.Rational(1, 1000)), (" -2 ", -2), (".5", sp.Rational(1, 2)),
                                        ("1.5e2", 150), ("-2/3", sp.Rational(-2, 3)), ("1e-100", sp.Rational(1, 10**100)),
                                        ("2.5/0.5", 5), ("9" * 100, 10**100 - 1)])
def test_parse_value_is_exact(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "", "abc", "1/0", "2**10", "1e101", "1e-101",
                                  "1e100000000", "9" * 101, "1/-2", "--1", "0x10", "1_000", "1e", "1/2/3"])
def test_parse_value_rejects_non_numbers(text):
    with pytest.raises(DomainError):
        parse_value(text)


def test_domain_membership_is_exact():
    d = Domain(0.25, 0.5)
    assert d.contains(sp.Rational(1, 4)) and d.contains(sp.Rational(1, 2))
    assert not d.contains(sp.Rational(1, 2) + sp.Rational(1, 10**30))
    open_ = Domain(0, lo_closed=False)
    assert not open_.contains(0) and open_.contains(sp.Rational(1, 10**30))
    ints = Domain(1, integer=True)
    assert ints.contains(3) and not ints.contains(sp.Rational(7, 2)) and not ints.contains(0)
    assert not ints.contains(sp.oo) and not ints.contains(sp.nan)
    assert str(ints) == "integers in [1, ∞)" and str(d) == "[1/4, 1/2]"


def test_atomic_writes_leave_no_temporary_and_use_the_usual_mode(tmp_path):
    import os

    from dpoverify.results import write_json

    p = write_json(tmp_path / "a" / "r.json", {"x": 1})
    assert p.read_text().strip() == '{\n  "x": 1\n}'
    umask = os.umask(0)
    os.umask(umask)
    assert (p.stat().st_mode & 0o777) == (0o666 & ~umask)
    assert [f.name for f in p.parent.iterdir()] == ["r.json"]


def test_non_finite_numbers_are_written_as_strings():
    import json

    import numpy as np

    from dpoverify.results import dumps

    doc = json.loads(dumps({"a": float("inf"), "b": [float("-inf"), float("nan")], "c": np.float32("inf"),
                            "d": np.array([1.0, np.inf]), "e": 1.5}))
    assert doc == {"a": "inf", "b": ["-inf", "nan"], "c": "inf", "d": [1.0, "inf"], "e": 1.5}


def test_a_defined_parameter_is_replaced_by_its_definition():
    """N = 2KQ: an implication over N is one over K and Q, so no point has N = 2 with Q = 4."""
    import sympy as sp

    from dpoverify.claims import Implication
    from theorems import _notation as n

    N, Q, beta = n.SYM["N"], n.SYM["Q"], n.SYM["beta"]
    spec = Implication((n.beta, n.N, n.Q.restrict(lo=40)), (N >= 2 * Q,), Q * beta / N <= beta,
                       vacuous_when=N > 10 ** 9)
    assert [p.name for p in spec.variables] == ["beta", "Q", "K"]
    assert spec.variables[1].domain.lo == 40  # the obligation's own Q, not the notation's
    assert sp.simplify(spec.goal.lhs - beta / (2 * n.SYM["K"])) == 0
    assert N not in spec.assumptions[0].free_symbols and N not in spec.vacuous_when.free_symbols
    assert ("N", "2KQ") in spec.substitutions
    K, Qmin = n.K.domain.lo, n.Q.domain.lo
    assert n.N.domain.contains(2 * K * Qmin)  # the definition's domains imply N's

"""Nothing read from a file or the command line reaches an evaluating parser (issue 12 §1).

Every string sympy would parse goes through ``sympy.parsing.sympy_parser.parse_expr`` (which
``sympify`` imports when it is called) and ends in ``eval``; both are wrapped to record their
text arguments while the CLI replays a crafted counterexample and judges a crafted audit.json.
The payloads would create a sentinel file if they ever ran."""
import builtins
import json
import sys

import pytest
import sympy.parsing.sympy_parser as sympy_parser

from dpoverify import cli, safe_expr
from dpoverify.fuzzing import regime as rg
from dpoverify.results import COUNTEREXAMPLE_SCHEMA, dumps

pytestmark = pytest.mark.cli


def payload(sentinel) -> str:
    return f"__import__('pathlib').Path({str(sentinel)!r}).touch() or 1"


@pytest.fixture
def evaluated(monkeypatch):
    """Texts given to parse_expr, and texts from the crafted input given to eval, while the test
    runs (libraries eval their own constant source text, e.g. numpy.f2py on import)."""
    seen = []
    real_parse, real_eval = sympy_parser.parse_expr, builtins.eval

    def parse_expr(s, *a, **k):
        seen.append(("parse_expr", s))
        return real_parse(s, *a, **k)

    def eval_(src, globals_=None, locals_=None):
        if isinstance(src, str):
            seen.append(("eval", src))
        if globals_ is None:  # eval without namespaces uses its caller's
            caller = sys._getframe(1)
            globals_, locals_ = caller.f_globals, caller.f_locals
        return real_eval(src, globals_, locals_)

    monkeypatch.setattr(sympy_parser, "parse_expr", parse_expr)
    monkeypatch.setattr(builtins, "eval", eval_)
    return Seen(seen)


class Seen:
    def __init__(self, calls):
        self.calls = calls

    def __eq__(self, other):
        return self.untrusted() == other

    def untrusted(self):
        return [(kind, s) for kind, s in self.calls if kind == "parse_expr" or MARK in s]

    def __repr__(self):
        return repr(self.untrusted())


MARK = "pathlib"


def test_the_payload_runs_under_sympify_and_the_recorder_sees_it(tmp_path, evaluated):
    """The payload really runs when sympified, and the recorder catches it (else the tests below
    prove nothing)."""
    import sympy as sp

    sentinel = tmp_path / "EXECUTED"
    sp.sympify(payload(sentinel))
    assert sentinel.exists()
    assert [kind for kind, _ in evaluated.untrusted()] == ["parse_expr", "eval"]


def _counterexample(tmp_path, regime):
    doc = {"schema": COUNTEREXAMPLE_SCHEMA, "claim": "theorem-4.2", "obligation": "trajectory-band",
           "seed": 0, "profile": "quick",
           "payload": {"regime": regime, "seeds": [1], "failing_seeds": [1],
                       "observable": "train_margins", "loss": "dpo", "options": {}}}
    path = tmp_path / "cex.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("key", ["v", "Q", "d"])
def test_replay_of_a_crafted_regime_runs_nothing(tmp_path, capsys, evaluated, key):
    sentinel = tmp_path / "EXECUTED"
    regime = {"K": "2", "Q": "40", "d": "5*Q", "v": "sqrt(10)/5120", "l_b": "1/4", "Z": "1",
              "beta": "1", "tau": "1", "N": "2*K*Q"}
    regime[key] = payload(sentinel)
    code = cli.main(["replay", str(_counterexample(tmp_path, regime))])
    err = capsys.readouterr().err
    assert not sentinel.exists()
    assert evaluated == []
    assert code == 2 and "__import__" in err and len(err.strip().splitlines()) == 1


def test_exact_irrational_regime_values_are_read_without_python():
    values = rg.resolve({"Q": "40", "v": "sqrt(10)/5120", "d": "5*Q", "c": "exp(1/2)*log(3)^2"})
    assert str(values["v"]) == "sqrt(10)/5120" and values["d"] == 200
    assert rg.resolve(rg.as_text(values)) == values  # what counterexample files hold reads back


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "Q.__class__", "lambda: 1", "Symbol('x')", "Q[0]",
    "1e100000000", "(10^1000)^1000", "2^Q", "x", "1 2", "", "(" * 60 + "1" + ")" * 60, "9" * 5000,
])
def test_the_grammar_refuses_code_and_huge_values(text):
    with pytest.raises(safe_expr.ExpressionError):
        safe_expr.parse(text, ["Q"])


def _audit_doc(tmp_path):
    from gpu_checks import results
    from tests.audit.synthetic import doc_for, theory_groups

    groups, q, _ = theory_groups()
    return results.FILENAME, json.loads(dumps(doc_for(groups, q)))


def _poison(obj, text):
    """Every number in ``obj`` replaced by ``text``."""
    if isinstance(obj, dict):
        return {k: _poison(v, text) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_poison(v, text) for v in obj]
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        return text
    return obj


def test_check_of_a_crafted_audit_json_runs_nothing(tmp_path, capsys, evaluated):
    sentinel = tmp_path / "EXECUTED"
    name, doc = _audit_doc(tmp_path)
    doc["geometry"] = _poison(doc["geometry"], payload(sentinel))
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text(json.dumps(doc))
    code = cli.main(["check", "section-5.geometry", "appendix-e.gaussian", "--out", str(out)])
    capsys.readouterr()
    assert not sentinel.exists()
    assert evaluated == []
    check = json.loads((out / "check.json").read_text())
    verdicts = {o["verdict"] for c in check["claims"] for o in c["obligations"]}
    assert "REFUTED" not in verdicts and code in (0, 3)  # ERROR or UNDECIDED, never a verdict from text

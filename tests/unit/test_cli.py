"""Every CLI command, exit code and bad-input path, on planted claims (tests.unit.planted_engine)."""
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from dpoverify import cli, registry
from dpoverify.checker import run_checks
from dpoverify.claims import Claim, Domain, Kind, Obligation, Param, Source
from dpoverify.engines import Context
from dpoverify.profiles import get
from tests.unit.planted_engine import Planted

Q = Param("Q", Domain(40, integer=True), "samples per cluster")
L = Param("l_b", Domain(0.25, 0.5), "shared norm")


def claim(cid, *verdicts, crash=False):
    obs = tuple(Obligation(f"step-{i}", Kind.SYMBOLIC, f"step {i}", f"eq. ({i})", Planted(v))
                for i, v in enumerate(verdicts))
    if crash:
        obs += (Obligation("crash", Kind.SIMULATION, "crashes", "eq. (0)", Planted("PROVED", crash=True)),)
    return Claim(cid, f"title of {cid}", Source("Appendix Z", ("1",)), "statement text",
                 params=(Q, L), obligations=obs, module="tests.unit.fake")


CLAIMS = {c.id: c for c in (
    claim("theorem-9.1", "PROVED", "PROVED"),
    claim("theorem-9.2", "PROVED", "REFUTED", "UNDECIDED"),
    claim("lemma-9.3", "NO COUNTEREXAMPLE", crash=True),
    claim("lemma-9.4", "VACUOUS", "PROVED"),
)}


@pytest.fixture(autouse=True)
def planted(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "all_claims", lambda: CLAIMS)
    monkeypatch.chdir(tmp_path)


def schema():
    return json.loads(resources.files("dpoverify").joinpath("schemas/check-1.json").read_text())


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_proved_claim_exits_0(capsys):
    code, out, _ = run(capsys, "check", "theorem-9.1")
    assert code == 0 and "PROVED" in out


def test_check_refuted_exits_1_and_saves_a_replayable_counterexample(capsys, tmp_path):
    code, out, _ = run(capsys, "check", "theorem-9.2", "--param", "Q=50", "--seed", "7")
    assert code == 1 and "REFUTED" in out
    doc = json.loads((tmp_path / "dpoverify-results" / "check.json").read_text())
    c = doc["claims"][0]
    assert c["verdict"] == "REFUTED" and c["counts"]["REFUTED"] == 1
    recorded = c["obligations"][1]["counterexample"]
    assert not Path(recorded).is_absolute()  # relative to the results folder, which can be moved
    cex = tmp_path / "dpoverify-results" / recorded
    saved = json.loads(cex.read_text())
    assert saved["payload"] == {"point": {"Q": "50"}, "seed": 7}
    code, out, _ = run(capsys, "replay", str(cex))
    assert code == 1 and "REFUTED" in out


def test_engine_failure_is_error_and_exits_3(capsys, tmp_path):
    code, out, _ = run(capsys, "check", "lemma-9.3")
    assert code == 3 and "ERROR" in out
    doc = json.loads((tmp_path / "dpoverify-results" / "check.json").read_text())
    crash = doc["claims"][0]["obligations"][-1]
    assert crash["verdict"] == "ERROR" and "planted engine failure" in crash["summary"]
    assert "Traceback" in crash["evidence"]["traceback"]


def test_json_output_validates_against_the_schema(capsys):
    code, out, _ = run(capsys, "check", "all", "--json")
    doc = json.loads(out)
    jsonschema.validate(doc, schema())
    assert code == 1 and doc["complete"] and doc["verdict"] == "REFUTED"
    assert {c["id"]: c["verdict"] for c in doc["claims"]} == {
        "theorem-9.1": "PROVED", "theorem-9.2": "REFUTED", "lemma-9.3": "ERROR", "lemma-9.4": "VACUOUS"}


def test_schema_rejects_a_wrong_verdict(capsys):
    _, out, _ = run(capsys, "check", "theorem-9.1", "--json")
    doc = json.loads(out)
    doc["claims"][0]["verdict"] = "PROBABLY FINE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())


def test_unknown_id_names_the_closest_and_exits_2(capsys):
    code, _, err = run(capsys, "check", "theorem-9.21")
    assert code == 2 and "unknown claim id 'theorem-9.21'" in err and "theorem-9.2" in err
    code, _, err = run(capsys, "explain", "lema-9.3")
    assert code == 2 and "lemma-9.3" in err


@pytest.mark.parametrize("param,needle", [
    ("Q=39", "outside the domain of Q in theorem-9.1: integers in [40, ∞)"),
    ("Q=40.5", "outside the domain of Q"),
    ("l_b=0.6", "outside the domain of l_b in theorem-9.1: [1/4, 1/2]"),
    ("l_b=nan", "not a finite number"),
    ("l_b=inf", "not a finite number"),
    ("zeta=1", "no selected claim has a parameter 'zeta'"),
    ("Q", "expects NAME=VALUE"),
])
def test_bad_param_exits_2_with_one_clear_line(capsys, param, needle):
    code, out, err = run(capsys, "check", "theorem-9.1", "--param", param)
    assert code == 2 and needle in err and out == ""
    assert len(err.strip().splitlines()) == 1


def test_bad_usage_exits_2(capsys):
    assert run(capsys, "check")[0] == 2
    assert run(capsys, "check", "theorem-9.1", "--profile", "huge")[0] == 2
    assert run(capsys)[0] == 2


@pytest.mark.parametrize("content,needle", [
    (None, "no such counterexample file"),
    ("{not json", "not valid JSON"),
    ('{"schema": "other"}', "not a dpoverify counterexample"),
    ('{"schema": "dpoverify.counterexample/1", "claim": "theorem-9.2", "obligation": "step-1"}', "lacks 'payload'"),
    ('{"schema": "dpoverify.counterexample/1", "claim": "theorem-9.2", "obligation": "nope", "payload": {}}',
     "has no obligation 'nope'"),
    ('{"schema": "dpoverify.counterexample/1", "claim": "theorem-9.2", "obligation": "step-1", "payload": {}}',
     "malformed counterexample payload"),
])
def test_replay_bad_files_exit_2(capsys, tmp_path, content, needle):
    f = tmp_path / "cex.json"
    if content is not None:
        f.write_text(content)
    code, _, err = run(capsys, "replay", str(f))
    assert code == 2 and needle in err


def test_list_and_explain(capsys):
    code, out, _ = run(capsys, "list", "--markdown")
    assert code == 0 and out.count("\n| `") == 4 and "not run" in out
    code, out, _ = run(capsys, "explain", "theorem-9.2")
    assert code == 0 and "statement text" in out and "step-2" in out and "[40, ∞)" in out


def test_list_with_statuses_from_a_run(capsys, tmp_path):
    run(capsys, "check", "theorem-9.1", "theorem-9.2", "--out", "res")
    code, out, _ = run(capsys, "list", "--markdown", "--from", "res/check.json")
    assert code == 0 and "| PROVED |" in out and "| REFUTED |" in out
    code, _, err = run(capsys, "list", "--from", "missing.json")
    assert code == 2 and "no such file" in err


def test_interrupted_run_keeps_finished_claims(tmp_path, monkeypatch):
    from dpoverify import engines

    real = engines.run
    calls = []

    def interrupt_on_second_claim(spec, ctx):
        calls.append(spec)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real(spec, ctx)

    monkeypatch.setattr(engines, "run", interrupt_on_second_claim)
    ctx = Context(get("quick"), 0)
    with pytest.raises(KeyboardInterrupt):
        run_checks([CLAIMS["theorem-9.1"], CLAIMS["theorem-9.2"]], ctx, tmp_path)
    doc = json.loads((tmp_path / "check.json").read_text())
    assert doc["complete"] is False and [c["id"] for c in doc["claims"]] == ["theorem-9.1"]
    assert not list(tmp_path.glob(".*.tmp"))

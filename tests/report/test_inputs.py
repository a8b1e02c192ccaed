"""`dpoverify report` on missing, malformed and partial inputs, and --run-missing."""
from __future__ import annotations

import json

import pytest

from dpoverify import cli, registry
from dpoverify.errors import UsageError
from dpoverify.report.load import INPUTS, load_inputs
from tests.report.inputs import CLAIMS, audit_doc, write_check
from tests.report.parse import ReportHTML


def run(capsys, *argv):
    code = cli.main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_absent_results_directory_is_one_line_and_exit_2(capsys, tmp_path):
    code, out, err = run(capsys, "--from", str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "nope does not exist" in err and "--run-missing" in err


@pytest.mark.parametrize("name,text,fault", [
    ("check.json", "{not json", "not valid JSON"),
    ("check.json", json.dumps([1, 2]), "expected a JSON object"),
    ("check.json", json.dumps({"schema": "dpoverify.audit/1"}), "expected 'dpoverify.check/2'"),
    ("audit.json", json.dumps({"schema": "dpoverify.audit/1", "complete": True}), "lacks created"),
])
def test_malformed_input_is_named_in_one_line(capsys, tmp_path, name, text, fault):
    (tmp_path / name).write_text(text)
    code, out, err = run(capsys, "--from", str(tmp_path), "--out", str(tmp_path / "r.html"))
    assert code == 2 and err.count("\n") == 1
    assert str(tmp_path / name) in err and fault in err
    assert not (tmp_path / "r.html").exists()


def test_check_json_invalid_against_its_schema_names_the_place(capsys, tmp_path):
    doc = write_check(tmp_path)
    doc["claims"][1]["obligations"][0]["verdict"] = "PROBABLY"
    (tmp_path / "check.json").write_text(json.dumps(doc))
    code, _, err = run(capsys, "--from", str(tmp_path))
    assert code == 2 and "claims/1/obligations/0/verdict" in err and "PROBABLY" in err


def test_audit_with_a_malformed_matrix_is_a_usage_error(tmp_path):
    from dpoverify.report.audit_section import audit_section

    doc = audit_doc()
    doc["geometry"]["figure3a"]["matrix"] = [[1.0, 0.5]]  # not square
    (tmp_path / "audit.json").write_text(json.dumps(doc))
    with pytest.raises(UsageError, match="audit.json: malformed dpoverify.audit/1"):
        audit_section(load_inputs(tmp_path))


def test_every_input_absent_says_so_section_by_section(capsys, tmp_path):
    code, out, err = run(capsys, "--from", str(tmp_path), "--out", str(tmp_path / "r.html"))
    assert code == 0 and "wrote" in out
    assert err.count("missing in") == len(INPUTS)
    html = (tmp_path / "r.html").read_text()
    for spec in INPUTS:  # each hint writes into the folder the report reads
        assert f"Produce it with <code>{spec.command} --out {tmp_path}</code>" in html
    page = ReportHTML(html)
    assert page.rows("verdicts") == []
    assert set(page.figures) == {"fig-trajectories", "fig-scaling"}  # computed by the report itself


def test_interrupted_check_run_is_reported_as_such(capsys, tmp_path):
    doc = write_check(tmp_path)
    doc["complete"], doc["timing"]["finished"] = False, None
    doc.pop("verdict")
    doc["requested"].append("theorem-9.9")
    (tmp_path / "check.json").write_text(json.dumps(doc))
    code, _, _ = run(capsys, "--from", str(tmp_path), "--out", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    assert code == 0 and "1 requested claim(s) not finished (theorem-9.9)" in html
    assert "none (run incomplete)" in html


def test_wrong_output_suffix_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "--from", str(tmp_path), "--out", str(tmp_path / "r.txt"))
    assert code == 2 and "expected a .html file name" in err


def test_run_missing_produces_what_is_absent_in_process(capsys, tmp_path, monkeypatch):
    from dpoverify.report import build

    monkeypatch.setattr(registry, "all_claims", lambda: {c.id: c for c in CLAIMS})
    # the audit (MiniLM) and the scaling sweep are the other commands' own business and slow here
    monkeypatch.setattr(build, "PRODUCERS", {k: build.PRODUCERS[k] for k in ("check", "fuzz", "boundary")})
    results = tmp_path / "fresh"
    code, out, err = run(capsys, "--from", str(results), "--run-missing", "--seed", "5",
                         "--markdown", str(tmp_path / "r.md"))
    assert code == 0
    assert "running `dpoverify check all --profile quick` (seed 5)" in err
    check = json.loads((results / "check.json").read_text())
    assert check["profile"] == "quick" and check["seed"] == 5 and check["complete"]
    # the planted claims have nothing to simulate: fuzz and boundary refuse, and their sections say so
    for cmd, name in (("fuzz all --profile quick", "fuzz"), ("boundary all --profile quick", "boundary")):
        assert f"`dpoverify {cmd}` exited 2" in err and f"running `dpoverify {cmd}` (seed 5)" in err
        assert not (results / f"{name}.json").exists()
    html = (results / "report.html").read_text()
    assert f"Produce it with <code>dpoverify fuzz all --profile ci --out {results}</code>" in html
    assert f"Produce it with <code>dpoverify boundary all --out {results}</code>" in html
    page = ReportHTML(html)
    assert [r[1] for r in page.rows("verdicts")] == [c.id for c in CLAIMS]
    # a second run finds its inputs and leaves them alone
    before = (results / "check.json").read_text()
    code, _, err = run(capsys, "--from", str(results), "--run-missing")
    assert code == 0 and "check.json missing" not in err and (results / "check.json").read_text() == before

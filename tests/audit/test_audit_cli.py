"""`dpoverify audit`: bad input gets one line and exit 2; a small real run on the embedded data
(MiniLM, CPU) writes every statistic, verdict and plot the issue asks for."""
import json
import re

import pytest

from dpoverify.cli import main
from gpu_checks import results


def _fails(capsys, argv, fragment):
    assert main(["audit", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dpoverify audit: error:") and fragment in err[0], err


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    _fails(capsys, ["--model", str(tmp_path / "nope"), "--out", str(tmp_path)], "no such model directory")
    _fails(capsys, ["--k", "1,two", "--out", str(tmp_path)], "--k expects")
    _fails(capsys, ["--k", "0,2", "--out", str(tmp_path)], "--k expects")
    _fails(capsys, ["--only", "no-such-persona", "--out", str(tmp_path)], "unknown persona(s) no-such-persona")
    _fails(capsys, ["--steps", "0", "--out", str(tmp_path)], "--steps must be a positive integer")
    _fails(capsys, ["--optimizer", "sgd", "--out", str(tmp_path)], "--optimizer sgd needs --lr")
    bad = tmp_path / "personas"
    bad.mkdir()
    (bad / "p.jsonl").write_text('{"statement": "a", "answer_matching_behavior": " Yes"}\n{oops\n')
    _fails(capsys, ["--personas", str(bad), "--out", str(tmp_path)], "p.jsonl:2: not valid JSON")
    nosafe = tmp_path / "model"
    nosafe.mkdir()
    (nosafe / "config.json").write_text("{}")
    _fails(capsys, ["--model", str(nosafe), "--k", "1", "--out", str(tmp_path / "o")], "no *.safetensors")


@pytest.mark.audit
def test_small_embedded_run_writes_every_statistic_and_verdict(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    out = tmp_path / "res"
    code = main(["audit", "--k", "1,2,4,8", "--steps", "60", "--eval-every", "10", "--out", str(out),
                 "--threads", "1", "--seed", "3"])
    printed = capsys.readouterr().out
    assert code in (0, 1)
    assert "seed 3" in printed and "fails by a factor of" in printed
    doc = json.loads((out / results.FILENAME).read_text())
    assert doc["schema"] == results.SCHEMA and doc["complete"] and doc["seed"] == 3
    assert doc["provenance"]["packages"]["torch"]
    g = doc["geometry"]
    for key in ("figure3a", "figure3b", "within_persona", "concept_directions", "spread", "normality",
                "theory_units", "token_sharing"):
        assert key in g
    assert g["readout"] == "mean" and doc["config"]["model_kind"] == "encoder"
    assert g["token_sharing"]["Z"] == 16 and len(g["figure3a"]["matrix"]) == 16
    runs = doc["dpo"]["runs"]
    assert sorted(runs, key=int) == ["1", "2", "4", "8"]
    assert {"rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "loss"} <= \
        set(runs["4"]["log"][-1]["test"])
    assert len(runs["8"]["personas"]) == 8 and runs["8"]["log"][-1]["step"] == 60
    sc = doc["dpo"]["scaling"]
    assert {"rate_fit", "trend", "error_fit_linear", "error_fit_logk"} <= set(sc)
    ids = {(v["claim"], v["obligation"]) for v in doc["verdicts"]}
    assert ("section-5.geometry", "concept-orthogonality") in ids and ("appendix-e.gaussian", "normality") in ids
    assert ("section-5.value-diversity", "rate-band") in ids
    for v in doc["verdicts"]:  # the finding first; the kind once, at the end, with the model (a, b) once
        assert v["kind"] and len(re.findall(r"\((a|b|c|d)\) ", v["summary"])) == 1, v["summary"]
        assert v["summary"].count("all-MiniLM-L6-v2") == (v["kind"] in ("hypothesis-check", "re-run")), v["summary"]
    assert "\x1b" not in printed and max(map(len, printed.splitlines())) <= 80  # a pipe: plain, 80 columns
    assert all(v["verdict"] != "ERROR" for v in doc["verdicts"]), doc["verdicts"]
    for name in ("figure3", "figure5", "figure7", "figure8"):
        assert (out / doc["plots"][name]).stat().st_size > 1000


@pytest.mark.audit
def test_full_fine_tune_of_the_encoder_moves_its_weights(tmp_path, capsys):
    out = tmp_path / "full"
    code = main(["audit", "--mode", "full", "--k", "1,2", "--steps", "3", "--eval-every", "1", "--lr", "1e-4",
                 "--only", "optimism,generosity", "--batch-size", "8", "--out", str(out), "--threads", "1"])
    assert code in (0, 1), capsys.readouterr().err
    doc = json.loads((out / results.FILENAME).read_text())
    log = doc["dpo"]["runs"]["2"]["log"]
    assert doc["config"]["mode"] == "full" and [e["step"] for e in log] == [0, 1, 2, 3]
    assert log[0]["train"]["rewards/margins"] == 0 and log[-1]["train"]["rewards/margins"] > 0
    rows = {v["obligation"]: v["verdict"] for v in doc["verdicts"] if v["claim"] == "section-5.value-diversity"}
    assert rows["margin-growth-slows"] == "UNDECIDED"  # two values of K cannot show a trend


def test_corrupt_results_file_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / results.FILENAME).write_text("{truncated")
    _fails(capsys, ["--out", str(tmp_path), "--k", "1"], "not valid JSON")

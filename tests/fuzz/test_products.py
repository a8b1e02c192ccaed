"""The one-command products: fuzz campaign, boundary maps, tightness table, scaling law (quick profile)."""
import json
import math

import pytest

from dpoverify.cli import main
from dpoverify.fuzzing.scaling import compare_models, eq4_q, fits

pytestmark = pytest.mark.fuzz


def _doc(path, schema):
    doc = json.loads(path.read_text())
    assert doc["schema"] == schema
    return doc


def test_fuzz_command_writes_replayable_counterexamples(tmp_path, capsys):
    rc = main(["fuzz", "theorem-b.3", "--profile", "quick", "--placement", "inside", "--out", str(tmp_path)])
    doc = _doc(tmp_path / "fuzz.json", "dpoverify.fuzz/1")
    assert doc["complete"] and {e["obligation"] for e in doc["obligations"]} == {
        "trajectory-band-as-stated", "trajectory-band-corrected"}
    refuted = [e for e in doc["obligations"] if e["verdict"] == "REFUTED"]
    assert rc == (1 if refuted else 0)
    for e in refuted:
        # recorded relative to the results folder, so the folder can be moved
        assert e["example"].startswith("@example(") and main(["replay", str(tmp_path / e["counterexample"])]) == 1
    assert "fuzz (quick, seed 0)" in capsys.readouterr().out


def test_bad_input_is_one_clear_error(capsys):
    assert main(["fuzz", "theorem-b.3", "--examples", "-3"]) == 2
    assert main(["boundary", "eq-5"]) == 2
    err = capsys.readouterr().err
    assert "positive integer" in err and "no simulated obligation" in err


def test_boundary_map(tmp_path):
    assert main(["boundary", "theorem-b.3", "--profile", "quick", "--out", str(tmp_path)]) == 0
    doc = _doc(tmp_path / "boundary.json", "dpoverify.boundary/1")
    assert (tmp_path / "boundary.png").stat().st_size > 1000
    stated = [m for m in doc["maps"] if m["obligation"] == "trajectory-band-as-stated"]
    assert stated and all(m["first_fails_at_ratio"] == 1 for m in stated)  # the printed r^U fails everywhere
    v_map = next(m for m in doc["maps"] if m["obligation"] == "trajectory-band-corrected" and m["subject"] == "v")
    assert [p["ratio"] for p in v_map["points"]][0] == 1 and v_map["points"][0]["failure_rate"] == 0
    for m in doc["maps"]:  # every sweep reaches the break or says why it stopped
        assert (m["break_at_ratio"] is not None) == (m["stopped"] == "break reached")
    # the corrected band breaks at a fixed noise v of a few tenths, and, from the edge regime
    # (Q = 1, v = 1/4), where the noise energy d v^2 reaches a few times Q
    broke = next(p["value"] for p in v_map["points"] if p["ratio"] == v_map["break_at_ratio"])
    assert 0.1 < broke < 0.5
    d_edge = next(m for m in doc["maps"] if m["obligation"] == "trajectory-band-corrected"
                  and m["subject"] == "d" and m["base"] == "edge")
    assert 1 < next(p["natural"] for p in d_edge["points"] if p["ratio"] == d_edge["break_at_ratio"]) < 32


def test_tightness_table(tmp_path):
    assert main(["tightness", "theorem-4.2", "theorem-b.4", "--profile", "quick", "--out", str(tmp_path)]) == 0
    rows = _doc(tmp_path / "tightness.json", "dpoverify.tightness/1")["rows"]
    ratio = next(r for r in rows if r["quantity"] == "r(τ₁) / r^L(τ₁)")["at_default"]
    assert 1 < ratio["min"] <= ratio["max"] < 40  # inside [r^L, r^U]: above r^L, below log 3 = 40 r^L
    risk = next(r for r in rows if r["quantity"].startswith("log10(risk bound"))
    assert risk["log10"] and risk["at_default"]["min"] > 0


def test_scaling_law(tmp_path):
    assert main(["scaling", "--profile", "quick", "--out", str(tmp_path)]) == 0
    doc = _doc(tmp_path / "scaling.json", "dpoverify.scaling/1")
    assert len(doc["curves"]) == 8 and (tmp_path / "scaling.png").exists()
    for c in doc["curves"]:
        for K, Q in c["Q_star"].items():  # each reported Q* is where the recorded error first drops below 0.05
            if Q is not None:
                ev = [e for e in doc["evaluations"] if e["tokens"] == c["tokens"] and e["d"] == c["d"]
                      and e["K"] == int(K) and e["Q"] == Q]
                key = "risk" if c["error"] == "population" else "worst"
                assert ev and ev[0][key] < 0.05
                below = [e for e in doc["evaluations"] if e["tokens"] == c["tokens"] and e["d"] == c["d"]
                         and e["K"] == int(K) and e["Q"] == Q - 1]  # Q* - 1 was tried and missed
                assert Q == 1 or (below and below[0][key] >= 0.05)
        uncensored = sum(Q is not None for Q in c["Q_star"].values())
        assert (c["models"] is None) == (uncensored < 3)
        if c["models"]:  # flat True / False / None (not resolved) is what the printed shape says
            assert {True: "flat", False: "grows", None: "not resolved"}[c["models"]["flat"]].split()[0] == \
                c["models"]["shape"].split()[0] or c["models"]["shape"].startswith("falls")


def test_eq4_q_and_fits():
    q10 = eq4_q(10)
    assert math.log(20) + 2 * math.log(q10) - q10 / 45 < math.log(0.05) <= math.log(20) + 2 * math.log(q10 - 1) - (q10 - 1) / 45
    fl, fp = fits(compare_models({1: 10, 2: 10 + 3 * math.log(2), 4: 10 + 3 * math.log(4), 8: 10 + 3 * math.log(8)}))
    assert fl["b"] == pytest.approx(3) and fl["r2"] == pytest.approx(1)
    assert fits(compare_models({1: 5, 2: None, 4: 7})) == (None, None)

"""check.json merged per claim, --resume keyed by what determines a result, the directory lock and
the timing block, in-process on planted claims (tests.unit.planted_engine: instant verdicts)."""
from __future__ import annotations

import json

import jsonschema
import pytest

from dpoverify import registry, results
from dpoverify.checker import claim_run, obligation_seconds, run_checks
from dpoverify.engines import Context
from dpoverify.errors import UsageError
from dpoverify.profiles import get
from tests.unit.test_cli import CLAIMS, schema


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    monkeypatch.setattr(registry, "all_claims", lambda: CLAIMS)


def check(out, *ids, seed=0, resume=False, fixed=None):
    notes = []
    doc = run_checks([CLAIMS[i] for i in ids], Context(get("quick"), seed, fixed or {}), out,
                     resume=resume, on_note=notes.append)
    return doc, notes


def stored(out):
    return json.loads((out / "check.json").read_text())


def test_a_run_of_one_claim_keeps_the_others_with_their_own_settings(tmp_path):
    check(tmp_path, "theorem-9.1", "theorem-9.2", seed=5)
    before = stored(tmp_path)
    check(tmp_path, "theorem-9.1", seed=6)
    doc = stored(tmp_path)
    jsonschema.validate(doc, schema())
    by_id = {c["id"]: c for c in doc["claims"]}
    assert list(by_id) == ["theorem-9.1", "theorem-9.2"]  # registry order, not run order
    assert by_id["theorem-9.2"] == before["claims"][1]  # kept as it was, seed 5
    assert (by_id["theorem-9.1"]["seed"], by_id["theorem-9.2"]["seed"], doc["seed"]) == (6, 5, 6)
    assert by_id["theorem-9.1"]["key"] != before["claims"][0]["key"]
    assert doc["requested"] == ["theorem-9.1"] and doc["verdict"] == "REFUTED"  # the file holds 9.2's
    # the kept claim's timings are kept too
    assert doc["timing"]["claims"]["theorem-9.2"] == before["timing"]["claims"]["theorem-9.2"]
    assert obligation_seconds(doc, by_id["theorem-9.2"]) == obligation_seconds(before, before["claims"][1])


def test_resume_keeps_a_claim_only_when_its_key_matches_and_says_why_not(tmp_path, monkeypatch):
    from dpoverify import engines

    ran, real = [], engines.run
    monkeypatch.setattr(engines, "run", lambda spec, ctx: ran.append(spec) or real(spec, ctx))
    check(tmp_path, "theorem-9.1", "lemma-9.4")
    assert len(ran) == 4
    _, notes = check(tmp_path, "theorem-9.1", "lemma-9.4", resume=True)
    assert notes == ["theorem-9.1: kept (same code, profile, seed, parameters)",
                     "lemma-9.4: kept (same code, profile, seed, parameters)"]
    assert len(ran) == 4  # nothing ran again
    _, notes = check(tmp_path, "theorem-9.1", seed=1, resume=True)
    assert notes == ["theorem-9.1: recomputing (other seed)"] and len(ran) == 6
    _, notes = check(tmp_path, "theorem-9.1", seed=1, resume=True, fixed={"Q": 50})
    assert notes == ["theorem-9.1: recomputing (other params)"] and len(ran) == 8
    _, notes = check(tmp_path, "lemma-9.4")  # without --resume every requested claim runs
    assert notes == [] and len(ran) == 10


def test_the_key_follows_the_code_and_the_files_an_engine_reads(tmp_path, monkeypatch):
    claim, ctx = CLAIMS["theorem-9.1"], Context(get("quick"), 0)
    key = claim_run(claim, ctx)["key"]
    assert claim_run(claim, ctx)["key"] == key
    monkeypatch.setattr("dpoverify.checker.package_hash", lambda package: f"edited {package}")
    assert claim_run(claim, ctx)["key"] != key
    monkeypatch.undo()
    monkeypatch.setattr(registry, "all_claims", lambda: CLAIMS)
    from tests.unit import planted_engine

    monkeypatch.setattr(planted_engine, "inputs", lambda spec, ctx: [tmp_path / "data.json"], raising=False)
    absent = claim_run(claim, ctx)
    (tmp_path / "data.json").write_text("1")
    one = claim_run(claim, ctx)
    (tmp_path / "data.json").write_text("2")
    two = claim_run(claim, ctx)
    assert absent["inputs"] == {"data.json": None}
    assert len({absent["key"], one["key"], two["key"]}) == 3


def test_a_check1_file_is_converted_and_its_claims_kept_but_never_resumed(tmp_path):
    old = {"schema": "dpoverify.check/1", "tool_version": "0.1.0", "paper": "p", "profile": "ci", "seed": 2,
           "params": {}, "requested": ["lemma-9.4"], "started": "2026-01-01T00:00:00+00:00", "finished": None,
           "complete": True, "provenance": {}, "claims": [
               {"id": "lemma-9.4", "title": "t", "source": {"version": "v", "section": "s", "equations": []},
                "module": "m", "depends_on": [], "verdict": "VACUOUS", "counts": {"VACUOUS": 1},
                "obligations": [{"id": "step-0", "kind": "symbolic", "title": "t", "cites": "c",
                                 "verdict": "VACUOUS", "summary": "s", "evidence": {}, "counterexample": None,
                                 "replay": None, "seconds": 1.5}]}]}
    (tmp_path / "check.json").write_text(json.dumps(old))
    _, notes = check(tmp_path, "theorem-9.1", "lemma-9.4", resume=True)
    assert notes == ["lemma-9.4: recomputing (other profile, seed, code)"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "check.json").write_text(json.dumps(old))
    check(tmp_path / "other", "theorem-9.1")
    doc = stored(tmp_path / "other")
    jsonschema.validate(doc, schema())
    kept = doc["claims"][1]
    assert (kept["id"], kept["profile"], kept["seed"], kept["key"]) == ("lemma-9.4", "ci", 2, None)
    assert doc["timing"]["obligations"]["lemma-9.4/step-0"] == 1.5


@pytest.mark.parametrize("content", ["{not json", json.dumps({"schema": "dpoverify.fuzz/1"}), json.dumps([1])])
def test_a_file_that_cannot_be_merged_is_left_alone(tmp_path, content):
    (tmp_path / "check.json").write_text(content)
    with pytest.raises(UsageError, match="move it away or use another --out"):
        check(tmp_path, "theorem-9.1")
    assert (tmp_path / "check.json").read_text() == content


def test_a_busy_directory_is_refused_and_left_alone(tmp_path):
    check(tmp_path, "theorem-9.1")
    before = (tmp_path / "check.json").read_bytes()
    with results.locked(tmp_path, "test"):
        with pytest.raises(UsageError, match=r"in use by another run \(test, pid \d+\); wait for it"):
            check(tmp_path, "theorem-9.2")
    assert (tmp_path / "check.json").read_bytes() == before
    check(tmp_path, "theorem-9.2")  # released


def test_no_wall_clock_outside_the_timing_block(tmp_path, monkeypatch):
    clock = iter(range(10**6))
    monkeypatch.setattr(results, "now", lambda: f"t{next(clock)}")
    monkeypatch.setattr("dpoverify.checker.now", results.now)
    check(tmp_path, "theorem-9.2", "lemma-9.4")
    first = stored(tmp_path)
    check(tmp_path / "again", "theorem-9.2", "lemma-9.4")
    second = stored(tmp_path / "again")
    assert first["timing"] != second["timing"]
    first.pop("timing"), second.pop("timing")
    assert first == second
    cex = json.loads((tmp_path / "counterexamples" / "theorem-9.2__step-1.json").read_text())
    assert set(cex) == {"schema", "claim", "obligation", "seed", "profile", "payload", "timing"}
    assert cex["timing"]["created"].startswith("t")


@pytest.mark.parametrize("leak", [("top", "started"), ("obligation", "seconds"), ("evidence", "seconds")])
def test_the_schema_rejects_a_time_outside_the_timing_block(tmp_path, leak):
    doc, _ = check(tmp_path, "theorem-9.1")
    jsonschema.validate(doc, schema())
    where, name = leak
    target = {"top": doc, "obligation": doc["claims"][0]["obligations"][0],
              "evidence": doc["claims"][0]["obligations"][0]["evidence"]}[where]
    target[name] = "2026-01-01T00:00:00+00:00" if name == "started" else 1.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())

"""Pinned reference runs: the simulator's margins and risks, and the embedded default audit, must
reproduce the accepted numbers (tests/invariant/reference/*.json) within the stored tolerance.
A failure lists every number that moved; if the change is intended, regenerate (references.py)."""
import json

import pytest

from . import references


def _reference(name: str) -> dict:
    return json.loads((references.REFERENCE_DIR / f"{name}.json").read_text())


def test_simulator_reference_runs():
    ref = _reference("simulator")
    fresh = references.compute_simulator()
    assert sorted(fresh["cases"]) == sorted(ref["cases"])
    bad = references.differences(fresh["cases"], ref["cases"], **ref["tolerance"])
    assert not bad, "simulator moved from its reference:\n" + "\n".join(bad[:20])


@pytest.mark.audit
def test_embedded_default_audit_reference_run(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    ref = _reference("audit")
    assert ref["config"] == references.AUDIT_CONFIG
    fresh = references.compute_audit(tmp_path)
    pinned = {k: ref[k] for k in ("geometry", "dpo")}
    bad = references.differences({k: fresh[k] for k in ("geometry", "dpo")}, pinned, **ref["tolerance"])
    assert not bad, "the embedded audit moved from its reference:\n" + "\n".join(bad[:20])


def test_the_comparison_catches_a_moved_number():
    ref = {"a": [1.0, 2.0], "b": {"c": 3.0}}
    assert references.differences(ref, ref, rtol=1e-6, atol=0) == []
    moved = {"a": [1.0, 2.001], "b": {"c": 3.0}}
    assert references.differences(moved, ref, rtol=1e-6, atol=0) == ["a/1: 2.001 vs reference 2.0"]
    assert references.differences({"a": [1.0, 2.0]}, ref, rtol=1e-6, atol=0) == ["b/c: missing in the fresh run"]

"""CODE-PATH TEST, NOT EVIDENCE: full fine-tunes through accelerate, data parallel across two CPU
processes (torchrun + gloo, the launcher `accelerate launch` uses), on a tiny random encoder (a
causal LM's full fine-tune runs through TRL's DPOTrainer in one process: tests/audit/test_trl_train.py).

Two processes split each global minibatch and average gradients, so they must take the same steps
as one process: the logs agree up to float32 summation order. A broken gradient sync (each process
training on its own half) or a broken gather (evaluation rows out of order) would not."""
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.audit

ONLY = "optimism,generosity,values-honesty,risk-aversion"


def _audit(model, out, processes: int, *extra):
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
                "-m", "dpoverify"] if processes > 1 else [sys.executable, "-m", "dpoverify"]
    args = ["audit", "--mode", "full", "--model", str(model), "--only", ONLY, "--k", "1,2", "--steps", "4",
            "--eval-every", "2", "--batch-size", "8", "--lr", "1e-2", "--beta", "0.5", "--shuffles", "2",
            "--device", "cpu", "--out", str(out), *extra]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(launcher + args, capture_output=True, text=True, env=env, timeout=600)


def _logs(out):
    doc = json.loads((out / "audit.json").read_text())
    return doc, {k: r["log"] for k, r in doc["dpo"]["runs"].items()}


def test_two_processes_take_the_same_steps_as_one(tiny_bert, tmp_path):
    model = tiny_bert
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = _audit(model, one, 1)
    assert r1.returncode in (0, 1), r1.stderr[-3000:]
    r2 = _audit(model, two, 2)
    assert r2.returncode in (0, 1), r2.stderr[-3000:]
    assert r2.stdout.count("dpoverify audit: seed") == 1  # only the main process reports
    doc1, logs1 = _logs(one)
    doc2, logs2 = _logs(two)
    assert (doc1["config"]["processes"], doc2["config"]["processes"]) == (1, 2)
    assert doc2["complete"] and sorted(logs2) == ["1", "2"]
    for k in logs1:
        assert [e["step"] for e in logs2[k]] == [0, 2, 4]
        last1, last2 = logs1[k][-1], logs2[k][-1]
        assert abs(last1["train"]["rewards/margins"]) > 1e-4  # it trained
        for split in ("train", "test"):
            for key in ("loss", "rewards/chosen", "rewards/rejected", "rewards/margins"):
                assert last2[split][key] == pytest.approx(last1[split][key], rel=1e-3, abs=1e-6), (k, split, key)
            assert last2[split]["rewards/accuracies"] == last1[split]["rewards/accuracies"]


def test_several_processes_are_refused_for_last_layer_mode(tiny_gpt2, tmp_path):
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "dpoverify"]
    r = subprocess.run(launcher + ["audit", "--model", str(tiny_gpt2), "--only", ONLY, "--k", "1", "--steps", "2",
                                   "--device", "cpu", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode != 0
    assert "only --mode full runs in several processes" in r.stderr

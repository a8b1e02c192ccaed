"""A run killed (SIGKILL) after K=2 resumes without training K=1 and K=2 again."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from gpu_checks import dpo_train, results, runner

CHILD = textwrap.dedent("""
    import os, signal, sys, torch
    torch.set_num_threads(1)
    from gpu_checks import runner
    cfg = runner.AuditConfig(out=sys.argv[1], ks=[1, 2, 4], steps=30, eval_every=10, shuffles=3, draws=1)
    def die(k, doc):
        if k == 2:
            os.kill(os.getpid(), signal.SIGKILL)
    runner.run(cfg, after_k=die)
""")


@pytest.mark.audit
def test_killed_run_resumes_without_redoing_finished_k(tmp_path, monkeypatch):
    out = tmp_path / "res"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.getcwd()}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out)], env=env, capture_output=True, timeout=600)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    partial = json.loads((out / results.FILENAME).read_text())
    assert not partial["complete"] and sorted(partial["dpo"]["runs"]) == ["1", "2"]

    trained = []
    original = dpo_train.train_last_layer

    def counting(*args, **kwargs):
        trained.append(len(args[1].chosen))
        return original(*args, **kwargs)

    monkeypatch.setattr(dpo_train, "train_last_layer", counting)
    cfg = runner.AuditConfig(out=str(out), ks=[1, 2, 4], steps=30, eval_every=10, shuffles=3, draws=1)
    doc = runner.run(cfg)
    assert len(trained) == 1 and trained[0] == sum(  # only K=4 trained, on its 4 personas' train split
        len(s) for s in (doc["dpo"]["runs"]["4"]["personas"],)) * 36
    assert doc["complete"] and sorted(doc["dpo"]["runs"], key=int) == ["1", "2", "4"]
    for k in ("1", "2"):
        assert doc["dpo"]["runs"][k]["log"] == partial["dpo"]["runs"][k]["log"]
    assert doc["geometry"] == partial["geometry"]

    other = runner.run(runner.AuditConfig(out=str(out), ks=[1, 2, 4], steps=31, eval_every=10, shuffles=3))
    assert other["config"]["steps"] == 31 and other["dpo"]["runs"]["1"]["log"][-1]["step"] == 31
    kept = out / f"audit.{doc['fingerprint']['key'][:12]}.json"
    assert json.loads(kept.read_text())["config"]["steps"] == 30  # recomputed; the earlier results kept

"""The full fine-tune K-sweep through TRL's DPOTrainer (gpu_checks.trl_sweep): a code path on a tiny
random GPT-2 (CODE-PATH FIXTURE, NOT EVIDENCE). Skips when trl is not installed (pip install trl)."""
import json

import pytest

pytest.importorskip("trl", reason="the TRL sweep needs trl (pip install trl)")


def test_trl_sweep_trains_each_k_from_the_same_start_and_logs_trl_metrics(tiny_gpt2, tmp_path):
    import torch

    from gpu_checks import trl_sweep

    torch.set_num_threads(1)
    doc = trl_sweep.sweep(str(tiny_gpt2), None, [1, 2], steps=2, cap=4, seed=0, out=tmp_path, batch_size=4)
    saved = json.loads((tmp_path / "trl_sweep.json").read_text())
    assert saved["trainer"] == "trl.DPOTrainer" and sorted(saved["runs"]) == ["1", "2"]
    for k in ("1", "2"):
        hist = saved["runs"][k]["log_history"]
        assert [h["step"] for h in hist if "loss" in h] == [1, 2]
        assert "rewards/margins" in hist[0] and "eval_rewards/margins" in saved["runs"][k]["final_test"]
        assert hist[0]["rewards/margins"] == 0  # step 1 starts at the reference: every K from the same weights
    assert len(doc["runs"]["2"]["personas"]) == 2

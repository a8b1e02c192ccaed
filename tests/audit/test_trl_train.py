"""CODE-PATH TEST, NOT EVIDENCE: `dpoverify audit --mode full` on a causal LM trains through TRL's
DPOTrainer (gpu_checks.trl_train), on a tiny random GPT-2; an encoder keeps dpoverify's own loop.
Skips when trl is not installed (pip install trl)."""
import json

import pytest

pytest.importorskip("trl", reason="full fine-tunes of a causal LM run through TRL (pip install trl)")

from dpoverify.cli import main  # noqa: E402
from gpu_checks import results, runner, trl_train  # noqa: E402

pytestmark = pytest.mark.audit

ONLY = "optimism,generosity,values-honesty,risk-aversion"
KEYS = {"loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies", "error"}


def _audit(model, out, *extra):
    return main(["audit", "--mode", "full", "--model", str(model), "--only", ONLY, "--k", "1,2", "--steps", "2",
                 "--eval-every", "1", "--cap", "4", "--batch-size", "4", "--lr", "1e-2", "--beta", "0.5",
                 "--shuffles", "2", "--device", "cpu", "--out", str(out), "--threads", "1", *extra])


def _digest(model) -> float:
    return float(sum(p.detach().double().sum() * (i + 1) for i, p in enumerate(model.model.parameters())))


def test_full_mode_on_a_causal_lm_trains_through_trl(tiny_gpt2, tmp_path, capsys, monkeypatch):
    import trl

    starts, real = [], trl_train.train_full

    def spy(model, *args, **kwargs):
        starts.append(_digest(model))  # the weights each draw starts from
        return real(model, *args, **kwargs)

    monkeypatch.setattr(trl_train, "train_full", spy)
    code = _audit(tiny_gpt2, tmp_path, "--draws", "2")
    printed = capsys.readouterr()
    assert code in (0, 1), printed.err
    doc = json.loads(results.path_in(tmp_path).read_text())
    cfg = doc["config"]
    assert cfg["trainer"] == f"trl.DPOTrainer {trl.__version__}" and cfg["completion"] == trl_train.COMPLETION
    assert {"trainer", "completion"} <= set(runner.RESUME_KEYS)
    assert len(starts) == 4 and len(set(starts)) == 1  # 2 K x 2 draws, every one from the same weights
    for k, run in doc["dpo"]["runs"].items():
        assert len(run["draws"]) == 2
        log = run["log"]
        assert [e["step"] for e in log] == [0, 1, 2]
        for entry in log:
            for split in ("train", "test"):
                m = entry[split]
                assert set(m) == KEYS and m["error"] == 1 - m["rewards/accuracies"]
        for split in ("train", "test"):  # step 0 is the reference itself
            assert log[0][split]["rewards/margins"] == 0 and log[0][split]["rewards/chosen"] == 0
        assert log[-1]["train"]["rewards/margins"] != 0  # it trained
    assert "trl.DPOTrainer" in printed.out and "answer + EOS" in printed.out
    verdicts = {(v["claim"], v["obligation"]): v["summary"] for v in doc["verdicts"]}
    assert "trl.DPOTrainer" in verdicts[("section-5.value-diversity", "rate-band")]
    assert not any("trl.DPOTrainer" in s for (claim, _), s in verdicts.items() if claim == "section-5.geometry")
    assert all(v["verdict"] != "ERROR" for v in doc["verdicts"]), doc["verdicts"]


def test_an_encoder_in_full_mode_keeps_the_hand_loop(tiny_bert, tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an encoder's answer head must not go through DPOTrainer")

    monkeypatch.setattr(trl_train, "train_full", refuse)
    code = _audit(tiny_bert, tmp_path, "--draws", "1")
    assert code in (0, 1), capsys.readouterr().err
    cfg = json.loads(results.path_in(tmp_path).read_text())["config"]
    assert cfg["trainer"].startswith("gpu_checks.dpo_train.train_full") and "single answer token" in cfg["completion"]


def test_several_processes_are_refused_for_trl_in_one_line(tiny_gpt2, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert _audit(tiny_gpt2, tmp_path) == 2
    err = capsys.readouterr().err.strip()
    assert "TRL's DPOTrainer in one process" in err and len(err.splitlines()) == 1


def test_a_cuda_device_trl_would_not_use_is_refused():
    import torch

    with pytest.raises(runner.RunError, match="CUDA_VISIBLE_DEVICES"):
        runner._trainer("full", "causal-lm", torch.device("cuda:1"))


def test_rows_are_trls_prompt_chosen_rejected_from_the_answers():
    import numpy as np

    from gpu_checks import models, personas
    from gpu_checks.dpo_train import Preferences

    prefs = Preferences(["I like tea", "Q: rain? A:"], np.array([0, 1]))
    for prompt, first in (("template", personas.TEMPLATE.format(statement="I like tea")), ("statement", "I like tea")):
        m = models.AuditModel(None, "causal-lm", None, None, None, None, "last-token", prompt, (0, 1))
        rows = trl_train._dataset(m, prefs, (" A", " B")).to_list()
        assert rows[0] == {"prompt": first, "chosen": " A", "rejected": " B"}
        assert rows[1]["chosen"] == " B" and rows[1]["rejected"] == " A"
    assert rows[1]["prompt"] == "Q: rain? A:"  # a preference dataset's prompt, verbatim


def test_the_last_step_is_evaluated_when_it_is_no_multiple_of_eval_every(tiny_gpt2):
    """Trainer evaluates at the end of training (transformers' DefaultFlowCallback), which the log needs."""
    import numpy as np

    from gpu_checks import dpo_train, models, personas

    model = models.load(tiny_gpt2, "cpu", "last-token", "template", for_training=True)
    p = personas.load_dir(None, ["optimism"])["optimism"]
    prefs = dpo_train.Preferences.from_clusters(p.aligned[:3], p.misaligned[:3])
    log = trl_train.train_full(model, prefs, {"test": prefs}, personas.ANSWERS, steps=3, batch_size=2, lr=1e-2,
                               beta=0.5, eval_every=2, seed=0)
    assert [e["step"] for e in log] == [0, 2, 3] and np.isfinite(log[-1]["test"]["loss"])

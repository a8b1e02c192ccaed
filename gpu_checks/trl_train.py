"""A full fine-tune of a causal LM through TRL's ``DPOTrainer``, the paper's trainer (Appendix F).

Each preference (x, y_w, y_l) is TRL's standard row {prompt, chosen, rejected}: the prompt is
``model.text(statement)`` (Figure 1a's template, or a preference dataset's verbatim prompt) and
y_w, y_l are the two answers. TRL appends the tokenizer's EOS to every completion, so " Yes"/" No"
become two tokens each (answer, EOS), not the single answer token of Section 3; this is kept, as in
the paper's own TRL runs, and recorded in the results' config (:data:`COMPLETION`).

DPOConfig: β, AdamW (or SGD), constant learning rate, no warm-up, no weight decay, TRL's other
defaults (gradient clipping at norm 1.0, dropout disabled); the reference π_ref is a frozen copy of
the initial model. The train subsample and the test set are evaluated through TRL's own evaluation
at step 0, every ``eval_every`` steps and the last step, each in one batch, so TRL's
``rewards/*`` are means over every preference and the error of Definition 3.1 (margin r <= 0) is
exactly 1 - ``rewards/accuracies``. The log has :func:`gpu_checks.dpo_train.train_full`'s format.
DPOTrainer trains a causal LM's own head only: an encoder's 2-row answer head stays with that loop.
"""
from __future__ import annotations

import copy
import tempfile
import warnings
from typing import Callable

from .dpo_train import TRL_KEYS, Preferences, _eval_steps

COMPLETION = "answer + EOS (TRL appends it)"


def trainer_name() -> str:
    import trl
    return f"trl.DPOTrainer {trl.__version__}"


def _dataset(model, prefs: Preferences, answers: tuple[str, str]):
    from datasets import Dataset
    return Dataset.from_list([{"prompt": model.text(s), "chosen": answers[c], "rejected": answers[1 - c]}
                              for s, c in zip(prefs.statements, prefs.chosen.tolist())])


def _trainable(model) -> None:
    """Make a loaded model one that ``Trainer`` fine-tunes: a GGUF file is dequantised to float32 on
    load, but transformers still marks it quantized (and Trainer refuses it); a BERT-style tokenizer
    has no EOS for TRL to append, so its SEP is used."""
    import torch
    net = model.model
    if getattr(net, "hf_quantizer", None) is not None and all(p.dtype == torch.float32 for p in net.parameters()):
        net.hf_quantizer = None
        net.is_quantized = False
    if model.tokenizer.eos_token is None:
        model.tokenizer.eos_token = model.tokenizer.sep_token


def _metrics(entry: dict, split: str, n: int) -> dict[str, float]:
    """Our metrics from the log entry of ``evaluate`` on ``split`` (n preferences, one batch):
    Trainer names the loss ``eval_<split>_loss``, DPOTrainer its statistics ``eval_rewards/*``.
    TRL's accuracies, mean[r > 0] in float32, is replaced by the fraction it rounds, and the
    error is 1 minus it."""
    m = {key: float(entry[f"eval_{split}_loss" if key == "loss" else f"eval_{key}"]) for key in TRL_KEYS}
    correct = round(m["rewards/accuracies"] * n)
    m["rewards/accuracies"], m["error"] = correct / n, (n - correct) / n
    return m


def train_full(model, train: Preferences, evals: dict[str, Preferences], answers: tuple[str, str], *,
               steps: int, batch_size: int, lr: float, beta: float, eval_every: int, seed: int,
               optimizer: str = "adam", progress: Callable[[int], None] = lambda n: None) -> list[dict]:
    """DPO on every weight of ``model`` (a causal-LM :class:`gpu_checks.models.AuditModel` on its
    device, float32 master weights, bf16 autocast on CUDA) through ``trl.DPOTrainer``; returns the
    log [{step, <eval name>: metrics}] at step 0, every ``eval_every`` steps and the last step."""
    import datasets
    from transformers import PrinterCallback, TrainerCallback
    from trl import DPOConfig, DPOTrainer

    if model.kind != "causal-lm":
        raise ValueError("DPOTrainer fine-tunes a causal LM; an encoder's answer head uses dpo_train.train_full")
    _trainable(model)
    datasets.disable_progress_bars()
    ref = copy.deepcopy(model.model).eval().requires_grad_(False)
    data = {name: _dataset(model, p, answers) for name, p in evals.items()}

    by_step: dict[int, dict] = {}

    class Record(TrainerCallback):
        """Reads every evaluation's log entry (``train`` resets ``log_history``, so step 0's would
        be lost there) and reports each step."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            for name in evals:
                if f"eval_{name}_loss" in (logs or {}):
                    by_step.setdefault(state.global_step, {})[name] = _metrics(logs, name, len(evals[name]))

        def on_step_end(self, args, state, control, **kwargs):
            progress(1)

    with tempfile.TemporaryDirectory(prefix="dpoverify-trl-") as tmp, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`.*gradient_checkpointing.*` is deprecated", FutureWarning)  # transformers 5
        cfg = DPOConfig(
            output_dir=tmp, beta=beta, learning_rate=lr, lr_scheduler_type="constant", warmup_steps=0,
            weight_decay=0.0, optim="sgd" if optimizer == "sgd" else "adamw_torch", max_steps=steps,
            per_device_train_batch_size=min(batch_size, len(train)),
            per_device_eval_batch_size=max(len(p) for p in evals.values()),  # one batch per set: exact means
            eval_strategy="steps", eval_steps=eval_every, logging_steps=eval_every, save_strategy="no",
            report_to=[], seed=seed, use_cpu=model.device.type == "cpu", bf16=model.device.type == "cuda",
            disable_tqdm=True)
        trainer = DPOTrainer(model=model.model, ref_model=ref, args=cfg, train_dataset=_dataset(model, train, answers),
                             eval_dataset=data, processing_class=model.tokenizer, callbacks=[Record()])
        trainer.remove_callback(PrinterCallback)  # the audit prints its own progress and tables
        trainer.evaluate()  # step 0: the policy is the reference
        trainer.train()
    want = sorted(_eval_steps(steps, eval_every))
    if sorted(by_step) != want or any(sorted(m) != sorted(evals) for m in by_step.values()):
        raise RuntimeError(f"TRL evaluated at steps {sorted(by_step)}, not {want}")
    return [{"step": s, **by_step[s]} for s in want]

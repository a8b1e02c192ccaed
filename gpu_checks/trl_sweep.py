"""A full fine-tune K-sweep through TRL's DPOTrainer (the paper's trainer, Appendix F), on a causal LM.

    python -m gpu_checks.trl_sweep --model smollm2 --personas ../shared/datasets/anthropic-persona \\
        --k 1,2,4 --steps 3 --cap 10 --out /tmp/trl-sweep

For each K: Appendix F's persona set (or a seeded sample), 90/10 split per cluster, prompts in
Figure 1a's template, chosen/rejected " Yes"/" No" as in ``dpoverify audit``; every K starts from
the same initial weights; DPOConfig: β = 0.01, AdamW, constant learning rate (1e-5), no warm-up, no
weight decay; reference = a frozen copy of the initial model. Writes ``<out>/trl_sweep.json`` with
TRL's log history and the final test metrics (TRL's eval_rewards/*) per K. A code path and a small
CPU measurement, not yet judged by the claims' obligations (``dpoverify audit --mode full`` is).

Differences from ``dpoverify audit --mode full`` (its hand-written loop, which the verdicts use):
TRL appends the EOS token to every completion, so chosen/rejected are " Yes"/" No" followed by EOS
(two tokens, not the single answer token of Section 3), and it keeps a second, frozen copy of the
model as the reference (the loop precomputes the reference log-probabilities instead).
"""
from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

from dpoverify import results as dres

from . import draws, models, personas


def _rows(data, names, splits, which):
    rows = []
    for n in names:
        (pos, neg) = splits[n][which]
        for idx, cluster, (yw, yl) in ((pos, data[n].aligned, personas.ANSWERS),
                                       (neg, data[n].misaligned, personas.ANSWERS[::-1])):
            rows += [{"prompt": personas.TEMPLATE.format(statement=cluster[i]), "chosen": yw, "rejected": yl}
                     for i in idx]
    return rows


def sweep(model: str | None, persona_dir: str | None, ks: list[int], steps: int, cap: int | None, seed: int,
          out: Path, batch_size: int = 8, lr: float = 1e-5) -> dict:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    data = {n: draws.cap(p, cap) for n, p in personas.load_dir(persona_dir).items()}
    sets, source = personas.persona_sets(list(data), ks, seed)
    splits = {n: personas.split(p, seed) for n, p in data.items()}
    path = models.resolve(model)
    base = models.load(path, "cpu", for_training=True)
    import torch
    if all(p.dtype == torch.float32 for p in base.model.parameters()):
        # a GGUF file is dequantised to float32 when it loads, but transformers still marks the model
        # as quantized, and Trainer refuses to fine-tune it; every weight is a plain float32 tensor
        base.model.hf_quantizer = None
        base.model.is_quantized = False
    if base.tokenizer.eos_token is None:  # TRL appends EOS to completions; a BERT-style tokenizer has SEP
        base.tokenizer.eos_token = base.tokenizer.sep_token
    initial = copy.deepcopy(base.model.state_dict())
    # the reference: a frozen copy of the initial model, given to TRL (which would otherwise reload
    # it from a model id, which a GGUF file is not)
    ref = copy.deepcopy(base.model).eval().requires_grad_(False)
    doc = {"model": str(path), "trainer": "trl.DPOTrainer", "k": ks, "steps": steps, "cap": cap, "seed": seed,
           "persona_sets_source": source, "lr": lr, "beta": 0.01, "batch_size": batch_size, "runs": {}}
    for k in ks:
        base.model.load_state_dict(initial)
        train = Dataset.from_list(_rows(data, sets[k], splits, 0))
        test = Dataset.from_list(_rows(data, sets[k], splits, 1))
        cfg = DPOConfig(output_dir=str(out / f"k{k}"), beta=0.01, learning_rate=lr, lr_scheduler_type="constant",
                        warmup_steps=0, weight_decay=0.0, max_steps=steps, per_device_train_batch_size=batch_size,
                        per_device_eval_batch_size=batch_size, logging_steps=1, save_strategy="no",
                        report_to=[], use_cpu=True, seed=seed * 1000 + k, disable_tqdm=True)
        t0 = time.perf_counter()
        trainer = DPOTrainer(model=base.model, ref_model=ref, args=cfg, train_dataset=train, eval_dataset=test,
                             processing_class=base.tokenizer)
        trainer.train()
        final = trainer.evaluate()
        doc["runs"][str(k)] = {"personas": sets[k], "n_train": len(train), "n_test": len(test),
                               "log_history": trainer.state.log_history, "final_test": final,
                               "seconds": time.perf_counter() - t0}
        print(f"K={k}: {steps} TRL DPO steps in {time.perf_counter() - t0:.0f} s; test "
              f"rewards/margins {final.get('eval_rewards/margins')}, accuracies {final.get('eval_rewards/accuracies')}",
              flush=True)
        dres.write_json(out / "trl_sweep.json", doc)
    return doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--personas")
    ap.add_argument("--k", default="1,2,4")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--cap", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    sweep(args.model, args.personas, [int(x) for x in args.k.split(",")], args.steps, args.cap or None,
          args.seed, Path(args.out))


if __name__ == "__main__":
    main()

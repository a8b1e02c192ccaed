"""Real DPO fine-tunes on persona statements (eq. 1 with a single answer token, Section 5).

Each statement x of value i gives one preference: aligned (C_{i,+}) prefers y_w = " Yes" over
y_l = " No", misaligned (C_{i,-}) the reverse. With log-probabilities log π(y|x) of the answers,

    rewards/chosen   = β (log π_θ(y_w|x) - log π_ref(y_w|x))
    rewards/rejected = β (log π_θ(y_l|x) - log π_ref(y_l|x))
    rewards/margins  = chosen - rejected              (the paper's reward margin r)
    loss             = -log σ(r)                      (eq. 1)
    rewards/accuracies = mean[chosen > rejected]      (TRL's names)

and the test error of Definition 3.1 is the fraction of test preferences with r <= 0.

``last-layer``: the model is frozen; only the unembedding rows of the two answers train (Adam,
lr 1e-3, β = 0.01 as in Appendix F), on g(x) computed once. For a causal LM the softmax keeps the
full vocabulary: the log-partition adds the frozen other rows' logsumexp, cached with g(x).
``optimizer="sgd"`` replaces Adam/AdamW by plain gradient descent on minibatches, the discrete
counterpart of the gradient flow the theorems analyse (τ = 1/lr).
``full`` (an encoder; a causal LM trains through TRL, :mod:`gpu_checks.trl_train`): every weight
and the answer head train (AdamW, constant LR, no warm-up, no weight decay); the reference is the
initial model, whose log-probabilities are computed once before the first step. Through
``accelerate`` the fine-tune runs on one device or data parallel across several processes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

TRL_KEYS = ("loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies")


@dataclass
class Preferences:
    """Statements with their preferred answer: ``chosen[j]`` is 0 (" Yes") or 1 (" No")."""

    statements: list[str]
    chosen: np.ndarray  # int64 [n]

    @classmethod
    def from_clusters(cls, aligned: list[str], misaligned: list[str]) -> "Preferences":
        return cls(list(aligned) + list(misaligned),
                   np.array([0] * len(aligned) + [1] * len(misaligned), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.statements)


def answer_logprobs(logits: torch.Tensor, other_lse: torch.Tensor | None = None) -> torch.Tensor:
    """log π(" Yes"|x), log π(" No"|x) from the two answer logits [n, 2] and, for a full vocabulary,
    the logsumexp of every other logit [n] (None: the answer head is the whole vocabulary)."""
    lse = torch.logsumexp(logits, dim=1)
    if other_lse is not None:
        lse = torch.logaddexp(lse, other_lse)
    return logits - lse[:, None]


def rewards(logp: torch.Tensor, ref_logp: torch.Tensor, chosen: torch.Tensor, beta: float):
    """(chosen rewards, rejected rewards), each [n]."""
    delta = beta * (logp - ref_logp)
    idx = torch.arange(len(chosen), device=logp.device)
    return delta[idx, chosen], delta[idx, 1 - chosen]


def metrics(chosen_r: torch.Tensor, rejected_r: torch.Tensor) -> dict[str, float]:
    margin = chosen_r - rejected_r
    return {"loss": float(-F.logsigmoid(margin).mean()),
            "rewards/chosen": float(chosen_r.mean()), "rewards/rejected": float(rejected_r.mean()),
            "rewards/margins": float(margin.mean()),
            "rewards/accuracies": float((chosen_r > rejected_r).float().mean()),
            "error": float((margin <= 0).float().mean())}


def _batches(n: int, batch_size: int, steps: int, seed: int):
    """Minibatch indices for ``steps`` steps: a fresh seeded permutation each epoch."""
    gen = torch.Generator().manual_seed(seed)
    perm, pos = torch.randperm(n, generator=gen), 0
    for _ in range(steps):
        if pos + batch_size > n:
            perm, pos = torch.randperm(n, generator=gen), 0
        yield perm[pos:pos + batch_size]
        pos += batch_size


def _eval_steps(steps: int, eval_every: int) -> set[int]:
    return set(range(0, steps + 1, eval_every)) | {steps}


@dataclass
class Features:
    """Cached g(x) [n, d], the other-logit logsumexp [n] (or None) and the preferences."""

    g: torch.Tensor
    other_lse: torch.Tensor | None
    chosen: torch.Tensor


def make_optimizer(name: str, params, lr: float, full: bool):
    """Adam (last-layer) / AdamW (full, constant LR, no weight decay) as in Appendix F, or plain SGD."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name != "adam":
        raise ValueError(f"unknown optimizer '{name}' (adam or sgd)")
    return torch.optim.AdamW(params, lr=lr, weight_decay=0.0) if full else torch.optim.Adam(params, lr=lr)


def train_last_layer(head0: torch.Tensor, train: Features, evals: dict[str, Features], *, steps: int,
                     batch_size: int, lr: float, beta: float, eval_every: int, seed: int,
                     optimizer: str = "adam", progress: Callable[[int], None] = lambda n: None) -> list[dict]:
    """DPO on the answer rows W (init ``head0`` [2, d]) with frozen features; returns the log.

    The features are cached in float64 on the CPU, so the head (which may come from a CUDA model)
    is trained there too: a [2, d] problem needs no GPU."""
    torch.manual_seed(seed)
    W0 = head0.detach().to(device=train.g.device, dtype=torch.float64)
    W = torch.nn.Parameter(W0.clone())
    opt = make_optimizer(optimizer, [W], lr, full=False)

    def logp(feat: Features, idx=None, weights=W):
        g = feat.g if idx is None else feat.g[idx]
        other = None if feat.other_lse is None else (feat.other_lse if idx is None else feat.other_lse[idx])
        return answer_logprobs(g @ weights.T, other)

    refs = {name: logp(f, weights=W0) for name, f in evals.items()}
    ref_train = logp(train, weights=W0)
    log, want = [], _eval_steps(steps, eval_every)

    def record(step):
        with torch.no_grad():
            log.append({"step": step, **{name: metrics(*rewards(logp(f), refs[name], f.chosen, beta))
                                         for name, f in evals.items()}})

    record(0)
    for step, idx in enumerate(_batches(len(train.chosen), batch_size, steps, seed), 1):
        ch, rj = rewards(logp(train, idx), ref_train[idx], train.chosen[idx], beta)
        loss = -F.logsigmoid(ch - rj).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in want:
            record(step)
        progress(1)
    return log


def features(model, prefs: Preferences, batch_size: int = 64,
             progress: Callable[[int], None] = lambda n: None) -> Features:
    """g(x) for every statement (float64) and, for a causal LM, the frozen other-logit logsumexp
    (computed on the model's device in float32, in chunks, so a 128k vocabulary fits)."""
    g = torch.from_numpy(model.embed(prefs.statements, batch_size, progress)).double()
    other = None
    if model.kind == "causal-lm":
        W = model.model.get_output_embeddings().weight.detach()
        mask = torch.ones(W.shape[0], dtype=torch.bool, device=W.device)
        mask[list(model.answer_ids)] = False
        W_other = W[mask].float()
        chunks = [torch.zeros(0, dtype=torch.float64)]
        with torch.no_grad():
            for i in range(0, len(g), 256):
                logits = g[i:i + 256].to(W.device).float() @ W_other.T
                chunks.append(torch.logsumexp(logits, dim=1).double().cpu())
        other = torch.cat(chunks)
    return Features(g, other, torch.from_numpy(prefs.chosen))


class AnswerPolicy(torch.nn.Module):
    """π_θ for a full fine-tune of an encoder: statements -> [log π(" Yes"|x), log π(" No"|x)],
    float32 [B, 2], through its 2-row answer head (a causal LM's full fine-tune goes through TRL's
    DPOTrainer, :mod:`gpu_checks.trl_train`).

    One module holds every trained weight (the encoder and its answer head) and computes everything
    inside ``forward``, so ``accelerate`` can wrap it as a whole."""

    def __init__(self, model, head: torch.Tensor):
        super().__init__()
        self.net = model.model
        self.head = torch.nn.Parameter(head.clone())
        self.audit_model = model

    def forward(self, statements: list[str]) -> torch.Tensor:
        m = self.audit_model
        autocast = torch.autocast("cuda", dtype=torch.bfloat16) if m.device.type == "cuda" else \
            torch.autocast("cpu", enabled=False)
        with autocast:
            return answer_logprobs(m.hidden(statements).float() @ self.head.float().T)


def _sharded_logp(policy, acc, statements: list[str], batch_size: int) -> torch.Tensor:
    """log π of the two answers for every statement, float64 [n, 2] on the CPU, without gradients.

    Each process takes one contiguous block (padded with the last statement, so every process
    makes the same number of forward calls); ``gather`` concatenates the blocks in process order,
    so the first n rows are the statements in order."""
    n, world, rank = len(statements), acc.num_processes, acc.process_index
    per = -(-n // world)
    mine = statements[rank * per:(rank + 1) * per]
    mine = mine + [statements[-1]] * (per - len(mine))
    with torch.no_grad():
        out = torch.cat([policy(mine[i:i + batch_size]).float() for i in range(0, per, batch_size)])
    return acc.gather(out)[:n].double().cpu()


def train_full(model, train: Preferences, evals: dict[str, Preferences], *, steps: int, batch_size: int,
               lr: float, beta: float, eval_every: int, seed: int, optimizer: str = "adam", acc=None,
               progress: Callable[[int], None] = lambda n: None) -> list[dict]:
    """DPO on every weight of the encoder ``model`` and its answer head; returns the log (a causal
    LM's full fine-tune: :func:`gpu_checks.trl_train.train_full`).

    The reference π_ref is the initial model: its log-probabilities are computed before the first
    step for every evaluation statement and every training statement some minibatch will use
    (the schedule is fixed by ``seed``), so no frozen copy is kept in memory. ``acc`` (an
    ``accelerate.Accelerator``, see :mod:`gpu_checks.parallel`) splits each global minibatch across
    its processes; the loss is scaled so the averaged gradient is that of the global mean."""
    if acc is None:
        from .parallel import accelerator
        acc = accelerator(str(model.device))
    world, rank = acc.num_processes, acc.process_index
    if batch_size < world:
        raise ValueError(f"batch size {batch_size} is smaller than the {world} processes sharing it")
    torch.manual_seed(seed)
    if model.kind != "encoder":
        raise ValueError("dpo_train.train_full fine-tunes an encoder's answer head; a causal LM goes through "
                         "TRL's DPOTrainer (gpu_checks.trl_train)")
    head = model.answer_head().to(model.device)
    model.model.eval()  # TRL disables dropout; gradients still flow
    policy = AnswerPolicy(model, head)
    opt = make_optimizer(optimizer, policy.parameters(), lr, full=True)
    policy, opt = acc.prepare(policy, opt)
    schedule = list(_batches(len(train), batch_size, steps, seed))
    used = sorted(set(torch.cat(schedule).tolist())) if schedule else []
    ref_train = torch.full((len(train), 2), float("nan"), dtype=torch.float64)
    if used:
        ref_train[used] = _sharded_logp(policy, acc, [train.statements[i] for i in used], batch_size)
    refs = {name: _sharded_logp(policy, acc, p.statements, batch_size) for name, p in evals.items()}
    chosen = {name: torch.from_numpy(p.chosen) for name, p in evals.items()}
    chosen_train = torch.from_numpy(train.chosen)
    log, want = [], _eval_steps(steps, eval_every)

    def record(step, logps):
        log.append({"step": step, **{name: metrics(*rewards(logps[name], refs[name], chosen[name], beta))
                                     for name in evals}})

    record(0, refs)
    for step, idx in enumerate(schedule, 1):
        mine = idx[rank::world]
        logp = policy([train.statements[i] for i in mine.tolist()]).double()
        ch, rj = rewards(logp, ref_train[mine].to(logp.device), chosen_train[mine].to(logp.device), beta)
        local = -F.logsigmoid(ch - rj).sum() * (world / len(idx))
        loss = acc.gather(local.detach()[None]).sum().item() / world
        if not math.isfinite(loss):
            raise FloatingPointError(f"DPO loss became {loss} at step {step}")
        opt.zero_grad()
        acc.backward(local)
        opt.step()
        if step in want:
            record(step, {name: _sharded_logp(policy, acc, p.statements, batch_size) for name, p in evals.items()})
        progress(1)
    acc.free_memory()
    return log

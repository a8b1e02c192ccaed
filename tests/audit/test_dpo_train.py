"""DPO on cached features: TRL metric names, the single-answer-token softmax, and the claim that
training the two answer rows is training the whole unembedding (Lemma 4.1's gradient)."""
import numpy as np
import pytest
import torch

from gpu_checks import dpo_train, scaling


def _features(n=80, d=6, seed=0, vocab_other=True):
    g = torch.Generator().manual_seed(seed)
    concept = torch.zeros(d, dtype=torch.float64)
    concept[1] = 1.0
    chosen = torch.arange(n) % 2
    sign = (1 - 2 * chosen).double()
    x = 0.5 * torch.ones(n, d, dtype=torch.float64) * torch.eye(d, dtype=torch.float64)[0] \
        + sign[:, None] * concept + 0.1 * torch.randn(n, d, generator=g, dtype=torch.float64)
    return x, chosen


def test_answer_logprobs_equal_full_vocabulary_log_softmax():
    torch.manual_seed(0)
    W = torch.randn(9, 4, dtype=torch.float64)
    g = torch.randn(5, 4, dtype=torch.float64)
    full = torch.log_softmax(g @ W.T, dim=1)
    other = torch.logsumexp(g @ W[2:].T, dim=1)
    assert torch.allclose(dpo_train.answer_logprobs(g @ W[:2].T, other), full[:, :2])


def test_training_two_rows_equals_training_the_whole_unembedding():
    """Adam on all V rows of W gives exactly the margins of Adam on the two answer rows."""
    x, chosen = _features()
    V, d = 7, x.shape[1]
    W0 = torch.randn(V, d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    other = torch.logsumexp(x @ W0[2:].T, dim=1)
    feats = dpo_train.Features(x, other, chosen)
    log = dpo_train.train_last_layer(W0[:2], feats, {"train": feats}, steps=30, batch_size=16, lr=1e-2,
                                     beta=0.5, eval_every=30, seed=4)
    W = torch.nn.Parameter(W0.clone())
    opt = torch.optim.Adam([W], lr=1e-2)
    ref = torch.log_softmax(x @ W0.T, dim=1)
    for idx in dpo_train._batches(len(x), 16, 30, 4):
        logp = torch.log_softmax(x[idx] @ W.T, dim=1)
        ch, rj = dpo_train.rewards(logp[:, :2], ref[idx, :2], chosen[idx], 0.5)
        loss = -torch.nn.functional.logsigmoid(ch - rj).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        full = dpo_train.metrics(*dpo_train.rewards(torch.log_softmax(x @ W.T, 1)[:, :2], ref[:, :2], chosen, 0.5))
    assert log[-1]["train"]["rewards/margins"] == pytest.approx(full["rewards/margins"], rel=1e-9)
    assert log[-1]["train"]["rewards/chosen"] == pytest.approx(full["rewards/chosen"], rel=1e-9)


def test_last_layer_dpo_learns_a_separable_concept_and_logs_trl_names():
    x, chosen = _features(n=200)
    train = dpo_train.Features(x[:160], None, chosen[:160])
    test = dpo_train.Features(x[160:], None, chosen[160:])
    log = dpo_train.train_last_layer(torch.zeros(2, x.shape[1], dtype=torch.float64), train,
                                     {"train": train, "test": test}, steps=100, batch_size=32, lr=1e-2,
                                     beta=0.1, eval_every=20, seed=0)
    assert [e["step"] for e in log] == [0, 20, 40, 60, 80, 100]
    assert set(log[0]["train"]) == {*dpo_train.TRL_KEYS, "error"}
    assert log[0]["test"]["rewards/margins"] == 0 and log[0]["test"]["error"] == 1  # r <= 0 counts as error
    assert log[-1]["test"]["rewards/accuracies"] == 1 and log[-1]["test"]["error"] == 0
    margins = [e["train"]["rewards/margins"] for e in log]
    assert all(a < b for a, b in zip(margins, margins[1:]))
    assert log[-1]["train"]["loss"] < np.log(2)


def _log(rate, steps=100, every=10):
    return [{"step": s, "train": {"rewards/margins": rate * s}} for s in range(0, steps + 1, every)]


def test_scaling_recovers_a_one_over_k_rate_and_a_linear_error():
    ks = [1, 2, 4, 8, 16]
    runs = {str(k): {"margin_rate": scaling.margin_rate(_log(0.3 / k)),
                     "final": {"test": {"error": 0.01 * k}}} for k in ks}
    assert runs["4"]["margin_rate"] == pytest.approx(0.075)
    sc = scaling.summarize(runs)
    assert sc["rate_fit"]["exponent"] == pytest.approx(-1)
    assert sc["trend"]["p_one_sided"] == pytest.approx(1 / 120) and sc["trend"]["strictly_decreasing"]
    assert sc["error_fit_linear"]["r2"] == pytest.approx(1)
    assert sc["error_fit_logk"]["r2"] < 0.9


def test_scaling_sees_a_rate_that_does_not_fall():
    runs = {str(k): {"margin_rate": 0.1 + 0.01 * k, "final": {"test": {"error": 0.1}}} for k in [1, 2, 4, 8]}
    sc = scaling.summarize(runs)
    assert sc["trend"]["tau"] == 1 and sc["rate_fit"]["exponent"] > 0
    assert sc["error_fit_linear"]["r2"] is None  # constant error: no fit to report

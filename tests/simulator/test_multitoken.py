"""The autoregressive softmax model of Section 4.3: its gradient flow, real GD converging to it,
and the model reducing to Lemma 4.1's single-token model at L = 1."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dpoverify.simulator import Regime, sample_dataset, simulate  # noqa: E402
from dpoverify.simulator.multitoken import (SoftmaxPolicy, policy_flow,  # noqa: E402
                                            policy_gradient_descent)
from dpoverify.simulator.torch_gd import policy_for  # noqa: E402


def random_policy(seed, N=5, L=3, V=4, d=3):
    rng = np.random.default_rng(seed)
    tw = rng.integers(0, V, size=(N, L))
    return SoftmaxPolicy(rng.standard_normal((N, L, d)), rng.standard_normal((N, L, d)), tw,
                         (tw + rng.integers(1, V, size=(N, L))) % V, rng.standard_normal((V, d)), 0.8)


@pytest.mark.parametrize("loss", ["dpo", "ipo"])
def test_gradient_descent_converges_to_the_multitoken_flow(loss):
    pol = random_policy(0)
    flow = policy_flow(pol, 2.0, tau=1.5, loss=loss)
    errs = [np.abs(policy_gradient_descent(pol, 2.0, n, tau=1.5, loss=loss) - flow["W"][-1]).max()
            for n in (20, 200)]
    assert 5 < errs[0] / errs[1] < 20
    margins = (flow["r_tok_w"].sum(-1) - flow["r_tok_l"].sum(-1))[-1]
    assert np.all(margins > 0)  # DPO/IPO raise every margin here


def test_single_token_policy_flow_is_the_simulator_flow():
    reg = Regime(K=2, Q=4, d=6, v=0.3, l_b=0.3, beta=0.9, tau=1.3)
    ds = sample_dataset(reg, 0)
    W0 = np.random.default_rng(1).standard_normal((ds.V, ds.d))
    out = policy_flow(policy_for(ds, W0), reg.tau_1, tau=reg.tau)
    r = (out["r_tok_w"] - out["r_tok_l"])[:, :, 0]
    assert np.allclose(r, simulate(ds, reg.tau_1, rtol=1e-10, atol=1e-12).r, atol=1e-7)

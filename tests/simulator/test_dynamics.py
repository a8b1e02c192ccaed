"""The three forms of the flow agree: weight space (eq. 7), dense kernel (eq. 3), and real
small-step gradient descent of the softmax model in torch (Lemma 4.1 made executable)."""
import numpy as np
import pytest

from dpoverify.simulator import Regime, kernel, sample_dataset, simulate, weights_from_integrals
from dpoverify.simulator.torch_gd import gradient_descent
from dpoverify.simulator.multitoken import trl_metrics

REGIMES = [
    Regime(K=3, Q=8, d=10, v=0.2, l_b=0.3, Z=2, beta=0.7, tau=1.5),
    Regime(K=2, Q=6, d=9, v=0.4, l_b=0.5, tokens="shared", beta=2.0),
    Regime(K=4, Q=5, d=12, v=0.15, l_b=0.25, Z=4, z_reading="cluster", delta=0.3),
]


def test_kernel_is_the_brute_force_formula():
    ds = sample_dataset(REGIMES[0], 0)
    D = np.zeros((ds.N, ds.V))
    D[np.arange(ds.N), ds.y_w] += 1
    D[np.arange(ds.N), ds.y_l] -= 1
    assert np.allclose(kernel(ds), (D @ D.T) * (ds.X @ ds.X.T), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("loss", ["dpo", "ipo", "slic"])
@pytest.mark.parametrize("ri", range(len(REGIMES)))
def test_weight_space_and_dense_kernel_agree(ri, loss):
    reg = REGIMES[ri]
    ds = sample_dataset(reg, 11 + ri)
    T = 2 * reg.tau_1
    te = np.linspace(0, T, 7)
    a = simulate(ds, T, loss=loss, t_eval=te, rtol=1e-10, atol=1e-12)
    b = simulate(ds, T, loss=loss, t_eval=te, method="kernel", rtol=1e-10, atol=1e-12)
    tol = 1e-6 if loss != "slic" else 1e-4  # SLiC's phi jumps at r = 1
    assert np.abs(a.r - b.r).max() < tol * max(1.0, np.abs(b.r).max())
    assert np.abs(a.A - b.A).max() < tol * max(1.0, np.abs(b.A).max())
    assert np.all(a.r[-1] > 0)  # the flow did move every margin
    # DW recorded by the weight form equals the one rebuilt from the integrals
    assert np.allclose(a.delta_W(T), weights_from_integrals(ds, a.integrals(T)), atol=1e-8)


@pytest.mark.parametrize("loss", ["dpo", "ipo"])
def test_gradient_descent_converges_to_the_flow_as_the_step_shrinks(loss):
    reg = REGIMES[0]
    ds = sample_dataset(reg, 5)
    T = reg.tau_1
    flow = simulate(ds, T, loss=loss, t_eval=np.linspace(0, T, 5), rtol=1e-11, atol=1e-13)
    errs = []
    for steps in (8, 80, 800):
        gd = gradient_descent(ds, T, steps, loss=loss, records=4)
        assert np.allclose(gd.t, flow.t)
        errs.append(np.abs(gd.r - flow.r).max())
    # Euler's global error is O(step): ten times smaller step, about ten times smaller error
    assert 5 < errs[0] / errs[1] < 20 and 5 < errs[1] / errs[2] < 20
    assert errs[2] < 1e-3 * np.abs(flow.r).max()


def test_trl_metric_names_and_strict_accuracy():
    m = trl_metrics([0.5, 0.2, 0.1], [0.1, 0.2, 0.3])
    assert set(m) == {"rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"}
    assert m["rewards/accuracies"] == pytest.approx(1 / 3)  # a tie is not accurate
    assert m["rewards/margins"] == pytest.approx(m["rewards/chosen"] - m["rewards/rejected"])
    gd = gradient_descent(sample_dataset(REGIMES[0], 1), REGIMES[0].tau_1, 20)
    assert gd.metrics[0]["rewards/accuracies"] == 0.0 and gd.metrics[-1]["rewards/accuracies"] == 1.0


def test_torch_backend_matches_numpy():
    pytest.importorskip("torch")
    ds = sample_dataset(REGIMES[2], 3)
    T = REGIMES[2].tau_1
    a = simulate(ds, T)
    b = simulate(ds, T, backend="torch")
    c = simulate(ds, T, backend="torch", method="kernel")
    assert np.abs(a.r - b.r).max() < 1e-9 and np.abs(a.r - c.r).max() < 1e-6


def test_float32_data_keeps_margins_to_single_precision():
    reg = REGIMES[0]
    ds = sample_dataset(reg, 2)
    a = simulate(ds, reg.tau_1)
    b = simulate(ds.astype(np.float32), reg.tau_1)
    assert b.dataset.X.dtype == np.float32
    assert np.abs(a.r - b.r).max() < 1e-5 * np.abs(a.r).max()
    assert sample_dataset(reg, 2, dtype=np.float32).X.dtype == np.float32


def test_bad_inputs_are_rejected():
    ds = sample_dataset(REGIMES[0], 0)
    with pytest.raises(ValueError, match="loss"):
        simulate(ds, 1.0, loss="kto")
    with pytest.raises(ValueError, match="method"):
        simulate(ds, 1.0, method="dense")
    with pytest.raises(ValueError, match="t_end"):
        simulate(ds, float("nan"))
    with pytest.raises(ValueError, match="t_eval"):
        simulate(ds, 1.0, t_eval=[0.5, 0.2])
    tr = simulate(ds, 1.0)
    with pytest.raises(ValueError, match="not an evaluation time"):
        tr.integrals(0.5)


def test_dense_and_block_skipping_kernels_are_equal():
    ds = sample_dataset(REGIMES[0], 4)
    assert np.array_equal(kernel(ds), kernel(ds, skip_zero_blocks=False))


def test_whole_horizon_first_step_keeps_the_accuracy_with_fewer_evaluations():
    reg = REGIMES[2]
    ds = sample_dataset(reg, 6)
    T = reg.tau_1
    ref = simulate(ds, T, rtol=1e-12, atol=1e-14, solver="DOP853")
    fast = simulate(ds, T, rtol=1e-6, atol=1e-9, first_step=T)
    slow = simulate(ds, T, rtol=1e-6, atol=1e-9)
    assert fast.nfev < slow.nfev
    assert np.abs(fast.r - ref.r).max() < 1e-6 * np.abs(ref.r).max()

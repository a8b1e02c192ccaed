"""Engine for :class:`dpoverify.specs.GradientIdentity`: a printed formula for a rate of change
against automatic differentiation of the actual loss of a softmax model.

Ground truth. On a random :class:`Instance` the weights follow the gradient flow
tau dW/dt = -grad_W L(W) of the real loss L(W) = (1/N) sum_i f(r_i(W)) of the softmax model
(``dpoverify.simulator.multitoken.SoftmaxPolicy``; f from Section 7's GPO family). For a quantity
q(W) the true value of tau dq/dt is the Jacobian-vector product <grad_W q, -grad_W L>, computed by
torch autograd (``torch.func.jvp``) in float64; nothing of the paper's formula is re-typed here.

Quantities (``spec.quantity``), each "tau times the rate":
    margin_rate           (N,)       tau dr_j/dt, r_j = r(y_w,j) - r(y_l,j)
    test_margin_rate      (M,)       tau dr~/dt for M new samples (x~, y~_w, y~_l) outside the
                                     training set (single-token model only)
    response_reward_rate  (N, 2)     tau dr_{w,j}/dt, tau dr_{l,j}/dt (response rewards)
    token_reward_rate     (N, L, 2)  tau dr(y)/dt for the token y = y^(j)_{w/l,i} at every
                                     position of the training set, with g* = g(i, j, w/l)
    weight_rate           (V, d)     tau dW/dt

Verdict. Random instances never prove an identity: every instance within ``TOLERANCE`` (max
relative discrepancy max|formula - true| / max|true|, float64 round-off is ~1e-15) gives
NO COUNTEREXAMPLE, listing the instances tried; the worst instance beyond it gives REFUTED, with
the whole instance as the counterexample payload (``replay`` rebuilds it and re-compares).
Instances where the true rate is identically zero (e.g. every SLiC margin above 1) compare nothing;
if all are such, the verdict is UNDECIDED.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .engines import Context, EngineUnavailable
from .verdicts import Result, Verdict

TOLERANCE = 1e-9
QUANTITIES = ("margin_rate", "test_margin_rate", "response_reward_rate", "token_reward_rate", "weight_rate")
MODELS = ("single-token", "multi-token")


@dataclass
class Instance:
    """One state of a softmax model with its training set; all arrays numpy float64.

    Sizes: N samples, V tokens, d embedding dims, L response length (1 for single-token).
    beta, tau            DPO temperature, inverse learning rate (tau dW/dt = -grad L)
    loss                 "dpo" | "ipo" | "slic"
    W0, W                (V, d) reference and current unembedding, DW = W - W0
    Gw, Gl               (N, L, d) hidden states g(i, j, w/l) (fixed)
    Yw_seq, Yl_seq       (N, L, V) one-hot tokens y^(j)_{w,i}, y^(j)_{l,i}
    Sw, Sl               (N, L, V) current next-token distributions S(W g(i, j, w/l))
    r_tok_w, r_tok_l     (N, L) token rewards; r_w, r_l (N,) response rewards; r (N,) margins
    single-token only (L = 1, g(i,1,w) = g(i,1,l) = g(x_i)):
    G                    (N, d) embeddings g(x_i);  Yw, Yl (N, V) one-hot y_w,i, y_l,i
    Gt, Ywt, Ylt         (M, d), (M, V), (M, V): M new samples g(x~), y~_w, y~_l (not trained on)
    """

    model: str
    loss: str
    beta: float
    tau: float
    N: int
    V: int
    d: int
    L: int
    W0: np.ndarray
    W: np.ndarray
    Gw: np.ndarray
    Gl: np.ndarray
    Yw_seq: np.ndarray
    Yl_seq: np.ndarray
    Sw: np.ndarray = None
    Sl: np.ndarray = None
    r_tok_w: np.ndarray = None
    r_tok_l: np.ndarray = None
    r_w: np.ndarray = None
    r_l: np.ndarray = None
    r: np.ndarray = None
    G: np.ndarray | None = None
    Yw: np.ndarray | None = None
    Yl: np.ndarray | None = None
    Gt: np.ndarray | None = None
    Ywt: np.ndarray | None = None
    Ylt: np.ndarray | None = None

    ARRAYS = ("W0", "W", "Gw", "Gl", "Yw_seq", "Yl_seq")

    def __post_init__(self) -> None:
        for name in self.ARRAYS:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}")
        N, V, d, L = self.N, self.V, self.d, self.L
        expect = {"W0": (V, d), "W": (V, d), "Gw": (N, L, d), "Gl": (N, L, d),
                  "Yw_seq": (N, L, V), "Yl_seq": (N, L, V)}
        bad = [f"{k} {getattr(self, k).shape} != {v}" for k, v in expect.items() if getattr(self, k).shape != v]
        if bad:
            raise ValueError("inconsistent instance: " + "; ".join(bad))
        pol = self.policy()
        W = _torch().as_tensor(self.W)
        with _torch().no_grad():
            rw, rl = pol.token_rewards(W)
            sw, sl = pol.probabilities(W)
        self.r_tok_w, self.r_tok_l = rw.numpy(), rl.numpy()
        self.r_w, self.r_l = self.r_tok_w.sum(1), self.r_tok_l.sum(1)
        self.r = self.r_w - self.r_l
        self.Sw, self.Sl = sw.numpy(), sl.numpy()
        if self.model == "single-token":
            self.G, self.Yw, self.Yl = self.Gw[:, 0], self.Yw_seq[:, 0], self.Yl_seq[:, 0]
        if self.Gt is not None:
            self.Gt, self.Ywt, self.Ylt = (np.asarray(a, dtype=np.float64) for a in (self.Gt, self.Ywt, self.Ylt))
            M = len(self.Gt)
            if self.Gt.shape != (M, d) or self.Ywt.shape != (M, V) or self.Ylt.shape != (M, V):
                raise ValueError("inconsistent instance: new samples need Gt (M, d), Ywt and Ylt (M, V)")

    def test_policy(self):
        """The new samples as a softmax policy sharing W_0 (for their margins)."""
        from .simulator.multitoken import SoftmaxPolicy

        if self.Gt is None or self.model != "single-token":
            raise ValueError("test_margin_rate needs a single-token instance with new samples")
        return SoftmaxPolicy(self.Gt[:, None], self.Gt[:, None], self.Ywt.argmax(-1)[:, None],
                             self.Ylt.argmax(-1)[:, None], self.W0, self.beta)

    def policy(self):
        from .simulator.multitoken import SoftmaxPolicy

        return SoftmaxPolicy(self.Gw, self.Gl, self.Yw_seq.argmax(-1), self.Yl_seq.argmax(-1),
                             self.W0, self.beta)

    INPUTS = ("model", "loss", "beta", "tau", "N", "V", "d", "L") + ARRAYS
    OPTIONAL = ("Gt", "Ywt", "Ylt")

    def to_payload(self) -> dict[str, Any]:
        """The defining fields (everything else is recomputed from them), JSON-ready."""
        out = {k: (getattr(self, k).tolist() if k in self.ARRAYS else getattr(self, k)) for k in self.INPUTS}
        out.update({k: getattr(self, k).tolist() for k in self.OPTIONAL if getattr(self, k) is not None})
        return out

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Instance":
        missing = [k for k in cls.INPUTS if k not in payload]
        if missing:
            raise ValueError(f"gradient-identity payload lacks {missing}")
        return cls(**{k: payload[k] for k in cls.INPUTS + cls.OPTIONAL if k in payload})


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is in the audit/test extras
        raise EngineUnavailable("the gradient-identity engine needs torch (pip install dpoverify[audit])") from exc
    return torch


def random_instance(rng: np.random.Generator, model: str, loss: str,
                    beta: float | None = None, tau: float | None = None) -> Instance:
    """A small generic instance: W0 random, W = W0 + a random offset (so r != 0 and the current
    distributions are far from uniform), token sharing across samples by chance."""
    N = int(rng.integers(2, 7))
    V = int(rng.integers(2, 7))
    d = int(rng.integers(1, 6))
    L = 1 if model == "single-token" else int(rng.integers(1, 4))
    beta = float(rng.uniform(0.1, 2.0)) if beta is None else float(beta)
    tau = float(rng.uniform(0.5, 3.0)) if tau is None else float(tau)
    W0 = rng.standard_normal((V, d))
    W = W0 + rng.uniform(0.2, 1.0) * rng.standard_normal((V, d))
    if model == "single-token":
        G = rng.standard_normal((N, 1, d))
        Gw = Gl = G
    else:
        Gw, Gl = rng.standard_normal((N, L, d)), rng.standard_normal((N, L, d))
    tw = rng.integers(0, V, size=(N, L))
    tl = (tw + rng.integers(1, V, size=(N, L))) % V  # preferred and rejected differ at every position
    eye = np.eye(V)
    new = {}
    if model == "single-token":
        M = int(rng.integers(1, 4))
        like = rng.integers(0, N, size=M)  # new samples carry the responses of training samples
        new = dict(Gt=rng.standard_normal((M, d)), Ywt=eye[tw[like, 0]], Ylt=eye[tl[like, 0]])
    return Instance(model=model, loss=loss, beta=beta, tau=tau, N=N, V=V, d=d, L=L, W0=W0, W=W,
                    Gw=Gw, Gl=Gl, Yw_seq=eye[tw], Yl_seq=eye[tl], **new)


def true_rate(inst: Instance, quantity: str) -> np.ndarray:
    """tau dq/dt = <grad q(W), -grad L(W)> by autograd (float64)."""
    torch = _torch()
    pol = inst.policy()
    W = torch.as_tensor(inst.W).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(pol.loss(W, inst.loss), W)
    direction = -grad.detach()  # tau dW/dt
    test_pol = inst.test_policy() if quantity == "test_margin_rate" else None
    if quantity == "weight_rate":
        return direction.numpy()

    def q(Wv):
        if quantity == "margin_rate":
            return pol.margins(Wv)
        if quantity == "test_margin_rate":
            return test_pol.margins(Wv)
        if quantity == "response_reward_rate":
            return torch.stack(pol.response_rewards(Wv), dim=-1)
        if quantity == "token_reward_rate":
            return torch.stack(pol.token_rewards(Wv), dim=-1)
        raise ValueError(f"unknown quantity {quantity!r} (choose from {', '.join(QUANTITIES)})")

    _, rate = torch.func.jvp(q, (W.detach(),), (direction,))
    return rate.numpy()


def compare(spec, inst: Instance) -> dict[str, Any]:
    truth = np.asarray(true_rate(inst, spec.quantity), dtype=np.float64)
    claimed = np.asarray(spec.formula(inst), dtype=np.float64)
    if claimed.shape != truth.shape:
        raise ValueError(f"formula returned shape {claimed.shape}, quantity {spec.quantity} has shape {truth.shape}")
    if not np.all(np.isfinite(claimed)):
        raise ValueError("formula returned non-finite values")
    scale = float(np.max(np.abs(truth)))
    err = float(np.max(np.abs(claimed - truth)))
    rel = err / scale if scale > 0 else (0.0 if err == 0 else float("inf"))
    return {"relative_discrepancy": rel, "abs_discrepancy": err, "scale": scale,
            "true": truth, "formula": claimed}


def _check(spec) -> None:
    if spec.quantity not in QUANTITIES:
        raise ValueError(f"unknown quantity {spec.quantity!r} (choose from {', '.join(QUANTITIES)})")
    if spec.model not in MODELS:
        raise ValueError(f"unknown model {spec.model!r} (choose from {', '.join(MODELS)})")
    if spec.quantity == "test_margin_rate" and spec.model != "single-token":
        raise ValueError("test_margin_rate is defined for the single-token model only")


def run(spec, ctx: Context) -> Result:
    _check(spec)
    _torch()
    fixed = {k: float(ctx.fixed[k]) for k in ("beta", "tau") if k in ctx.fixed}
    rng = np.random.default_rng(ctx.seed)
    n = ctx.profile.gradient_instances
    tried, worst = [], None
    for k in range(n):
        inst = random_instance(rng, spec.model, spec.loss, **fixed)
        cmp = compare(spec, inst)
        tried.append({"N": inst.N, "V": inst.V, "d": inst.d, "L": inst.L, "beta": inst.beta,
                      "tau": inst.tau, "relative_discrepancy": cmp["relative_discrepancy"],
                      "degenerate": cmp["scale"] == 0.0})
        if worst is None or cmp["relative_discrepancy"] > worst[1]["relative_discrepancy"]:
            worst = (inst, cmp, k)
        ctx.progress((k + 1) / n)
    evidence = {"method": "torch.func.jvp of the real loss's gradient flow, float64",
                "model": spec.model, "loss": spec.loss, "quantity": spec.quantity,
                "tolerance": TOLERANCE, "seed": ctx.seed, "instances": tried,
                "max_relative_discrepancy": worst[1]["relative_discrepancy"]}
    inst, cmp, k = worst
    informative = sum(not x["degenerate"] for x in tried)
    evidence["informative_instances"] = informative
    if informative == 0 and cmp["relative_discrepancy"] <= TOLERANCE:
        return Result(Verdict.UNDECIDED, f"the true rate was identically zero on all {n} instances "
                      f"(seed {ctx.seed}); nothing was compared", evidence)
    if cmp["relative_discrepancy"] <= TOLERANCE:
        return Result(Verdict.NO_COUNTEREXAMPLE,
                      f"formula matches autodiff on {informative} random {spec.model} instances "
                      f"(max rel. discrepancy {cmp['relative_discrepancy']:.1e} <= {TOLERANCE:.0e}; seed {ctx.seed})",
                      evidence)
    payload = {"engine": "dpoverify.gradcheck", "seed": ctx.seed, "index": k,
               "instance": inst.to_payload(), "quantity": spec.quantity,
               "relative_discrepancy": cmp["relative_discrepancy"],
               "true": cmp["true"].tolist(), "formula": cmp["formula"].tolist()}
    return Result(Verdict.REFUTED,
                  f"formula differs from autodiff: rel. discrepancy {cmp['relative_discrepancy']:.3g} "
                  f"> {TOLERANCE:.0e} on instance {k} (N={inst.N}, V={inst.V}, d={inst.d}, L={inst.L}; seed {ctx.seed})",
                  evidence, counterexample=payload)


def replay(spec, counterexample: dict, ctx: Context) -> Result:
    _check(spec)
    if "instance" not in counterexample:
        raise ValueError("not a gradient-identity counterexample (no 'instance')")
    inst = Instance.from_payload(counterexample["instance"])
    cmp = compare(spec, inst)
    evidence = {"tolerance": TOLERANCE, "relative_discrepancy": cmp["relative_discrepancy"],
                "true": cmp["true"].tolist(), "formula": cmp["formula"].tolist(),
                "recorded_relative_discrepancy": counterexample.get("relative_discrepancy")}
    if cmp["relative_discrepancy"] > TOLERANCE:
        return Result(Verdict.REFUTED, f"replayed: rel. discrepancy {cmp['relative_discrepancy']:.3g} "
                      f"> {TOLERANCE:.0e}", evidence, counterexample=counterexample)
    return Result(Verdict.NO_COUNTEREXAMPLE, f"replayed: the instance no longer refutes the formula "
                  f"(rel. discrepancy {cmp['relative_discrepancy']:.1e})", evidence)

"""Reference runs pinned by ``tests/invariant`` (as TRL's ``tests/invariant`` pins training runs).

Each ``compute_*`` function runs one seeded, fixed configuration and returns a JSON-ready document
of the numbers that matter; ``reference/<name>.json`` holds the document of the run that was
accepted, and the tests compare a fresh run against it with the tolerance stored in the file.
A deliberate change of the numbers (a fixed bug, a new solver) is accepted by regenerating:

    python -m tests.invariant.regenerate            # all
    python -m tests.invariant.regenerate simulator  # one

and committing the new reference with the reason in the message.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).with_name("reference")

# (name, Regime keyword arguments, loss, method, seed, horizon in units of tau_1)
SIMULATOR_CASES = (
    ("theorem-4.3-regime", dict(K=2, Q=40, d=200, v=1 / (32 * math.sqrt(40)), l_b=0.25), "dpo", "weight", 0, 1.0),
    ("noisy-shared-tokens-ipo", dict(K=3, Q=8, d=12, v=0.3, l_b=0.3, Z=2, tokens="shared"), "ipo", "weight", 5, 3.0),
    ("delta-orthogonal-kernel-form", dict(K=4, Q=10, d=20, v=0.05, l_b=0.4, delta=0.2), "dpo", "kernel", 7, 2.0),
)
SIMULATOR_TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}  # solve_ivp at rtol 1e-8: platform noise is far below


def compute_simulator() -> dict:
    """Training margins r_j(t) at five times, the exact population log-risk and a seeded Monte
    Carlo failure count for each case of :data:`SIMULATOR_CASES`."""
    from dpoverify.simulator import Regime, monte_carlo_risk, population_risk, sample_dataset, simulate

    cases = {}
    for name, kw, loss, method, seed, horizon in SIMULATOR_CASES:
        reg = Regime(**kw)
        ds = sample_dataset(reg, seed=seed)
        T = reg.tau_1 * horizon
        times = np.linspace(0.0, T, 5)
        tr = simulate(ds, T, loss=loss, method=method, t_eval=times)
        risk = population_risk(ds, tr, T)
        mc = monte_carlo_risk(ds, tr, T, n=20000, seed=1)
        cases[name] = {"regime": dict(kw),
                       "loss": loss, "method": method, "seed": seed, "T": T,
                       "r_first8": tr.r[:, :8].tolist(), "r_mean": tr.r.mean(axis=1).tolist(),
                       "log_risk": risk.log_risk, "log_risk_cluster": risk.log_risk_cluster.tolist(),
                       "mc_failures": int(mc.failures)}
    return {"tolerance": SIMULATOR_TOLERANCE, "cases": cases}


AUDIT_CONFIG = dict(ks=[1, 2, 4], steps=30, eval_every=10, shuffles=3, device="cpu", seed=0)
AUDIT_TOLERANCE = {"rtol": 1e-3, "atol": 1e-6}  # float32 MiniLM on different CPUs / BLAS


def compute_audit(out: Path) -> dict:
    """The embedded default audit (all-MiniLM-L6-v2, embedded personas, last-layer DPO), small:
    geometry point estimates and every K's final train/test metrics."""
    from gpu_checks import runner

    doc = runner.run(runner.AuditConfig(out=str(out), **AUDIT_CONFIG))
    g = doc["geometry"]
    geometry = {"mean_cov_frobenius": g["spread"]["mean_cov_frobenius"], "mean_sq_dist": g["spread"]["mean_sq_dist"],
                "l_b": g["theory_units"]["l_b"], "v": g["theory_units"]["v"],
                "max_abs_cos": g["concept_directions"]["max_abs_cos"],
                "fig3b_offdiag_max_abs": g["figure3b"]["offdiag_max_abs"]}
    dpo = {k: {split: {m: run["final"][split][m] for m in ("loss", "rewards/margins", "rewards/accuracies")}
               for split in ("train", "test")} for k, run in doc["dpo"]["runs"].items()}
    return {"tolerance": AUDIT_TOLERANCE, "config": dict(AUDIT_CONFIG),
            "geometry": {k: float(v) for k, v in geometry.items()}, "dpo": dpo}


def flatten(doc, prefix: str = "") -> dict[str, float]:
    """Leaf numbers of a nested document keyed by their path (lists indexed)."""
    out: dict[str, float] = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(flatten(v, f"{prefix}{k}/"))
    elif isinstance(doc, (list, tuple)):
        for i, v in enumerate(doc):
            out.update(flatten(v, f"{prefix}{i}/"))
    elif isinstance(doc, (int, float)) and not isinstance(doc, bool):
        out[prefix.rstrip("/")] = float(doc)
    return out


def differences(fresh: dict, reference: dict, rtol: float, atol: float) -> list[str]:
    """Every leaf number that moved beyond tolerance, or appeared / disappeared."""
    a, b = flatten(fresh), flatten(reference)
    bad = [f"{k}: missing in the fresh run" for k in b.keys() - a.keys()]
    bad += [f"{k}: not in the reference" for k in a.keys() - b.keys()]
    for k in sorted(a.keys() & b.keys()):
        x, y = a[k], b[k]
        if not (abs(x - y) <= atol + rtol * abs(y) or (math.isinf(x) and x == y)):
            bad.append(f"{k}: {x!r} vs reference {y!r}")
    return bad

"""Trajectories r_i(t) beside the envelopes of Theorem 4.2, simulated in-process.

Theorem 4.2: inside its hypotheses (Z ≤ 1/(4 l_b²), d ≤ 5Q, v ≤ 1/(32√Q), 1/4 ≤ l_b ≤ 1/2),
r^L(t) = β²t/(8Kτ) ≤ r_i(t) ≤ r^U(t) = 5β²t/(Kτ) for t ≤ τ_1 = Kτ log 3/(5β²), and
log 3/40 ≤ r_i(τ_1) ≤ log 3. The figure draws every training margin of one seeded dataset per K
(dpoverify.simulator, exact flow of eq. 3) with those envelopes; it illustrates, the verdicts come
from ``dpoverify check`` / ``dpoverify fuzz``.
"""
from __future__ import annotations

import math

import numpy as np

from ..simulator import Regime, sample_dataset, simulate
from .doc import Figure, Para, Section
from .figures import canvas
from .load import Inputs
from .verdict_table import claim_links

KS = (2, 8)
Q = 40  # the smallest Q Theorem 4.3 allows; d = 5Q and v = 1/(32√Q) sit on their bounds
GRID = 61


def regime(K: int) -> Regime:
    return Regime(K=K, Q=Q, d=5 * Q, v=1 / (32 * math.sqrt(Q)), l_b=0.25, Z=1)


CLAIMS = ("theorem-4.2", "theorem-b.3", "lemma-b.2")


def trajectory_section(inputs: Inputs, seed: int) -> tuple[Section, dict]:
    """The section and what was simulated (for provenance)."""
    sec = Section("trajectories", "Training trajectories and the envelopes of Theorem 4.2")
    facts = []
    with canvas(10, 4.2, ncols=len(KS)) as (fig, axes):
        for ax, K in zip(axes[0], KS):
            reg = regime(K)
            t = np.linspace(0.0, reg.tau_1, GRID)
            tr = simulate(sample_dataset(reg, seed=seed), reg.tau_1, t_eval=t)
            lo = reg.beta ** 2 * t / (8 * K * reg.tau)
            hi = 5 * reg.beta ** 2 * t / (K * reg.tau)
            sims = ax.plot(t, tr.r, color="#4a78b5", lw=0.4, alpha=0.35)
            sims[0].set_label(f"simulated $r_i(t)$, {len(sims)} training samples")
            ax.plot(t, lo, "--", color="#c62828", lw=1.6, label=r"$r^L(t)=\beta^2t/(8K\tau)$")
            ax.plot(t, hi, "--", color="#8e24aa", lw=1.6, label=r"$r^U(t)=5\beta^2t/(K\tau)$")
            ax.errorbar([reg.tau_1], [(math.log(3) / 40 + math.log(3)) / 2],
                        yerr=[[(math.log(3) - math.log(3) / 40) / 2]], fmt="none", ecolor="k",
                        capsize=5, lw=1.4, label=r"$[\log 3/40,\ \log 3]$ at $\tau_1$")
            ax.set_ylim(0, max(1.2, float(tr.r.max()) * 1.1))
            ax.set_xlabel("t")
            ax.set_ylabel(r"reward margin $r_i(t)$")
            ax.set_title(f"K={K}, Q={Q}, d={reg.d}, v=1/(32√Q), l_b=1/4, Z=1, N={reg.N}", fontsize=9)
            ax.legend(fontsize=8, loc="upper left")
            inside = float(np.mean((tr.r >= lo[:, None]) & (tr.r <= hi[:, None])))
            end = tr.r[-1]
            facts.append({"K": K, "Q": Q, "d": reg.d, "v": reg.v, "l_b": reg.l_b, "Z": 1, "seed": seed,
                          "N": reg.N, "tau_1": reg.tau_1, "fraction_inside_envelope": inside,
                          "r_tau1_min": float(end.min()), "r_tau1_max": float(end.max())})
    text = "; ".join(
        f"K={f['K']}: {100 * f['fraction_inside_envelope']:.1f}% of (sample, time) points inside "
        f"[r^L, r^U], r(τ_1) in [{f['r_tau1_min']:.4g}, {f['r_tau1_max']:.4g}]" for f in facts)
    sec.add(Figure("fig-trajectories", "Trajectories with their r^L / r^U envelopes",
                   f"Every training margin r_i(t), 0 ≤ t ≤ τ_1, of one dataset per K (seed {seed}, β = τ = 1), "
                   f"integrated by dpoverify.simulator (scipy solve_ivp, rtol 1e-8). {text}. An illustration "
                   "at the edge of the hypotheses; the verdicts above come from the checks.", fig.png),
            Para(("Simulated here by the report (seed ", str(seed), "); the checks and the fuzz campaign "
                  "explore the whole hypothesis region. ",
                  *(("Verdicts: ",) + links if (links := claim_links(inputs, CLAIMS)) else
                    ("No verdicts for ", ", ".join(CLAIMS), " in check.json.")))))
    return sec, {"trajectories": facts}

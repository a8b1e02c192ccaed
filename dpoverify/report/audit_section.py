"""The empirical audit (``audit.json``, schema dpoverify.audit/1, written by ``dpoverify audit``):
Figure 3 heatmaps, Figure 5 margin curves (and the loss/accuracy curves of Figures 7–8), the
Appendix E statistics beside the paper's numbers, the fitted geometry in the theory's units, and
the fits of margin growth and test error against K."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .doc import Badge, Code, Figure, Heading, Link, Missing, Para, Section, Table
from .figures import canvas
from .load import Inputs
from .verdict_table import claim_anchor

PAPER_R2 = "0.97 (Llama-3.1-8B), 0.95 (Mistral-7B-v0.3), 0.99 (Qwen3-8B-Base)"


def get(doc: dict, dotted: str, default=None):
    """``get(doc, "geometry.figure3a.matrix")``; ``default`` where any key is absent."""
    cur: Any = doc
    for key in dotted.split("."):
        if not isinstance(cur, dict) or key not in cur:
            return default
        cur = cur[key]
    return cur


def fmt(x, digits: int = 4) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:.{digits}g}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, digits) for v in x) + "]"
    return str(x)


def audit_section(inputs: Inputs) -> Section:
    sec = Section("audit", "Empirical audit on a real transformer (Section 5, Appendix E)")
    item = inputs.loaded("audit")

    def build(doc):
        _config(sec, doc, item.command)
        _verdicts(sec, doc, inputs)
        _figure3(sec, doc, item.command)
        _appendix_e(sec, doc)
        _dpo(sec, doc, item.command)
    return item.fill(sec, build)


def _config(sec: Section, doc: dict, command: str) -> None:
    c = doc["config"]
    data = doc.get("data", {})
    sec.add(Para((f"Model {c.get('model')} ({c.get('model_kind')}, read-out {c.get('readout')}, "
                  f"prompt {c.get('prompt')}), data {c.get('dataset')} "
                  f"({fmt(data.get('n_personas'))} personas, {fmt(data.get('n_statements'))} statements, "
                  f"embedding dim {fmt(data.get('embedding_dim'))}), DPO mode {c.get('mode')}, "
                  f"K = {fmt(c.get('k'))}, {fmt(c.get('steps'))} steps, lr {fmt(c.get('lr'))}, "
                  f"β = {fmt(c.get('beta'))}, device {c.get('device')}, seed {doc['seed']}. ",
                  "Run complete." if doc["complete"] else "Run NOT complete (interrupted or still running).")))
    if not doc["complete"]:
        sec.add(Missing("the rest of the audit run (not every K finished)", command,
                        "re-running resumes after the last finished K"))


def _verdicts(sec: Section, doc: dict, inputs: Inputs) -> None:
    verdicts = doc.get("verdicts")
    if not verdicts:
        sec.add(Para(("No judged verdicts in audit.json (the CLI judges them with the EmpiricalAudit "
                      "obligations of theorems/). The statistics follow.",)))
        return
    checked = {c["id"] for c in (inputs["check"] or {}).get("claims", [])}
    sec.add(Table(("claim", "obligation", "check", "verdict", "summary"),
                  tuple((Link(v["claim"], claim_anchor(v["claim"])) if v.get("claim") in checked else v.get("claim", ""),
                         v.get("obligation", ""), v.get("title", ""),
                         Badge(v.get("verdict", "")), v.get("summary", "")) for v in verdicts),
                  anchor="audit-verdicts", kind="audit-verdicts"))


def _square(matrix) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"similarity matrix must be square, got shape {m.shape}")
    return m


def _heat(fig, ax, m, names, title, label):
    """One panel with its own colour bar (labelled) and tick labels: persona names up to 32,
    else persona numbers."""
    im = ax.imshow(m, cmap="viridis")
    ax.set_title(title, fontsize=10)
    n = len(m)
    if names and len(names) == n and n <= 32:
        size = 7 if n <= 16 else 5
        ax.set_xticks(range(n), names, rotation=90, fontsize=size)
        ax.set_yticks(range(n), names, fontsize=size)
    else:
        step = max(1, n // 10)
        ax.set_xticks(range(0, n, step), [str(i + 1) for i in range(0, n, step)], fontsize=7)
        ax.set_yticks(range(0, n, step), [str(i + 1) for i in range(0, n, step)], fontsize=7)
        ax.set_xlabel("persona", fontsize=8)
        ax.set_ylabel("persona", fontsize=8)
    fig.colorbar(im, ax=ax, shrink=0.75, label=label)
    return im


def _figure3(sec: Section, doc: dict, command: str) -> None:
    g = doc["geometry"]
    a, b = g.get("figure3a"), g.get("figure3b")
    if not (a and b):
        sec.add(Missing("the Figure 3 similarity matrices (geometry.figure3a/3b)", command))
        return
    names = g.get("personas", [])
    side = 11 if len(names) > 16 else 9
    ma, mb = _square(a["matrix"]), _square(b["matrix"])
    with canvas(side * 1.75, side * 0.8, ncols=2) as (fig, axes):
        _heat(fig, axes[0, 0], ma, names, "(a) mean cosine between personas", "mean cosine similarity")
        _heat(fig, axes[0, 1], mb, names, "(b) after subtracting the mean embedding",
              "mean cosine after centring")
    sec.add(Heading("Figure 3: shared component and orthogonality", "audit-figure3", 3),
            Figure("fig-audit-figure3", "Figure 3 / 6 analogue: cosine similarity between personas",
                   "Each panel has its own colour scale (centring shrinks every cosine). "
                   f"(a) off-diagonal mean {fmt(a.get('offdiag_mean'))} (paper: high, shared component); "
                   f"(b) off-diagonal mean {fmt(b.get('offdiag_mean'))}, max |cos| {fmt(b.get('offdiag_max_abs'))}; "
                   f"after subtracting the global mean the off-diagonal mean is forced near "
                   f"{fmt(b.get('forced_offdiag_mean'))} = −diag/(P−1) by construction, so it carries "
                   "little information: read the concept-direction statistics below.", fig.png))


def _appendix_e(sec: Section, doc: dict) -> None:
    g = doc["geometry"]
    cd = g.get("concept_directions", {})
    nf = cd.get("noise_floor", {})
    sp_ = g.get("spread", {})
    nt = g.get("normality", {})
    tu = g.get("theory_units", {})
    ts = g.get("token_sharing", {})
    wp = g.get("within_persona", {})
    Q = tu.get("Q")
    lb = tu.get("l_b")
    dv2 = tu.get("dv2")
    pred = f"±1/(1+dv²) = ±{fmt(1 / (1 + dv2))}" if dv2 is not None else "±1/(1+dv²)"
    sph = sp_.get("sphericity", {})
    rows = [
        ("mean Frobenius norm of per-persona covariance (unit norm on average)", fmt(sp_.get("mean_cov_frobenius")),
         "0.058", "Appendix E"),
        ("mean squared distance from the persona mean", fmt(sp_.get("mean_sq_dist")), "0.227", "Appendix E"),
        ("participation ratio of the covariance (effective dimensions)", fmt(sp_.get("participation_ratio_mean")),
         f"{fmt(sp_.get('participation_ratio_isotropic'))} under v²I_d", f"of {fmt(sp_.get('dim'))} dimensions"),
        ("sphericity (isotropic v²I_d)", f"{fmt(sph.get('rejected_holm'))} of {fmt(sph.get('n_tests'))} rejected "
         f"at α = {fmt(sph.get('alpha'))}; min p {fmt(sph.get('min_p'))}" if sph else "—", "v²I_d", sph.get("test", "—")),
        ("normality (D'Agostino–Pearson, Holm)", f"{fmt(nt.get('rejected_holm'))} of {fmt(nt.get('n_tests'))} "
         f"rejected at α = {fmt(nt.get('alpha'))}; min p {fmt(nt.get('min_p'))}", "Gaussian clusters", "Appendix E"),
        ("Figure 3a off-diagonal mean cosine (shared component)", fmt(get(g, "figure3a.offdiag_mean")), "high",
         "Figure 3a"),
        ("Figure 3b max |off-diagonal| after centring", fmt(get(g, "figure3b.offdiag_max_abs")), "close to 0",
         "Figure 3b"),
        ("within persona, centred: mean cos same / opposite cluster",
         f"{fmt(get(wp, 'centered.mean_cos_same_cluster'))} / {fmt(get(wp, 'centered.mean_cos_opposite_cluster'))}",
         pred, "Section 3 model"),
        ("within persona, raw: mean cos same / opposite cluster",
         f"{fmt(get(wp, 'raw.mean_cos_same_cluster'))} / {fmt(get(wp, 'raw.mean_cos_opposite_cluster'))}", "—",
         "raw embeddings"),
        ("concept directions c_i: max |cos| (shuffled-label floor p95)",
         f"{fmt(cd.get('max_abs_cos'))} ({fmt(nf.get('max_abs_cos_p95'))})", "0 (orthogonal)", "Section 3"),
        ("concept directions c_i: mean |cos| (shuffled-label floor)",
         f"{fmt(cd.get('mean_abs_cos'))} ({fmt(nf.get('mean_abs_cos_mean'))})", "0", "Section 3"),
        ("δ of Definition C.1: lower / frame bound", f"{fmt(cd.get('delta_lower'))} / {fmt(cd.get('delta_frame'))}",
         "< 1/2", "Appendix C"),
        ("|c_i| range in theory units", f"{fmt(tu.get('c_norm_min'))} – {fmt(tu.get('c_norm_max'))}", "1",
         "Section 3"),
        ("l_b (|c_i| = 1 on average)", fmt(lb), "[1/4, 1/2]", "Theorems 4.2/4.3"),
        ("v (per-dimension spread)", fmt(tu.get("v")),
         f"≤ 1/(32√Q) = {fmt(1 / (32 * math.sqrt(Q)))}" if Q else "≤ 1/(32√Q)", f"Q = {fmt(Q)}"),
        ("d v² (spread in the theory's units)", fmt(dv2), "≤ 5/1024 (d ≤ 5Q, v ≤ 1/(32√Q))", f"d = {fmt(tu.get('d'))}"),
        ("d against 5Q", fmt(tu.get("d")), f"≤ 5Q = {fmt(5 * Q)}" if Q else "≤ 5Q", "Theorems 4.2/4.3"),
        ("token sharing Z", fmt(ts.get("Z")),
         f"≤ 1/(4 l_b²) = {fmt(1 / (4 * lb * lb))} at the fitted l_b; ≤ 4 for any allowed l_b" if lb else "≤ 4",
         f"counted over {ts.get('counted_over', '—')}"),
    ]
    sec.add(Heading("Appendix E statistics and the geometry in the theory's units", "audit-appendix-e", 3),
            Table(("quantity", "measured", "paper / theory needs", "where"), tuple(rows),
                  anchor="audit-stats", kind="audit-stats"))


def _curves(runs: dict, metric: str) -> list[tuple[int, list, list, list]]:
    out = []
    for k in sorted(runs, key=int):
        log = runs[k].get("log", [])
        steps = [e["step"] for e in log]
        train = [get(e, f"train.{metric}", float("nan")) for e in log]
        test = [get(e, f"test.{metric}", float("nan")) for e in log]
        out.append((int(k), steps, train, test))
    return out


def _dpo(sec: Section, doc: dict, command: str) -> None:
    dpo = doc.get("dpo")
    if not dpo or not dpo.get("runs"):
        sec.add(Missing("the DPO fine-tunes (no K finished yet)", command))
        return
    runs = dpo["runs"]
    sec.add(Heading(f"Figure 5: reward margins over training ({dpo.get('mode', '?')})", "audit-figure5", 3))
    for anchor_, title, metrics in (
            ("fig-audit-figure5", "Figure 5 analogue: train and test reward margins per K", ("rewards/margins",)),
            ("fig-audit-figure7-8", "Figures 7–8 analogue: loss and accuracy per K", ("loss", "rewards/accuracies"))):
        with canvas(10, 3.8 * len(metrics), ncols=2, nrows=len(metrics)) as (fig, axes):
            for row, metric in enumerate(metrics):
                for k, steps, train, test in _curves(runs, metric):
                    axes[row, 0].plot(steps, train, label=f"K={k}")
                    axes[row, 1].plot(steps, test, label=f"K={k}")
                for col, split in enumerate(("train", "test")):
                    axes[row, col].set_title(f"{split} {metric}", fontsize=10)
                    axes[row, col].set_xlabel("step")
                    axes[row, col].set_ylabel(metric.split("/")[-1])
                    axes[row, col].legend(fontsize=8)
        every = dpo.get("eval_every")
        sec.add(Figure(anchor_, title, f"TRL metric names; {dpo.get('steps')} steps, evaluated every "
                       f"{'' if every == 1 else f'{every} '}step{'' if every == 1 else 's'}; "
                       "personas per K in audit.json.", fig.png))
    rows = []
    for k in sorted(runs, key=int):
        r = runs[k]
        rows.append((str(k), fmt(r.get("n_train")), fmt(r.get("n_test")), fmt(r.get("margin_rate")),
                     fmt(get(r, "final.train.rewards/margins")), fmt(get(r, "final.test.rewards/margins")),
                     fmt(get(r, "final.test.error"))))
    sec.add(Table(("K", "train", "test", "margin rate", "final train margin", "final test margin", "test error"),
                  tuple(rows), anchor="audit-dpo-runs", kind="audit-dpo"))
    sc = dpo.get("scaling")
    if sc:
        rf, tr = sc.get("rate_fit", {}), sc.get("trend", {})
        lin, logk = sc.get("error_fit_linear", {}), sc.get("error_fit_logk", {})
        sec.add(Table(("fit", "measured", "paper / theory"), (
            ("margin growth rate ∝ K^exponent", f"{fmt(rf.get('exponent'))} (95% CI {fmt(rf.get('ci95'))}, "
             f"R² {fmt(rf.get('r2'))})", "−1 (r^L, r^U ∝ 1/K, Theorem 4.2)"),
            ("Kendall τ of rate against K", f"{fmt(tr.get('tau'))} (one-sided p {fmt(tr.get('p_one_sided'))})",
             "< 0: growth slows as K rises (Figure 5)"),
            ("test error = a + b·K", f"slope {fmt(lin.get('slope'))}, R² {fmt(lin.get('r2'))}", f"R² {PAPER_R2}"),
            ("test error = a + b·log K", f"slope {fmt(logk.get('slope'))}, R² {fmt(logk.get('r2'))}", "—"),
        ), anchor="audit-fits", kind="audit-fits"))
        _rate_figure(sec, sc)
    sec.add(Para(("Re-run: ", Code(command), " (resumes after the last finished K).")))


def _rate_figure(sec: Section, sc: dict) -> None:
    """Margin growth rate against K (log-log, fitted exponent beside the theory's −1) and the final
    test error against K with its linear and log K fits."""
    k = np.asarray(sc["k"], dtype=float)
    rate, err = np.asarray(sc["margin_rate"], dtype=float), np.asarray(sc["test_error"], dtype=float)
    rf, lin, logk = sc.get("rate_fit", {}), sc.get("error_fit_linear", {}), sc.get("error_fit_logk", {})
    grid = np.geomspace(k.min(), k.max(), 50)
    with canvas(10, 3.8, ncols=2) as (fig, axes):
        ax = axes[0, 0]
        ax.loglog(k, rate, "o", color="k", label="measured (train, first half of the run)")
        if "exponent" in rf and "intercept" in rf:
            ax.loglog(grid, np.exp(rf["intercept"]) * grid ** rf["exponent"], "-", color="#1f77b4",
                      label=f"fit: K^{rf['exponent']:.3f} (R² {fmt(rf.get('r2'), 3)})")
        if rate[0] > 0:
            ax.loglog(grid, rate[0] * grid[0] / grid, "--", color="#c62828", label="theory: ∝ 1/K (Theorem 4.2)")
        ax.set_xlabel("K")
        ax.set_ylabel("margin growth rate per step")
        ax.legend(fontsize=8)
        ax = axes[0, 1]
        ax.plot(k, err, "o", color="k", label="final test error")
        if "slope" in lin:
            ax.plot(grid, lin["intercept"] + lin["slope"] * grid, "-", color="#1f77b4",
                    label=f"a + b·K (R² {fmt(lin.get('r2'), 3)})")
        if "slope" in logk:
            ax.plot(grid, logk["intercept"] + logk["slope"] * np.log(grid), "-", color="#2ca02c",
                    label=f"a + b·log K (R² {fmt(logk.get('r2'), 3)})")
        ax.set_xscale("log")
        ax.set_xlabel("K")
        ax.set_ylabel("test error")
        ax.legend(fontsize=8)
    sec.add(Figure("fig-audit-rate", "Margin growth and test error against K",
                   "Left: the train margin's growth rate per step against K on log-log axes, the fitted exponent "
                   "beside Theorem 4.2's 1/K. Right: final test error against K with the linear fit the paper "
                   f"reports (R² {PAPER_R2} for its 8B models) and a fit against log K.", fig.png))

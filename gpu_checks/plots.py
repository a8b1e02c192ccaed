"""Analogues of the paper's Figures 3 (persona similarity), 5 (reward margins), 7 (loss) and
8 (accuracy), drawn from an audit results document with matplotlib's Agg backend."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .judging import model_name  # noqa: E402


def _save(fig, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    tmp.replace(path)
    return str(path)


def persona_order(matrix) -> np.ndarray:
    """Personas ordered by average-linkage clustering of their rows (scipy, optimal leaf order):
    similar personas sit together, so the heatmaps show structure at any number of personas."""
    from scipy.cluster.hierarchy import leaves_list, linkage

    m = np.asarray(matrix, dtype=float)
    if len(m) < 3:
        return np.arange(len(m))
    return leaves_list(linkage(m, method="average", metric="euclidean", optimal_ordering=True))


def _pairs(m: np.ndarray) -> np.ndarray:
    """The entries above the diagonal: one per pair of personas."""
    return m[np.triu_indices(len(m), 1)]


def _short(name: str, n: int = 32) -> str:
    return name if len(name) <= n else name[:n - 1] + "…"


def _heatmap(fig, ax, m: np.ndarray, names: list[str] | None, title: str) -> None:
    """The colour scale spans the off-diagonal entries (the diagonal saturates), so the structure
    between personas shows however far the diagonal lies from it. ``names``: tick labels (the
    left-most panel only; the others share its order)."""
    off = _pairs(m)
    im = ax.imshow(m, cmap="viridis", interpolation="nearest", vmin=off.min(), vmax=off.max())
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    if names is not None and len(names) <= 40:  # beyond that, names are unreadable
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([_short(n) for n in names], fontsize=max(4, min(7, 280 // max(len(names), 1))))
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(m)} personas, clustered order" + (" (names in audit.json)" if names else
                                                                ", as in (a)"), fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.046).set_label("colour: range of the off-diagonal", fontsize=8)


def _hist(ax, values: np.ndarray, xlabel: str, title: str, marks: tuple[float, ...], log: bool = False) -> None:
    """A histogram of ``values`` whose bins span them and the thresholds ``marks`` (so a bar is
    visible wherever it lies beside them); on a log axis when they lie decades apart."""
    n = min(60, max(10, int(np.sqrt(len(values)) * 2)))
    span = np.array([*values, *marks], dtype=float)
    if log:
        span = span[span > 0]
        bins = np.geomspace(span.min() / 1.5, span.max() * 1.5, n)
        ax.set_xscale("log")
    else:
        bins = np.linspace(span.min(), span.max(), n)
    ax.hist(values, bins=bins, color="tab:gray", alpha=0.7)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel("persona pairs", fontsize=9)
    ax.set_title(title, fontsize=10)


def _mark(ax, x: float, label: str, **style) -> None:
    ax.axvline(x, label=label, **{"linewidth": 1.5, **style})


def figure3_figure(doc: dict):
    """Figure 3 with what its verdicts test (section-5.geometry): top, the three similarity
    matrices in one clustered persona order; below, their off-diagonal entries against the
    thresholds the judges use (theorems.section_5_geometry.figure3_thresholds): (a) the
    cross-persona cosine against the range the theorems' geometry allows, (b) |off-diagonal|
    after centring and (c) |cos(c_i, c_j)| against the 'nearly orthogonal' tolerance δ, (c) also
    against the shuffled-label noise floor."""
    from theorems.section_5_geometry import figure3_thresholds

    geo, th = doc["geometry"], figure3_thresholds(doc)
    mats = [np.array(geo[k]["matrix"] if k != "concept_directions" else geo[k]["cos_matrix"], dtype=float)
            for k in ("figure3a", "figure3b", "concept_directions")]
    order = persona_order(mats[1])
    names = [geo["personas"][i] for i in order]
    fig, axes = plt.subplots(2, 3, figsize=(18, 11), gridspec_kw={"height_ratios": [3, 2]})
    titles = ("(a) mean cosine between personas", "(b) after subtracting the global mean",
              "(c) cos(c_i, c_j): concept directions")
    for i, (ax, m, title) in enumerate(zip(axes[0], mats, titles)):
        _heatmap(fig, ax, m[np.ix_(order, order)], names if i == 0 else None, title)
    lo, hi = th["cross_cosine"]
    (f_mean, f_p95), delta = th["floor_max_abs_cos"], th["delta"]
    judged_b, judged_c = geo["figure3b"]["offdiag_max_abs"], geo["concept_directions"]["max_abs_cos"]
    a, b, c = axes[1]
    _hist(a, _pairs(mats[0]), "cosine of two personas' mean embeddings", "(a) cross-persona cosine", (lo, hi))
    a.axvspan(lo, hi, color="tab:green", alpha=0.2, label=f"theorems' geometry allows [{lo:.3g}, {hi:.3g}]")
    _mark(a, lo, None, color="tab:green")
    _mark(a, hi, None, color="tab:green")
    _mark(a, geo["figure3a"]["offdiag_mean"], f"mean {geo['figure3a']['offdiag_mean']:.3g} (judged)",
          color="tab:blue", linestyle="--")
    _hist(b, np.abs(_pairs(mats[1])), "|off-diagonal| after centring (log scale)",
          "(b) |off-diagonal| after centring", (delta, judged_b), log=True)
    _hist(c, np.abs(_pairs(mats[2])), "|cos(c_i, c_j)| (log scale)", "(c) concept-direction |cosine|",
          (delta, judged_c, f_mean, f_p95), log=True)
    for ax, judged in ((b, judged_b), (c, judged_c)):
        _mark(ax, delta, f"'nearly orthogonal': δ ≤ {delta:.2g} (Thm C.5/C.6)", color="tab:red")
        _mark(ax, judged, f"max {judged:.3g} (judged)", color="tab:blue", linestyle="--")
    _mark(c, f_mean, f"shuffled labels: max |cos| {f_mean:.3g}", color="tab:orange", linestyle=":")
    _mark(c, f_p95, f"shuffled labels: 95% {f_p95:.3g}", color="tab:orange")
    for ax in axes[1]:  # below the axes: the bars and lines stay visible
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    fig.suptitle(f"Figure 3 analogue: {model_name(doc['config'])}, read-out {geo['readout']}, "
                 f"{len(names)} personas")
    fig.tight_layout()
    return fig


def figure3(doc: dict, path: Path) -> str:
    return _save(figure3_figure(doc), path)


def _curves(doc: dict, key: str, ylabel: str, path: Path, title: str) -> str:
    runs = doc["dpo"]["runs"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, split in zip(axes, ("train", "test")):
        for k in sorted(runs, key=int):
            log = runs[k]["log"]
            ax.plot([e["step"] for e in log], [e[split][key] for e in log], label=f"K={k}")
        ax.set_xlabel("step")
        ax.set_ylabel(f"{split} {ylabel}")
        ax.legend(fontsize=8)
    fig.suptitle(f"{title} ({doc['config']['mode']}, {model_name(doc['config'])})")
    return _save(fig, path)


def scaling_figure(doc: dict, path: Path) -> str:
    """What the value-diversity verdicts test: (a) margin growth rate against K on log-log axes with
    every draw and Theorem 4.2's band (rate within a factor 40, ∝ 1/K; its position depends on the
    unknown τ, so it is drawn from the smallest K·rate up); (b, c) test error against K and log K with
    their least-squares lines and R²."""
    sc = doc["dpo"]["scaling"]
    ks = np.array(sc["k"], dtype=float)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    ax = axes[0]
    for k, rates in zip(ks, sc.get("margin_rate_draws") or [[r] for r in sc["margin_rate"]]):
        ax.scatter([k] * len(rates), rates, s=12, color="tab:gray", alpha=0.7)
    ax.plot(ks, sc["margin_rate"], "o-", color="tab:blue", label="mean over draws")
    kr = ks * np.array(sc["margin_rate"])
    if np.all(kr > 0):
        grid = np.geomspace(ks.min(), ks.max(), 50)
        ax.fill_between(grid, kr.min() / grid, 40 * kr.min() / grid, color="tab:green", alpha=0.15,
                        label="Theorem 4.2 band (ratio 40, ∝ 1/K)")
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("K (values)")
    ax.set_ylabel("train margin growth rate per step")
    ax.set_title("(a) margin growth rate", fontsize=10)
    ax.legend(fontsize=8)
    err = np.array(sc["test_error"], dtype=float)
    for ax, x, key, label in ((axes[1], ks, "error_fit_linear", "K"), (axes[2], np.log(ks), "error_fit_logk", "log K")):
        for k, es in zip(x, sc.get("test_error_draws") or [[e] for e in err]):
            ax.scatter([k] * len(es), es, s=12, color="tab:gray", alpha=0.7)
        ax.plot(x, err, "o", color="tab:blue")
        fit = sc.get(key) or {}
        if fit.get("slope") is not None:
            ax.plot(x, fit["intercept"] + fit["slope"] * x, "-", color="tab:orange",
                    label=f"fit: R² = {fit['r2']:.2f}" + (" (paper, against K: 0.95-0.99)" if label == "K" else ""))
            ax.legend(fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel("final test error")
        ax.set_title(f"({'b' if label == 'K' else 'c'}) test error against {label}", fontsize=10)
    fig.suptitle(f"value diversity ({doc['config']['mode']}, {model_name(doc['config'])}, "
                 f"{min(sc.get('draws') or [1])} draw(s) per K)")
    return _save(fig, path)


def draw_all(doc: dict, out: str | Path) -> dict[str, str]:
    """Write the figures under ``<out>/plots``; returns their paths relative to ``out``."""
    out = Path(out)
    made = {"figure3": figure3(doc, out / "plots" / "figure3.png")}
    if doc.get("dpo", {}).get("runs"):
        made["figure5"] = _curves(doc, "rewards/margins", "reward margin", out / "plots" / "figure5.png",
                                  "Figure 5 analogue: reward margins")
        made["figure7"] = _curves(doc, "loss", "loss", out / "plots" / "figure7.png", "Figure 7 analogue: loss")
        made["figure8"] = _curves(doc, "rewards/accuracies", "accuracy", out / "plots" / "figure8.png",
                                  "Figure 8 analogue: accuracy")
        if len(doc["dpo"]["scaling"]["k"]) >= 2:
            made["scaling"] = scaling_figure(doc, out / "plots" / "scaling.png")
    return {k: str(Path(v).relative_to(out)) for k, v in made.items()}

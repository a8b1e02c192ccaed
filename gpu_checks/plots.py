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


def figure3(doc: dict, path: Path) -> str:
    geo = doc["geometry"]
    fig, axes = plt.subplots(1, 3, figsize=(18, 6))
    panels = [(geo["figure3a"]["matrix"], "(a) mean cosine between personas"),
              (geo["figure3b"]["matrix"], "(b) after subtracting the global mean"),
              (geo["concept_directions"]["cos_matrix"], "(c) cos(c_i, c_j): concept directions")]
    for i, (ax, (m, title)) in enumerate(zip(axes, panels)):
        im = ax.imshow(np.array(m, dtype=float), cmap="viridis")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        named = i == 0 and len(geo["personas"]) <= 60  # beyond that, names are unreadable: indices only
        ax.set_yticks(range(len(geo["personas"])) if named else [])
        if named:
            ax.set_yticklabels(geo["personas"], fontsize=5)
        elif i == 0:
            ax.set_ylabel(f"{len(geo['personas'])} personas, lexicographic order (names in audit.json)")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(f"{model_name(doc['config'])}, read-out {geo['readout']}")
    return _save(fig, path)


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

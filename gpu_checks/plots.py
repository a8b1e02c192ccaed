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
        ax.set_yticks(range(len(geo["personas"])) if i == 0 else [])
        if i == 0:
            ax.set_yticklabels(geo["personas"], fontsize=5)
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
    return {k: str(Path(v).relative_to(out)) for k, v in made.items()}

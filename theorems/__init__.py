"""One module per claim of the paper (arXiv 2408.03459v5). The concordance (README) maps each
claim id to its paper location and module; `dpoverify list` prints it.

This package is dpoverify's default claim pack, installed through the entry point
``[project.entry-points."dpoverify.claims"] theorems = "theorems"`` (pyproject.toml).
"""
import re

from dpoverify.packs import Pack, Paper


def paper_order(claim_id: str):
    """Paper order: numbered results first (lemma-4.1 < theorem-4.2 < theorem-4.3), then the
    section's other items (section-4.2.*, figure-4), then appendices (lemma-b.1 < ... < appendix-e.*)."""
    kind, _, rest = claim_id.partition("-")
    parts = [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", rest) if p]
    numbered = kind in ("lemma", "theorem", "definition")
    key = parts[:1] + ([] if numbered else [(2, "")]) + parts[1:]
    appendix = bool(parts) and parts[0][0] == 1 or kind == "appendix"
    return (appendix, key)


PACK = Pack(
    name="dpo-diverse-values",
    paper=Paper("Can DPO Learn Diverse Human Values? A Theoretical Scaling Law", "arXiv 2408.03459v5",
                "https://arxiv.org/abs/2408.03459v5", "Im & Li, NeurIPS 2025"),
    sort_key=paper_order,
    report_sections=("trajectories", "scaling", "audit"),
)

"""What `dpoverify audit` prints: the geometry statistics, the DPO runs and the verdicts.

As in `dpoverify check`: from :data:`check.WIDE` columns a table where it fits, below that one
block per row (id and verdict on one line, evidence wrapped under it with
:func:`dpoverify.render.wrapped`). Numbers have three significant digits and are never cut.
"""
from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..render import verdict_text, wrapped
from .check import WIDE


def num(x) -> str:
    """A statistic in three significant digits (a string, e.g. "0.000519 / 1.2", as it is)."""
    return x if isinstance(x, str) else f"{x:.3g}"


def _fits(console: Console, table: Table) -> bool:
    """Wide enough for tables, and rich need not cut a cell of ``table`` ("…") to fit it."""
    if console.width < WIDE:
        return False
    trial = Console(file=io.StringIO(), width=console.width, color_system=None)
    trial.print(table)
    return "…" not in trial.file.getvalue()


def _interval(block: dict, key: str) -> str:
    lo_hi = (block.get("ci") or {}).get(key)
    return "" if lo_hi is None else f"[{num(lo_hi[0])}, {num(lo_hi[1])}]"


def geometry_rows(doc: dict) -> list[tuple[str, str, str, str]]:
    """(statistic, measured, confidence interval, paper / theory / noise floor), all as text."""
    g = doc["geometry"]
    tu, cd, nf = g["theory_units"], g["concept_directions"], g["concept_directions"]["noise_floor"]
    sp, wc = g["spread"], g["within_persona"]["centered"]
    rows = [
        ("spread: mean ||Cov||_F (unit mean norm)", sp["mean_cov_frobenius"], _interval(sp, "mean_cov_frobenius"),
         "paper 0.058"),
        ("spread: mean squared distance", sp["mean_sq_dist"], _interval(sp, "mean_sq_dist"),
         "paper 0.227; Thm 4.2/4.3 allow <= 5/1093"),
        ("participation ratio of cluster covariance", sp["participation_ratio_mean"], "", f"v²I_d: {tu['d']}"),
        ("within-persona cosine, same cluster (centred)", wc["mean_cos_same_cluster"],
         _interval(wc, "mean_cos_same_cluster"), "theory +1/(1+dv²)"),
        ("within-persona cosine, opposite cluster (centred)", wc["mean_cos_opposite_cluster"],
         _interval(wc, "mean_cos_opposite_cluster"), "theory -1/(1+dv²)"),
        ("max |cos(c_i, c_j)| (concept directions)", cd["max_abs_cos"], _interval(cd, "max_abs_cos"),
         f"shuffled labels {num(nf['max_abs_cos_mean'])}"),
        ("mean |cos(c_i, c_j)|", cd["mean_abs_cos"], _interval(cd, "mean_abs_cos"),
         f"shuffled labels {num(nf['mean_abs_cos_mean'])}"),
        ("mean |c_i| (raw units)", sum(cd["norms"].values()) / len(cd["norms"]), "",
         f"shuffled labels {num(nf['norm_mean'])} (95%: {num(nf['norm_p95'])})"),
        ("min / max |c_i| (units mean |c_i| = 1)", f"{num(tu['c_norm_min'])} / {num(tu['c_norm_max'])}",
         " / ".join(x for x in (_interval(tu, "c_norm_min"), _interval(tu, "c_norm_max")) if x), "theory: 1"),
        ("l_b (units |c_i| = 1)", tu["l_b"], _interval(tu, "l_b"), "Thm 4.2/4.3: [1/4, 1/2]"),
        ("v (units |c_i| = 1)", tu["v"], _interval(tu, "v"),
         f"Thm 4.2/4.3: <= 1/(32√Q) = {num(1 / (32 * tu['Q'] ** 0.5))}"),
        ("Fig 3a: mean cross-persona cosine", g["figure3a"]["offdiag_mean"],
         _interval(g["figure3a"], "offdiag_mean"), "paper: high"),
        ("Fig 3b: max |off-diagonal| after centring", g["figure3b"]["offdiag_max_abs"],
         _interval(g["figure3b"], "offdiag_max_abs"), "paper: close to 0"),
        ("Fig 3b: off-diagonal mean (forced by diagonal)", g["figure3b"]["offdiag_mean"], "",
         f"-diag/(P-1) = {num(g['figure3b']['forced_offdiag_mean'])}"),
        ("token sharing Z", g["token_sharing"]["Z"], "", "Z <= 1/(4 l_b²) <= 4"),
    ]
    return [(name, num(val), ci, ref) for name, val, ci, ref in rows]


def _ci_level(doc: dict) -> tuple[str, str]:
    """(column head, note) of the geometry's confidence intervals."""
    g = doc["geometry"]
    level = next((b["ci"]["level"] for b in (g["theory_units"], g["spread"], g["concept_directions"])
                  if isinstance(b.get("ci"), dict)), None)
    if level is None:
        return "CI", "no CI (older results file)"
    return f"{level:.0%} CI", f"{level:.0%} CIs: bootstrap, see audit.json"


def print_geometry(console: Console, doc: dict) -> None:
    g, tu = doc["geometry"], doc["geometry"]["theory_units"]
    head, note = _ci_level(doc)
    title = (f"geometry ({g['readout']} read-out, {len(g['personas'])} personas, d = {tu['d']}, "
             f"Q = {tu['Q']}; {note})")
    rows = geometry_rows(doc)
    table = Table(title=title, title_justify="left")
    table.add_column("statistic")
    table.add_column("measured", justify="right", no_wrap=True)
    table.add_column(head, justify="right", no_wrap=True)
    table.add_column("paper / theory / noise floor")
    for row in rows:
        table.add_row(*row)
    if _fits(console, table):
        console.print(table)
        return
    wrapped(console, Text(title, style="bold"))
    for name, val, ci, ref in rows:
        wrapped(console, Text(name), 2)
        wrapped(console, Text("   ".join(x for x in (val, ci and f"CI {ci}", ref) if x)), 6)


def print_dpo(console: Console, doc: dict) -> None:
    cfg, runs = doc["config"], doc["dpo"]["runs"]
    by = f"{cfg['trainer']}, {cfg['completion']}; " if cfg.get("trainer") else ""  # older files: not recorded
    title = (f"DPO {cfg['mode']} ({by}{cfg['optimizer']}, {cfg['steps']} steps, lr {cfg['lr']:g}, "
             f"β {cfg['beta']:g})")
    note = "draw 1 (the paper's persona set) except where 'all draws'; the verdicts use the means over all R draws"
    heads = ("K", "train margin", "test margin", "train acc", "test acc", "test error", "margin rate/step", "R")
    rows, draws = [], []
    for k in sorted(runs, key=int):
        f, ds = runs[k]["final"], runs[k].get("draws") or [runs[k]]
        rows.append((k, num(f["train"]["rewards/margins"]), num(f["test"]["rewards/margins"]),
                     f"{f['train']['rewards/accuracies']:.3f}", f"{f['test']['rewards/accuracies']:.3f}",
                     f"{f['test']['error']:.3f}", num(runs[k]["margin_rate"]), str(len(ds))))
        draws.append((" ".join(f"{d['final']['test']['error']:.3f}" for d in ds),
                      " ".join(num(d["margin_rate"]) for d in ds)))
    wide = Table(title=title, title_justify="left", caption=note)
    for col in (*heads, "test error, all draws", "rate, all draws"):  # headers on two lines
        head = col.replace(", ", ",\n") if ", " in col else col.replace(" ", "\n", 1)
        wide.add_column(head, justify="right", no_wrap=True)
    for row, (errs, rates) in zip(rows, draws):
        wide.add_row(*row, errs, rates)
    if _fits(console, wide):
        console.print(wide)
        return
    wrapped(console, Text(title, style="bold"))
    for row, (errs, rates) in zip(rows, draws):
        k, *vals, r = row
        wrapped(console, Text(", ".join(f"{h} {v}" for h, v in zip(heads[1:-1], vals))), 7,
                Text(f"  K={k}", style="bold"))
        wrapped(console, Text(f"all R = {r} draws: test error {errs}; rate {rates}"), 7)
    wrapped(console, Text(note, style="dim"), 2)


def print_verdicts(console: Console, rows: list[dict]) -> None:
    """The judged empirical obligations: claim, obligation, verdict and the evidence."""
    table = Table(title="verdicts (empirical obligations)", title_justify="left", expand=True)
    table.add_column("claim / obligation", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("evidence", ratio=1)
    for row in rows:
        table.add_row(f"{row['claim']}\n{row['obligation']}", verdict_text(row["verdict"]), row["summary"])
    if _fits(console, table):
        console.print(table)
        return
    wrapped(console, Text("verdicts (empirical obligations)", style="bold"))
    claim = None
    for row in rows:
        if row["claim"] != claim:
            claim = row["claim"]
            console.print()
            wrapped(console, Text(claim, style="bold"))
        wrapped(console, Text.assemble("  ", (row["obligation"], "bold"), "  ", verdict_text(row["verdict"])))
        wrapped(console, Text(row["summary"]), 4)


def print_files(console: Console, seed: int, results_file: Path, out: Path, plots: dict) -> None:
    wrapped(console, Text(f"seed {seed}; results: {results_file}"))
    wrapped(console, Text(f"plots in {out / 'plots'}: " + ", ".join(Path(p).name for p in plots.values())))

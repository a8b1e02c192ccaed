"""The fuzz campaign (``fuzz.json``, schema dpoverify.fuzz/1, written by ``dpoverify fuzz``): a
verdict per fuzzed obligation with its counterexample and replay command, and a map of where the
conclusions failed, placement by placement (inside every hypothesis, on each boundary, outside
each one)."""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from ..render import replay_command, text
from .doc import Badge, Code, Details, Figure, Link, Missing, Para, Section, Table, anchor
from .evidence import fields
from .figures import canvas
from .load import Inputs
from .verdict_table import claim_anchor


def fuzz_anchor(claim: str, obligation: str, index: int) -> str:
    return anchor("fuzz", claim, obligation, str(index))


def fuzz_section(inputs: Inputs) -> Section:
    sec = Section("fuzz", "Fuzz campaign: Hypothesis against the simulator")

    def build(doc):
        _summary(sec, doc, inputs)
        _placement_map(sec, doc)
        _details(sec, doc, inputs)
    return inputs.loaded("fuzz").fill(sec, build)


def _summary(sec: Section, doc: dict, inputs: Inputs) -> None:
    checked = {c["id"] for c in (inputs["check"] or {}).get("claims", [])}
    sec.add(Para((f"Profile {doc['profile']}, seed {doc['seed']}, "
                  f"{doc.get('examples') or 'the profile’s'} examples per placement; started {doc['started']}, "
                  f"finished {doc.get('finished') or '—'}. Overall: ",
                  Badge(doc["verdict"]) if doc.get("verdict") else "none (campaign incomplete)", ".")))
    if not doc["complete"]:
        sec.add(Missing("the rest of the fuzz campaign (it was interrupted)", inputs.loaded("fuzz").command))
    rows = []
    for i, e in enumerate(doc["obligations"]):
        replay = replay_command(e, inputs.directory)
        rows.append((Badge(e["verdict"]),
                     Link(e["claim"], claim_anchor(e["claim"])) if e["claim"] in checked else e["claim"],
                     Link(e["obligation"], fuzz_anchor(e["claim"], e["obligation"], i)),
                     text(e["summary"]), e["engine"].removeprefix("dpoverify."),
                     Code(replay) if replay else "—", f"{e['seconds']:.3g} s"))
    sec.add(Table(("verdict", "claim", "obligation", "why", "engine", "replay", "time"), tuple(rows),
                  anchor="fuzz-table", kind="fuzz"))


def _placement_map(sec: Section, doc: dict) -> None:
    """Placements × obligations, coloured by the fraction of draws whose conclusion failed (one
    column per obligation, so the figure stays narrow enough for its text to be read in the page)."""
    searched = [(e, {p["placement"]: p for p in e["placements"]}) for e in doc["obligations"] if e.get("placements")]
    if not searched:
        sec.add(Para("No simulation property was searched by placement in this campaign (gradient identities "
                     "are fuzzed on random instances; see their evidence)."))
        return
    labels = list(dict.fromkeys(label for _, ps in searched for label in ps))
    rate = np.full((len(labels), len(searched)), np.nan)
    asserted = {}
    for c, (_, ps) in enumerate(searched):
        for r, label in enumerate(labels):
            p = ps.get(label)
            if p and p["examples"]:
                rate[r, c] = p["failures"] / p["examples"]
                if p["asserted"]:  # the claim asserts something there: failing / asserted draws
                    asserted[r, c] = f"{p['failures_where_asserted']}/{p['asserted']}"
    names = [f"{e['claim']} /\n{e['obligation']}" for e, _ in searched]
    with canvas(max(6.0, 0.72 * len(names) + 4.2), max(3.6, 0.42 * len(labels) + 2.6)) as (fig, ax):
        ax.set_facecolor("#f2f2f2")  # no data: hatched grey
        ax.add_patch(Rectangle((-0.5, -0.5), len(names), len(labels), hatch="///", fill=False,
                               edgecolor="#bbbbbb", lw=0, zorder=0))
        im = ax.imshow(np.ma.masked_invalid(rate), cmap="Reds", vmin=0, vmax=1, aspect="auto", zorder=1)
        ax.set_yticks(range(len(labels)), [text(x) for x in labels], fontsize=9)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("placement of the search", fontsize=9)
        for r in range(len(labels)):
            for c in range(len(names)):
                if np.isnan(rate[r, c]):
                    continue
                label = f"{rate[r, c]:.0%}" + (f" ({asserted[r, c]})" if asserted.get((r, c)) else "")
                ax.text(c, r, label, ha="center", va="center", fontsize=8.5, zorder=2,
                        color="white" if rate[r, c] > 0.6 else "black")
        fig.colorbar(im, ax=ax, location="top", shrink=0.5, aspect=40, label="fraction of draws that failed")
    sec.add(Figure("fig-fuzz-placements", "Where the conclusions failed, placement by placement",
                   "For each fuzzed obligation (column) and each placement of the search (row: inside every "
                   "hypothesis, on one hypothesis's boundary, or outside exactly one), the fraction of Hypothesis "
                   "draws whose conclusion failed, and in brackets failing / all draws where the claim asserts "
                   "something (inside every hypothesis with the Z the data realize, failure probability < 1) when "
                   "there are such draws; hatched grey where the placement was not searched. Failures inside the "
                   "hypotheses are confirmed or dismissed by a pre-registered binomial test (see each obligation); "
                   "outside them they refute nothing and show how far the conclusion reaches.", fig.png))


def _details(sec: Section, doc: dict, inputs: Inputs) -> None:
    for i, e in enumerate(doc["obligations"]):
        blocks = []
        if e.get("placements"):
            blocks.append(Table(
                ("placement", "examples", "inside", "asserted", "failures", "failures where asserted", "min slack",
                 "confirmation"),
                tuple((p["placement"], str(p["examples"]), str(p["inside"]), str(p["asserted"]), str(p["failures"]),
                       str(p["failures_where_asserted"]),
                       "—" if p["min_slack"] is None else f"{p['min_slack']:.4g}",
                       (Badge(p["confirmation"]["verdict"]), " ", p["confirmation"]["summary"])
                       if p.get("confirmation") else "—") for p in e["placements"]),
                kind="fuzz-placements"))
        if e.get("counterexample"):
            blocks.append(Para(("Counterexample ", Code(e["counterexample"]), " (in the results folder); replay: ",
                                Code(replay_command(e, inputs.directory)))))
        if e.get("example"):
            blocks.append(Para(("Regression example: ", Code(e["example"]))))
        blocks.append(fields(e.get("evidence") or {}))
        sec.add(Details((f"{e['claim']} / {e['obligation']} ({e['cites']}): ", Badge(e["verdict"])), tuple(blocks),
                        anchor=fuzz_anchor(e["claim"], e["obligation"], i)))

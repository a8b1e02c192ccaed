"""The fuzz campaign (``fuzz.json``, schema dpoverify.fuzz/1, written by ``dpoverify fuzz``): a
verdict per fuzzed obligation with its counterexample and replay command, and a map of where the
conclusions failed, placement by placement (inside every hypothesis, on each boundary, outside
each one)."""
from __future__ import annotations

import json

import numpy as np

from .doc import Badge, Code, Details, Figure, Link, Missing, Para, Pre, Section, Table, anchor
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
        _details(sec, doc)
    return inputs.loaded("fuzz").fill(sec, build)


def _summary(sec: Section, doc: dict, inputs: Inputs) -> None:
    checked = {c["id"] for c in (inputs["check"] or {}).get("claims", [])}
    sec.add(Para((f"Profile {doc['profile']}, seed {doc['seed']}, "
                  f"{doc.get('examples') or 'the profile’s'} examples per placement; started {doc['started']}, "
                  f"finished {doc.get('finished') or '—'}. Overall: ",
                  Badge(doc["verdict"]) if doc.get("verdict") else "none (campaign incomplete)", ".")))
    if not doc["complete"]:
        sec.add(Missing("the rest of the fuzz campaign (it was interrupted)", "dpoverify fuzz all --profile ci"))
    rows = []
    for i, e in enumerate(doc["obligations"]):
        rows.append((Link(e["claim"], claim_anchor(e["claim"])) if e["claim"] in checked else e["claim"],
                     Link(e["obligation"], fuzz_anchor(e["claim"], e["obligation"], i)),
                     e["engine"].removeprefix("dpoverify."), Badge(e["verdict"]), e["summary"],
                     Code(e["replay"]) if e.get("replay") else "—", f"{e['seconds']:.3g} s"))
    sec.add(Table(("claim", "obligation", "engine", "verdict", "summary", "replay", "time"), tuple(rows),
                  anchor="fuzz-table", kind="fuzz"))


def _placement_map(sec: Section, doc: dict) -> None:
    """Obligations × placements, coloured by the fraction of draws whose conclusion failed."""
    searched = [(e, {p["placement"]: p for p in e["placements"]}) for e in doc["obligations"] if e.get("placements")]
    if not searched:
        sec.add(Para("No simulation property was searched by placement in this campaign (gradient identities "
                     "are fuzzed on random instances; see their evidence)."))
        return
    labels = list(dict.fromkeys(label for _, ps in searched for label in ps))
    rate = np.full((len(searched), len(labels)), np.nan)
    asserted = {}
    for r, (_, ps) in enumerate(searched):
        for c, label in enumerate(labels):
            p = ps.get(label)
            if p and p["examples"]:
                rate[r, c] = p["failures"] / p["examples"]
                asserted[r, c] = f"{p['failures_where_asserted']}/{p['asserted']}"
    names = [f"{e['claim']} / {e['obligation']}" for e, _ in searched]
    with canvas(max(7.0, 0.55 * len(labels) + 4), max(3.4, 0.42 * len(names) + 2.4)) as (fig, ax):
        im = ax.imshow(np.ma.masked_invalid(rate), cmap="Reds", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(labels)), labels, rotation=55, ha="right", fontsize=7)
        ax.set_yticks(range(len(names)), names, fontsize=7)
        for r in range(len(names)):
            for c in range(len(labels)):
                if not np.isnan(rate[r, c]):
                    ax.text(c, r, f"{rate[r, c]:.0%}\n{asserted[r, c]}", ha="center", va="center", fontsize=5.5,
                            color="white" if rate[r, c] > 0.6 else "black")
        fig.colorbar(im, ax=ax, location="top", shrink=0.5, aspect=40, label="fraction of draws that failed")
    sec.add(Figure("fig-fuzz-placements", "Where the conclusions failed, placement by placement",
                   "For each fuzzed obligation (row) and each placement of the search (column: inside every "
                   "hypothesis, on one hypothesis's boundary, or outside exactly one), the fraction of Hypothesis "
                   "draws whose conclusion failed, and below it failing / all draws where the claim asserts something "
                   "(inside every hypothesis with the Z the data realize, failure probability < 1); blank where the "
                   "placement was not searched. Failures inside the "
                   "hypotheses are confirmed or dismissed by a pre-registered binomial test (see each obligation); "
                   "outside them they refute nothing and show how far the conclusion reaches.", fig.png))


def _details(sec: Section, doc: dict) -> None:
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
            blocks.append(Para(("Counterexample ", Code(e["counterexample"]), "; replay: ", Code(e["replay"]))))
        if e.get("example"):
            blocks.append(Para(("Regression example: ", Code(e["example"]))))
        blocks.append(Pre(json.dumps(e.get("evidence", {}), indent=2, ensure_ascii=False)[:12_000]))
        sec.add(Details((f"{e['claim']} / {e['obligation']} ({e['cites']}): ", Badge(e["verdict"])), tuple(blocks),
                        anchor=fuzz_anchor(e["claim"], e["obligation"], i)))

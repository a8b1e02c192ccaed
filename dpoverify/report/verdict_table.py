"""The verdict table (one row per claim) and each claim's steps, evidence and counterexamples,
from ``check.json`` (schema dpoverify.check/2)."""
from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from ..checker import obligation_seconds, replay_command
from ..verdicts import SEVERITY
from .doc import Badge, Code, Details, Heading, Link, Missing, Para, Pre, Section, Table, anchor
from .load import Inputs

EVIDENCE_CHARS = 12_000  # longer evidence is cut in the page; check.json keeps all of it


def claim_anchor(cid: str) -> str:
    return anchor("claim", cid)


def step_keys(claim: dict[str, Any]) -> list[str]:
    """One key per obligation for its anchors: its id, with -2, -3, ... where a claim repeats an id."""
    seen: dict[str, int] = {}
    keys = []
    for o in claim["obligations"]:
        seen[o["id"]] = seen.get(o["id"], 0) + 1
        keys.append(o["id"] if seen[o["id"]] == 1 else f"{o['id']}-{seen[o['id']]}")
    return keys


def obligation_anchor(cid: str, oid: str) -> str:
    return anchor("ob", cid, oid)


def evidence_anchor(cid: str, oid: str) -> str:
    return anchor("ev", cid, oid)


def cex_anchor(cid: str, oid: str) -> str:
    return anchor("cex", cid, oid)


def check_command(doc: dict[str, Any], claim_id: str) -> str:
    """The command that re-runs one claim exactly as in this run (profile, seed, fixed parameters),
    into its own directory so the results the report was built from are not overwritten."""
    run = next((c for c in doc["claims"] if c["id"] == claim_id), doc)  # each claim keeps its own
    words = ["dpoverify", "check", claim_id, "--profile", run["profile"], "--seed", str(run["seed"])]
    for name, value in run.get("params", {}).items():
        words += ["--param", f"{name}={value}"]
    words += ["--out", f"dpoverify-replay/{claim_id}"]
    return shlex.join(words)


def claim_links(inputs: Inputs, ids: tuple[str, ...]) -> tuple:
    """Inline links to the named claims' rows with their verdicts, for those check.json holds."""
    doc = inputs["check"]
    found = {c["id"]: c for c in doc["claims"]} if doc else {}
    parts = []
    for cid in ids:
        if cid in found:
            parts += [Link(cid, claim_anchor(cid)), " ", Badge(found[cid]["verdict"]), "  "]
    return tuple(parts)


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{counts[v.value]} {v.value}" for v in SEVERITY if counts.get(v.value))


def _cex_file(path_text: str, results_dir: Path) -> Path | None:
    """The counterexample file as recorded, or under the results directory it was moved with."""
    for p in (results_dir / path_text, Path(path_text), results_dir / "counterexamples" / Path(path_text).name):
        if p.is_file():
            return p
    return None


def _clip(text: str, limit: int = EVIDENCE_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters in the JSON file)"


def verdict_section(inputs: Inputs) -> Section:
    sec = Section("verdicts", "Verdicts")
    doc = inputs["check"]
    if doc is None:
        spec = inputs.loaded("check").spec
        return sec.add(Missing(spec.what, spec.command, f"no {inputs.loaded('check').path}"))
    sec.add(Para((f"Profile {doc['profile']}, seed {doc['seed']}",
                  f", fixed parameters {', '.join(f'{k}={v}' for k, v in doc['params'].items())}"
                  if doc["params"] else "",
                  f"; started {doc['timing']['started']}, finished {doc['timing'].get('finished') or '—'}.",
                  f" Overall verdict: ", Badge(doc["verdict"]) if doc.get("verdict") else "none (run incomplete)",
                  ".")))
    if not doc["complete"]:
        done = {c["id"] for c in doc["claims"]}
        left = [c for c in doc.get("requested", []) if c not in done]
        sec.add(Missing(f"{len(left)} requested claim(s) not finished ({', '.join(left) or 'unknown'}): "
                        "the check run was interrupted", "dpoverify check all"))
    tally = {v.value: sum(c["verdict"] == v.value for c in doc["claims"]) for v in SEVERITY}
    sec.add(Para((f"{len(doc['claims'])} claim(s): {_counts(tally) or 'none checked'}.",)))
    for v in ("REFUTED", "ERROR"):
        hit = [c["id"] for c in doc["claims"] if c["verdict"] == v]
        if hit:
            sec.add(Para((f"{v}: ",) + tuple(x for cid in hit for x in (Link(cid, claim_anchor(cid)), " "))))
    rows, anchors = [], []
    for c in doc["claims"]:
        cexes = [(o, key) for o, key in zip(c["obligations"], step_keys(c)) if o["counterexample"]]
        src = c["source"]
        rows.append((
            Link(c["id"], claim_anchor(c["id"])),
            c["title"],
            src["section"] + (f", eqs. {', '.join(src['equations'])}" if src["equations"] else ""),
            Badge(c["verdict"]),
            Link(_counts(c["counts"]) or "no steps", anchor("steps", c["id"])),
            tuple(x for o, key in cexes for x in (Link(o["id"], cex_anchor(c["id"], key)), " ")) or "none",
            Code(check_command(doc, c["id"])),
        ))
        anchors.append(anchor("row", c["id"]))
    sec.add(Table(("claim", "title", "source", "verdict", "steps", "counterexamples", "replay"),
                  tuple(rows), anchor="verdict-table", row_anchors=tuple(anchors), kind="verdicts"))
    return sec


def claims_section(inputs: Inputs) -> Section:
    sec = Section("claims", "Claims, steps and evidence")
    doc = inputs["check"]
    if doc is None:
        spec = inputs.loaded("check").spec
        return sec.add(Missing(spec.what, spec.command))
    known = {c["id"] for c in doc["claims"]}
    for c in doc["claims"]:
        cid = c["id"]
        deps = tuple(x for d in c["depends_on"] for x in ((Link(d, claim_anchor(d)) if d in known else d), " "))
        src = c["source"]
        sec.add(Heading(f"{cid} — {c['title']}", claim_anchor(cid), 3),
                Para(("Verdict ", Badge(c["verdict"]), f". {src['version']}, {src['section']}",
                      f", eqs. {', '.join(src['equations'])}" if src["equations"] else "",
                      f". Module ", Code(c["module"]), ". Depends on: ", deps or "nothing", ". Re-run: ",
                      Code(check_command(doc, cid)))))
        rows, anchors = [], []
        keys = step_keys(c)
        for o, key, took in zip(c["obligations"], keys, obligation_seconds(doc, c)):
            rows.append((o["id"], o["kind"], o["cites"], Badge(o["verdict"]), o["summary"],
                         Link("evidence", evidence_anchor(cid, key)),
                         Link("counterexample", cex_anchor(cid, key)) if o["counterexample"] else "—",
                         "—" if took is None else f"{took:.3g} s"))
            anchors.append(obligation_anchor(cid, key))
        sec.add(Table(("step", "kind", "cites", "verdict", "summary", "evidence", "counterexample", "time"),
                      tuple(rows), anchor=anchor("steps", cid), row_anchors=tuple(anchors), kind="steps"))
        for o, key in zip(c["obligations"], keys):
            sec.add(Details((f"{cid} / {o['id']} ({o['kind']}): evidence (", Badge(o["verdict"]), ")"),
                            (Pre(_clip(json.dumps(o["evidence"], indent=2, ensure_ascii=False))),),
                            anchor=evidence_anchor(cid, key)))
            if o["counterexample"]:
                sec.add(*_counterexample(doc, cid, o, key, inputs.directory))
    return sec


def _counterexample(doc: dict[str, Any], cid: str, o: dict[str, Any], key: str, results_dir: Path) -> list:
    found = _cex_file(o["counterexample"], results_dir)
    replay = replay_command(results_dir, o)
    head = Para((f"Counterexample to {cid} / {o['id']}: ", Code(o["counterexample"]),
                 "" if found else " (file not found next to the results)", ". Replay: ", Code(replay)))
    blocks = [Heading(f"Counterexample: {cid} / {o['id']}", cex_anchor(cid, key), 4), head]
    if found:
        try:
            payload = json.loads(found.read_text()).get("payload")
        except (OSError, ValueError):
            payload = None
        if payload is not None:
            blocks.append(Pre(_clip(json.dumps(payload, indent=2, ensure_ascii=False))))
    else:
        blocks.append(Missing(f"counterexample file {o['counterexample']}",
                              check_command(doc, cid),
                              "re-run the claim to write it again"))
    return blocks

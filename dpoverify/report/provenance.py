"""Where the numbers came from: every input's file, time, profile, seed and machine, the package
versions each run recorded, and what the report itself computed (with its seed)."""
from __future__ import annotations

import json
from typing import Any

from ..results import provenance
from .doc import Code, Missing, Para, Pre, Section, Table
from .load import Inputs


def _when(doc: dict) -> str:
    timing = doc.get("timing") or {}  # check.json keeps its times in a timing block
    return (doc.get("finished") or doc.get("created") or doc.get("started")
            or timing.get("finished") or timing.get("started") or "—")


def _provenance(doc: dict) -> dict:
    return doc.get("provenance") or (doc.get("timing") or {}).get("provenance") or {}


def inputs_section(inputs: Inputs) -> Section:
    sec = Section("inputs", "Inputs")
    rows = []
    for item in inputs.items.values():
        rows.append((item.spec.what, Code(str(item.path)),
                     "MISSING" if not item.present else
                     "present (run incomplete)" if item.doc.get("complete") is False else "present",
                     Code(item.spec.command)))
    sec.add(Table(("input", "file", "status", "written by"), tuple(rows), anchor="inputs-table", kind="inputs"))
    for spec in inputs.missing():
        sec.add(Missing(spec.what, spec.command))
    return sec


def provenance_section(inputs: Inputs, report_facts: dict[str, Any]) -> Section:
    sec = Section("provenance", "Provenance")
    present = [(key, item) for key, item in inputs.items.items() if item.present]
    rows = []
    for key, item in present:
        d, p = item.doc, _provenance(item.doc)
        seed = d.get("seed")
        rows.append((key, Code(str(item.path)), _when(d), str(d.get("profile") or d.get("config", {}).get("mode") or "—"),
                     "—" if seed is None else str(seed), p.get("python", "—"), p.get("platform", "—"),
                     p.get("machine", "—"), str(p.get("cpus", "—"))))
    here = provenance()
    rows.append(("this report", Code("(computed now)"), report_facts["generated"], "—", str(report_facts["seed"]),
                 here["python"], here["platform"], here["machine"], str(here["cpus"])))
    sec.add(Table(("run", "file", "written", "profile / mode", "seed", "python", "platform", "machine", "cpus"),
                  tuple(rows), anchor="provenance-runs", kind="provenance"))
    names = sorted({n for _, item in present for n in _provenance(item.doc).get("packages", {})}
                   | set(here["packages"]))
    cols = [key for key, _ in present] + ["this report"]
    pkgs = [_provenance(item.doc).get("packages", {}) for _, item in present] + [here["packages"]]
    sec.add(Table(("package",) + tuple(cols),
                  tuple((n,) + tuple(p.get(n) or "—" for p in pkgs) for n in names),
                  anchor="provenance-packages", kind="packages"))
    if not present:
        sec.add(Missing("every run input", "dpoverify check all"))
    sec.add(Para(("What the report computed itself (seeded, so re-running gives the same page):",)),
            Pre(json.dumps(report_facts, indent=2, ensure_ascii=False, default=str)))
    return sec

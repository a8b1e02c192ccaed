"""Where the numbers came from: every input's file, time, profile, seed and machine, the package
versions each run recorded, and what the report itself computed (with its seed)."""
from __future__ import annotations

import json
from typing import Any

from ..results import provenance
from .doc import Code, Missing, Para, Section, Table
from .evidence import fields
from .load import Inputs


def _when(doc: dict) -> str:
    timing = doc.get("timing") or {}  # check.json keeps its times in a timing block
    return (doc.get("finished") or doc.get("created") or doc.get("started")
            or timing.get("finished") or timing.get("started") or "—")


def _provenance(doc: dict) -> dict:
    return doc.get("provenance") or (doc.get("timing") or {}).get("provenance") or {}


def inputs_section(inputs: Inputs) -> Section:
    """Every input file: present or not, the profile and seed it was made with, and the command
    that writes it into this results folder; a warning when the profiles differ."""
    from .findings import profile_warnings

    sec = Section("inputs", "Inputs")
    rows = []
    for item in inputs.items.values():
        d = item.doc or {}
        rows.append((item.spec.what, Code(item.path.name),
                     "MISSING" if not item.present else
                     "present (run incomplete)" if d.get("complete") is False else "present",
                     str(d.get("profile") or "—"), "—" if d.get("seed") is None else str(d["seed"]),
                     Code(item.command)))
    sec.add(Para(("Read from ", Code(str(inputs.directory)), ".")),
            Table(("input", "file", "status", "profile", "seed", "written by"), tuple(rows), anchor="inputs-table",
                  kind="inputs"),
            *profile_warnings(inputs))
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
        sec.add(Missing("every run input", inputs.command("dpoverify check all")))
    sec.add(Para(("What the report computed itself (seeded, so re-running gives the same page):",)),
            fields(json.loads(json.dumps(report_facts, default=str))))
    return sec

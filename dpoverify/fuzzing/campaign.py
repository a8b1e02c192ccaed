"""A fuzz campaign over claims: every simulatable obligation, written as ``fuzz.json``.

SimulationProperty obligations are searched by :func:`.properties.fuzz_spec` (every placement);
GradientIdentity obligations (Lemma 4.1, eq. 5, Section 7's GPO family) are fuzzed by their own
engine, ``dpoverify.gradcheck``, on ``profile.gradient_instances`` random instances. With
``jobs`` > 1 obligations run in separate processes (each looks its spec up by claim and
obligation id, so nothing unpicklable crosses).

``fuzz.json`` (schema ``dpoverify.fuzz/1``), rewritten atomically after every obligation::

    {"schema": "dpoverify.fuzz/1", "tool_version", "paper", "profile", "seed",
     "examples": int|null (per placement; null = the profile's), "started", "finished",
     "complete": bool, "provenance": {...}, "verdict": worst verdict,
     "obligations": [{"claim", "obligation", "title", "cites", "engine", "verdict", "summary",
                      "seconds", "placements": [see properties.Search.as_dict] (simulation only),
                      "evidence": {...}, "counterexample": path|null, "replay": command|null,
                      "example": "@example(...)" line for tests/fuzz/test_regressions.py|null}]}
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from .. import __version__, engines, profiles, registry
from ..results import now, provenance, save_counterexample
from .output import write_doc
from ..specs import GradientIdentity, SimulationProperty
from ..verdicts import Verdict, aggregate

FUZZ_SCHEMA = "dpoverify.fuzz/1"
FUZZABLE = (SimulationProperty, GradientIdentity)


def tasks(claim_ids: list[str]) -> list[tuple[str, int]]:
    """(claim id, obligation index) of every fuzzable obligation of the claims."""
    return [(c.id, k) for c in registry.resolve(claim_ids) for k, o in enumerate(c.obligations)
            if isinstance(o.spec, FUZZABLE)]


def fuzz_obligation(claim_id: str, index: int, profile_name: str, seed: int,
                    examples: int | None, out_dir: str, only: str | None = None) -> dict[str, Any]:
    """Fuzz one obligation; save its counterexample (if any); the entry for fuzz.json."""
    from .properties import example_line, fuzz_spec
    from .regime import resolve

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    claim = registry.get(claim_id)
    ob = claim.obligations[index]
    obligation_id = ob.id
    profile = profiles.get(profile_name)
    t0 = time.perf_counter()
    placements = None
    if isinstance(ob.spec, SimulationProperty):
        try:
            result, records = fuzz_spec(ob.spec, profile, seed, examples, only)
            placements = [r.as_dict() for r in records]
        except Exception as exc:  # an engine failure is reported, never a silent pass
            from ..verdicts import Result
            result = Result(Verdict.ERROR, f"{type(exc).__name__}: {exc}", {})
    else:
        result, _ = engines.run(ob.spec, engines.Context(profile, seed))
    cex = replay = example = None
    if result.counterexample is not None:
        path = save_counterexample(out_dir, claim_id, obligation_id, result.counterexample, seed, profile_name)
        rel = path.relative_to(out_dir)  # relative to the results folder, which readers resolve it against
        cex, replay = str(rel), f"dpoverify replay {rel}"
        if isinstance(ob.spec, SimulationProperty):
            payload = result.counterexample
            example = example_line(resolve(payload["regime"]), (payload["failing_seeds"] or payload["seeds"])[0])
    return {"claim": claim_id, "obligation": obligation_id, "title": ob.title, "cites": ob.cites,
            "engine": type(ob.spec).ENGINE, "verdict": result.verdict.value, "summary": result.summary,
            "seconds": round(time.perf_counter() - t0, 2), "placements": placements,
            "evidence": {k: v for k, v in result.evidence.items() if k != "placements"},
            "counterexample": cex, "replay": replay, "example": example}


def run_campaign(claim_ids: list[str], profile_name: str, seed: int, examples: int | None,
                 out_dir: str | Path, jobs: int = 1, only: str | None = None,
                 on_entry: Callable[[dict], None] = lambda e: None) -> dict[str, Any]:
    todo = tasks(claim_ids)
    out = Path(out_dir)
    path = out / "fuzz.json"
    doc: dict[str, Any] = {"schema": FUZZ_SCHEMA, "tool_version": __version__, "paper": registry.paper(claim_ids),
                           "profile": profile_name, "seed": seed, "examples": examples,
                           "requested": claim_ids, "started": now(), "finished": None, "complete": False,
                           "provenance": provenance(), "obligations": []}
    write_doc(path, doc)

    def add(entry: dict) -> None:
        doc["obligations"].append(entry)
        write_doc(path, doc)
        on_entry(entry)

    args = [(c, o, profile_name, seed, examples, str(out), only) for c, o in todo]
    if jobs > 1 and len(args) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for entry in pool.map(fuzz_obligation, *zip(*args)):
                add(entry)
    else:
        for a in args:
            add(fuzz_obligation(*a))
    doc["finished"] = now()
    doc["complete"] = True
    doc["verdict"] = aggregate(Verdict(e["verdict"]) for e in doc["obligations"]).value
    write_doc(path, doc)
    return doc

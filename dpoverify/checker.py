"""Runs a claim's obligations through their engines and assembles the result document.

The document (schema ``dpoverify.check/1``, see ``dpoverify/schemas/check-1.json``) is written
atomically after every claim, so an interrupted run keeps every claim already finished
(``"complete": false`` until the last one is done).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import sympy as sp

from . import PAPER, __version__, engines, summary
from .claims import Claim, DomainError, parse_value
from .errors import UsageError
from .results import now, provenance, save_counterexample, write_json
from .verdicts import Verdict, aggregate

CHECK_SCHEMA = "dpoverify.check/1"


def parse_params(pairs: list[str], claims: list[Claim]) -> dict[str, sp.Rational]:
    """``["Q=100", "l_b=1/4"]`` -> exact values, each checked against the domain it has in every
    selected claim that declares it. Raises UsageError naming the domain."""
    fixed: dict[str, sp.Rational] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param expects NAME=VALUE, got '{pair}'")
        owners = [c for c in claims if any(p.name == name for p in c.params)]
        if not owners:
            known = sorted({p.name for c in claims for p in c.params})
            raise UsageError(f"--param {name}: no selected claim has a parameter '{name}' "
                             f"(parameters: {', '.join(known) or 'none'})")
        try:
            value = parse_value(text)
        except DomainError as exc:
            raise UsageError(f"--param {name}: {exc}") from None
        for c in owners:
            dom = c.param(name).domain
            if not dom.contains(value):
                raise UsageError(f"--param {name}={text} is outside the domain of {name} in {c.id}: {dom}")
        fixed[name] = value
    return fixed


def _obligation_entry(claim: Claim, ob, result, seconds: float, cex_path: Path | None) -> dict[str, Any]:
    return {
        "id": ob.id,
        "kind": ob.kind.value,
        "title": ob.title,
        "cites": ob.cites,
        "verdict": result.verdict.value,
        "summary": result.summary,
        "evidence": result.evidence,
        "counterexample": str(cex_path) if cex_path else None,
        "replay": f"dpoverify replay {cex_path}" if cex_path else None,
        "seconds": round(seconds, 3),
        **ob.shown(),
    }


def check_claim(claim: Claim, ctx: engines.Context, out_dir: Path,
                on_obligation: Callable[[Any, Any], None] = lambda ob, entry: None) -> dict[str, Any]:
    entries = []
    for ob in claim.obligations:
        applicable = {k: v for k, v in ctx.fixed.items() if any(p.name == k for p in claim.params)}
        sub_ctx = engines.Context(ctx.profile, ctx.seed, applicable, ctx.results_dir, ctx.progress)
        result, seconds = engines.run(ob.spec, sub_ctx)
        cex_path = None
        if result.counterexample is not None:
            cex_path = save_counterexample(out_dir, claim.id, ob.id, result.counterexample,
                                           ctx.seed, ctx.profile.name)
        entry = _obligation_entry(claim, ob, result, seconds, cex_path)
        entries.append(entry)
        on_obligation(ob, entry)
    verdict = aggregate(Verdict(e["verdict"]) for e in entries)
    return {
        "id": claim.id,
        "title": claim.title,
        "source": {"version": claim.source.version, "section": claim.source.section,
                   "equations": list(claim.source.equations)},
        "module": claim.module,
        "depends_on": list(claim.depends_on),
        "verdict": verdict.value,
        "counts": {v.value: sum(e["verdict"] == v.value for e in entries) for v in Verdict},
        "obligations": entries,
    }


def new_document(ctx: engines.Context, claim_ids: list[str]) -> dict[str, Any]:
    return {
        "schema": CHECK_SCHEMA,
        "tool_version": __version__,
        "paper": PAPER,
        "profile": ctx.profile.name,
        "seed": ctx.seed,
        "params": {k: str(v) for k, v in ctx.fixed.items()},
        "requested": claim_ids,
        "started": now(),
        "finished": None,
        "complete": False,
        "provenance": provenance(),
        "claims": [],
    }


def run_checks(claims: list[Claim], ctx: engines.Context, out_dir: Path,
               on_obligation=lambda claim, ob, entry: None) -> dict[str, Any]:
    """Check every claim in turn; the JSON in ``out_dir/check.json`` is rewritten after each."""
    doc = new_document(ctx, [c.id for c in claims])
    path = out_dir / "check.json"
    write_json(path, doc)
    for claim in claims:
        doc["claims"].append(check_claim(claim, ctx, out_dir,
                                         lambda ob, entry, c=claim: on_obligation(c, ob, entry)))
        summary.annotate(doc["claims"])  # one-line claim summaries, each judged with the others
        write_json(path, doc)
    doc["finished"] = now()
    doc["complete"] = True
    doc["verdict"] = aggregate(Verdict(c["verdict"]) for c in doc["claims"]).value
    write_json(path, doc)
    return doc


def exit_code(doc: dict[str, Any]) -> int:
    """0 nothing refuted, 1 something refuted, 3 an engine failed (and nothing refuted)."""
    verdicts = {o["verdict"] for c in doc["claims"] for o in c["obligations"]}
    if Verdict.REFUTED.value in verdicts:
        return 1
    if Verdict.ERROR.value in verdicts:
        return 3
    return 0

"""The engine of :class:`dpoverify.specs.EmpiricalAudit`: judge a statistic of ``dpoverify audit``.

``run`` reads ``<ctx.results_dir or "dpoverify-results">/audit.json`` and applies ``spec.judge``;
with no results it is UNDECIDED and names the command that produces them. It never trains a
model itself (that takes minutes; the audit command does it once for every obligation). A REFUTED
result carries the judged document (per-step logs trimmed) as its counterexample, so ``replay``
re-judges exactly it.
"""
from __future__ import annotations

from dpoverify.verdicts import Result, Verdict

from . import judging, results

PRODUCE = ("dpoverify audit --out {dir}   (embedded data, CPU, a few minutes; for the paper's 28 "
           "personas add --personas ../shared/datasets/anthropic-persona)")


def _judge(spec, doc: dict, source: str) -> Result:
    try:
        name, summary, evidence = spec.judge(doc)
    except judging.Missing as exc:
        name, summary, evidence = judging.undecided_missing(exc, doc)
    verdict = Verdict[name]
    evidence = {**evidence, "statistic": spec.statistic, "results": source, "seed": doc.get("seed"),
                "complete": doc.get("complete"), "context": judging.context(doc)}
    if not doc.get("complete") and verdict is not Verdict.UNDECIDED:
        summary += " [partial audit run]"
    counterexample = {"results_file": source, "audit": _slim(doc)} if verdict is Verdict.REFUTED else None
    return Result(verdict, summary, evidence, counterexample)


def _slim(doc: dict) -> dict:
    """The document without the per-step logs (first two and last entries kept): what judges read."""
    runs = doc.get("dpo", {}).get("runs")
    if not runs:
        return doc
    slim_runs = {k: {**r, "log": r["log"][:2] + r["log"][-1:]} for k, r in runs.items()}
    return {**doc, "dpo": {**doc["dpo"], "runs": slim_runs}}


def run(spec, ctx) -> Result:
    directory = ctx.results_dir or results.DEFAULT_DIR
    try:
        doc = results.load(directory)
    except results.ResultsError as exc:
        return Result(Verdict.ERROR, str(exc), {"results_dir": directory})
    if doc is None:
        return Result(Verdict.UNDECIDED,
                      f"no audit results in {directory}/; produce them with: " + PRODUCE.format(dir=directory),
                      {"results_dir": directory, "command": PRODUCE.format(dir=directory)})
    return _judge(spec, doc, str(results.path_in(directory)))


def inputs(spec, ctx) -> list:
    """What ``run`` reads: the audit results (part of the key ``check --resume`` compares)."""
    return [results.path_in(ctx.results_dir)]


def replay(spec, payload: dict, ctx) -> Result:
    doc = payload.get("audit")
    if not isinstance(doc, dict) or doc.get("schema") != results.SCHEMA:
        return Result(Verdict.ERROR, f"counterexample payload holds no {results.SCHEMA} document", {})
    return _judge(spec, doc, payload.get("results_file", "counterexample payload"))

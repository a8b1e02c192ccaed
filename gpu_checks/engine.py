"""The engine of :class:`dpoverify.specs.EmpiricalAudit`: judge a statistic of ``dpoverify audit``.

``run`` reads ``<ctx.results_dir or "dpoverify-results">/audit.json`` and applies ``spec.judge``,
then words and bounds its verdict by ``spec.kind`` (:func:`gpu_checks.judging.apply_kind`: only
model-free evidence refutes outright; a re-run on a proxy model is never REFUTED); with no results
it is UNDECIDED and names the command that produces them. An "own-numbers" obligation reads no
results: it judges the paper's numbers pinned in its claim module. It never trains a
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
        name, summary, evidence = judging.apply_kind(spec.kind, *spec.judge(doc), doc, spec.statistic)
    except judging.Missing as exc:
        name, summary, evidence = judging.undecided_missing(exc, doc)
        evidence = {**evidence, "kind": spec.kind}
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


def _own_numbers(spec) -> Result:
    """A statement of the paper against numbers the paper itself reports (pinned in the claim
    module): no audit results are read."""
    name, summary, evidence = judging.apply_kind(spec.kind, *spec.judge(None), None)
    return Result(Verdict[name], summary, {**evidence, "statistic": spec.statistic})


def run(spec, ctx) -> Result:
    if spec.kind == "own-numbers":
        return _own_numbers(spec)
    directory = ctx.results_dir or results.DEFAULT_DIR
    try:
        doc = results.load(directory)
    except results.ResultsError as exc:
        return Result(Verdict.ERROR, str(exc), {"results_dir": directory})
    if doc is None:
        from dpoverify.specs import EMPIRICAL_KINDS
        return Result(Verdict.UNDECIDED,
                      f"{EMPIRICAL_KINDS[spec.kind]}: no audit results in {directory}/; produce them with: "
                      + PRODUCE.format(dir=directory),
                      {"results_dir": directory, "command": PRODUCE.format(dir=directory), "kind": spec.kind})
    return _judge(spec, doc, str(results.path_in(directory)))


def inputs(spec, ctx) -> list:
    """What ``run`` reads: the audit results (part of the key ``check --resume`` compares)."""
    return [results.path_in(ctx.results_dir)]


def replay(spec, payload: dict, ctx) -> Result:
    if spec.kind == "own-numbers":
        return _own_numbers(spec)
    doc = payload.get("audit")
    if not isinstance(doc, dict) or doc.get("schema") != results.SCHEMA:
        return Result(Verdict.ERROR, f"counterexample payload holds no {results.SCHEMA} document", {})
    return _judge(spec, doc, payload.get("results_file", "counterexample payload"))

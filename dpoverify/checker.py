"""Runs a claim's obligations through their engines and assembles the result document.

The document (schema ``dpoverify.check/2``, see ``dpoverify/schemas/check-2.json``) is a function
of the code version, the claims, the profile, the seed and the parameters only, byte for byte,
apart from its ``timing`` block (when it ran, seconds per obligation, the machine and package
versions). It lives in ``<out>/check.json`` and is

* merged per claim: a run replaces the claims it checks and keeps every other claim an earlier
  run left there, each with its own profile, seed, parameters and key;
* written atomically after every finished claim (``"complete": false`` until the run ends), so a
  run killed at any moment loses no claim finished before;
* guarded by a lock on the results directory: a second run into it refuses with one line;
* resumable (``resume=True``): a claim whose key (a hash of everything that determines its result,
  :func:`claim_key`) matches the stored one is kept, not recomputed.

With ``jobs > 1`` the obligations run in that many processes (spawned, each re-resolving its
obligation from the registry); entries are assembled in claim and obligation order, and every
obligation gets the run's seed, so the document is the one a single process writes.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sympy as sp

from . import __version__, engines, profiles, registry, summary
from .claims import Claim, DomainError, parse_value
from .errors import UsageError
from .results import (DirectoryBusy, counterexample_name, digest, dumps, environment, file_hash, locked, now, package_hash, provenance,
                      save_counterexample, write_json)
from .verdicts import Verdict, aggregate

CHECK_SCHEMA = "dpoverify.check/2"
OLD_SCHEMA = "dpoverify.check/1"  # read and converted when merging: its claims are kept, never resumed
FILENAME = "check.json"


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


def applicable(claim: Claim, fixed: dict[str, sp.Rational]) -> dict[str, sp.Rational]:
    """The fixed parameters that ``claim`` declares (the only ones its engines see)."""
    return {k: v for k, v in fixed.items() if any(p.name == k for p in claim.params)}


# ---------------------------------------------------------------------------------------------
# What determines a claim's result, and its key


def _top_package(module: str) -> str:
    return module.split(".")[0]


def claim_code(claim: Claim) -> str:
    """Hash of the code a claim's result depends on: the dpoverify package, the package defining
    the claim and the packages of its engines (every ``.py`` file of each)."""
    packages = sorted({"dpoverify", _top_package(claim.module or "dpoverify")}
                      | {_top_package(ob.spec.ENGINE) for ob in claim.obligations})
    return digest({p: package_hash(p) for p in packages})


def claim_inputs(claim: Claim, ctx: engines.Context) -> dict[str, str | None]:
    """Files an engine reads besides the code (``engines.inputs``), each with its sha256."""
    files = sorted({str(p) for ob in claim.obligations for p in engines.inputs(ob.spec, ctx)})
    return {Path(f).name: file_hash(f) for f in files}


def claim_run(claim: Claim, ctx: engines.Context) -> dict[str, Any]:
    """What determines the claim's result, as recorded in its entry, with its key (the hash of
    all of it plus the package versions, :func:`dpoverify.results.environment`)."""
    run = {
        "tool_version": __version__,
        "code": claim_code(claim),
        "profile": ctx.profile.name,
        "seed": ctx.seed,
        "params": {k: str(v) for k, v in applicable(claim, ctx.fixed).items()},
        "inputs": claim_inputs(claim, ctx),
    }
    run["key"] = digest({"claim": claim.id, **run, "environment": environment()})
    return run


# ---------------------------------------------------------------------------------------------
# One obligation (in this process or a worker)


@dataclass(frozen=True)
class Task:
    """One obligation to run, in a form that crosses a process boundary: ids and numbers, which
    the worker resolves again from the registry (specs and sympy objects need not pickle)."""

    claim: str
    obligation: int  # index in claim.obligations (obligation ids need not be unique)
    profile: str
    seed: int
    params: tuple[tuple[str, int, int], ...]  # name, numerator, denominator
    results_dir: str | None
    out_dir: str

    @classmethod
    def make(cls, claim: Claim, index: int, ctx: engines.Context, out_dir: Path) -> "Task":
        params = tuple((k, int(sp.Rational(v).p), int(sp.Rational(v).q))
                       for k, v in applicable(claim, ctx.fixed).items())
        return cls(claim.id, index, ctx.profile.name, ctx.seed, params, ctx.results_dir, str(out_dir))

    def context(self, progress: Callable[[float], None] = lambda fraction: None) -> engines.Context:
        fixed = {k: sp.Rational(p, q) for k, p, q in self.params}
        return engines.Context(profiles.get(self.profile), self.seed, fixed, self.results_dir, progress)


def _obligation_entry(ob, result, cex_path: str | None) -> dict[str, Any]:
    return {
        "id": ob.id,
        "kind": ob.kind.value,
        "title": ob.title,
        "cites": ob.cites,
        "verdict": result.verdict.value,
        "summary": result.summary,
        "evidence": result.evidence,
        "counterexample": cex_path,
        **ob.shown(),
    }


def run_task(task: Task, claim: Claim | None = None,
             progress: Callable[[float], None] = lambda fraction: None) -> tuple[dict[str, Any], float]:
    """Run one obligation; returns its entry and the seconds it took. In a worker ``claim`` is
    None and is looked up in the registry by id."""
    claim = claim or registry.get(task.claim)
    ob = claim.obligations[task.obligation]
    result, seconds = engines.run(ob.spec, task.context(progress))
    cex_path = None
    if result.counterexample is not None:
        save_counterexample(task.out_dir, claim.id, ob.id, result.counterexample, task.seed, task.profile)
        cex_path = counterexample_name(claim.id, ob.id)  # relative: the results directory can move
    # as JSON gives it back: the same in this process and from a worker (nothing left to pickle)
    return json.loads(dumps(_obligation_entry(ob, result, cex_path))), seconds


# ---------------------------------------------------------------------------------------------
# A claim's entry and the document


def finish_claim(claim: Claim, run: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A claim's entry in the document, from its obligations' entries. (The place to add
    claim-level fields computed from the entries, such as a one-line summary.)"""
    verdict = aggregate(Verdict(e["verdict"]) for e in entries)
    return {
        "id": claim.id,
        "title": claim.title,
        "source": {"version": claim.source.version, "section": claim.source.section,
                   "equations": list(claim.source.equations)},
        "module": claim.module,
        "depends_on": list(claim.depends_on),
        **run,
        "verdict": verdict.value,
        "counts": {v.value: sum(e["verdict"] == v.value for e in entries) for v in Verdict},
        "obligations": entries,
    }


def check_claim(claim: Claim, ctx: engines.Context, out_dir: Path,
                on_obligation: Callable[[Any, Any], None] = lambda ob, entry: None,
                seconds: dict[str, float] | None = None) -> dict[str, Any]:
    """Check one claim in this process; ``seconds`` (if given) receives each obligation's time
    under ``claim-id/obligation-id``."""
    entries = []
    for i, ob in enumerate(claim.obligations):
        entry, took = run_task(Task.make(claim, i, ctx, out_dir), claim, ctx.progress)
        entries.append(entry)
        if seconds is not None:
            seconds[timing_key(claim.id, [o.id for o in claim.obligations], i)] = round(took, 3)
        on_obligation(ob, entry)
    return finish_claim(claim, claim_run(claim, ctx), entries)


def timing_key(claim_id: str, ob_ids: list[str], index: int) -> str:
    """``claim/obligation`` (``claim/obligation#index`` when the claim has two of that id): where
    the timing block holds the seconds of the claim's ``index``-th obligation."""
    oid = ob_ids[index]
    return f"{claim_id}/{oid}" + (f"#{index}" if ob_ids.count(oid) > 1 else "")


def obligation_seconds(doc: dict[str, Any], claim: dict[str, Any]) -> list[float | None]:
    """The seconds of each obligation of a claim entry of ``doc`` (None where not recorded)."""
    ids = [o["id"] for o in claim["obligations"]]
    seconds = (doc.get("timing") or {}).get("obligations") or {}
    return [seconds.get(timing_key(claim["id"], ids, i)) for i in range(len(ids))]


def _order(claim_ids) -> list[str]:
    """Registry (paper) order; ids the registry does not know at the end, sorted."""
    known = list(registry.all_claims())
    rank = {cid: i for i, cid in enumerate(known)}
    return sorted(claim_ids, key=lambda cid: (rank.get(cid, len(rank)), cid))


def load_previous(path: Path) -> tuple[dict[str, dict], dict[str, Any]]:
    """The claims an earlier run left in ``path`` (by id) and its timing block. A check/1 file is
    converted (its claims keep the run's profile, seed and parameters; having no key, they are
    never resumed). Anything else there is not overwritten: UsageError."""
    if not path.is_file():
        return {}, {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        schema = doc.get("schema") if isinstance(doc, dict) else None
        if schema == CHECK_SCHEMA:
            return {c["id"]: c for c in doc["claims"]}, doc.get("timing") or {}
        if schema == OLD_SCHEMA:
            return _from_check1(doc)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: cannot merge into it ({type(exc).__name__}: {exc}); "
                         "move it away or use another --out") from None
    raise UsageError(f"{path}: not a dpoverify check result (schema {schema!r}); "
                     "move it away or use another --out")


def _from_check1(doc: dict[str, Any]) -> tuple[dict[str, dict], dict[str, Any]]:
    claims, seconds = {}, {}
    for c in doc["claims"]:
        obs, ids = [], [o["id"] for o in c["obligations"]]
        for i, o in enumerate(c["obligations"]):
            seconds[timing_key(c["id"], ids, i)] = o.get("seconds")
            obs.append({k: v for k, v in o.items() if k not in ("seconds", "replay")})
        run = {"tool_version": doc.get("tool_version"), "code": None, "profile": doc["profile"],
               "seed": doc["seed"], "params": doc.get("params", {}), "inputs": {}, "key": None}
        claims[c["id"]] = {**{k: v for k, v in c.items() if k != "obligations"}, **run, "obligations": obs}
    return claims, {"obligations": seconds}


class Run:
    """The document being written: this run's settings, the claims it holds, its timing block."""

    def __init__(self, ctx: engines.Context, claim_ids: list[str], out_dir: Path, jobs: int,
                 kept: dict[str, dict], old_timing: dict[str, Any]):
        self.path = out_dir / FILENAME
        self.claims = dict(kept)
        old_obs, old_claims = old_timing.get("obligations") or {}, old_timing.get("claims") or {}
        self.doc = {
            "schema": CHECK_SCHEMA,
            "tool_version": __version__,
            "paper": registry.paper(claim_ids),
            "profile": ctx.profile.name,
            "seed": ctx.seed,
            "params": {k: str(v) for k, v in ctx.fixed.items()},
            "requested": claim_ids,
            "complete": False,
            "claims": [],
            "timing": {
                "started": now(),
                "finished": None,
                "jobs": jobs,
                "claims": {k: v for k, v in old_claims.items() if k in kept},
                "obligations": {k: v for k, v in old_obs.items() if k.split("/")[0] in kept},
                "provenance": provenance(),
            },
        }

    def put(self, entry: dict[str, Any], seconds: dict[str, float] | None = None, reused: bool = False) -> None:
        """Store a finished claim's entry (and its timings) and rewrite the file."""
        cid = entry["id"]
        self.claims[cid] = entry
        timing = self.doc["timing"]
        if not reused:
            timing["obligations"] = {k: v for k, v in timing["obligations"].items() if k.split("/")[0] != cid}
            timing["obligations"].update(seconds or {})
            timing["claims"][cid] = {"finished": now(),
                                     "seconds": round(sum((seconds or {}).values()), 3)}
        self.write()

    def write(self) -> None:
        order = _order(self.claims)
        self.doc["claims"] = [self.claims[cid] for cid in order]
        summary.annotate(self.doc["claims"])  # one-line claim summaries, each judged with the others
        timing = self.doc["timing"]
        timing["claims"] = {k: timing["claims"][k] for k in order if k in timing["claims"]}
        rank = {cid: i for i, cid in enumerate(order)}
        timing["obligations"] = dict(sorted(timing["obligations"].items(),
                                            key=lambda kv: rank.get(kv[0].split("/")[0], len(rank))))
        # the timing block last, its provenance last within it
        timing = {**{k: v for k, v in timing.items() if k != "provenance"}, "provenance": timing["provenance"]}
        self.doc = {**{k: v for k, v in self.doc.items() if k != "timing"}, "timing": timing}
        write_json(self.path, self.doc)

    def finish(self) -> dict[str, Any]:
        self.doc["complete"] = True
        self.doc["verdict"] = aggregate(Verdict(c["verdict"]) for c in self.claims.values()).value
        self.doc["timing"]["finished"] = now()
        self.write()
        return self.doc


def run_checks(claims: list[Claim], ctx: engines.Context, out_dir: Path,
               on_obligation=lambda claim, ob, entry: None, *, jobs: int = 1, resume: bool = False,
               on_note: Callable[[str], None] = lambda text: None,
               on_start: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Check every claim; ``out_dir/check.json`` is merged with what is there and rewritten after
    each finished claim. ``on_start`` is called once the directory is locked and its check.json
    read; ``on_note`` receives one line per resumed or recomputed claim.
    Raises UsageError when another run holds the directory or check.json cannot be merged."""
    out_dir = Path(out_dir)
    try:
        with locked(out_dir, "dpoverify check"):
            return _run_locked(claims, ctx, out_dir, on_obligation, jobs, resume, on_note, on_start)
    except DirectoryBusy as exc:
        raise UsageError(f"{exc}; wait for it to finish or use another --out") from None


def _run_locked(claims, ctx, out_dir, on_obligation, jobs, resume, on_note, on_start) -> dict[str, Any]:
    previous, old_timing = load_previous(out_dir / FILENAME)
    on_start()
    runs = {c.id: claim_run(c, ctx) for c in claims}
    todo, reused = [], []
    for c in claims:
        old = previous.get(c.id)
        if resume and old is not None and old.get("key") == runs[c.id]["key"]:
            reused.append(c.id)
            on_note(f"{c.id}: kept (same code, profile, seed, parameters)")
            continue
        if resume and old is not None:
            on_note(f"{c.id}: recomputing ({_why_differs(old, runs[c.id])})")
        todo.append(c)
    kept = {cid: e for cid, e in previous.items() if cid not in {c.id for c in todo}}
    run = Run(ctx, [c.id for c in claims], out_dir, jobs, kept, old_timing)
    for cid in reused:
        run.put(kept[cid], reused=True)
    run.write()
    if jobs <= 1:
        for claim in todo:
            seconds: dict[str, float] = {}
            entry = check_claim(claim, ctx, out_dir,
                                lambda ob, e, c=claim: on_obligation(c, ob, e), seconds)
            run.put(entry, seconds)
    else:
        _run_parallel(todo, ctx, out_dir, on_obligation, jobs, run, runs)
    return run.finish()


def _why_differs(old: dict[str, Any], new: dict[str, Any]) -> str:
    fields = [k for k in ("profile", "seed", "params", "tool_version", "code", "inputs") if old.get(k) != new[k]]
    return ("other " + ", ".join(fields)) if fields else "other package versions, or no key"


def _worker_start(parent: int, pack_paths: tuple[str, ...]) -> None:
    """In each worker: the parent's claim packs (``--claims`` paths; a spawned process starts with
    the installed ones), Ctrl-C is the parent's to handle (it terminates the pool), and the worker
    ends when the parent is gone (killed), instead of waiting for work forever."""
    registry.use_paths(pack_paths)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _indexed(item: tuple[tuple[str, int], Task]):
    where, task = item
    return where, run_task(task)


def _run_parallel(todo: list[Claim], ctx, out_dir: Path, on_obligation, jobs: int, run: Run,
                  runs: dict[str, dict]) -> None:
    slots = {c.id: [None] * len(c.obligations) for c in todo}
    seconds: dict[str, dict[str, float]] = {c.id: {} for c in todo}
    by_id = {c.id: c for c in todo}
    ids = {c.id: [o.id for o in c.obligations] for c in todo}
    for c in todo:
        if not c.obligations:
            run.put(finish_claim(c, runs[c.id], []), {})
    tasks = [((c.id, i), Task.make(c, i, ctx, out_dir)) for c in todo for i in range(len(c.obligations))]
    pool = multiprocessing.get_context("spawn").Pool(jobs, initializer=_worker_start,
                                                        initargs=(os.getpid(), registry.paths()))
    try:
        for (cid, i), (entry, took) in pool.imap_unordered(_indexed, tasks):
            claim = by_id[cid]
            slots[cid][i] = entry
            seconds[cid][timing_key(cid, ids[cid], i)] = round(took, 3)
            on_obligation(claim, claim.obligations[i], entry)
            if all(e is not None for e in slots[cid]):
                order = {timing_key(cid, ids[cid], j): j for j in range(len(ids[cid]))}
                run.put(finish_claim(claim, runs[cid], slots[cid]),
                        dict(sorted(seconds[cid].items(), key=lambda kv: order[kv[0]])))
        pool.close()
    finally:
        pool.terminate()  # at once on Ctrl-C or an error; a no-op wait once every task is done
        pool.join()


def requested_claims(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The claims of the run that wrote ``doc`` (the document also keeps earlier runs' claims)."""
    wanted = set(doc.get("requested", ()))
    return [c for c in doc["claims"] if c["id"] in wanted]


def run_verdict(doc: dict[str, Any]) -> str:
    """The worst verdict among the claims the run that wrote ``doc`` was asked to check."""
    return aggregate(Verdict(c["verdict"]) for c in requested_claims(doc)).value


def exit_code(doc: dict[str, Any]) -> int:
    """0 nothing refuted, 1 something refuted, 3 an engine failed (and nothing refuted); over the
    claims this run was asked to check."""
    verdicts = {o["verdict"] for c in requested_claims(doc) for o in c["obligations"]}
    if Verdict.REFUTED.value in verdicts:
        return 1
    if Verdict.ERROR.value in verdicts:
        return 3
    return 0

"""The first screen of the report: what is wrong with the paper, and why.

Generated from the verdicts and their notes (never written by hand), grouped as the README
groups its findings: wrong as printed (REFUTED), true but asserting nothing where used
(VACUOUS steps), holds (PROVED / NO COUNTEREXAMPLE), still open (UNDECIDED / ERROR), where it
breaks (boundary.json), and real models (audit.json and check's empirical steps). Each finding
gives its reason (the claim's stored one-line summary when check.json has one, else the step
that decided it and that step's own summary) and links to its evidence. Absent inputs are listed
compactly, each with the command that writes it into the report's results folder.
"""
from __future__ import annotations

import math
import re

from ..render import FULL_PROFILES, claim_reason, text
from ..verdicts import Verdict
from .breaks_section import beyond, num
from .doc import Badge, Code, Heading, Items, Link, Para, Section, Warn
from .load import Inputs
from .verdict_table import claim_anchor, evidence_anchor, step_keys

PHRASE = 220  # characters of a step's summary quoted in a finding
PROFILED = ("check", "fuzz", "boundary", "tightness", "scaling")  # inputs whose budgets a profile sets


def phrase(summary: str, limit: int = PHRASE) -> str:
    """The first clause of an engine's summary, as clean infix, cut at a clause boundary."""
    s = text(summary).strip()
    if len(s) <= limit:
        return s
    cut = max((m.start() for m in re.finditer(r"[;:.] ", s[:limit])), default=-1)
    return (s[:cut] if cut > limit // 3 else s[:limit].rsplit(" ", 1)[0]) + " …"


def _steps(c: dict, verdicts: tuple[str, ...]) -> list[tuple[dict, str]]:
    return [(o, k) for o, k in zip(c["obligations"], step_keys(c)) if o["verdict"] in verdicts]


def _step_links(c: dict, steps: list[tuple[dict, str]], quote: bool) -> tuple:
    """Links to the steps' evidence; with ``quote``, each distinct reason once, after the steps
    that share it ("a, b: no audit results ...")."""
    if not quote:
        return tuple(x for i, (o, key) in enumerate(steps)
                     for x in (", " if i else "", Link(o["id"], evidence_anchor(c["id"], key))))
    groups: dict[str, list] = {}
    for o, key in steps:
        groups.setdefault(phrase(o["summary"]), []).append(Link(o["id"], evidence_anchor(c["id"], key)))
    out: list = []
    for i, (why, links) in enumerate(groups.items()):
        out += ["; " if i else ""] + [x for j, link in enumerate(links) for x in (", " if j else "", link)]
        out += [": ", why]
    return tuple(out)


def profiles_used(inputs: Inputs) -> dict[str, str]:
    """{input: profile} for the present inputs whose budgets come from a profile."""
    return {k: str(inputs[k]["profile"]) for k in PROFILED if inputs[k] is not None and inputs[k].get("profile")}


def profile_warnings(inputs: Inputs) -> list[Warn]:
    used = profiles_used(inputs)
    out = []
    if len(set(used.values())) > 1:
        out.append(Warn(("Inputs were made with different profiles (",
                         ", ".join(f"{k}: {p}" for k, p in used.items()),
                         "): their budgets differ, so verdicts from one are not comparable with the other's. "
                         "Re-run them with one profile.")))
    small = sorted({p for p in used.values() if p not in FULL_PROFILES})
    if small:
        out.append(Warn((f"Made with the {', '.join(small)} profile: the engines had smaller budgets than ci, so "
                         "steps reported UNDECIDED (budget exhausted) here may be decided with ",
                         Code("--profile ci"), ".")))
    return out


def findings_section(inputs: Inputs) -> Section:
    sec = Section("findings", "Findings: what is wrong with the paper, and why")
    doc = inputs["check"]
    sec.add(*profile_warnings(inputs))
    if doc is None:
        sec.add(Para(("No check.json: there are no verdicts to report. Produce it with ",
                      Code(inputs.loaded("check").command), ".")))
    else:
        _verdict_findings(sec, doc)
    _breaks(sec, inputs)
    _real_models(sec, inputs)
    return sec


def _n(claims: list) -> str:
    return f"{len(claims)} claim{'' if len(claims) == 1 else 's'}"


def _verdict_findings(sec: Section, doc: dict) -> None:
    claims = doc["claims"]
    sec.add(Para((f"From check.json: {len(claims)} claims checked with profile {doc['profile']}, seed {doc['seed']}. "
                  "Each finding links to its claim and to the evidence of the steps that decided it.",)))
    refuted = [c for c in claims if c["verdict"] == Verdict.REFUTED.value]
    sec.add(Heading(f"Wrong as printed ({_n(refuted)} REFUTED)", "findings-refuted", 3))
    sec.add(Items(tuple((Link(c["id"], claim_anchor(c["id"])), " ", Badge(c["verdict"]), " — ",
                         *((claim_reason(c), ". Refuted: ") if c.get("summary") else ("refuted: ",)),
                         *_step_links(c, _steps(c, ("REFUTED",)), quote=not c.get("summary")))
                        for c in refuted) or ("Nothing is refuted.",), kind="findings"))
    vacuous = [c for c in claims if _steps(c, ("VACUOUS",))]
    sec.add(Heading(f"True but asserting nothing where used ({_n(vacuous)} with VACUOUS steps)",
                    "findings-vacuous", 3))
    sec.add(Items(tuple((Link(c["id"], claim_anchor(c["id"])), " ", Badge(c["verdict"]), " — vacuous: ",
                         *_step_links(c, _steps(c, ("VACUOUS",)), quote=True)) for c in vacuous)
                  or ("No step is vacuous.",), kind="findings"))
    holds = [c for c in claims if c["verdict"] in (Verdict.PROVED.value, Verdict.NO_COUNTEREXAMPLE.value)]
    sec.add(Heading(f"Holds ({_n(holds)} PROVED or NO COUNTEREXAMPLE)", "findings-holds", 3))
    sec.add(Items(tuple((Link(c["id"], claim_anchor(c["id"])), " ", Badge(c["verdict"]), " — ", claim_reason(c))
                        for c in holds) or ("No claim holds outright.",), kind="findings"))
    open_ = [c for c in claims if c["verdict"] in (Verdict.UNDECIDED.value, Verdict.ERROR.value)]
    if open_:
        sec.add(Heading(f"Still open ({_n(open_)} UNDECIDED or ERROR)", "findings-open", 3))
        sec.add(Items(tuple((Link(c["id"], claim_anchor(c["id"])), " ", Badge(c["verdict"]), " — ",
                             *_step_links(c, _steps(c, ("UNDECIDED", "ERROR")), quote=True)) for c in open_),
                      kind="findings"))


def _missing_line(inputs: Inputs, key: str) -> Para:
    item = inputs.loaded(key)
    return Para((f"Not run ({item.spec.filename} absent): produce it with ", Code(item.command), "."))


def _breaks(sec: Section, inputs: Inputs) -> None:
    sec.add(Heading("Where it breaks (outside the hypotheses)", "findings-breaks", 3))
    doc = inputs["boundary"]
    if doc is None:
        sec.add(_missing_line(inputs, "boundary"))
        return
    fails, holds = [], []
    for m in doc["maps"]:
        first = num(m.get("first_fails_at_ratio"))
        if first is None or not math.isfinite(first):
            holds.append(m["hypothesis"])
        else:
            fails.append((f"{m['claim']} / {m['obligation']}: first fails when {m['hypothesis']} is violated by ×"
                          f"{beyond(first, m['direction']):.3g}",))
    items = [f[0] for f in fails]
    if holds:
        items.append("survives every violation swept of: " + ", ".join(dict.fromkeys(text(h) for h in holds)))
    sec.add(Items(tuple(text(i) if isinstance(i, str) else i for i in items) or ("boundary.json holds no maps.",),
                  kind="findings"),
            Para(("Details: ", Link("where-it-breaks maps", "boundary"), ".")))


def _real_models(sec: Section, inputs: Inputs) -> None:
    sec.add(Heading("Real models", "findings-real", 3))
    audit = inputs["audit"]
    check = inputs["check"]
    empirical = [(c, o, k) for c in (check or {}).get("claims", [])
                 for o, k in zip(c["obligations"], step_keys(c)) if o["kind"] == "empirical"]
    if audit is None and not empirical:
        sec.add(_missing_line(inputs, "audit"))
        return
    if audit is not None:
        cfg = audit.get("config", {})
        sec.add(Para((f"Measured on {cfg.get('model')} ({cfg.get('model_kind')}), data {cfg.get('dataset')}, "
                      f"DPO mode {cfg.get('mode')}, seed {audit.get('seed')}: ",
                      Link("the audit", "audit"), ".")))
    else:
        sec.add(_missing_line(inputs, "audit"))
    if empirical:
        claims = list(dict.fromkeys(c["id"] for c, _, _ in empirical))
        sec.add(Items(tuple((Link(cid, claim_anchor(cid)), " — ",
                             *_by_verdict([(c, o, k) for c, o, k in empirical if c["id"] == cid])) for cid in claims),
                      kind="findings"))
    elif audit is not None:
        sec.add(Items(tuple((f"{v.get('claim')} / {v.get('obligation')} ", Badge(str(v.get("verdict"))), " — ",
                             phrase(str(v.get("summary", "")))) for v in audit.get("verdicts") or []),
                      kind="findings"))


def _by_verdict(steps: list[tuple[dict, dict, str]]) -> tuple:
    """Empirical steps grouped by verdict: each verdict's badge, then its steps and reasons."""
    out: list = []
    for v in dict.fromkeys(o["verdict"] for _, o, _ in steps):
        c = steps[0][0]
        chosen = [(o, k) for _, o, k in steps if o["verdict"] == v]
        out += [" " if out else "", Badge(v), " ", *_step_links(c, chosen, quote=True), "."]
    return tuple(out)


def missing_section(inputs: Inputs) -> Section | None:
    """The absent inputs, one line each with the command that writes it; None when none is."""
    absent = [inputs.loaded(spec.key) for spec in inputs.missing()]
    if not absent:
        return None
    sec = Section("missing", "Missing inputs")
    sec.add(Items(tuple((f"{item.spec.filename} — {item.spec.what}: ", Code(item.command)) for item in absent),
                  kind="missing-inputs"))
    return sec


"""One-line claim summaries a reviewer can read, computed from check results.

:func:`claim_summary` reads a claim's entry in ``check.json`` (its verdict, its obligations with
their verdicts, summaries, evidence and the fields :meth:`dpoverify.claims.Obligation.shown`
adds: ``role``, ``refuted_means``, ``region_of``) and the entries of the other claims of the
run, and says in one line what is known, e.g.

    VACUOUS for Q < 143,469 (every K, c); holds above, given theorem-b.4 as corrected
    REFUTED: stated r^U lies below r^L (statement-band-nonempty; 2 more refuted); corrected version holds

Numbers come from the evidence: a region is the domain the prover decided the obligation on
(``evidence["variables"]``, e.g. ``Q in integers [40, 143468]``), never typed into a string.
Engines and content stay apart: nothing here knows a particular theorem.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterable

GOOD = ("PROVED", "NO COUNTEREXAMPLE")
_VAR = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*) in (?P<int>integers )?(?P<lb>[\[(])(?P<lo>[^,]+), "
                  r"(?P<hi>[^\])]+)(?P<rb>[\])])$")


def annotate(claims: Iterable[dict[str, Any]]) -> None:
    """Set ``summary`` on every claim entry, each judged with the others of the same run."""
    claims = list(claims)
    by_id = {c["id"]: c for c in claims}
    for c in claims:
        c["summary"] = claim_summary(c, by_id)


def _number(text: str) -> Fraction | None:
    text = text.strip()
    if text in ("oo", "-oo"):
        return None
    return Fraction(text)


def domains(ob: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The obligation's variables and their domains, parsed from the prover's evidence."""
    out = {}
    for text in (ob.get("evidence") or {}).get("variables") or ():
        m = _VAR.match(str(text))
        if not m:
            continue
        try:
            lo, hi = _number(m["lo"]), _number(m["hi"])
        except (ValueError, ZeroDivisionError):
            continue
        out[m["name"]] = {"lo": lo, "hi": hi, "integer": bool(m["int"]),
                          "lo_closed": m["lb"] == "[", "hi_closed": m["rb"] == "]"}
    return out


def fmt(q: Fraction) -> str:
    """143469 -> '143,469'; 1/100000 -> '1/100000'."""
    if q.denominator == 1:
        return f"{q.numerator:,}"
    return f"{q.numerator}/{q.denominator}"


def _bound(name: str, dom: dict[str, Any]) -> str:
    lo, hi = dom["lo"], dom["hi"]
    if lo is not None and lo == hi:
        return f"{name} = {fmt(lo)}"
    if hi is None:
        return f"{name} >= {fmt(lo)}" if lo is not None else f"every {name}"
    if dom["integer"]:
        return f"{name} < {fmt(hi + 1)}"
    return f"{name} {'<=' if dom['hi_closed'] else '<'} {fmt(hi)}"


def region(ob: dict[str, Any]) -> tuple[str, list[str]]:
    """('Q < 143,469', ['K', 'c']): the region an obligation's ``region_of`` names, and the other
    variables that range over an unbounded domain ("every K, c")."""
    doms = domains(ob)
    names = [n for n in ob.get("region_of") or () if n in doms]
    text = ", ".join(_bound(n, doms[n]) for n in names)
    every = [n for n, d in doms.items() if n not in names and d["hi"] is None]
    return text, every


def _is_correction(ob: dict[str, Any]) -> bool:
    return (ob.get("role") == "correction" or "corrected" in ob["id"]
            or ob.get("title", "").startswith("correction"))


def _ids(obs: list[dict[str, Any]], limit: int = 3) -> str:
    ids = [o["id"] for o in obs]
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _dependencies(claim: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[str]:
    bits, unchecked = [], []
    for dep in claim.get("depends_on") or ():
        other = by_id.get(dep)
        if other is None:
            unchecked.append(dep)
            continue
        if other["verdict"] != "REFUTED":
            continue
        fixes = [o for o in other["obligations"] if _is_correction(o)]
        if fixes and all(o["verdict"] in GOOD for o in fixes):
            bits.append(f"given {dep} as corrected")
        else:
            refuted = [o for o in other["obligations"] if o["verdict"] == "REFUTED"]
            bits.append(f"depends on {dep}, which is REFUTED ({_ids(refuted, 1)})")
    if unchecked:
        bits.append(f"rests on {', '.join(unchecked)} (not checked in this run)")
    return bits


def _vacuity(ob: dict[str, Any]) -> str:
    where, every = region(ob)
    text = f"VACUOUS for {where}" if where else "VACUOUS"
    if every:
        text += f" (every {', '.join(every)})"
    if ob["verdict"] not in GOOD:
        measure = ((ob.get("evidence") or {}).get("region") or {}).get("proved", {}).get("measure")
        text += (f" on {100 * measure:.4g}% of it, the rest {ob['verdict'].lower()}"
                 if isinstance(measure, (int, float)) else f" ({ob['verdict']})")
    return text


def _gap(ob: dict[str, Any]) -> str:
    where, _ = region(ob)
    return f"main text does not follow from the appendix for {where} (and is vacuous there)"


def claim_summary(claim: dict[str, Any], by_id: dict[str, dict[str, Any]] | None = None) -> str:
    """The one-line summary of ``claim`` (an entry of check.json's ``claims``)."""
    by_id = by_id or {}
    obs = claim.get("obligations") or []
    vacuity = [o for o in obs if o.get("role") == "vacuity"]
    gaps = [o for o in obs if o.get("role") == "gap" and o["verdict"] in GOOD]
    fixes = [o for o in obs if _is_correction(o)]
    steps = [o for o in obs if o not in vacuity and o not in fixes and o not in gaps]
    refuted = [o for o in steps if o["verdict"] == "REFUTED"]
    errors = [o for o in obs if o["verdict"] == "ERROR"]
    open_ = [o for o in steps if o["verdict"] == "UNDECIDED"]
    parts: list[str] = []
    if refuted:
        first = next((o for o in refuted if o.get("refuted_means")), refuted[0])
        means = first.get("refuted_means") or f"fails: {first['title']}"
        ev = first.get("evidence") or {}  # an empirical refutation says what it was measured on
        if ev.get("kind") == "hypothesis-check" and ev.get("model"):
            means += f" — hypothesis check on {ev['model']}"
        elif ev.get("kind") == "model-free":
            means += " — model-free"
        more = f"; {len(refuted) - 1} more refuted" if len(refuted) > 1 else ""
        parts.append(f"REFUTED: {means} ({first['id']}{more})")
        if fixes:
            parts.append("corrected version holds" if all(o["verdict"] in GOOD for o in fixes)
                         else f"corrected version {_ids([o for o in fixes if o['verdict'] not in GOOD])} "
                              "not yet proved")
    elif errors:
        parts.append(f"ERROR in {_ids(errors)}")
    elif any(o["verdict"] in GOOD for o in vacuity):
        head = _vacuity(next(o for o in vacuity if o["verdict"] in GOOD))
        rest = "holds above" if not open_ else f"above: {len(open_)} undecided ({_ids(open_)})"
        parts += [head, rest]
    elif vacuity:
        parts.append(_vacuity(vacuity[0]))
        parts.append("holds above" if not open_ else f"{len(open_)} undecided ({_ids(open_)})")
    elif open_:
        parts.append(f"UNDECIDED: {len(open_)} of {len(obs)} obligation{'s' if len(obs) != 1 else ''} open "
                     f"({_ids(open_)})")
    elif claim.get("verdict") == "VACUOUS":
        vac = [o for o in obs if o["verdict"] == "VACUOUS"]
        parts.append(f"VACUOUS: {_ids(vac)} assert{'s' if len(vac) == 1 else ''} nothing where checked")
    else:
        proved = sum(o["verdict"] == "PROVED" for o in obs)
        nocex = sum(o["verdict"] == "NO COUNTEREXAMPLE" for o in obs)
        vac = sum(o["verdict"] == "VACUOUS" for o in obs)
        bits = [f"{n} {what}" for n, what in ((proved, "proved"), (nocex, "without counterexample"),
                                              (vac, "vacuous")) if n]
        parts.append(f"HOLDS: {', '.join(bits)} of {len(obs)} obligation{'s' if len(obs) != 1 else ''}")
    parts += [_gap(o) for o in gaps]
    parts += _dependencies(claim, by_id)
    return "; ".join(parts)

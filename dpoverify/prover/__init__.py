"""The symbolic engine: decides :class:`dpoverify.claims.Implication` specs.

"For all variables in their domains, the hypotheses imply the goal" is decided in three stages:

1. exact (:mod:`.exact`): sympy identities, constant relations, signs from the domain;
2. rigorous branch and bound (:mod:`.boxes`) with Arb enclosures (:mod:`.arb`) over the whole
   hypothesis domain, after dropping positive factors (scale invariance) and variables nothing
   depends on any more (:mod:`.problem`); tails of unbounded domains close by monotonicity;
3. counterexample search (:mod:`.search`) at exact rationals, seeded.

PROVED: every box of the domain is proved, vacuous or outside the hypotheses (and some box is
proved). REFUTED: a point, in exact rationals, where every hypothesis holds and the goal fails,
re-verified exactly. VACUOUS: the vacuity condition holds on the whole non-empty hypothesis
region, or the hypothesis region is empty. Otherwise UNDECIDED with the open boxes.
"""
from __future__ import annotations

import time

import sympy as sp

from dpoverify.verdicts import Result, Verdict

from . import arb as A
from .boxes import Solver, free_names
from .exact import simplify_formula
from .problem import Problem, atoms, build, build_forms, reduce_products, show
from .region import region_map
from .search import Search, goal_values

__all__ = ["run", "replay"]

BNB_PREC = 64
CROSS_CHECK_POINTS = 200


def _prepare(spec, fixed) -> Problem:
    problem = build(spec, fixed)
    for t in (problem.hyp, problem.goal, problem.vacuous):
        for a in atoms(t):
            build_forms(a, problem.refine)
    return problem


def _method(stages: list[str]) -> str:
    return "; ".join(stages)


def _payload(problem: Problem, point: dict, search: Search) -> dict:
    rational = all(
        a.orig.xreplace({s: point[s.name] for s in a.orig.free_symbols}).is_Rational
        for t in (problem.hyp, problem.goal, problem.vacuous) for a in atoms(t))
    return {
        "point": {k: str(v) for k, v in point.items()},
        "goal_value": goal_values(problem, point),
        "certified_by": ("exact rational arithmetic" if rational else
                         "exact rationals; transcendental values by Arb balls with certain sign "
                         "(precision raised until certain, at most 4096 bits)"),
    }


def run(spec, ctx) -> Result:
    t0 = time.perf_counter()
    profile = ctx.profile
    try:
        problem = _prepare(spec, ctx.fixed)
    except A.Unsupported as exc:
        return Result(Verdict.UNDECIDED, f"not decidable by the prover: {exc}",
                      {"method": "none", "reason": str(exc)})
    vars_ = {v.name: v for v in problem.variables}
    evidence: dict = {
        "variables": [v.describe() for v in problem.variables],
        "hypotheses": show(problem.hyp),
        "goal": show(problem.goal),
        "vacuous_when": show(problem.vacuous) if problem.vacuous is not None else None,
        "fixed": {k: str(v) for k, v in problem.fixed.items()},
        "seed": ctx.seed,
        "profile": profile.name,
    }
    stages = []

    # 1. exact
    empty = [v.name for v in problem.variables if v.empty]
    if empty:
        evidence["method"] = "exact: empty domain"
        return Result(Verdict.VACUOUS, f"empty domain for {', '.join(empty)}", evidence)
    problem.hyp = simplify_formula(problem.hyp)
    problem.goal = simplify_formula(problem.goal)
    if problem.vacuous is not None:
        problem.vacuous = simplify_formula(problem.vacuous)
    stages.append("exact sympy (identities, constant relations, signs from the domain)")
    if problem.hyp is False:
        evidence["method"] = _method(stages)
        return Result(Verdict.VACUOUS, "the hypotheses contradict each other (exact)", evidence)
    if problem.vacuous is True:
        evidence["method"] = _method(stages)
        return Result(Verdict.VACUOUS, "the statement is vacuous on its whole domain (exact)", evidence)
    if problem.goal is True:
        evidence["method"] = _method(stages)
        return Result(Verdict.PROVED, "holds identically (exact sympy)", evidence)
    ctx.progress(0.05)

    # 2. branch and bound
    products = reduce_products(problem)
    if products:
        evidence["products"] = [f"{w} = {x}*{y}" for w, x, y in products]
        vars_ = {v.name: v for v in problem.variables}
    names = free_names(problem)
    in_products = {n for p in products for n in p}
    evidence["dropped"] = sorted(v.name for v in problem.variables
                                 if not v.fixed and v.name not in names and v.name not in in_products)
    solver = Solver(problem, names, prec=BNB_PREC)
    search = Search(problem, names, ctx.seed)
    early: list = []

    def on_refuted(box) -> bool:
        point = search.try_box(box)
        if point is not None:
            early.append(point)
        return point is not None

    outcome = solver.run(profile.bnb_max_boxes, lambda f: ctx.progress(0.05 + 0.8 * f), on_refuted)
    st = outcome.stats
    stages.append(f"arb branch-and-bound over {', '.join(names) or 'no free variables'}: "
                  f"{st.boxes} boxes at {outcome.prec} bits (budget {profile.bnb_max_boxes})")
    region = region_map(outcome, vars_, show(problem.vacuous) if problem.vacuous is not None else None)
    evidence["bnb"] = {"boxes": st.boxes, "budget": profile.bnb_max_boxes, "prec_bits": outcome.prec,
                       "max_depth": st.max_depth, "refinements": st.refinements,
                       "contractions": st.contractions}
    evidence["region"] = region
    ctx.progress(0.85)

    # 3. search (a short cross-check even when branch and bound closed every box)
    closed = not outcome.open and not outcome.refuted
    budget = min(CROSS_CHECK_POINTS, profile.search_points) if closed else profile.search_points
    point = early[0] if early else search.run(outcome, budget)
    stages.append(f"counterexample search over {search.tried} points "
                  f"({search.passed_filter} certified exactly), seed {ctx.seed}")
    evidence["search"] = {"points": search.tried, "certified_checks": search.passed_filter,
                          "seed": ctx.seed}
    evidence["method"] = _method(stages)
    evidence["seconds"] = round(time.perf_counter() - t0, 3)
    ctx.progress(1.0)

    if point is not None:
        payload = _payload(problem, point, search)
        where = ", ".join(f"{k}={v}" for k, v in payload["point"].items())
        if closed:
            return Result(Verdict.ERROR, "engine inconsistency: branch and bound closed every box "
                          f"but {where} is a certified counterexample", evidence, payload)
        return Result(Verdict.REFUTED, f"counterexample {where}; {region['summary']}",
                      evidence, payload)
    if closed:
        if outcome.proved:
            extra = ""
            if outcome.vacuous:
                extra = f"; vacuous on {100 * region['vacuous']['measure']:.3g}%"
            return Result(Verdict.PROVED, f"proved on the whole domain ({st.boxes} boxes){extra}",
                          evidence)
        if outcome.vacuous:
            return Result(Verdict.VACUOUS, "the vacuity condition holds on the whole hypothesis "
                          "region", evidence)
        return Result(Verdict.VACUOUS, "the hypothesis region is empty (proved by branch and bound)",
                      evidence)
    open_desc = region["open"].get("hull", "")
    why = "open boxes remain" if outcome.open else "certainly-false boxes could not be certified"
    return Result(Verdict.UNDECIDED, f"{why} ({open_desc or region['refuted'].get('hull', '')}); "
                  f"{region['summary']}", evidence)


def replay(spec, payload: dict, ctx) -> Result:
    """Re-verify a saved counterexample exactly; if it no longer is one, decide afresh."""
    point_s = (payload or {}).get("point")
    if not isinstance(point_s, dict):
        return Result(Verdict.ERROR, "counterexample payload has no 'point'", {"payload": payload})
    names = {p.name for p in spec.variables}
    if set(point_s) != names:
        return Result(Verdict.ERROR, f"point names {sorted(point_s)} do not match the spec's "
                      f"variables {sorted(names)}", {"payload": payload})
    try:
        point = {k: sp.Rational(str(v)) for k, v in point_s.items()}
    except (TypeError, ValueError) as exc:
        return Result(Verdict.ERROR, f"point is not exact rationals: {exc}", {"payload": payload})
    problem = _prepare(spec, {})
    search = Search(problem, [], ctx.seed)
    ok, why = search.certify(point)
    where = ", ".join(f"{k}={v}" for k, v in point_s.items())
    if ok:
        return Result(Verdict.REFUTED, f"counterexample {where} re-verified exactly",
                      {"method": "exact re-verification at the saved point", "point": point_s,
                       "goal_value": goal_values(problem, point)}, _payload(problem, point, search))
    fresh = run(spec, ctx)
    fresh.evidence["replayed_point"] = {"point": point_s, "no_longer_counterexample": why}
    if fresh.verdict in (Verdict.PROVED, Verdict.REFUTED):
        fresh.summary = f"saved point no longer a counterexample ({why}); {fresh.summary}"
        return fresh
    return Result(Verdict.NO_COUNTEREXAMPLE,
                  f"saved point {where} is no longer a counterexample ({why}); fresh run: "
                  f"{fresh.verdict}: {fresh.summary}", fresh.evidence)


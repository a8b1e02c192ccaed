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

import dataclasses
import itertools

import sympy as sp

from flint import fmpq

from dpoverify import safe_expr
from dpoverify.verdicts import Result, Verdict

from . import arb as A
from .boxes import Solver, free_names
from .bounds import normalize
from .exact import implied_goal, simplify_formula
from .problem import Problem, atoms, build, build_forms, reduce_products, show
from .region import region_map
from .scaling import apply_scaling, find_scaling
from .search import Search, goal_values

__all__ = ["run", "replay"]

BNB_PREC = 64
CROSS_CHECK_POINTS = 200
PRE_SEARCH_POINTS = 100


def _prepare(spec, fixed) -> Problem:
    problem = build(spec, fixed)
    for t in (problem.hyp, problem.goal, problem.vacuous):
        for a in atoms(t):
            build_forms(a, problem.refine)
    return problem


def _method(stages: list[str]) -> str:
    return "; ".join(stages)


def _payload(problem: Problem, point: dict) -> dict:
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


def _exact_stage(spec, fixed):
    """Prepared problem with exactly decided atoms folded in, or a final (verdict, summary)."""
    problem = _prepare(spec, fixed)
    empty = [v.name for v in problem.variables if v.empty]
    if empty:
        return problem, (Verdict.VACUOUS, f"empty domain for {', '.join(empty)}")
    problem.hyp = simplify_formula(problem.hyp)
    problem.goal = simplify_formula(problem.goal)
    if problem.vacuous is not None:
        problem.vacuous = simplify_formula(problem.vacuous)
    if problem.hyp is False:
        return problem, (Verdict.VACUOUS, "the hypotheses contradict each other (exact)")
    if problem.vacuous is True:
        return problem, (Verdict.VACUOUS, "the statement is vacuous on its whole domain (exact)")
    if problem.goal is True:
        return problem, (Verdict.PROVED, "holds identically (exact sympy)")
    problem.goal = implied_goal(problem.goal, problem.hyp, problem.refine, problem.variables)
    if problem.goal is True:
        return problem, (Verdict.PROVED, "each goal atom follows from the hypotheses: goal - hypothesis "
                         ">= 0, goal = (positive) * hypothesis, or goal = λ1 h1 + λ2 h2 + ρ (or λ h + ρ) identically "
                         "(in log space where both sides are positive) with λ1, λ2, ρ >= 0 (sympy signs, "
                         "or one Arb enclosure over the domain)")
    return problem, None


def _reduce(problem: Problem, normalise: bool) -> tuple[list[str], dict]:
    """Products, scale symmetries and (optionally) bound normalisation; names and notes."""
    notes: dict = {}
    products = [] if normalise else reduce_products(problem)  # bounds subsume products
    if products:
        notes["products"] = [f"{w} = {x}*{y}" for w, x, y in products]
    names = free_names(problem)
    if normalise:
        made = normalize(problem, names)
        if made:
            notes["normalised"] = [f"{b.name} = ({b.g}) + t, t = {b.t} >= 0" if b.above else
                                   f"{b.name} = ({b.g}) - t, t = {b.t} >= 0" if b.shift else
                                   f"{b.name} = t * ({b.g}), t = {b.t} in [0, 1]" for b in made]
        names = free_names(problem)
    for _ in range(3):
        found = find_scaling(problem, names)
        if found is None:
            break
        apply_scaling(problem, *found)
        names = free_names(problem)
    if problem.scalings:
        notes["scalings"] = [
            "invariant under " + ", ".join(f"{n} -> lambda^{k} {n}" for n, k in w.items())
            + f": {e} set to 1, the others relaxed to [0, oo)" for e, w in problem.scalings]
    reduced = {n for p in products for n in p} | {e for e, _ in problem.scalings}
    notes["dropped"] = sorted(v.name for v in problem.original
                              if not v.fixed and v.name not in names and v.name not in reduced
                              and not any(b.name == v.name for b in problem.bounds))
    return names, notes


def _exp_terms(side):
    """{exp(x): coefficient} with side = sum of coefficient * exp(x), or None."""
    expanded = sp.expand_mul(side)
    exps = sorted(expanded.atoms(sp.exp), key=sp.default_sort_key)
    terms, rest = {}, expanded
    for e in exps:
        terms[e] = sp.factor(expanded.coeff(e))
        rest = sp.expand_mul(rest - expanded.coeff(e) * e)
    if rest != 0 or not terms or any(c.has(sp.exp) for c in terms.values()):
        return None
    return terms


def _termwise(spec, ctx):
    """A goal Σ C_i e^{x_i} <= Σ C_i e^{y_i} (the same coefficients on both sides) follows from
    C_i >= 0 and x_i <= y_i for each i. That sufficient statement is tried first with a tenth of
    the box budget (it can only prove: if it is not PROVED, the goal is decided as stated).
    Pairings of equal coefficients are tried in a fixed order (at most 4 terms)."""
    goal = spec.goal
    if not isinstance(goal, (sp.LessThan, sp.StrictLessThan, sp.GreaterThan, sp.StrictGreaterThan)):
        return None
    small, big = goal.lts, goal.gts
    left, right = _exp_terms(small), _exp_terms(big)
    if left is None or right is None or len(left) != len(right) or len(left) > 4:
        return None
    lk, rk = list(left), list(right)
    strict = isinstance(goal, (sp.StrictLessThan, sp.StrictGreaterThan))
    profile = dataclasses.replace(ctx.profile, bnb_max_boxes=max(1, ctx.profile.bnb_max_boxes // 10))
    sub = dataclasses.replace(ctx, profile=profile, progress=lambda f: None)
    for perm in itertools.permutations(range(len(rk))):
        if any(sp.simplify(left[lk[i]] - right[rk[j]]) != 0 for i, j in enumerate(perm)):
            continue
        atoms_ = []
        for i, j in enumerate(perm):
            atoms_.append(left[lk[i]] >= 0)
            atoms_.append(sp.Lt(lk[i].args[0], rk[j].args[0]) if strict else sp.Le(lk[i].args[0], rk[j].args[0]))
        suff = dataclasses.replace(spec, goal=sp.And(*atoms_))
        result = run(suff, sub)
        if result.verdict is Verdict.PROVED:
            return {"goal": str(suff.goal), "summary": f"{suff.goal}: {result.summary}",
                    "method": result.evidence.get("method", "")}
    return None


def _bnb(problem, names, budget, ctx, lo, hi):
    solver = Solver(problem, names, prec=BNB_PREC)
    search = Search(problem, names, ctx.seed)
    early: list = []

    def on_refuted(box) -> bool:
        point = search.try_box(box)
        if point is not None:
            early.append(point)
        return point is not None

    outcome = solver.run(budget, lambda f: ctx.progress(lo + (hi - lo) * f), on_refuted)
    return outcome, search, (early[0] if early else None)


def run(spec, ctx) -> Result:
    profile = ctx.profile
    try:
        problem, final = _exact_stage(spec, ctx.fixed)
    except A.Unsupported as exc:
        return Result(Verdict.UNDECIDED, f"not decidable by the prover: {exc}",
                      {"method": "none", "reason": str(exc)})
    evidence: dict = {
        "variables": [v.describe() for v in problem.original],
        "hypotheses": show(problem.hyp),
        "goal": show(problem.goal),
        "vacuous_when": show(problem.vacuous) if problem.vacuous is not None else None,
        "fixed": {k: str(v) for k, v in problem.fixed.items()},
        "seed": ctx.seed,
        "profile": profile.name,
    }
    stages = ["exact sympy (identities, constant relations, signs from the domain)"]
    if final is not None:
        evidence["method"] = _method(stages)
        return Result(final[0], final[1], evidence)
    ctx.progress(0.05)
    termwise = _termwise(spec, ctx)
    if termwise is not None:
        evidence["termwise"] = termwise
        evidence["method"] = _method(stages + [f"termwise: {termwise['summary']}"])
        return Result(Verdict.PROVED, "implied termwise: " + termwise["summary"], evidence)

    # 2. branch and bound: first a short attempt normalised by the hypothesis bounds (it can
    #    only prove), then the problem as stated (it proves, refutes and maps the region)
    budget = profile.bnb_max_boxes
    vacuous_text = show(problem.vacuous) if problem.vacuous is not None else None
    closed, used = False, []
    pre = Search(problem, [v.name for v in problem.variables if not v.fixed], ctx.seed)
    point = pre.run(None, PRE_SEARCH_POINTS)  # corners and edges of the domain, as printed
    p2, _ = _exact_stage(spec, ctx.fixed)
    names2, notes2 = _reduce(p2, normalise=True)
    if p2.bounds and point is None:
        o2 = Solver(p2, names2, prec=BNB_PREC).run(max(1, budget // 10),
                                                     lambda f: ctx.progress(0.05 + 0.2 * f))
        stages.append(f"arb branch-and-bound normalised by hypothesis bounds over "
                      f"{', '.join(names2)}: {o2.stats.boxes} boxes at {o2.prec} bits")
        region2 = region_map(o2, {v.name: v for v in p2.variables}, vacuous_text)
        region2["note"] = "in normalised coordinates (a relaxation: it can prove, not refute)"
        evidence["normalised"] = {**notes2, "boxes": o2.stats.boxes, "region": region2}
        if not o2.open and not o2.refuted:
            closed, outcome, region, problem = True, o2, region2, p2
            used.append((p2, o2, Search(p2, names2, ctx.seed)))
    if not closed:
        names, notes = _reduce(problem, normalise=False)
        evidence.update(notes)
        outcome, search, found = _bnb(problem, names, budget if point is None else budget // 4,
                                      ctx, 0.25, 0.85)
        point = point or found
        st = outcome.stats
        stages.append(f"arb branch-and-bound over {', '.join(names) or 'no free variables'}: "
                      f"{st.boxes} boxes at {outcome.prec} bits (budget {budget} boxes)")
        region = region_map(outcome, {v.name: v for v in problem.variables}, vacuous_text)
        if problem.scalings:
            region["note"] = ("in scaled coordinates (a relaxation: certainly-false boxes there "
                              "need not hold a counterexample of the printed statement)")
        evidence["bnb"] = {"boxes": st.boxes, "budget": budget, "exhausted": outcome.exhausted,
                           "prec_bits": outcome.prec,
                           "max_depth": st.max_depth, "refinements": st.refinements,
                           "contractions": st.contractions}
        closed = not outcome.open and not outcome.refuted
        used.append((problem, outcome, search))
    evidence["region"] = region
    ctx.progress(0.85)

    # 3. search (a short cross-check even when branch and bound closed every box)
    budget_pts = min(CROSS_CHECK_POINTS, profile.search_points) if closed else profile.search_points
    tried, certified = pre.tried, pre.passed_filter
    for prob, out, srch in used:
        if point is None:
            point = srch.run(out, budget_pts)
        tried += srch.tried
        certified += srch.passed_filter
        if point is not None:
            break
    stages.append(f"counterexample search over {tried} points "
                  f"({certified} certified exactly), seed {ctx.seed}")
    evidence["search"] = {"points": tried, "certified_checks": certified, "seed": ctx.seed}
    evidence["method"] = _method(stages)
    ctx.progress(1.0)

    if point is not None:
        payload = _payload(problem, point)
        where = ", ".join(f"{k}={v}" for k, v in payload["point"].items())
        if closed:
            return Result(Verdict.ERROR, "engine inconsistency: branch and bound closed every box "
                          f"but {where} is a certified counterexample", evidence, payload)
        return Result(Verdict.REFUTED, f"counterexample {where}; {region['summary']}",
                      evidence, payload)
    if closed:
        n = outcome.stats.boxes
        if outcome.proved:
            extra = ""
            if outcome.vacuous:
                extra = f"; vacuous on {100 * region['vacuous']['measure']:.3g}%"
            return Result(Verdict.PROVED, f"proved on the whole domain ({n} boxes){extra}", evidence)
        if outcome.vacuous:
            return Result(Verdict.VACUOUS, "the vacuity condition holds on the whole hypothesis "
                          "region", evidence)
        return Result(Verdict.VACUOUS, "the hypothesis region is empty (proved by branch and bound)",
                      evidence)
    open_desc = region["open"].get("hull", "")
    why = "open boxes remain" if outcome.open else "certainly-false boxes could not be certified"
    if outcome.refuted and problem.scalings:
        why += " (the map is in scaled coordinates, a relaxation)"
    if outcome.exhausted:
        why += (f" (box budget of {profile.bnb_max_boxes} spent; --profile thorough splits "
                "further)")
    return Result(Verdict.UNDECIDED, f"{why} ({open_desc or region['refuted'].get('hull', '')}); "
                  f"{region['summary']}", evidence)


def replay(spec, payload: dict, ctx) -> Result:
    """Re-verify a saved counterexample exactly. If it no longer is one, the verdict is the
    step's at that point (it holds there, the point is outside the hypotheses, or undecided),
    never a fresh search's: replay answers for the saved point only."""
    point_s = (payload or {}).get("point")
    if not isinstance(point_s, dict):
        return Result(Verdict.ERROR, "counterexample payload has no 'point'", {"payload": payload})
    names = {p.name for p in spec.variables}
    if set(point_s) != names:
        return Result(Verdict.ERROR, f"point names {sorted(point_s)} do not match the spec's "
                      f"variables {sorted(names)}", {"payload": payload})
    try:
        point = {k: safe_expr.value(v) for k, v in point_s.items()}
    except ValueError as exc:
        return Result(Verdict.ERROR, f"point is not exact rationals: {exc}", {"payload": payload})
    if not all(v.is_Rational for v in point.values()):
        return Result(Verdict.ERROR, "point is not exact rationals", {"payload": payload})
    problem = _prepare(spec, {})
    search = Search(problem, [], ctx.seed)
    ok, why = search.certify(point)
    where = ", ".join(f"{k}={v}" for k, v in point_s.items())
    evidence = {"method": "exact re-verification at the saved point", "point": point_s,
                "goal_value": goal_values(problem, point)}
    if ok:
        return Result(Verdict.REFUTED, f"counterexample {where} re-verified exactly", evidence,
                      _payload(problem, point))
    verdict = _verdict_at(problem, point)
    evidence["no_longer_counterexample"] = why
    return Result(verdict, f"saved point {where} is no longer a counterexample ({why}); "
                  f"at that point: {verdict.value}", evidence)


def _verdict_at(problem: Problem, point: dict) -> Verdict:
    """The step's verdict at one exact point: VACUOUS outside its domain, hypotheses or in its
    vacuous region, NO_COUNTEREXAMPLE where the goal holds, else UNDECIDED."""
    from .exact import formula_at

    if not all(v.contains(fmpq(int(point[v.name].p), int(point[v.name].q))) for v in problem.original):
        return Verdict.VACUOUS
    hyp = formula_at(problem.hyp, point)
    if hyp is not True:
        return Verdict.VACUOUS if hyp is False else Verdict.UNDECIDED
    if problem.vacuous is not None:
        vac = formula_at(problem.vacuous, point)
        if vac is not False:
            return Verdict.VACUOUS if vac is True else Verdict.UNDECIDED
    return Verdict.NO_COUNTEREXAMPLE if formula_at(problem.goal, point) is True else Verdict.UNDECIDED

"""One-line claim summaries (dpoverify.summary) on hand-built check.json entries."""
from dpoverify.summary import annotate, claim_summary, domains


def ob(oid, verdict, variables=(), **extra):
    return {"id": oid, "kind": "symbolic", "title": extra.pop("title", oid), "verdict": verdict,
            "summary": "", "evidence": {"variables": list(variables)}, **extra}


def claim(cid, obligations, depends_on=(), verdict=None):
    order = ("REFUTED", "ERROR", "UNDECIDED", "NO COUNTEREXAMPLE", "VACUOUS", "PROVED")
    v = verdict or min((o["verdict"] for o in obligations), key=order.index)
    return {"id": cid, "verdict": v, "depends_on": list(depends_on), "obligations": obligations}


B4 = claim("theorem-b.4", [ob("step-45-46-as-printed", "REFUTED"),
                           ob("step-45-46-corrected", "PROVED", role="correction")])
VACUITY_VARS = ("K in integers [1, oo)", "Q in integers [40, 143468]", "c in (0, oo)")
GAP_VARS = ("K in integers [1, oo)", "Q in integers [40, 424]", "l_b in [1/4, 1/2]", "Z in integers [4, 4]",
            "c in (0, 1/100000]")


def theorem_43(vacuity_verdict="PROVED", q_hi="143468", region=None):
    vac = ob("vacuous-below", vacuity_verdict, (VACUITY_VARS[0], f"Q in integers [40, {q_hi}]", VACUITY_VARS[2]),
             role="vacuity", region_of=["Q"])
    if region is not None:
        vac["evidence"]["region"] = region
    return claim("theorem-4.3", [
        ob("hypotheses", "PROVED"), ob("risk-bound", "PROVED"), vac,
        ob("failure-probability-gap", "PROVED", GAP_VARS, role="gap", region_of=["Q", "Z", "c"]),
        ob("simulated-risk", "VACUOUS")], depends_on=("theorem-b.4",), verdict="PROVED")


def test_domains_are_parsed_from_the_evidence():
    d = domains(ob("x", "PROVED", GAP_VARS))
    assert d["Q"]["hi"] == 424 and d["Q"]["integer"] and d["c"]["lo_closed"] is False
    assert str(d["c"]["hi"]) == "1/100000" and d["K"]["hi"] is None


def test_vacuous_region_names_the_computed_threshold_and_the_corrected_dependency():
    s = claim_summary(theorem_43(), {"theorem-b.4": B4})
    assert s == ("VACUOUS for Q < 143,469 (every K, c); holds above; main text does not follow from the appendix "
                 "for Q < 425, Z = 4, c <= 1/100000 (and is vacuous there); given theorem-b.4 as corrected")
    # the numbers come from the evidence: another domain, another line
    assert claim_summary(theorem_43(q_hi="999")).startswith("VACUOUS for Q < 1,000 (every K, c)")
    # a gap obligation not (yet) proved says nothing
    c = theorem_43()
    c["obligations"][3]["verdict"] = "UNDECIDED"
    assert "does not follow" not in claim_summary(c) and "1 undecided (failure-probability-gap)" in claim_summary(c)


def test_vacuity_not_yet_proved_says_how_much_is():
    region = {"proved": {"measure": 0.999881}}
    s = claim_summary(theorem_43("UNDECIDED", region=region))
    assert s.startswith("VACUOUS for Q < 143,469 (every K, c) on 99.99% of it, the rest undecided")


def test_refuted_claim_names_what_fails_and_its_correction():
    b3 = claim("theorem-b.3", [
        ob("step-22-25", "PROVED"),
        ob("statement-band-nonempty", "REFUTED", refuted_means="stated r^U lies below r^L"),
        ob("statement-ru-covers-proof", "REFUTED"),
        ob("corrected-statement-band", "PROVED", title="correction: r^U of eq. 33")])
    assert claim_summary(b3) == ("REFUTED: stated r^U lies below r^L (statement-band-nonempty; 1 more refuted); "
                                 "corrected version holds")
    plain = claim("c", [ob("step", "REFUTED", title="(45) gives (46)")])
    assert claim_summary(plain) == "REFUTED: fails: (45) gives (46) (step)"


def test_depends_on_refuted_without_correction():
    lemma = claim("lemma-x", [ob("step", "REFUTED")])
    user = claim("theorem-y", [ob("a", "PROVED")], depends_on=("lemma-x", "lemma-z"))
    s = claim_summary(user, {"lemma-x": lemma})
    assert s == ("HOLDS: 1 proved of 1 obligation; depends on lemma-x, which is REFUTED (step); "
                 "rests on lemma-z (not checked in this run)")


def test_all_proved_and_annotate_sets_every_summary():
    a = claim("a", [ob("s1", "PROVED"), ob("s2", "PROVED"), ob("sim", "NO COUNTEREXAMPLE")])
    b = claim("b", [ob("s1", "UNDECIDED")], depends_on=("a",))
    annotate([a, b])
    assert a["summary"] == "HOLDS: 2 proved, 1 without counterexample of 3 obligations"
    c = claim("c", [ob("sim", "NO COUNTEREXAMPLE")])
    assert claim_summary(c) == "HOLDS: 1 without counterexample of 1 obligation"
    assert b["summary"] == "UNDECIDED: 1 of 1 obligation open (s1)"


def test_an_empirical_refutation_names_the_model_it_was_measured_on():
    ob = {"id": "l_b", "kind": "empirical", "title": "l_b in [1/4, 1/2]", "verdict": "REFUTED",
          "summary": "assumption fails: l_b = 2.66 [(a) hypothesis check on all-MiniLM-L6-v2, mean read-out]",
          "evidence": {"kind": "hypothesis-check", "model": "all-MiniLM-L6-v2"}}
    c = {"id": "section-5.geometry", "verdict": "REFUTED", "depends_on": [], "obligations": [ob]}
    assert claim_summary(c, {c["id"]: c}) == \
        "REFUTED: fails: l_b in [1/4, 1/2] — hypothesis check on all-MiniLM-L6-v2 (l_b)"
    free = dict(ob, summary="Z = 28 [(d) model-free]", evidence={"kind": "model-free", "model": "all-MiniLM-L6-v2"})
    c = dict(c, obligations=[free])
    assert claim_summary(c, {c["id"]: c}).startswith("REFUTED: fails: l_b in [1/4, 1/2] — model-free")

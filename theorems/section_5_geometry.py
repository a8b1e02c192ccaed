"""Section 5 / Figure 3 / Appendix E Figure 6 (arXiv 2408.03459v5): real embeddings have the
geometry of Section 3 -- a shared component b plus concept directions c_i that are orthogonal.

The theorems need more than the figure shows. In units where |c_i| = 1 they need
1/4 <= l_b <= 1/2, d <= 5Q, v <= 1/(32 sqrt Q) (Theorems 4.2/4.3; 1/(4 sqrt Q) for C.5/C.6),
Z <= 1/(4 l_b^2), and c_i orthogonal (4.2/4.3) or δ-approximately orthogonal with
δ <= min(ε v/8, 1/4), ε <= 1/(16 v (Z+2)), i.e. δ <= 1/(128 (Z+2)) (C.5/C.6). Each obligation
judges one of them on the statistics of ``dpoverify audit`` (gpu_checks).
"""
import sympy as sp

from dpoverify.claims import Claim, Kind, Obligation, Source, Statement
from dpoverify.specs import EmpiricalAudit
from gpu_checks.judging import NO_CI, NOT_STORED, Interval, compare, exact, get, interval
from theorems import _notation as nt

S = nt.SYM
R = sp.Rational
L_B_LO, L_B_HI = R(1, 4), R(1, 2)
V_MAX_42 = 1 / (32 * sp.sqrt(S["Q"]))  # Theorems 4.2 / 4.3
V_MAX_C5 = 1 / (4 * sp.sqrt(S["Q"]))  # Theorems C.5 / C.6
D_MAX = 5 * S["Q"]
Z_MAX = 1 / (4 * S["l_b"] ** 2)
Z_MAX_ANY = Z_MAX.subs(S["l_b"], L_B_LO)  # = 4: the largest Z any admissible l_b allows
DELTA_MAX = sp.Min(1 / (128 * (S["Z"] + 2)), R(1, 4))  # δ <= min(ε v/8, 1/4) at the largest ε allowed
# In the fitted model a statement of persona i and one of persona j != i have cosine about
# l_b^2 / (1 + l_b^2 + d v^2); over the theorems' hypotheses (l_b in [1/4, 1/2], d v^2 <= 5/1024):
COS_CROSS_LO = (L_B_LO**2) / (1 + L_B_LO**2 + R(5, 1024))
COS_CROSS_HI = L_B_HI**2 / (1 + L_B_HI**2)


def judge_cross_cosine(doc):
    f = get(doc, "geometry.figure3a")
    m = get(doc, "geometry.figure3a.offdiag_mean")
    c = compare(m, COS_CROSS_LO, COS_CROSS_HI, interval(f, "offdiag_mean"))
    return (c.verdict,
            f"mean cross-persona cosine {m:.3f} (Figure 3a: 'high'); the theorems' geometry allows "
            f"[{float(COS_CROSS_LO):.4f}, {float(COS_CROSS_HI):.2f}] -> {c.text}",
            {**c.evidence(), "paper": "Figure 3a: average similarity is high"})


def judge_l_b(doc):
    tu = get(doc, "geometry.theory_units")
    c = compare(tu["l_b"], L_B_LO, L_B_HI, interval(tu, "l_b"))
    return (c.verdict,
            f"fitted l_b = |b|/|c_i| = {tu['l_b']:.3g}, required 1/4 <= l_b <= 1/2 -> {c.text}; "
            f"persona midpoints scatter by {tu['persona_offset_mean']:.3g} around b (the theory: 0)",
            {**c.evidence(), "persona_offset_mean": tu["persona_offset_mean"]})


def delta_tolerance(doc):
    """δ <= min(1/(128 (Z+2)), 1/4) at the measured Z: the 'nearly orthogonal' tolerance of
    Theorems C.5/C.6 that Figure 3b and the concept directions are judged against (exact)."""
    return DELTA_MAX.subs(S["Z"], exact(get(doc, "geometry.token_sharing.Z")))


def figure3_thresholds(doc) -> dict:
    """What the Figure 3 verdicts compare with, as floats for gpu_checks.plots.figure3: the range
    of cross-persona cosine the theorems' geometry allows (shared-component-size), the δ
    tolerance (figure-3b, concept-orthogonality) and the shuffled-label floor of max |cos(c_i, c_j)|."""
    nf = get(doc, "geometry.concept_directions.noise_floor")
    return {"cross_cosine": (float(COS_CROSS_LO), float(COS_CROSS_HI)), "delta": float(delta_tolerance(doc)),
            "floor_max_abs_cos": (nf["max_abs_cos_mean"], nf["max_abs_cos_p95"])}


def judge_fig3b(doc):
    f = get(doc, "geometry.figure3b")
    bound = delta_tolerance(doc)
    c = compare(f["offdiag_max_abs"], hi=bound, ci=interval(f, "offdiag_max_abs"))
    return (c.verdict,
            f"after subtracting the mean: max |off-diagonal| {f['offdiag_max_abs']:.3g} against the "
            f"'nearly orthogonal' tolerance of Theorems C.5/C.6, δ <= {float(bound):.2g} -> {c.text}. "
            f"Within-persona similarity (diagonal) {f['diag_mean']:.3g}; the off-diagonal mean "
            f"{f['offdiag_mean']:.3g} is forced by construction (≈ -diag/(P-1) = {f['forced_offdiag_mean']:.3g}) "
            f"and carries no information",
            {**c.evidence(), "diag_mean": f["diag_mean"], "offdiag_mean": f["offdiag_mean"],
             "forced_offdiag_mean": f["forced_offdiag_mean"]})


def judge_concept_orthogonality(doc):
    cd = get(doc, "geometry.concept_directions")
    Z = get(doc, "geometry.token_sharing.Z")
    bound = delta_tolerance(doc)
    ci = interval(cd, "max_abs_cos")
    point = compare(cd["max_abs_cos"], hi=bound, ci=ci)
    if isinstance(ci, Interval):
        verdict, text = point.verdict, point.text
        sure = None
    else:  # an older results file: its allowance for sampling error stands in for the interval
        sure = compare(cd["delta_lower_confident"], hi=bound)
        if point.holds:
            verdict, text = "NO_COUNTEREXAMPLE", point.text
        elif not sure.holds:
            verdict, text = "REFUTED", f"{point.text}; beyond sampling error: fails by {sure.factor:.3g}"
        else:
            verdict, text = "UNDECIDED", f"exceeds the tolerance, but within the sampling error of the c_i ({point.text})"
    nf = cd["noise_floor"]
    frame = cd.get("delta_frame")
    frame_txt = "" if frame is None else (
        f"; Definition C.1 frame gives δ <= {frame:.3g}" + (" (no δ < 1/2 fits)" if frame >= 0.5 else ""))
    return (verdict,
            f"concept directions c_i: max |cos(c_i, c_j)| = {cd['max_abs_cos']:.3g} (so δ >= it, Lemma C.2) "
            f"against δ <= min(εv/8, 1/4) <= {float(bound):.2g} (Z = {Z}) -> {text}{frame_txt}; "
            f"shuffled-label floor {nf['max_abs_cos_mean']:.3g} (95%: {nf['max_abs_cos_p95']:.3g})",
            {**point.evidence(), "confident": None if sure is None else sure.evidence(),
             "delta_lower_confident": cd["delta_lower_confident"], "mean_abs_cos": cd["mean_abs_cos"],
             "delta_frame": frame, "noise_floor": nf})


def judge_concept_signal(doc):
    cd = get(doc, "geometry.concept_directions")
    norms = list(cd["norms"].values())
    mean = sum(norms) / len(norms)
    floor = cd["noise_floor"]["norm_p95"]
    c = compare(mean, lo=floor)
    return (c.verdict,
            f"mean |c_i| = {mean:.3g} against the 95th percentile {floor:.3g} of |c_i| under shuffled "
            f"Yes/No labels -> {c.text} (a c_i at the floor is sampling error, not a concept)",
            {**c.evidence(), "noise_floor": cd["noise_floor"]})


def judge_sign_structure(doc):
    w = get(doc, "geometry.within_persona.centered")
    tu = get(doc, "geometry.theory_units")
    predicted = -1 / (1 + tu["dv2"])
    c = compare(w["mean_cos_opposite_cluster"], hi=0, ci=interval(w, "mean_cos_opposite_cluster"))
    if c.status != "fails":
        text = c.text
    elif c.ci is NOT_STORED:
        text = f"fails (wrong sign; point estimate; {NO_CI})"
    else:
        text = f"fails (wrong sign: the whole {c.ci.text} lies above 0)"
    return (c.verdict,
            f"after removing the mean, aligned vs misaligned statements of a persona have cosine "
            f"{w['mean_cos_opposite_cluster']:.3g} (same cluster {w['mean_cos_same_cluster']:.3g}); "
            f"N(b ± c_i, v²I) gives ≈ {predicted:.3g} < 0 -> {text}",
            {**c.evidence(), **w, "predicted": predicted})


def _v_judge(bound_expr, theorems: str):
    def judge(doc):
        tu = get(doc, "geometry.theory_units")
        bound = bound_expr.subs(S["Q"], exact(tu["Q"]))
        c = compare(tu["v"], hi=bound, ci=interval(tu, "v"))
        return (c.verdict,
                f"per-dimension spread v = {tu['v']:.3g} (|c_i| = 1 units, d = {tu['d']}) against "
                f"v <= {sp.sstr(bound_expr)} = {float(bound):.3g} at Q = {tu['Q']} ({theorems}) -> {c.text}",
                {**c.evidence(), "Q": tu["Q"], "d": tu["d"], "dv2": tu["dv2"]})
    return judge


def judge_dimension(doc):
    tu = get(doc, "geometry.theory_units")
    c = compare(tu["d"], hi=D_MAX.subs(S["Q"], exact(tu["Q"])))
    return (c.verdict, f"d = {tu['d']} against d <= 5Q = {5 * tu['Q']} -> {c.text}", c.evidence())


def judge_token_sharing(doc):
    z = get(doc, "geometry.token_sharing")
    l_b = get(doc, "geometry.theory_units.l_b")
    bound = Z_MAX.subs(S["l_b"], exact(l_b))
    c = compare(z["Z"], hi=bound)
    return (c.verdict,
            f"Z = {z['Z']} (every value answers with ' Yes'/' No': {z['distinct_response_sets']} distinct "
            f"response set(s) for {z['values']} values, where Section 3 wants no two alike) against "
            f"Z <= 1/(4 l_b²) = {float(bound):.3g} at the fitted l_b (<= 4 at best) -> {c.text}",
            {**c.evidence(), **z})


def judge_token_format(doc):
    """Model-free: Z is a property of the answer format (every value answers " Yes"/" No"), and
    1/(4 l_b²) <= 4 over the theorems' whole range l_b >= 1/4, so Z > 4 fails whatever the model."""
    z = get(doc, "geometry.token_sharing")
    c = compare(z["Z"], hi=Z_MAX_ANY)
    return (c.verdict,
            f"Z = {z['Z']}: {z['values']} values share {z['distinct_response_sets']} response set(s) "
            f"(' Yes'/' No') against Z <= 1/(4 l_b²) <= 4 for every l_b >= 1/4 the theorems admit -> "
            f"{c.text}; the count comes from the answer format alone, not from any model",
            {**c.evidence(), **z, "bound_any_l_b": 4})


def _ob(oid, title, cites, statistic, judge, note="", kind="hypothesis-check"):
    return Obligation(oid, Kind.EMPIRICAL, title, cites, EmpiricalAudit(statistic, judge, kind), note)


CLAIM = Claim(
    id="section-5.geometry",
    title="real embeddings: a shared component plus orthogonal value directions",
    source=Source("Section 5 (Figure 3), Appendix E (Figure 6), Section 3"),
    statement=("Embeddings of persona statements consist of a shared component (high cross-persona "
               "cosine, Figure 3a) and, after removing it, nearly orthogonal components (off-diagonal "
               "cosine close to 0, Figure 3b): the data assumption of Section 3 matches real models."),
    params=(nt.l_b, nt.v, nt.d, nt.Q, nt.Z, nt.delta),
    hypotheses=(Statement("model", None, "Section 3: C_{i,±} ~ N(l_b e_1 ± c_i, v² I_d), |c_i| = 1, "
                          "c_i ⟂ c_j, c_i ⟂ e_1"),),
    conclusions=(Statement("fig3", None, "Figure 3: high similarity before, near-zero off-diagonal "
                           "similarity after subtracting the shared component"),),
    depends_on=("theorem-4.2", "theorem-4.3", "definition-c.1", "theorem-c.5", "theorem-c.6"),
    obligations=(
        _ob("shared-component-size", "mean cross-persona cosine (Figure 3a) within the range the "
            "theorems' geometry allows", "Figure 3a; Section 3; Theorem 4.2 (l_b)",
            "geometry.figure3a.offdiag_mean", judge_cross_cosine),
        _ob("l_b", "fitted shared-component norm 1/4 <= l_b <= 1/2 in units |c_i| = 1",
            "Theorems 4.2, 4.3, C.5, C.6", "geometry.theory_units.l_b", judge_l_b),
        _ob("figure-3b", "off-diagonal similarity after subtracting the mean (as Figure 3b measures it)",
            "Figure 3b; Appendix E Figure 6b", "geometry.figure3b.offdiag_max_abs", judge_fig3b,
            "Figure 3b looks at persona means, which are b in the theory for every persona; the "
            "theorems need the concept directions c_i orthogonal (next obligation). A re-run of the "
            "paper's Llama-3.1-8B measurement on the audited model: it can reproduce it or not, "
            "never refute it.", kind="re-run"),
        _ob("concept-orthogonality", "concept directions c_i = (μ_{i,+} − μ_{i,−})/2 δ-approximately "
            "orthogonal with δ <= min(εv/8, 1/4)", "Definition C.1, Lemma C.2, Theorems C.5/C.6",
            "geometry.concept_directions.delta_lower", judge_concept_orthogonality),
        _ob("concept-signal", "concept directions stand above the shuffled-label noise floor",
            "Section 3 (c_i a unit vector per value)", "geometry.concept_directions.norms",
            judge_concept_signal),
        _ob("cluster-signs", "aligned and misaligned clusters of a value lie on opposite sides (± c_i)",
            "Section 3", "geometry.within_persona.centered", judge_sign_structure),
        _ob("spread-v-4.2", "per-dimension spread v <= 1/(32 √Q)", "Theorems 4.2, 4.3",
            "geometry.theory_units.v", _v_judge(V_MAX_42, "Theorems 4.2/4.3")),
        _ob("spread-v-c.5", "per-dimension spread v <= 1/(4 √Q)", "Theorems C.5, C.6",
            "geometry.theory_units.v", _v_judge(V_MAX_C5, "Theorems C.5/C.6")),
        _ob("dimension", "embedding dimension d <= 5Q", "Theorems 4.2, 4.3, C.5, C.6",
            "geometry.theory_units.d", judge_dimension),
        _ob("token-sharing", "token sharing Z <= 1/(4 l_b²) at the fitted l_b",
            "Theorems 4.2, 4.3, C.5, C.6; Section 3 (Z)", "geometry.token_sharing.Z", judge_token_sharing),
        _ob("token-sharing-format", "token sharing of the Yes/No answer format: Z <= 4, the most any l_b >= 1/4 allows",
            "Theorems 4.2, 4.3, C.5, C.6; Section 3 (Z)", "geometry.token_sharing.Z", judge_token_format,
            kind="model-free"),
    ),
    notes=("Q is the smallest number of training statements per cluster (90% split); the fitted "
           "model scales embeddings so the mean |c_i| is 1, takes b as the mean of the persona "
           "midpoints and v² as the mean per-dimension variance of the clusters."),
)

"""The assumption audits of Section 3 / Section 5 / Appendix E on real embeddings g(x).

The theory's clusters are C_{i,±} ~ N(b ± c_i, v² I_d) with |c_i| = 1, c_i pairwise orthogonal and
orthogonal to b = l_b e_1 (Definition C.1 relaxes orthogonality to δ). Here each persona i gives
its aligned embeddings X_{i,+} and misaligned X_{i,-}; every statistic below is computed from them
(float64). All functions are pure; ``audit`` assembles the ``geometry`` block of ``dpoverify.audit/1``.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

Groups = dict[str, tuple[np.ndarray, np.ndarray]]  # persona -> (X_plus [n+, d], X_minus [n-, d])


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-30)


def mean_cosine_matrix(sets: list[np.ndarray]) -> np.ndarray:
    """M[a, b] = mean over x in A, y in B of cos(x, y); the diagonal leaves out x = y (Figure 3)."""
    sums = [_unit(x).sum(axis=0) for x in sets]
    n = np.array([len(x) for x in sets], dtype=float)
    S = np.array(sums)
    M = (S @ S.T) / np.outer(n, n)
    for a, na in enumerate(n):
        M[a, a] = (S[a] @ S[a] - na) / (na * (na - 1)) if na > 1 else np.nan
    return M


def _offdiag(M: np.ndarray) -> np.ndarray:
    return M[~np.eye(len(M), dtype=bool)]


def figure3(groups: Groups) -> tuple[dict, dict]:
    """Figure 3a (raw) and 3b (global mean subtracted) persona-similarity matrices."""
    sets = [np.concatenate(groups[p]) for p in groups]
    mean = np.concatenate(sets).mean(axis=0)
    out = []
    for centered in (False, True):
        M = mean_cosine_matrix([s - mean for s in sets] if centered else sets)
        off = _offdiag(M)
        block = {"matrix": M, "offdiag_mean": off.mean(), "offdiag_min": off.min(),
                 "offdiag_max": off.max(), "diag_mean": np.nanmean(np.diag(M))}
        if centered:
            block["offdiag_max_abs"] = np.abs(off).max()
            block["forced_offdiag_mean"] = -block["diag_mean"] / (len(M) - 1)
        out.append(block)
    return out[0], out[1]


def within_persona(groups: Groups, center: np.ndarray | None = None) -> dict:
    """Mean cosine between statements of the same cluster and of opposite clusters of a persona."""
    same, opposite = [], []
    for xp, xm in groups.values():
        if center is not None:
            xp, xm = xp - center, xm - center
        M = mean_cosine_matrix([xp, xm])
        same.append((M[0, 0] + M[1, 1]) / 2)
        opposite.append(M[0, 1])
    return {"mean_cos_same_cluster": float(np.nanmean(same)),
            "mean_cos_opposite_cluster": float(np.mean(opposite))}


def concept_directions(groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    """c_i = (mean X_{i,+} - mean X_{i,-}) / 2 and the persona midpoints m_i = (mean+ + mean-) / 2."""
    C = np.array([(xp.mean(0) - xm.mean(0)) / 2 for xp, xm in groups.values()])
    Mid = np.array([(xp.mean(0) + xm.mean(0)) / 2 for xp, xm in groups.values()])
    return C, Mid


def _pairwise_abs_cos(C: np.ndarray) -> np.ndarray:
    U = _unit(C)
    return np.abs(_offdiag(U @ U.T)) if len(C) > 1 else np.zeros(1)


def delta_frame(C: np.ndarray, b: np.ndarray) -> float:
    """An upper bound on the least δ of Definition C.1: |<ĉ_i, e_i>| >= 1 - δ²/8 for the orthonormal
    frame e_i closest to the ĉ_i (Löwdin) inside the complement of b̂, so δ = sqrt(8 (1 - min_i ĉ_i·e_i))."""
    U = _unit(C)
    bh = b / np.linalg.norm(b)
    P = U - np.outer(U @ bh, bh)
    left, _, right = np.linalg.svd(P.T, full_matrices=False)
    E = (left @ right).T  # rows e_i: orthonormal, orthogonal to b̂, closest to the projected ĉ_i
    align = np.abs(np.sum(U * E, axis=1)).min()
    return float(np.sqrt(8 * max(0.0, 1 - align)))


def delta_lower_confident(groups: Groups, C: np.ndarray) -> float:
    """A lower bound on max |cos(c_i, c_j)| that sampling error cannot explain: the estimate ĉ_i
    differs from c_i by a vector of RMS norm s_i = sqrt(tr Cov_+ / n_+ + tr Cov_- / n_-) / 2; taking
    |ĉ_i - c_i| <= 2 s_i, the angle between ĉ_i and c_i is at most arcsin(2 s_i / |ĉ_i|), and the
    cosine, 1-Lipschitz in the angle, moves by at most the sum of the two angles."""
    se = np.array([0.5 * np.sqrt(np.var(xp, axis=0, ddof=1).sum() / len(xp) + np.var(xm, axis=0, ddof=1).sum() / len(xm))
                   for xp, xm in groups.values()])
    ang = np.arcsin(np.minimum(1.0, 2 * se / np.linalg.norm(C, axis=1)))
    U = _unit(C)
    cos = np.abs(U @ U.T)
    slack = ang[:, None] + ang[None, :]
    off = ~np.eye(len(C), dtype=bool)
    return float(np.max(np.maximum(0.0, cos - slack)[off])) if len(C) > 1 else 0.0


def noise_floor(groups: Groups, shuffles: int, seed: int) -> dict:
    """|c_i| and cross-persona |cos(c_i, c_j)| when Yes/No labels are shuffled within each persona."""
    rng = np.random.default_rng([seed, 1])  # a stream of its own, not the data's
    norms, maxcos, meancos = [], [], []
    for _ in range(shuffles):
        C = []
        for xp, xm in groups.values():
            pool = np.concatenate([xp, xm])
            perm = rng.permutation(len(pool))
            C.append((pool[perm[:len(xp)]].mean(0) - pool[perm[len(xp):]].mean(0)) / 2)
        C = np.array(C)
        norms.append(np.linalg.norm(C, axis=1).mean())
        pc = _pairwise_abs_cos(C)
        maxcos.append(pc.max())
        meancos.append(pc.mean())
    return {"norm_mean": np.mean(norms), "norm_p95": np.percentile(norms, 95),
            "max_abs_cos_mean": np.mean(maxcos), "max_abs_cos_p95": np.percentile(maxcos, 95),
            "mean_abs_cos_mean": np.mean(meancos), "shuffles": shuffles, "seed": seed}


def spread(groups: Groups, alpha: float = 0.01) -> dict:
    """Appendix E: per persona, aligned embeddings scaled to unit norm on average; the Frobenius
    norm of their covariance and their mean squared distance from their mean, averaged over personas
    (paper, Llama-3.1-8B: 0.058 and 0.227). Also the participation ratio trace²/||Cov||_F² beside its
    expectation (d m + 2)/(m + d + 1) for an isotropic Gaussian sample (m = n - 1 degrees of freedom),
    and John's sphericity test in its high-dimensional form (Ledoit & Wolf 2002: under Cov = v² I_d,
    m (d/PR - 1) - d is asymptotically N(1, 4)), Holm-corrected over personas."""
    per, pr, pr_iso, pvals = {}, [], [], []
    for name, (xp, _) in groups.items():
        y = xp / np.linalg.norm(xp, axis=1).mean()
        yc = y - y.mean(0)
        n, d = yc.shape
        m = n - 1
        gram = yc @ yc.T  # ||Cov||_F = ||Yc^T Yc||_F / m = ||Yc Yc^T||_F / m
        frob = np.linalg.norm(gram) / m
        per[name] = [frob, np.trace(gram) / n]
        ratio = (np.trace(gram) / m) ** 2 / frob ** 2
        pr.append(ratio)
        pr_iso.append((d * m + 2) / (m + d + 1))
        z = (m * (d / ratio - 1) - d - 1) / 2
        pvals.append(stats.norm.sf(z))
    vals = np.array(list(per.values()))
    p = np.array(pvals)
    return {"mean_cov_frobenius": vals[:, 0].mean(), "mean_sq_dist": vals[:, 1].mean(),
            "per_persona": per, "participation_ratio_mean": float(np.mean(pr)),
            "participation_ratio_isotropic": float(np.mean(pr_iso)),
            "dim": int(next(iter(groups.values()))[0].shape[1]),
            "sphericity": {"test": "John's test, high-dimensional (Ledoit-Wolf 2002), Holm-corrected",
                           "alpha": alpha, "n_tests": len(p), "rejected_holm": holm(p, alpha),
                           "min_p": p.min(), "median_p": np.median(p)}}


def holm(pvalues: np.ndarray, alpha: float) -> int:
    """Number of hypotheses Holm's step-down procedure rejects at family-wise level alpha."""
    p = np.sort(pvalues)
    m = len(p)
    for i, pi in enumerate(p):
        if pi > alpha / (m - i):
            return i
    return m


def normality(groups: Groups, seed: int, n_pc: int = 3, n_random: int = 3, alpha: float = 0.01) -> dict:
    """Shapiro-Wilk on projections of each aligned cluster onto its top principal axes and on seeded
    random directions; Holm-corrected over all tests (a Gaussian cluster has Gaussian projections)."""
    rng = np.random.default_rng([seed, 2])  # a stream of its own, not the data's
    pvals = []
    for xp, _ in groups.values():
        xc = xp - xp.mean(0)
        _, _, vt = np.linalg.svd(xc, full_matrices=False)
        rand = _unit(rng.standard_normal((n_random, xc.shape[1])))
        for direction in list(vt[:n_pc]) + list(rand):
            proj = xc @ direction
            if len(proj) >= 3 and np.ptp(proj) > 0:
                pvals.append(stats.shapiro(proj).pvalue)
    p = np.array(pvals)
    return {"test": "scipy.stats.shapiro (Shapiro-Wilk), Holm-corrected", "alpha": alpha,
            "directions": f"top {n_pc} principal axes + {n_random} random per aligned cluster",
            "n_tests": len(p), "rejected_holm": holm(p, alpha), "min_p": p.min(),
            "median_p": np.median(p), "fraction_rejected_raw": float(np.mean(p < alpha))}


def theory_units(groups: Groups, C: np.ndarray, Mid: np.ndarray, q: int) -> dict:
    """Fit N(b ± c_i, v² I_d): scale so the mean |c_i| is 1; b = mean of the persona midpoints;
    v² = mean over clusters of trace(Cov)/d."""
    scale = np.linalg.norm(C, axis=1).mean()
    b = Mid.mean(0)
    d = C.shape[1]
    var = np.mean([np.var(x, axis=0, ddof=1).sum() / d for pair in groups.values() for x in pair])
    v = np.sqrt(var) / scale
    norms = np.linalg.norm(C, axis=1) / scale
    return {"scale": scale, "l_b": np.linalg.norm(b) / scale, "c_norm_min": norms.min(),
            "c_norm_max": norms.max(), "v": v, "d": d, "Q": q, "dv2": d * v * v,
            "persona_offset_mean": np.linalg.norm(Mid - b, axis=1).mean() / scale}


def token_sharing(responses: dict[str, list[tuple[str, str]]]) -> dict:
    """Z of Section 3: the most values (cluster pairs) whose fixed responses contain one token;
    ``responses[value]`` lists the (y_w, y_l) of its clusters."""
    values_with: dict[str, set] = {}
    for value, pairs in responses.items():
        for pair in pairs:
            for tok in pair:
                values_with.setdefault(tok, set()).add(value)
    sets = {frozenset(frozenset(p) for p in pairs) for pairs in responses.values()}
    return {"Z": max(len(v) for v in values_with.values()), "counted_over": "values (cluster pairs)",
            "tokens": {t: len(v) for t, v in sorted(values_with.items())},
            "distinct_response_sets": len(sets), "values": len(responses)}


def eq3_rates(train: Groups, sets: dict[int, list[str]], beta: float) -> dict:
    """Lemma 4.1 (eq. 3) at t = 0 for each value set: with one-token answers " Yes"/" No",
    (y_w,j - y_l,j)^T (y_w,i - y_l,i) = 2 s_i s_j (s = +1 aligned, -1 misaligned) and σ(-r) = 1/2, so
    τ ṙ_j = β² s_j g_j · m with m = (1/N) Σ_i s_i g_i, and the mean train margin grows at β² |m|² / τ
    (per step, gradient descent with learning rate η = 1/τ: η β² |m|²). Orthogonal concepts give
    |m|² ∝ 1/K; correlated ones do not. Returns the rates per unit learning rate and their exponent."""
    ks = sorted(sets)
    rates = []
    for k in ks:
        signed = [x for n in sets[k] for x in (train[n][0], -train[n][1])]
        m = np.concatenate(signed).mean(0)
        rates.append(beta ** 2 * float(m @ m))
    out = {"k": ks, "rate_per_lr": rates, "exponent": None}
    if len(ks) >= 2:
        out["exponent"] = float(np.polyfit(np.log(ks), np.log(rates), 1)[0])
    return out


def audit(groups: Groups, q: int, seed: int, shuffles: int = 20) -> dict:
    """The ``geometry`` block of the audit results."""
    names = list(groups)
    fig3a, fig3b = figure3(groups)
    C, Mid = concept_directions(groups)
    U = _unit(C)
    pc = _pairwise_abs_cos(C)
    b = Mid.mean(0)
    gmean = np.concatenate([np.concatenate(p) for p in groups.values()]).mean(0)
    concept = {"cos_matrix": U @ U.T, "max_abs_cos": pc.max(), "mean_abs_cos": pc.mean(),
               "norms": dict(zip(names, np.linalg.norm(C, axis=1))),
               "delta_lower": pc.max(),
               "delta_lower_confident": delta_lower_confident(groups, C),
               "delta_frame": delta_frame(C, b) if len(C) < C.shape[1] else None,
               "noise_floor": noise_floor(groups, shuffles, seed)}
    yes_no = {n: [(" Yes", " No"), (" No", " Yes")] for n in names}
    return {
        "personas": names,
        "figure3a": fig3a,
        "figure3b": fig3b,
        "within_persona": {"raw": within_persona(groups), "centered": within_persona(groups, gmean)},
        "concept_directions": concept,
        "spread": spread(groups),
        "normality": normality(groups, seed),
        "theory_units": theory_units(groups, C, Mid, q),
        "token_sharing": token_sharing(yes_no),
    }

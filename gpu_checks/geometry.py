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


CI_LEVEL = 0.95
CI_RESAMPLES = 400
BASIC = "basic reverse-percentile bootstrap"
BAND = "bootstrap max-|t| band over personas or pairs, bias-corrected"
# the values each statistic can take: interval ends are clipped to them
RANGE = {"l_b": (0, np.inf), "v": (0, np.inf), "mean_cov_frobenius": (0, np.inf), "mean_sq_dist": (0, np.inf),
         "figure3a_offdiag_mean": (-1, 1), "within_same": (-1, 1), "within_opposite": (-1, 1),
         "c_norm": (0, np.inf), "cos": (-1, 1), "figure3b": (-1, 1)}


def _prepare(groups: Groups, center: np.ndarray) -> list[dict]:
    """Per cluster (personas in order, + then -), what the resampled statistics need: one matrix
    [x | unit(x) | unit(x - center)] to average with resampling weights, |x|², and for the aligned
    cluster the Gram matrix of x minus its own mean (centred quantities are translation invariant;
    centring first avoids cancellation), its elementwise square and the norms |x|."""
    pre = []
    for xp, xm in groups.values():
        for sign, x in ((1, xp), (-1, xm)):
            entry = {"n": len(x), "d": x.shape[1], "Z": np.hstack([x, _unit(x), _unit(x - center)]),
                     "sq": np.einsum("ij,ij->i", x, x)}
            if sign > 0:
                xc = x - x.mean(0)
                G = xc @ xc.T
                entry.update(G=G, G2=G * G, diagG=np.diag(G).copy(), r=np.linalg.norm(x, axis=1))
            pre.append(entry)
    return pre


def _spread_weighted(e: dict, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """spread()'s ||Cov||_F and mean squared distance of one aligned cluster resampled with
    multiplicities W [B, n], from its Gram matrix: with a = G w / n, c = wᵀ G w / n² and α = a - c/2,
    (x_j - x̄_w)·(x_k - x̄_w) = G_jk - α_j - α_k, whose squares sum (weighted) to
    wᵀ(G∘G)w + 2n w·α² + 2(w·α)² - 4 Σ_j w_j α_j (G w)_j; O(n²) per resample instead of O(n² d)."""
    n = e["n"]
    s = W @ e["r"] / n  # mean norm of the resample: the 'unit norm on average' scaling
    Gw = W @ e["G"]
    a = Gw / n
    c = np.einsum("bj,bj->b", W, Gw) / n**2
    alpha = a - c[:, None] / 2
    sq = (np.einsum("bj,bj->b", W @ e["G2"], W) + 2 * n * np.einsum("bj,bj->b", W, alpha**2)
          + 2 * np.einsum("bj,bj->b", W, alpha) ** 2 - 4 * np.einsum("bj,bj,bj->b", W, alpha, Gw))
    frob = np.sqrt(np.maximum(sq, 0)) / (n - 1) / s**2
    msd = np.einsum("bj,bj->b", W, e["diagG"] - 2 * a + c[:, None]) / n / s**2
    return frob, msd


def _resampled_statistics(pre: list[dict], weights: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The statistics of ``audit`` on the data resampled with multiplicities ``weights[k]`` [B, n_k]
    (all ones: the point estimates). Scalars come back as [B], per-persona or per-pair ones as [B, p].
    The centre of Figure 3b / the centred within-persona cosines is held at its full-sample value."""
    P, d = len(pre) // 2, pre[0]["d"]
    sums = [W @ e["Z"] for W, e in zip(weights, pre)]  # [B, 3d]: Σ w x, Σ w unit(x), Σ w unit(x - center)
    n = np.array([e["n"] for e in pre], dtype=float)
    mu = np.stack([s[:, :d] / e["n"] for s, e in zip(sums, pre)], axis=1)  # [B, 2P, d]
    tr = np.stack([(W @ e["sq"] - e["n"] * np.einsum("bd,bd->b", mu[:, k], mu[:, k])) / (e["n"] - 1)
                   for k, (W, e) in enumerate(zip(weights, pre))], axis=1)
    C, Mid = (mu[:, 0::2] - mu[:, 1::2]) / 2, (mu[:, 0::2] + mu[:, 1::2]) / 2
    cn = np.linalg.norm(C, axis=2)
    scale = cn.mean(1)
    U = C / np.maximum(cn, 1e-30)[:, :, None]
    iu = np.triu_indices(P, 1)
    spread_pp = [_spread_weighted(e, W) for W, e in zip(weights[0::2], pre[0::2])]
    raw = np.stack([s[:, d:2 * d] for s in sums], axis=1)
    cen = np.stack([s[:, 2 * d:] for s in sums], axis=1)
    persona_raw, persona_cen = raw[:, 0::2] + raw[:, 1::2], cen[:, 0::2] + cen[:, 1::2]
    npers = n[0::2] + n[1::2]
    M3a = np.einsum("bad,bcd->bac", persona_raw, persona_raw) / np.outer(npers, npers)
    M3b = np.einsum("bad,bcd->bac", persona_cen, persona_cen) / np.outer(npers, npers)
    npl, nmi = n[0::2], n[1::2]
    same = ((np.einsum("bpd,bpd->bp", cen[:, 0::2], cen[:, 0::2]) - npl) / (npl * (npl - 1))
            + (np.einsum("bpd,bpd->bp", cen[:, 1::2], cen[:, 1::2]) - nmi) / (nmi * (nmi - 1))) / 2
    return {"l_b": np.linalg.norm(Mid.mean(1), axis=1) / scale,
            "v": np.sqrt(tr.mean(1) / d) / scale,
            "mean_cov_frobenius": np.mean([f for f, _ in spread_pp], axis=0),
            "mean_sq_dist": np.mean([m for _, m in spread_pp], axis=0),
            "figure3a_offdiag_mean": (M3a.sum((1, 2)) - np.trace(M3a, axis1=1, axis2=2)) / max(P * (P - 1), 1),
            "within_same": same.mean(1),
            "within_opposite": (np.einsum("bpd,bpd->bp", cen[:, 0::2], cen[:, 1::2]) / (npl * nmi)).mean(1),
            "c_norm": cn / scale[:, None],  # [B, P]
            "cos": np.einsum("bad,bcd->bac", U, U)[:, iu[0], iu[1]],  # [B, P(P-1)/2], signed
            "figure3b": M3b[:, iu[0], iu[1]]}


def _band(point: np.ndarray, boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Simultaneous intervals for the components of a vector statistic: centre 2 θ̂ - mean θ* (the
    bootstrap's bias correction), half-width k·se with se the bootstrap standard deviation and k the
    ``level`` quantile of max_j |θ*_j - mean θ*_j| / se_j, so all components are covered at once."""
    mean, se = boot.mean(0), boot.std(0, ddof=1)
    t = np.abs(boot - mean) / np.where(se > 0, se, 1.0)
    k = np.quantile(t.max(1), level)
    centre = 2 * point - mean
    return centre - k * se, centre + k * se


def _abs_interval(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Range of |x| for x in [lo, hi], componentwise."""
    inner = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    return inner, np.maximum(np.abs(lo), np.abs(hi))


def confidence_intervals(groups: Groups, center: np.ndarray, seed: int, level: float = CI_LEVEL,
                         resamples: int = CI_RESAMPLES) -> dict[str, dict]:
    """Bootstrap confidence intervals of the geometry's estimates, resampling the statements of each
    cluster C_{i,±} independently (scipy.stats.bootstrap with one sample per cluster). The samples
    handed to scipy are the statements' indices; the statistic turns each resample into
    multiplicities and evaluates every statistic from sufficient sums (means, Gram matrices), so a
    resample costs matrix products instead of re-running the audit on 2P copied clusters.
    Smooth scalars (l_b, v, spread, cosine means) get the basic bootstrap interval, which also
    corrects the estimators' first-order bias (|ĉ_i| is inflated by sampling noise, ||Cov||_F by
    d/n); extremes over personas or pairs (|c_i| range, max and mean |cos(c_i, c_j)|, Figure 3b's
    max |off-diagonal|) come from a simultaneous band on the components, which covers all of them at
    once and stays usable where the bootstrap of a maximum is not (ties, a true value 0, which a
    percentile interval never reaches). Interval ends are clipped to the values a statistic can
    take. The global mean is held fixed. Where the covariance is
    near-isotropic and d/n is not small, ||Cov||_F keeps a second-order bias the basic interval does
    not remove (about +3% at d/n = 1/2); where noise dominates |ĉ_i| (d v² / n near |c_i|², as in
    the 20-statement embedded demonstration set) the first-order correction falls short."""
    pre = _prepare(groups, center)
    sizes = [e["n"] for e in pre]
    scalars = ("l_b", "v", "mean_cov_frobenius", "mean_sq_dist", "figure3a_offdiag_mean",
               "within_same", "within_opposite")
    vectors = ("c_norm", "cos", "figure3b")
    point = _resampled_statistics(pre, [np.ones((1, m)) for m in sizes])
    widths = [1] * len(scalars) + [point[k].shape[1] for k in vectors]
    cuts = np.cumsum([0] + widths)

    def statistic(*idx, axis=-1):
        single = idx[0].ndim == 1
        weights = []
        for i, m in zip(idx, sizes):
            i = np.atleast_2d(i)
            flat = (i + m * np.arange(len(i))[:, None]).ravel()
            weights.append(np.bincount(flat, minlength=len(i) * m).reshape(len(i), m).astype(float))
        st = _resampled_statistics(pre, weights)
        out = np.concatenate([st[k][:, None] for k in scalars] + [st[k] for k in vectors], axis=1).T
        return out[:, 0] if single else out

    res = stats.bootstrap([np.arange(m) for m in sizes], statistic, n_resamples=resamples, batch=50,
                          vectorized=True, method="basic", confidence_level=level,
                          rng=np.random.default_rng([seed, 3]))  # a stream of its own
    lo, hi = res.confidence_interval
    ci = {k: [float(max(lo[j], RANGE[k][0])), float(min(hi[j], RANGE[k][1]))] for j, k in enumerate(scalars)}
    dist = res.bootstrap_distribution
    band = {}
    for j, k in enumerate(vectors, start=len(scalars)):
        if widths[j] == 0:
            continue
        b_lo, b_hi = _band(point[k][0], dist[cuts[j]:cuts[j + 1]].T, level)
        band[k] = np.clip(b_lo, *RANGE[k]), np.clip(b_hi, *RANGE[k])
    meta = {"level": level, "resamples": resamples, "seed": seed,
            "resampling": "statements within each cluster C_{i,±}, independently (scipy.stats.bootstrap)"}
    out = {"theory_units": {"l_b": ci["l_b"], "v": ci["v"]},
           "spread": {"mean_cov_frobenius": ci["mean_cov_frobenius"], "mean_sq_dist": ci["mean_sq_dist"]},
           "figure3a": {"offdiag_mean": ci["figure3a_offdiag_mean"]},
           "within_persona": {"mean_cos_same_cluster": ci["within_same"],
                              "mean_cos_opposite_cluster": ci["within_opposite"]},
           "concept_directions": {}, "figure3b": {}}
    method = {k: BASIC for block in out.values() for k in block}
    lo_n, hi_n = band["c_norm"]
    out["theory_units"].update(c_norm_min=[float(lo_n.min()), float(hi_n.min())],
                               c_norm_max=[float(lo_n.max()), float(hi_n.max())])
    for block, key, name in (("concept_directions", "cos", "abs_cos"), ("figure3b", "figure3b", None)):
        if key not in band:
            continue
        a_lo, a_hi = _abs_interval(*band[key])
        if name:
            out[block].update({f"max_{name}": [float(a_lo.max()), float(a_hi.max())],
                               f"mean_{name}": [float(a_lo.mean()), float(a_hi.mean())]})
        else:
            out[block]["offdiag_max_abs"] = [float(a_lo.max()), float(a_hi.max())]
    method.update({k: BAND for b in ("concept_directions", "figure3b") for k in out[b]})
    method.update(c_norm_min=BAND, c_norm_max=BAND)
    return {name: {**block, **meta, "method": {k: method[k] for k in block}} for name, block in out.items()}


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


def audit(groups: Groups, q: int, seed: int, shuffles: int = 20, answers: tuple[str, str] = (" Yes", " No")) -> dict:
    """The ``geometry`` block of the audit results (``answers``: the two responses every value uses)."""
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
    a, b = answers
    yes_no = {n: [(a, b), (b, a)] for n in names}
    ci = confidence_intervals(groups, gmean, seed)
    out = {
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
    for name, block in ci.items():
        (out["within_persona"]["centered"] if name == "within_persona" else out[name])["ci"] = block
    return out

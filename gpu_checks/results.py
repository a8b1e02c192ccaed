"""The results file of ``dpoverify audit``: ``<out>/audit.json``, schema ``dpoverify.audit/1``.

Written atomically (``dpoverify.results.write_json``) after the geometry audit and again after
each finished K, so a killed run leaves a valid file (``"complete": false``). Keys are stable;
new keys may be added, none renamed. Numbers are plain floats; matrices are lists of rows.

Top level::

  schema        "dpoverify.audit/1"
  created       ISO time of the last write
  complete      true once every K of the DPO runs has finished
  seed          the seed of every random choice (split, shuffles, minibatches, init)
  provenance    dpoverify.results.provenance()
  fingerprint   {key, parts {config, data, model, code}}: SHA-256 of what determines the results --
                every run parameter and the seed, the statements' content, the model files' bytes,
                the source of the modules that compute them (gpu_checks.runner._fingerprint). A run
                resumes a file only when the key is equal; otherwise it recomputes, says which part
                differs, and keeps the earlier file as audit.<key[:12]>.json.
  config        {model, model_kind ("encoder"|"causal-lm"), readout ("mean"|"cls"|"last-token"),
                 prompt ("template"|"statement"), template, answer_tokens [" Yes", " No"],
                 dataset ("embedded"|directory path), mode ("last-layer"|"full"), k [..],
                 persona_sets {"<K>": [names]}, persona_sets_source ("appendix-f"|"seeded-sample"),
                 steps, batch_size, lr, beta, optimizer ("Adam"|"AdamW (...)"|"SGD"),
                 trainer ("trl.DPOTrainer <version>" for a causal LM's full fine-tune, else the
                 gpu_checks.dpo_train function), completion (what y_w / y_l are: "answer + EOS (TRL
                 appends it)" or the single answer token), eval_every,
                 train_fraction (0.9), train_eval_max, device_type,
                 device, dtype, shuffles}
  data          {n_personas, n_statements, embedding_dim,
                 personas {name: {aligned, misaligned}}}
  geometry      see below
  dpo           see below (absent until the first K finishes)
  verdicts      [{claim, obligation, title, verdict, summary}] -- the EmpiricalAudit judges of
                theorems/ applied to this file by the CLI (absent if the CLI did not judge)
  plots         {"figure3": path, "figure5": path, "figure7": path, "figure8": path,
                 "scaling": path} (relative; scaling: rate against K on log-log axes with Theorem 4.2's
                 band, test error against K and log K with their fits, every draw shown)

``geometry`` (embeddings of all statements of all personas; personas in lexicographic order):

  personas                  [names]
  readout                   the read-out used
  figure3a                  {matrix, offdiag_mean, offdiag_min, offdiag_max, diag_mean, ci {offdiag_mean, ...}}
                            mean pairwise cosine of statements of persona a vs persona b
                            (diagonal excludes self-pairs) -- Figure 3a / 6a
  figure3b                  same after subtracting the global mean embedding -- Figure 3b / 6b,
                            plus offdiag_max_abs and forced_offdiag_mean = -diag_mean/(P-1): the
                            value the off-diagonal mean is (nearly) forced to by construction;
                            ci {offdiag_max_abs, ...}
  within_persona            {raw, centered}: each {mean_cos_same_cluster, mean_cos_opposite_cluster}
                            (centered: global mean subtracted; the theory predicts +-1/(1+dv^2));
                            centered also has ci {mean_cos_same_cluster, mean_cos_opposite_cluster, ...}
  concept_directions        c_i = (mean C_{i,+} - mean C_{i,-})/2:
                            {cos_matrix, max_abs_cos, mean_abs_cos, norms {name: |c_i|},
                             delta_lower (= max |cos|, Lemma C.2: δ >= it),
                             delta_lower_confident (the same after allowing twice the RMS sampling
                             error of each c_i: what sampling error cannot explain),
                             delta_frame (an upper bound on the least δ of Definition C.1, from
                             the closest orthonormal frame orthogonal to b),
                             noise_floor {norm_mean, norm_p95, max_abs_cos_mean, max_abs_cos_p95,
                                          mean_abs_cos_mean, shuffles},
                             ci {max_abs_cos, mean_abs_cos, ...}}  (see "ci" below)
                            the floor comes from seeded shuffles of Yes/No labels within persona
  spread                    Appendix E on aligned statements, each persona scaled to unit norm on
                            average: {mean_cov_frobenius, mean_sq_dist, per_persona {name: [f, m]},
                            participation_ratio_mean (trace^2 / ||Cov||_F^2),
                            participation_ratio_isotropic (its expectation under v^2 I_d), dim,
                            sphericity {test, alpha, n_tests, rejected_holm, min_p, median_p},
                            ci {mean_cov_frobenius, mean_sq_dist, ...}}
  normality                 {test: "scipy.stats.shapiro (Shapiro-Wilk), Holm-corrected", directions,
                             n_tests, alpha, rejected_holm, min_p, median_p, fraction_rejected_raw}
                            on projections of each aligned cluster onto its top principal axes and
                            seeded random directions, Holm-corrected over all tests
  theory_units              fitted N(b ± c_i, v^2 I_d), scaled so mean |c_i| = 1:
                            {scale, l_b, c_norm_min, c_norm_max, v, d, Q, persona_offset_mean
                             (mean |b_i - b|, b_i the persona's own midpoint), dv2,
                             ci {l_b, v, c_norm_min, c_norm_max, ...}}
  eq3_rates                 Lemma 4.1 at t = 0 on the train split of each K's value set:
                            {k, rate_per_lr (β²|m|², m = mean of s_j g(x_j)), exponent (log-log fit)}
                            -- the margin growth rate eq. 3 predicts from the measured embeddings
  token_sharing             {Z, counted_over, tokens {token: values using it}, distinct_response_sets,
                             values}

  ci (in the blocks above; absent in files of dpoverify before the intervals): bootstrap confidence
  intervals of the block's estimates, {<statistic>: [lo, hi], level (0.95), resamples (400), seed
  (the audit's; its own random stream), resampling (statements within each cluster C_{i,±},
  independently, scipy.stats.bootstrap), method {<statistic>: "basic reverse-percentile bootstrap"
  for l_b, v, the spread statistics and the mean cosines | "bootstrap max-|t| band over personas or
  pairs, bias-corrected" for c_norm_min/max, max_abs_cos, mean_abs_cos, figure3b offdiag_max_abs}}.
  The global mean (Figure 3b, centred cosines) is held at its full-sample value.

``dpo``:

  mode, steps, eval_every
  runs   {"<K>": {personas, seed, n_train, n_test, Q_min, seconds,
                  log [{step, train {loss, rewards/chosen, rewards/rejected, rewards/margins,
                                     rewards/accuracies}, test {...same...}}],
                  final {train {...}, test {..., error}}, margin_rate}}
                 each train/test entry also has "error": the fraction with margin <= 0 (Def. 3.1)
                 margin_rate: least-squares slope of train rewards/margins against step over the
                 first half of the run (the regime t <= tau_1 of Theorem 4.2)
                 the fields above are draw 0's (the paper's persona set); "draws": [every draw's
                 fields without its log], R = config.draws of them (personas and seed differ)
  scaling {k, margin_rate, test_error (means over draws), draws [R per K], margin_rate_draws,
           test_error_draws, band {k_times_rate, ratio, ci95, ci_method},
           rate_fit {exponent, intercept, stderr, r2, ci95 [lo, hi], ci_method, n_points},
                                                                        log rate = a + exponent log K
           trend {test, tau, p_one_sided, strictly_decreasing},        rate against K (Kendall)
           error_fit_linear {slope, intercept, r2, stderr, ci95, ci_method, n_points},
           error_fit_logk {same}}
         ci95: slope ± t_{0.975, n-2} stderr (scipy.stats.linregress; n = number of K, 5 by default,
         so 3 degrees of freedom); ci_method says so. Files before it lack ci95 in the error fits.
         With R >= 2 draws per K, ci95 (and r2_ci95 of the error fits, band.ci95) are 95% percentile
         bootstrap intervals over draws (scipy.stats.bootstrap, draws of each K resampled
         independently), and trend is Kendall's tau over every (K, draw) pair.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "dpoverify.audit/1"
FILENAME = "audit.json"
DEFAULT_DIR = "dpoverify-results"


class ResultsError(ValueError):
    """An audit results file that is missing its schema or is not JSON."""


def path_in(results_dir: str | Path | None) -> Path:
    return Path(results_dir or DEFAULT_DIR) / FILENAME


def load(results_dir: str | Path | None) -> dict[str, Any] | None:
    """The audit results in ``results_dir`` (None when there are none)."""
    p = path_in(results_dir)
    if not p.is_file():
        return None
    try:
        doc = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ResultsError(f"{p}: not a dpoverify audit file (expected schema {SCHEMA})")
    return doc

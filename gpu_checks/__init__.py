"""gpu_checks: audits of the paper's empirical assumptions on real transformers (Section 5, Appendix E).

Modules: :mod:`personas` (Anthropic-format persona data, Appendix F's value sets, the embedded
dataset), :mod:`models` (local Hugging Face models and their read-outs), :mod:`geometry` (the
assumption audits), :mod:`dpo_train` (last-layer and full DPO fine-tunes), :mod:`runner`
(checkpointed per-K runs), :mod:`plots`, :mod:`results` (the JSON format ``dpoverify.audit/1``),
:mod:`judging` (measured statistic against a required bound) and :mod:`engine` (the engine of
``dpoverify.specs.EmpiricalAudit``). torch and transformers are imported only where needed.
"""

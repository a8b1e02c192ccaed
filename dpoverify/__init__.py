"""dpoverify: machine-checks the claims of Im & Li, "Can DPO Learn Diverse Human Values?
A Theoretical Scaling Law" (NeurIPS 2025, arXiv 2408.03459v5).

Public surface: :mod:`dpoverify.claims` (how a claim is stated), :mod:`dpoverify.verdicts`
(what a check returns), :mod:`dpoverify.registry` (where claims are found) and the CLI.
"""

__version__ = "0.1.0"
PAPER = "arXiv 2408.03459v5 (Im & Li, NeurIPS 2025)"

"""dpo-ipo-facts: standard facts about DPO and IPO, as a dpoverify claim pack.

DPO (Rafailov et al., "Direct Preference Optimization", NeurIPS 2023) and IPO (Azar et al., "A
General Theoretical Paradigm to Understand Learning from Human Preferences", AISTATS 2024) both fit
a log-ratio margin h = log pi(y_w)/pi_ref(y_w) - log pi(y_l)/pi_ref(y_l) to preferences. Each
module states one claim and derives it in its docstring:

minimisers.py  the pointwise minimisers: IPO's (p - 1/2)/beta is bounded, DPO's log(p/(1-p))/beta
               diverges as p -> 1 (one step is deliberately false, and is refuted);
gradients.py   Bradley-Terry / DPO / IPO gradient identities, checked against torch autograd by
               the engine of autodiff.py (a whole engine added through ``spec.ENGINE``);
flow.py        IPO's gradient flow converges to its bounded minimiser, simulated by the model that
               model.py registers as the observable ``ipo_pair_flow``.

Importing this package registers the observable and its fuzz ranges, so every claim module can
name them.
"""
import dpoverify

from . import model  # noqa: F401  (registers the observable "ipo_pair_flow" and fuzz ranges)

PACK = dpoverify.Pack(
    name="dpo-ipo-facts",
    paper=dpoverify.Paper(
        "A General Theoretical Paradigm to Understand Learning from Human Preferences",
        "arXiv 2310.12036v2", "https://arxiv.org/abs/2310.12036", "Azar et al., AISTATS 2024"),
    notes="Example pack shipped with dpoverify (examples/dpo-ipo-facts); DPO facts from Rafailov et al., "
          "arXiv 2305.18290.",
)

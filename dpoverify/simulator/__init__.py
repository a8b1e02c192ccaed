"""Exact DPO reward dynamics on the preference distribution of Section 3 (the paper's setting).

    from dpoverify.simulator import Regime, sample_dataset, simulate, population_risk
    reg = Regime(K=10, Q=880, d=4400, v=1/(32*880**0.5), l_b=0.25)
    ds = sample_dataset(reg, seed=0)
    tr = simulate(ds, reg.tau_1)                 # weight-space gradient flow (eq. 7) to tau_1
    risk = population_risk(ds, tr, reg.tau_1)    # exact, log space
    mc = monte_carlo_risk(ds, tr, reg.tau_1, n=10**6, seed=1)

Modules: regime (parameters, token layout realizing Z, concept vectors incl. Definition C.1),
data (sampling), losses (GPO family), dynamics (weight-space and dense-kernel flows), kernel,
risk (exact and Monte Carlo population risk), backend (numpy / torch-CUDA), torch_gd (real
gradient descent of a softmax model), multitoken (autoregressive model of Section 4.3).
The engine knows nothing of particular theorems.
"""
from .data import Dataset, sample_dataset
from .dynamics import Trajectory, simulate, weights_from_integrals
from .kernel import kernel
from .losses import LOSSES, phi
from .regime import Regime, concept_vectors, token_pairs
from .risk import MonteCarloRisk, PopulationRisk, monte_carlo_risk, population_risk

__all__ = [
    "Regime", "Dataset", "sample_dataset", "Trajectory", "simulate", "weights_from_integrals",
    "kernel", "LOSSES", "phi", "concept_vectors", "token_pairs", "PopulationRisk",
    "MonteCarloRisk", "population_risk", "monte_carlo_risk",
]

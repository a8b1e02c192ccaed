"""The paper's notation (Section 3, Appendices B-C): every parameter with its widest domain.

Claims narrow these with ``Param.restrict`` where their hypotheses are box constraints
(e.g. Theorem 4.3's Q >= 40); relations between parameters (v <= 1/(32 sqrt Q)) are hypotheses.
"""
from dpoverify.claims import Definition, Domain, Param, symbol

POS = dict(lo=0, lo_closed=False)

K = Param("K", Domain(1, integer=True), "number of values (pairs of clusters)")
Q = Param("Q", Domain(1, integer=True), "training samples drawn from each cluster")
N = Param("N", Domain(2, integer=True), "training set size, N = 2KQ",
          definition=Definition(2 * K.symbol * Q.symbol, (K, Q), "2KQ"))
d = Param("d", Domain(1, integer=True), "embedding dimension")
v = Param("v", Domain(**POS), "per-coordinate standard deviation of each cluster")
l_b = Param("l_b", Domain(0), "norm of the shared component b = l_b e_1", display="l_b")
Z = Param("Z", Domain(1, integer=True), "maximum number of times a token appears across the preference responses")
beta = Param("beta", Domain(**POS), "DPO temperature", display="β")
tau = Param("tau", Domain(**POS), "inverse learning rate of the gradient flow", display="τ")
eps = Param("eps", Domain(**POS), "concentration radius in Lemma B.1", display="ε")
delta = Param("delta", Domain(0, 0.5, hi_closed=False), "approximate-orthogonality level (Definition C.1)", display="δ")
c = Param("c", Domain(**POS), "the unspecified absolute constant of Bernstein's inequality")
t = Param("t", Domain(0), "training time of the gradient flow")

ALL = {p.name: p for p in (K, Q, N, d, v, l_b, Z, beta, tau, eps, delta, c, t)}
SYM = {name: symbol(name) for name in ALL}

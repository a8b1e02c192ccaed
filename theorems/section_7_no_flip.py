"""Section 7's "would not flip" claim, arXiv 2408.03459v5, Section 7 (failure modes).

"Our Theorem 4.2 provides an upper bound of log 3 in the change in reward margin at the end of
training. Then, any preference pair where the reference model is more than 3^{1/beta} times more
likely to generate the rejected response than the preferred one would not flip. Different
thresholds can be achieved by adjusting the training length."

With r = beta(log pi_theta(y_w)/pi_theta(y_l) - log pi_ref(y_w)/pi_ref(y_l)) (eq. 1; r = 0 at the
start, so r is the change), r <= log 3 and pi_ref(y_l)/pi_ref(y_w) > 3^{1/beta} give
log pi_theta(y_w)/pi_theta(y_l) < 0. The bound r <= log 3 is Theorem 4.2's (and C.5's) at tau_1,
for training pairs, on the theorem's high-probability event.
"""
import sympy as sp

from dpoverify.claims import Claim, Implication, Kind, Obligation, Source, Statement
from theorems import _appendix_b as ab
from theorems import _appendix_c as ac
from theorems import _notation as nt

pw, pl, qw, ql, Rm = (ac.SY[n] for n in ("p_w", "p_l", "q_w", "q_l", "R_max"))
beta = ac.beta
_PROBS = (ac.p_w, ac.p_l, ac.q_w, ac.q_l, nt.beta)
_NO_FLIP = Implication(_PROBS, (ac.MARGIN <= ac.LOG3, ql / qw > 3 ** (1 / beta)), pw < pl)

CLAIM = Claim(
    id="section-7.no-flip",
    title="pairs the reference model strongly disprefers do not flip",
    source=Source("Section 7, 'Leverage our theoretical framework to understand failure modes'"),
    statement=("Theorem 4.2 bounds the change in reward margin by log 3 at the end of training (τ₁); "
               "so any preference pair with π_ref(y_l)/π_ref(y_w) > 3^{1/β} still has "
               "π_θ(y_w) < π_θ(y_l): the model's ranking does not flip."),
    params=(nt.beta, ac.p_w, ac.p_l, ac.q_w, ac.q_l),
    hypotheses=(
        Statement("margin", ac.MARGIN <= ac.LOG3, "r ≤ log 3 (Theorem 4.2 at τ₁, training pairs)"),
        Statement("reference", ql / qw > 3 ** (1 / beta), "π_ref(y_l)/π_ref(y_w) > 3^{1/β}"),
    ),
    conclusions=(Statement("no flip", pw < pl, "π_θ(y_w) < π_θ(y_l)"),),
    depends_on=("theorem-4.2", "theorem-c.5"),
    obligations=(
        Obligation(
            "no-flip", Kind.SYMBOLIC,
            "r ≤ log 3 and π_ref(y_l)/π_ref(y_w) > 3^{1/β} imply π_θ(y_w) < π_θ(y_l)",
            "Section 7", _NO_FLIP,
            note="Exact as stated, strict inequality included: at ratio exactly 3^{1/β} and r = log 3 "
                 "the two responses tie."),
        Obligation(
            "training-length", Kind.SYMBOLIC,
            "'different thresholds by adjusting the training length': a margin bound R at an earlier "
            "time gives the threshold e^{R/β}",
            "Section 7",
            Implication((*_PROBS, ac.R_max), (ac.MARGIN <= Rm, ql / qw > sp.exp(Rm / beta)), pw < pl)),
        Obligation(
            "log3-is-theorem-4.2", Kind.CONSISTENCY,
            "the log 3 is Theorem 4.2's r^U at τ₁ (and Theorem C.5's, so it holds for δ-approximately "
            "orthogonal clusters too); r^U(t) = 5β²t/(Kτ) gives the threshold e^{5βt/(Kτ)} at t ≤ τ₁",
            "Section 7 against Theorems 4.2 and C.5",
            Implication((nt.K, nt.Q, nt.beta, nt.tau), (),
                        sp.And(sp.Eq(ab.RU_42.subs(ac.t, ab.TAU1_42), ac.LOG3),
                               sp.Eq(ac.RU_C5.subs(ac.t, ac.TAU_1).subs(ac.N, 2 * ac.K * ac.Q), ac.LOG3)))),
    ),
    notes=("Theorem 4.2 bounds training margins only, at τ₁ and with probability ≥ 1 − 8KQ^{9/4}"
           "exp(−min(c√Q/5, Q^{3/4}/256)); 'any preference pair' is a pair of the training set on that event."),
)

"""Small SimulationProperty specs for testing the fuzzer itself (in the shape of Theorem 4.2)."""
import math


from dpoverify.fuzzing.regime import sym
from dpoverify.specs import SimulationProperty

HYPS = tuple(sym(h) for h in ("Z <= 1/(4*l_b**2)", "d <= 5*Q", "v <= 1/(32*sqrt(Q))", "l_b >= 1/4",
                               "l_b <= 1/2", "Q >= 8"))
REGIME = {"K": 2, "Q": 40, "d": "5*Q", "v": "1/(32*sqrt(Q))", "l_b": "1/4", "Z": 1, "beta": 1, "tau": 1,
          "N": "2*K*Q"}
HORIZON = "K*tau*log(3)/(5*beta**2)"


def final_band(lo_factor: float = 1 / 40, hi: float = math.log(3)):
    """check: lo_factor*log 3 <= r_j(horizon) <= hi for every training sample (slack: relative room)."""
    lo = lo_factor * math.log(3)

    def check(obs, params):
        room = min(float(obs.final.min()) / lo - 1, 1 - float(obs.final.max()) / hi)
        return room >= 0, room, {"r_min": float(obs.final.min()), "r_max": float(obs.final.max())}

    return check


def band_spec(check=None, failure_probability=None, hypotheses=HYPS, **kw) -> SimulationProperty:
    return SimulationProperty(regime=dict(REGIME), hypotheses=hypotheses, observable="train_margins",
                              check=check or final_band(), horizon=HORIZON,
                              failure_probability=failure_probability, **kw)

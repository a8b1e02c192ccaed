"""Weight-space vs dense-kernel gradient flow, side by side in one process, at growing N.

    python bench/bench_simulator.py                 # K = 10, Q = 110 .. 880, d = 5Q (N up to 17,600)
    python bench/bench_simulator.py --q 55 110      # smaller sizes
    python bench/bench_simulator.py --dense-max-n 0 # weight-space form only

Each form integrates the flow of eq. 3 from W = W_0 to tau_1 = K tau log 3/(5 beta^2) with the
same solver settings and then computes the exact population risk; the dense-kernel form includes
building the full N x N kernel C (every block multiplied, as a plain dense build would). Time is
wall-clock, peak memory is tracemalloc's peak of new allocations during the step (numpy reports
its buffers to tracemalloc). Targets are stated as ratios measured in the same run, never timed
tests: at K = 10, Q = 880, d = 4400 the weight-space form should take < 3 s on 2 CPU cores and be
>= 10x faster than the dense-kernel form. Accuracy kept is printed too: the float32 run against a
float64 run of the same samples, and the two forms against each other.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's dpoverify, installed or not

from dpoverify.simulator import Regime, monte_carlo_risk, population_risk, sample_dataset, simulate  # noqa: E402


def measure(fn):
    """(result, wall seconds, CPU seconds of this process, peak MiB of new allocations)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, dt, dc, peak / 2 ** 20


def flow_and_risk(ds, reg, method, args):
    tr = simulate(ds, reg.tau_1, method=method, backend=args.backend, rtol=args.rtol, atol=args.atol,
                  solver=args.solver, first_step=reg.tau_1 if args.first_step else None,
                  dense_kernel=True)
    return tr, population_risk(ds, tr, reg.tau_1, backend=args.backend)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--K", type=int, default=10)
    ap.add_argument("--q", type=int, nargs="+", default=[110, 220, 440, 880])
    ap.add_argument("--l-b", type=float, default=0.25)
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--tokens", choices=("distinct", "shared"), default="distinct")
    ap.add_argument("--backend", choices=("numpy", "torch"), default="numpy")
    ap.add_argument("--solver", default="RK45")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    ap.add_argument("--no-first-step", dest="first_step", action="store_false",
                    help="use scipy's first-step heuristic instead of trying the whole horizon")
    ap.add_argument("--dense-max-n", type=int, default=20_000, help="skip the dense form above this N")
    ap.add_argument("--mc", type=int, default=10 ** 6, help="Monte Carlo samples at the largest N (0: skip)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    dtype = np.dtype(args.dtype)
    print(f"bench_simulator: K={args.K}, d=5Q, v=1/(32 sqrt Q), l_b={args.l_b}, tokens={args.tokens}, "
          f"{args.dtype}, backend={args.backend}, {args.solver} rtol={args.rtol} atol={args.atol}, "
          f"first_step={'tau_1' if args.first_step else 'scipy'}, seed={args.seed}, "
          f"threads OMP={os.environ.get('OMP_NUM_THREADS', 'unset')} "
          f"OPENBLAS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, cpus={os.cpu_count()}")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "(other processes on these cores inflate wall time; CPU time is this process's own)")
    head = (f"{'N':>6} {'d':>5} {'form':>7} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9} {'nfev':>5} "
            f"{'log10 risk':>12} {'wall ratio':>10} {'cpu ratio':>9}")
    print(head)
    print("-" * len(head))
    last = None
    for Q in args.q:
        reg = Regime(K=args.K, Q=Q, d=5 * Q, v=1 / (32 * math.sqrt(Q)), l_b=args.l_b, tokens=args.tokens)
        ds, t_sample, _, _ = measure(lambda: sample_dataset(reg, args.seed, dtype=dtype))
        (tw, rw), t_w, c_w, m_w = measure(lambda: flow_and_risk(ds, reg, "weight", args))
        print(f"{reg.N:>6} {reg.d:>5} {'weight':>7} {t_w:>8.3f} {c_w:>7.3f} {m_w:>9.1f} {tw.nfev:>5} "
              f"{rw.log10_risk:>12.1f} {'':>10} {'':>9}   (sampling {t_sample:.2f} s, not included)")
        if reg.N <= args.dense_max_n:
            (tk, rk), t_k, c_k, m_k = measure(lambda: flow_and_risk(ds, reg, "kernel", args))
            print(f"{reg.N:>6} {reg.d:>5} {'kernel':>7} {t_k:>8.3f} {c_k:>7.3f} {m_k:>9.1f} {tk.nfev:>5} "
                  f"{rk.log10_risk:>12.1f} {t_k / t_w:>9.1f}x {c_k / c_w:>8.1f}x   (kernel build "
                  f"{tk.seconds['kernel']:.2f} s; max |r_weight - r_kernel| = {np.abs(tw.r - tk.r).max():.1e})")
        last = (reg, ds, tw, rw)
    reg, ds, tw, rw = last
    # float64 copy of the same samples: float32's error, then the solver's error against a tight
    # float64 reference (float32 right-hand sides carry ~1e-7 noise, so no tight solve in float32)
    ds64 = ds.astype(np.float64)
    t64, r64 = flow_and_risk(ds64, reg, "weight", args)
    if dtype == np.float32:
        print(f"accuracy kept by float32 at N={reg.N}: max |r32 - r64| / max r64 = "
              f"{np.abs(tw.r - t64.r).max() / np.abs(t64.r).max():.1e}, "
              f"log10 risk {rw.log10_risk:.4f} (float32) vs {r64.log10_risk:.4f} (float64)")
    ref = simulate(ds64, reg.tau_1, rtol=1e-10, atol=1e-13, backend=args.backend, solver="DOP853",
                   first_step=reg.tau_1)
    print(f"accuracy kept by the solver settings at N={reg.N}: max |r64 - r_ref(DOP853, rtol 1e-10)| = "
          f"{np.abs(t64.r - ref.r).max():.1e} (margins at tau_1 in [{tw.r[-1].min():.4f}, {tw.r[-1].max():.4f}])")
    if args.mc:
        mc, t_mc, _, _ = measure(lambda: monte_carlo_risk(ds, tw, reg.tau_1, n=args.mc, seed=args.seed + 1))
        print(f"Monte Carlo cross-check at N={reg.N}: {mc.failures} failures in {mc.n} fresh samples, "
              f"95% Clopper-Pearson [{mc.ci_low:.3g}, {mc.ci_high:.3g}] vs exact 10^{rw.log10_risk:.1f}; "
              f"{t_mc:.2f} s")
        noisy = Regime(K=3, Q=20, d=30, v=0.35, l_b=0.3, Z=2)  # a regime with risk of order 1e-2
        dn = sample_dataset(noisy, args.seed)
        tn = simulate(dn, noisy.tau_1)
        exact = population_risk(dn, tn, noisy.tau_1).risk
        runs = [monte_carlo_risk(dn, tn, noisy.tau_1, n=10 ** 5, seed=s) for s in range(20)]
        misses = sum(not m.contains(exact) for m in runs)
        print(f"Monte Carlo calibration where it can fail (K=3, Q=20, d=30, v=0.35, l_b=0.3, Z=2): exact "
              f"risk {exact:.5f}; 20 seeds x 1e5 samples: estimates {min(m.estimate for m in runs):.5f} .. "
              f"{max(m.estimate for m in runs):.5f}, {misses}/20 95% intervals miss the exact value (expect ~1)")


if __name__ == "__main__":
    main()

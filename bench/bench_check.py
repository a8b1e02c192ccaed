"""Time `dpoverify check` per engine and list the slowest obligations.

    python bench/bench_check.py                         # every claim, ci profile, seed 0
    python bench/bench_check.py --engine prover         # symbolic/consistency obligations only
    python bench/bench_check.py theorem-4.3 lemma-c.2 --profile quick --top 5

Each obligation runs through the same engine dispatch as `dpoverify check` (one process, in
claim order). Wall-clock and CPU seconds (this process's user+system time) are printed side by
side: on a shared machine the CPU seconds are the comparable number, the wall-clock the one a
user waits for. A script, not a timed test: the target (the whole ci check in <= 2 minutes on 2
idle cores) is read off its output, before and after a change, on the same machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's dpoverify, installed or not

from dpoverify import engines  # noqa: E402
from dpoverify.profiles import PROFILES, get  # noqa: E402
from dpoverify.registry import all_claims  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("claims", nargs="*", help="claim ids (default: all)")
    ap.add_argument("--profile", default="ci", choices=sorted(PROFILES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engine", default=None,
                    help="only obligations whose engine module name contains this (e.g. prover)")
    ap.add_argument("--top", type=int, default=15, help="how many of the slowest to list")
    args = ap.parse_args(argv)

    claims = all_claims()
    unknown = [c for c in args.claims if c not in claims]
    if unknown:
        print(f"bench_check: unknown claim id(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    selected = [claims[c] for c in (args.claims or claims)]
    ctx = engines.Context(get(args.profile), seed=args.seed)

    per_engine: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    rows = []
    t_all, c_all = time.perf_counter(), time.process_time()
    for claim in selected:
        for ob in claim.obligations:
            engine = ob.spec.ENGINE
            if args.engine and args.engine not in engine:
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            result, _ = engines.run(ob.spec, ctx)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            acc = per_engine[engine]
            acc[0] += wall
            acc[1] += cpu
            acc[2] += 1
            rows.append((wall, cpu, f"{claim.id}/{ob.id}", result.verdict.value))
            print(f"  {wall:7.2f} s wall {cpu:7.2f} s cpu  {result.verdict.value:<10} {claim.id}/{ob.id}",
                  flush=True)
    wall_all, cpu_all = time.perf_counter() - t_all, time.process_time() - c_all

    print(f"\nprofile {args.profile}, seed {args.seed}: {len(rows)} obligations, "
          f"{wall_all:.1f} s wall, {cpu_all:.1f} s cpu")
    print(f"{'engine':<36} {'n':>4} {'wall s':>9} {'cpu s':>9}")
    for engine, (wall, cpu, n) in sorted(per_engine.items(), key=lambda kv: -kv[1][0]):
        print(f"{engine:<36} {n:>4} {wall:>9.1f} {cpu:>9.1f}")
    print(f"\nslowest {min(args.top, len(rows))} (wall s, cpu s, verdict):")
    for wall, cpu, ref, verdict in sorted(rows, reverse=True)[:args.top]:
        print(f"{wall:8.2f} {cpu:8.2f}  {verdict:<10} {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

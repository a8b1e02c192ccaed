"""Embedding throughput of the audit (issue 13 §7): statements per second through a model's
read-out, batches formed from length-sorted statements (gpu_checks.models.AuditModel.embed).

    python bench/bench_embedding.py                      # MiniLM, the embedded 640 statements, 2 threads
    python bench/bench_embedding.py --threads 1 --model smollm2 --n 64

Target: >= 250 statements/s for MiniLM on 2 idle cores. Prints one line per measurement; the
number depends on what else the machine runs (say so when quoting it).
"""
from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="minilm (default), smollm2, a directory or a .gguf file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--n", type=int, default=None, help="statements to embed (default: all embedded ones)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    import torch

    from gpu_checks import models, personas

    torch.set_num_threads(args.threads)
    statements = [s for p in personas.load_dir().values() for s in (*p.aligned, *p.misaligned)]
    statements = statements[:args.n] if args.n else statements
    m = models.load(models.resolve(args.model), "cpu")
    m.embed(statements[:args.batch_size], args.batch_size)  # warm-up
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        m.embed(statements, args.batch_size)
        dt = time.perf_counter() - t0
        print(f"{args.model or 'minilm'}: {len(statements)} statements in {dt:.2f} s = "
              f"{len(statements) / dt:.0f}/s (threads {args.threads}, batch {args.batch_size}, "
              f"load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()

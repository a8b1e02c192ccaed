"""Shared helpers of the CLI tests: run dpoverify in-process, snapshot a directory tree, the
real counterexample files (tests/cli/data, written by `dpoverify check --profile quick`)."""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from dpoverify import cli

DATA = Path(__file__).parent / "data"
PROVER_CEX = DATA / "lemma-c.4__invokes-lemma-c.3.json"  # point delta=0, eps=1, v=1, l_b=1
SIM_CEX = DATA / "theorem-b.3__trajectory-band-as-stated.json"  # regime and 5 failing seeds
GRAD_CEX = DATA / "lemma-4.1__eq-3__holds.json"  # the gradient-identity format, at an instance where eq. 3 holds
EXITS = {0, 1, 2, 3, 130}


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and directory under ``root`` with its size, mtime and content hash."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out[os.path.join(dirpath, name)] = ("dir",)
        for name in filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            digest = hashlib.sha256(Path(p).read_bytes()).hexdigest() if os.path.isfile(p) else ""
            out[p] = (st.st_size, st.st_mtime_ns, digest)
    return out


def run(capsys, argv: list[str]) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, seconds) of ``dpoverify ARGV`` run in this process."""
    t0 = time.perf_counter()
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # a command must return its code; argparse's own exit is caught in main
        code = exc.code if isinstance(exc.code, int) else 2
    seconds = time.perf_counter() - t0
    out, err = capsys.readouterr()
    return code, out, err, seconds


def one_line_error(code: int, err: str) -> bool:
    """Exit 2 with exactly one line on stderr (a usage line from argparse is allowed before it)."""
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith(("usage:", " "))]
    return code == 2 and len(lines) == 1 and "Traceback" not in err


def counterexample(path: Path, source: Path = PROVER_CEX, **changes) -> Path:
    """A copy of a real counterexample file with top-level fields changed (None: removed)."""
    doc = json.loads(source.read_text())
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    path.write_text(json.dumps(doc))
    return path

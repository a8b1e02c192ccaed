"""Rewrite ``tests/invariant/reference/*.json`` from fresh runs (see references.py)."""
import argparse
import json
import tempfile
from pathlib import Path

from dpoverify.results import provenance, write_atomic

from . import references


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.invariant.regenerate", description=__doc__)
    parser.add_argument("which", nargs="*", choices=("simulator", "audit"), default=["simulator", "audit"])
    args = parser.parse_args(argv)
    for name in args.which:
        if name == "simulator":
            doc = references.compute_simulator()
        else:
            with tempfile.TemporaryDirectory() as tmp:
                doc = references.compute_audit(Path(tmp))
        doc["provenance"] = provenance()
        path = references.REFERENCE_DIR / f"{name}.json"
        write_atomic(path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

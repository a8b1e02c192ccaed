"""Writing results: atomic JSON files, counterexample files and run provenance.

Every file is written to a temporary name in the same directory and moved into place with
``os.replace``, so an interrupted run never leaves a half-written file and loses nothing
already finished.
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import sympy as sp

COUNTEREXAMPLE_SCHEMA = "dpoverify.counterexample/1"
COUNTEREXAMPLE_MAX_BYTES = 16 * 2 ** 20
_UMASK = os.umask(0)
os.umask(_UMASK)


def _default(obj: Any):
    if isinstance(obj, sp.Basic):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


def _finite(obj: Any) -> Any:
    """Non-finite numbers (inf, -inf, nan), which JSON cannot hold, spelled as strings."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy arrays and scalars
        return _finite(obj.tolist())
    return obj


def dumps(doc: Any) -> str:
    return json.dumps(_finite(doc), indent=2, default=_default, allow_nan=False)


def write_atomic(path: str | os.PathLike, text: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | os.PathLike, doc: Any) -> Path:
    return write_atomic(path, dumps(doc) + "\n")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


def save_counterexample(out_dir: str | os.PathLike, claim_id: str, obligation_id: str,
                        payload: dict[str, Any], seed: int, profile: str) -> Path:
    """Save an engine's counterexample payload as a file that ``dpoverify replay`` re-runs."""
    doc = {
        "schema": COUNTEREXAMPLE_SCHEMA,
        "claim": claim_id,
        "obligation": obligation_id,
        "seed": seed,
        "profile": profile,
        "created": now(),
        "payload": payload,
    }
    path = Path(out_dir) / "counterexamples" / f"{slug(claim_id)}__{slug(obligation_id)}.json"
    doc["replay"] = f"dpoverify replay {path}"
    return write_json(path, doc)


def load_counterexample(path: str | os.PathLike) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no such counterexample file: {p}")
    try:
        if p.stat().st_size > COUNTEREXAMPLE_MAX_BYTES:
            raise ValueError(f"{p}: larger than a counterexample file can be "
                             f"({COUNTEREXAMPLE_MAX_BYTES // 2 ** 20} MiB)")
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{p}: not a text file (not UTF-8); a counterexample file is JSON") from None
    except OSError as exc:
        raise ValueError(f"{p}: cannot read it ({exc.strerror})") from None
    except RecursionError:
        raise ValueError(f"{p}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("schema") != COUNTEREXAMPLE_SCHEMA:
        raise ValueError(f"{p}: not a dpoverify counterexample (expected schema {COUNTEREXAMPLE_SCHEMA})")
    for key in ("claim", "obligation", "payload"):
        if key not in doc:
            raise ValueError(f"{p}: counterexample lacks '{key}'")
    return doc


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def provenance(packages=("dpoverify", "sympy", "mpmath", "numpy", "scipy", "hypothesis",
                         "python-flint", "torch", "transformers")) -> dict[str, Any]:
    """Package versions and machine facts recorded with every result file."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": versions,
    }

"""Writing the fuzzing products: JSON with non-finite floats spelled out, PNG figures on the
Agg backend; both atomic (dpoverify.results.write_atomic)."""
from __future__ import annotations

import io
import math
from typing import Any

from ..results import write_atomic, write_json


def jsonable(obj: Any) -> Any:
    """``obj`` with inf / nan floats replaced by the strings "inf", "-inf", "nan" (JSON has none)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and hasattr(obj, "dtype") and getattr(obj, "ndim", 1) == 0:  # numpy scalar
        return jsonable(obj.item())
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):
        return jsonable(obj.tolist())
    return obj


def write_doc(path, doc: dict) -> Any:
    return write_json(path, jsonable(doc))


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig, path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    pyplot().close(fig)
    write_atomic(path, buf.getvalue())

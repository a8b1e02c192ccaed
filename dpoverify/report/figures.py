"""Figures drawn with matplotlib's Agg canvas (no pyplot, no global state) and returned as PNG."""
from __future__ import annotations

import io
from contextlib import contextmanager

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

DPI = 110


@contextmanager
def canvas(width: float = 7.0, height: float = 4.2, ncols: int = 1, nrows: int = 1, **kw):
    """Yield (figure, axes); the PNG bytes are available as ``figure.png`` after the block."""
    fig = MplFigure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    yield fig, (axes[0, 0] if nrows == ncols == 1 else axes)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    fig.png = buf.getvalue()

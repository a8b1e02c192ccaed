"""`dpoverify report [--from DIR] [--out FILE.html] [--markdown FILE.md] [--run-missing]`: one
self-contained HTML page (and a Markdown twin) from the JSON that check, fuzz and audit wrote."""
from __future__ import annotations

import sys
from pathlib import Path


from ..errors import UsageError
from ..report.build import build, run_missing, write

HELP = "write a self-contained HTML report (and a Markdown twin) from a results directory"


def add_arguments(parser) -> None:
    parser.add_argument("--from", dest="source", default="dpoverify-results", metavar="DIR",
                        help="results directory written by check/fuzz/audit (default dpoverify-results)")
    parser.add_argument("--out", default=None, metavar="FILE.html",
                        help="HTML page to write (default DIR/report.html)")
    parser.add_argument("--markdown", default=None, metavar="FILE.md",
                        help="also write a Markdown twin, its figures in FILE-figures/ beside it")
    parser.add_argument("--run-missing", action="store_true",
                        help="first produce every missing input in-process (quick profiles; the audit runs "
                             "its embedded default, minutes on a CPU)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of what the report simulates itself and of --run-missing (default 0)")


def _say(line: str) -> None:
    sys.stderr.write(f"dpoverify report: {line}\n")


def run(args, console) -> int:
    directory = Path(args.source)
    html_path = Path(args.out) if args.out else directory / "report.html"
    md_path = Path(args.markdown) if args.markdown else None
    for p, suffix in ((html_path, ".html"), (md_path, ".md")):
        if p is not None and p.suffix.lower() not in (suffix, ".htm" if suffix == ".html" else suffix):
            raise UsageError(f"{p}: expected a {suffix} file name")
    if args.run_missing:
        run_missing(directory, args.seed, _say)
    report, inputs = build(directory, args.seed)
    for spec in inputs.missing():
        _say(f"{spec.filename} missing in {directory}: its section says so "
             f"(produce it with `{inputs.loaded(spec.key).command}`)")
    for path in write(report, html_path, md_path):
        console.print(f"wrote {path}")
    return 0

"""The `dpoverify` command line. Each subcommand lives in dpoverify/commands/<name>.py."""
from __future__ import annotations

import argparse
import importlib
import sys

from rich.console import Console

from . import __version__
from .errors import UsageError
from .registry import UnknownClaim

MODULES = {"list": "listing", "explain": "explain", "check": "check", "replay": "replay",
           "fuzz": "fuzz", "boundary": "boundary", "tightness": "tightness", "scaling": "scaling",
           "audit": "audit", "report": "report"}


def _named_command(argv: list[str] | None) -> str | None:
    """The subcommand argv names (its first word that is not an option), if it is a known one."""
    words = sys.argv[1:] if argv is None else argv
    first = next((w for w in words if not w.startswith("-")), None)
    return first if first in MODULES else None


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict]:
    """The parser; with ``only``, the other commands' modules are not imported (they import heavy
    libraries, and `dpoverify explain` should start in well under 2 s)."""
    parser = argparse.ArgumentParser(
        prog="dpoverify",
        description="Machine-check the claims of Im & Li, 'Can DPO Learn Diverse Human Values?' "
                    "(arXiv 2408.03459v5). Exit codes: 0 nothing refuted, 1 something refuted, "
                    "2 bad usage or input, 3 an engine failed.")
    parser.add_argument("--version", action="version", version=f"dpoverify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers = {}
    for name, module in MODULES.items():
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        mod = importlib.import_module(f"dpoverify.commands.{module}")
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        handlers[name] = mod
    return parser, handlers


def main(argv: list[str] | None = None) -> int:
    parser, handlers = build_parser(_named_command(argv))
    console = Console(highlight=False)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own one-line usage error and exits 2
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return handlers[args.command].run(args, console)
    except (UsageError, UnknownClaim) as exc:
        sys.stderr.write(f"dpoverify {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("dpoverify: interrupted; results already written are kept\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())

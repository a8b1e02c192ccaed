"""The `dpoverify` command line. Each subcommand lives in dpoverify/commands/<name>.py."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from rich.console import Console

from . import __version__, registry
from .errors import UsageError
from .inputs import validate
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
        description="Machine-check the claims of a paper, stated in claim packs (by default the "
                    "installed ones: `dpoverify list`; --claims PATH for others). Exit codes: 0 nothing "
                    "refuted, 1 something refuted, 2 bad usage or input, 3 an engine failed.")
    parser.add_argument("--version", action="version", version=f"dpoverify {__version__}")
    packs = argparse.ArgumentParser(add_help=False)
    packs.add_argument("--claims", dest="claim_packs", action="append", default=[], metavar="PATH",
                       help="load the claim pack at PATH (a folder or a .py file) instead of the installed "
                            "packs; repeatable (docs/packs.md)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    handlers = {}
    for name, module in MODULES.items():
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        mod = importlib.import_module(f"dpoverify.commands.{module}")
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP, parents=[packs])
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
    before = registry.paths()
    try:
        if args.claim_packs:  # without --claims: the packs in use (installed, or a calling command's)
            registry.use_paths(args.claim_packs)
        registry.all_claims()  # a pack that does not load is one clear error before the command runs
        validate(args)
        return handlers[args.command].run(args, console)
    except (UsageError, UnknownClaim) as exc:
        sys.stderr.write(f"dpoverify {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("dpoverify: interrupted; results already written are kept\n")
        return 130
    except OSError as exc:  # a path that cannot be read or written: bad input, one line
        where = f": {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"dpoverify {args.command}: error: {exc.strerror or exc}{where}\n")
        return 2
    except Exception as exc:  # a bug: one line and exit 3 (an engine failed), never exit 1
        if os.environ.get("DPOVERIFY_TRACEBACK"):
            raise
        sys.stderr.write(f"dpoverify {args.command}: internal error: {type(exc).__name__}: "
                         f"{str(exc)[:200]} (DPOVERIFY_TRACEBACK=1 shows where)\n")
        return 3
    finally:
        if registry.paths() != before:
            registry.use_paths(before)


if __name__ == "__main__":
    sys.exit(main())

"""CLI subcommands, one module each. A subcommand module defines

    HELP: str                                   one line for `dpoverify --help`
    add_arguments(parser: argparse.ArgumentParser) -> None
    run(args: argparse.Namespace, console: rich.console.Console) -> int   (the exit code)

and raises dpoverify.errors.UsageError for bad usage or input (the CLI prints it, exits 2).
Exit codes: 0 nothing refuted, 1 something refuted, 2 bad usage or input, 3 an engine failed.
"""

"""Errors that the CLI turns into one clear line on stderr and exit code 2 (bad usage or input)."""


class UsageError(Exception):
    """Bad usage or bad input: unknown id, parameter outside its domain, malformed file,
    missing model directory, NaN/overflow in user input. The message is shown as is."""

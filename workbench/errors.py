"""Error types shared by every layer, and the exit codes the CLI maps them to.

``BadInput`` is the user's to fix (exit 2): the message names the file, field and value.
``ServiceError`` is a service that failed or cannot be reached (exit 1).
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class for errors that Workbench reports to the user without a traceback."""

    exit_code = 1


class BadInput(WorkbenchError, ValueError):
    """Input that Workbench refuses: a file, field or value the user can correct (exit code 2)."""

    exit_code = 2


class ServiceError(WorkbenchError, RuntimeError):
    """A service (Argilla, Redis, the database, an LLM endpoint) failed or is unreachable (exit code 1)."""

    exit_code = 1


def describe(value: object) -> str:
    """What ``value`` is, for a message, without showing text that may be personal data: short
    numbers and true/false/null are shown, anything else by its type and size.

    >>> describe(42), describe(True), describe(None), describe(4111111111111111)
    ('42', 'true', 'null', 'a number of 16 digits (not shown)')
    >>> describe("Jane Doe, 12 Elm St"), describe(["a", "b"]), describe({"k": 1})
    ('text of 19 characters (not shown)', 'a list of 2 items', 'an object with 1 key')
    """
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 6 else f"a number of {sum(c.isdigit() for c in text)} digits (not shown)"
    if isinstance(value, str):
        return f"text of {len(value)} character{'s' if len(value) != 1 else ''} (not shown)"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"an object with {len(value)} key{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"

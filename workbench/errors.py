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

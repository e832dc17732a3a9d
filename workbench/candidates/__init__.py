"""The candidate pipeline: ingest, generate and judge (distilabel), push to Argilla."""

from __future__ import annotations

import sys
import warnings


def import_distilabel() -> None:
    """Import distilabel without what its import does to the whole process.

    ``import distilabel`` (1.5.3) calls ``rich.traceback.install(show_locals=True)``: from then
    on any uncaught exception prints every local variable of every frame, which in a Workbench
    command means API keys (an SDK client's ``api_key``), passwords and texts before redaction.
    Every module of ours that uses distilabel calls this before its first distilabel import, so
    the process keeps the excepthook it had. (The import's pydantic warnings about fields named
    ``model_*`` are not shown either.)
    """
    if "distilabel" in sys.modules:
        return
    hook = sys.excepthook
    with warnings.catch_warnings():
        # its pydantic models' fields named model_* warn on import, on every command's stderr
        warnings.filterwarnings("ignore", message="Field \"model_", category=UserWarning)
        import distilabel  # noqa: F401
        import distilabel.models  # noqa: F401 - the models are where the warnings come from

    sys.excepthook = hook

"""How the dashboard is served: the ``streamlit run`` command line for ``app.py``.

Shared by ``workbench dashboard`` (which replaces itself with this command) and the server
launcher (which runs it in the background for ``workbench up``). Imports neither Streamlit nor
the CLI.
"""

from __future__ import annotations

import sys
from pathlib import Path


def app_path() -> Path:
    """The dashboard's Streamlit entry point (``app.py`` at the root of the Workbench checkout)."""
    import workbench

    return Path(workbench.__file__).resolve().parent.parent / "app.py"


def streamlit_command(port: int, host: str) -> list[str]:
    """The ``streamlit run`` command line: headless, on ``host:port``, no usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
        # no file watcher: the checkout (with its .venv) is far too large to watch, and a served
        # dashboard does not need to reload on edits
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--client.toolbarMode", "viewer",
    ]

"""Process-wide test set-up that must happen before any module is imported.

Every import of ``argilla_server`` copies its 14 MB web UI into a fresh temporary folder and
never removes it; the doctests and tests import it. Point this test process's TMPDIR at a
private folder and remove it when the process exits.
"""

import atexit
import os
import shutil
import tempfile

_private_tmp = tempfile.mkdtemp(prefix="workbench-pytest-")
os.environ["TMPDIR"] = _private_tmp
tempfile.tempdir = None  # re-read TMPDIR
atexit.register(shutil.rmtree, _private_tmp, ignore_errors=True)

# Importing argilla_server in this process registers a global SQLAlchemy "connect" hook that runs
# SQLite PRAGMAs on every engine (PostgreSQL ones too), breaking the history store's PostgreSQL
# tests. Only these modules import it; they run inside the embedded server, not here.
collect_ignore = ["workbench/server/search_engine.py", "workbench/server/process.py"]

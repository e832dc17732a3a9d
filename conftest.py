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


def pytest_runtest_teardown(item, nextitem):
    """Fail the test that imported argilla_server into this process (see above), by name:
    otherwise the damage shows up later, in whichever PostgreSQL test runs next."""
    import sys

    if "argilla_server" in sys.modules and not getattr(pytest_runtest_teardown, "reported", False):
        pytest_runtest_teardown.reported = True
        raise AssertionError(
            f"{item.nodeid} imported argilla_server into the test process; its SQLite PRAGMA hook breaks "
            "every PostgreSQL engine here. Run server code in a subprocess or import a module that "
            "does not import argilla_server (e.g. workbench.server.search_indexes / search_sql).")

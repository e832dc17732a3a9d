"""Streamlit entry point of the Workbench dashboard: ``workbench dashboard`` (or ``streamlit run app.py``).

Everything lives in :mod:`workbench.dashboard`; see docs/dashboard.md.
"""

from workbench.config import use_private_umask
from workbench.dashboard.main import run

use_private_umask()  # the demo history and caches it writes: owner-only

run()

"""Streamlit entry point of the Workbench dashboard: ``workbench dashboard`` (or ``streamlit run app.py``).

Everything lives in :mod:`workbench.dashboard`; see docs/dashboard.md.
"""

from workbench.dashboard.main import run

run()

"""Workbench: calibrated, monitored human annotation on Argilla for fine-tuning data."""

import os as _os

# tldextract (under Presidio's e-mail recogniser) reads this once, when it is first imported, and
# would otherwise fetch the public suffix list from the web. Set here, before any Workbench module
# can import Presidio, whatever the import order (workbench.pii also repairs an extractor built
# before Workbench was imported).
_os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# Presidio's pydantic models (and distilabel's) warn on import about their own field names
# ("Field "model_name" ... has conflict with protected namespace"): noise on every command's stderr.
import warnings as _warnings

_warnings.filterwarnings("ignore", message=r'Field "model_', category=UserWarning)

__version__ = "0.1.0"

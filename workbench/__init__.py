"""Workbench: calibrated, monitored human annotation on Argilla for fine-tuning data."""

import os as _os

# tldextract (under Presidio's e-mail recogniser) reads this once, when it is first imported, and
# would otherwise fetch the public suffix list from the web. Set here, before any Workbench module
# can import Presidio, whatever the import order (workbench.pii also repairs an extractor built
# before Workbench was imported).
_os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

__version__ = "0.1.0"

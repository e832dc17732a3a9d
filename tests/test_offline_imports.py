"""Nothing reaches the network whatever the import order: tldextract (under Presidio's e-mail
recogniser) builds its shared extractor when first imported, with URLs to fetch the public suffix
list unless told otherwise. A program that imports it before Workbench must still stay offline."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import tldextract  # before Workbench: the extractor is built with the web URLs
import tldextract.tldextract as tld
assert tld.TLD_EXTRACTOR.suffix_list_urls, "precondition: tldextract would fetch"
from workbench.pii import PiiConfig, PiiRedactor
out = PiiRedactor(PiiConfig()).redact("mail me at someone@example.co.uk").text
assert "someone@example.co.uk" not in out, out
print(repr(tld.TLD_EXTRACTOR.suffix_list_urls))
"""


def test_tldextract_imported_before_workbench_stays_offline():
    env = {k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "()"


def test_importing_workbench_sets_the_offline_suffix_list():
    env = {k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    code = "import workbench, tldextract.tldextract as t; print(repr(t.TLD_EXTRACTOR.suffix_list_urls))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "()"

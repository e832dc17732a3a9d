"""The PostgreSQL pass (``pytest -m argilla``) selects every test that uses the embedded server."""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def _collected(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                         cwd=TESTS.parent, capture_output=True, text=True, check=True).stdout
    return {line for line in out.splitlines() if "::" in line}


def test_every_test_using_the_server_is_marked_argilla():
    files = [str(TESTS / "test_rounds.py"), str(TESTS / "test_argilla_client.py")]
    selected = _collected("-m", "argilla", *files)
    # tests that take the server through another fixture (test_rounds' ``program``) or directly
    assert any("test_calibration_round_puts_every_item_before_every_annotator" in t for t in selected)
    assert any("test_defaults_to_the_embedded_server_with_the_owner_key" in t for t in selected)
    assert len(selected) >= 12
    # and only those: the pure tests of the same files stay out of the PostgreSQL pass
    assert not any("test_gold_share_and_mixing_are_deterministic" in t for t in selected)

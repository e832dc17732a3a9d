"""Integrity checks for the fourth fresh held-out PII test set (tests/data/pii_fresh4.jsonl)."""
import collections
import importlib.util
import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
JSONL = DATA / "pii_fresh4.jsonl"
SCRIPT = DATA / "make_pii_fresh4.py"

MINIMUMS = {
    "PERSON": 160, "LOCATION": 60, "EMAIL_ADDRESS": 25, "PHONE_NUMBER": 25, "CREDIT_CARD": 20,
    "US_SSN": 20, "IBAN_CODE": 20, "IP_ADDRESS": 20, "URL": 20,
}


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()]


def _entities(rows, kind):
    return [e for r in rows for e in r["entities"] if e["type"] == kind]


def luhn_ok(number):
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban):
    s = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def ssn_ok(ssn):
    m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", ssn)
    if not m:
        return False
    area, group, serial = m.groups()
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def test_helpers_reject_bad_values():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB83 WEST 1234 5698 7654 32")
    assert ssn_ok("123-45-6789")
    assert not any(ssn_ok(s) for s in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"))


def test_row_shape_and_unique_ids(rows):
    assert len(rows) >= 320
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) == {"id", "kind", "split", "text", "entities"}, r["id"]
        assert r["split"] == "fresh4", r["id"]
        assert r["text"].strip(), r["id"]
        for e in r["entities"]:
            assert e["type"] in MINIMUMS, (r["id"], e)


def test_offsets_match_values(rows):
    for r in rows:
        for e in r["entities"]:
            assert 0 <= e["start"] < e["end"] <= len(r["text"]), (r["id"], e)
            assert r["text"][e["start"]:e["end"]] == e["value"], (r["id"], e)
            assert e["value"] == e["value"].strip(), (r["id"], e)


def test_no_overlapping_entities(rows):
    for r in rows:
        spans = sorted((e["start"], e["end"]) for e in r["entities"])
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert s2 >= e1, (r["id"], (s1, e1), (s2, e2))


def test_credit_cards_pass_luhn(rows):
    for e in _entities(rows, "CREDIT_CARD"):
        digits = re.sub(r"[ -]", "", e["value"])
        assert digits.isdigit() and len(digits) in (15, 16), e
        assert luhn_ok(digits), e


def test_card_brands_are_varied(rows):
    brands = set()
    for e in _entities(rows, "CREDIT_CARD"):
        d = re.sub(r"[ -]", "", e["value"])
        if d.startswith("4"):
            brands.add("visa")
        elif 51 <= int(d[:2]) <= 55 or 2221 <= int(d[:4]) <= 2720:
            brands.add("mastercard")
        elif d[:2] in ("34", "37"):
            brands.add("amex")
        elif d.startswith("6011") or d.startswith("65") or 644 <= int(d[:3]) <= 649:
            brands.add("discover")
    assert brands == {"visa", "mastercard", "amex", "discover"}


def test_ibans_pass_mod97(rows):
    ibans = _entities(rows, "IBAN_CODE")
    for e in ibans:
        assert iban_ok(e["value"]), e
    assert len({e["value"][:2] for e in ibans}) >= 5


def test_ssns_follow_rules(rows):
    for e in _entities(rows, "US_SSN"):
        assert ssn_ok(e["value"]), e


def test_minimum_counts(rows):
    counts = collections.Counter(e["type"] for r in rows for e in r["entities"])
    for kind, minimum in MINIMUMS.items():
        assert counts[kind] >= minimum, (kind, counts[kind], minimum)
    ips = _entities(rows, "IP_ADDRESS")
    assert any(":" in e["value"] for e in ips) and any("." in e["value"] for e in ips)


def test_negatives(rows):
    negatives = [r for r in rows if r["kind"].startswith("negative_")]
    assert len(negatives) >= 60
    for r in negatives:
        assert r["entities"] == [], r["id"]
    positives = [r for r in rows if not r["kind"].startswith("negative_")]
    for r in positives:
        assert r["entities"], r["id"]


def test_jsonl_equals_script_output():
    spec = importlib.util.spec_from_file_location("make_pii_fresh4", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == JSONL.read_text(encoding="utf-8")


def test_script_fails_loudly_on_missing_or_ambiguous_value():
    spec = importlib.util.spec_from_file_location("make_pii_fresh4_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ROWS[:] = [("chat", "Ana met Ana", (("P", "Ana"),))]
    with pytest.raises(SystemExit, match="found 2 times"):
        module.build()
    module.ROWS[:] = [("chat", "Ana met Bo", (("P", "Cy"),))]
    with pytest.raises(SystemExit, match="found 0 times"):
        module.build()

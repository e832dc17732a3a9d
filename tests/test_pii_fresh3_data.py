"""Checks on the third fresh held-out PII test set (tests/data/pii_fresh3.jsonl).

The data is checked for internal consistency only; nothing here runs a recogniser.
"""
from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"
JSONL = DATA_DIR / "pii_fresh3.jsonl"
SCRIPT = DATA_DIR / "make_pii_fresh3.py"

MINIMUMS = {
    "PERSON": 160, "LOCATION": 60, "EMAIL_ADDRESS": 25, "PHONE_NUMBER": 25, "CREDIT_CARD": 20,
    "US_SSN": 20, "IBAN_CODE": 20, "IP_ADDRESS": 20, "URL": 20,
}


def _load_script():
    spec = importlib.util.spec_from_file_location("make_pii_fresh3", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()]


def _ents(rows, etype):
    return [e for r in rows for e in r["entities"] if e["type"] == etype]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def test_luhn_and_iban_helpers_reject_bad_values():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")


def test_jsonl_is_script_output_byte_for_byte():
    assert JSONL.read_text(encoding="utf-8") == _load_script().render()


def test_row_shape_and_unique_ids(rows):
    assert len(rows) >= 320
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) == {"id", "kind", "split", "text", "entities"}, r["id"]
        assert r["split"] == "fresh3"
        assert r["kind"] and r["text"].strip()


def test_offsets_match_values_and_do_not_overlap(rows):
    for r in rows:
        prev_end = -1
        for e in r["entities"]:
            assert set(e) == {"type", "start", "end", "value"}, r["id"]
            assert e["type"] in MINIMUMS, (r["id"], e["type"])
            assert 0 <= e["start"] < e["end"] <= len(r["text"]), (r["id"], e)
            assert r["text"][e["start"]:e["end"]] == e["value"], (r["id"], e)
            assert e["value"] == e["value"].strip(), (r["id"], e)
            assert e["start"] >= prev_end, f"{r['id']}: overlapping entities"
            prev_end = e["end"]


def test_minimum_counts_per_type(rows):
    counts = Counter(e["type"] for r in rows for e in r["entities"])
    for etype, minimum in MINIMUMS.items():
        assert counts[etype] >= minimum, (etype, counts[etype])


def test_negatives(rows):
    negatives = [r for r in rows if r["kind"].startswith("negative_")]
    assert len(negatives) >= 60
    assert all(r["entities"] == [] for r in negatives)
    assert all(r["entities"] for r in rows if not r["kind"].startswith("negative_"))


def test_credit_cards_pass_luhn_and_brand_prefixes(rows):
    brands = Counter()
    for e in _ents(rows, "CREDIT_CARD"):
        digits = re.sub(r"[ -]", "", e["value"])
        assert digits.isdigit() and luhn_ok(digits), e["value"]
        if digits[0] == "4" and len(digits) == 16:
            brands["visa"] += 1
        elif len(digits) == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
            brands["mastercard"] += 1
        elif len(digits) == 15 and digits[:2] in ("34", "37"):
            brands["amex"] += 1
        elif len(digits) == 16 and (digits.startswith("6011") or digits.startswith("65")
                                    or 644 <= int(digits[:3]) <= 649):
            brands["discover"] += 1
        else:
            pytest.fail(f"card {e['value']} matches no brand")
    assert all(brands[b] >= 3 for b in ("visa", "mastercard", "amex", "discover")), brands


def test_ibans_pass_mod97_in_several_countries(rows):
    ibans = _ents(rows, "IBAN_CODE")
    for e in ibans:
        assert iban_ok(e["value"]), e["value"]
    assert len({e["value"][:2] for e in ibans}) >= 10


def test_ssns_follow_ssa_rules(rows):
    for e in _ents(rows, "US_SSN"):
        m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", e["value"])
        assert m, e["value"]
        area, group, serial = m.groups()
        assert area not in ("000", "666") and not area.startswith("9"), e["value"]
        assert group != "00" and serial != "0000", e["value"]


def test_ip_addresses_are_valid_v4_and_v6(rows):
    import ipaddress

    versions = Counter(ipaddress.ip_address(e["value"]).version for e in _ents(rows, "IP_ADDRESS"))
    assert versions[4] >= 5 and versions[6] >= 5, versions


def test_generator_fails_loudly_on_missing_or_ambiguous_value(monkeypatch):
    mod = _load_script()
    monkeypatch.setattr(mod, "ROWS", [("chat", "Ana met Ana.", (("PERSON", "Ana"),))])
    with pytest.raises(mod.DataError, match="found 2 times"):
        mod.build_rows()
    monkeypatch.setattr(mod, "ROWS", [("chat", "Hello there.", (("PERSON", "Ana"),))])
    with pytest.raises(mod.DataError, match="found 0 times"):
        mod.build_rows()

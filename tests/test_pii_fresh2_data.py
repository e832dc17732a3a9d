"""Integrity checks for tests/data/pii_fresh2.jsonl (the second fresh, held-out PII test set).

These tests check the data only; they never run a recogniser on it.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
JSONL = DATA / "pii_fresh2.jsonl"
SCRIPT = DATA / "make_pii_fresh2.py"

MINIMUMS = {
    "PERSON": 150,
    "LOCATION": 60,
    "EMAIL_ADDRESS": 25,
    "PHONE_NUMBER": 25,
    "CREDIT_CARD": 20,
    "US_SSN": 20,
    "IBAN_CODE": 20,
    "IP_ADDRESS": 20,
    "URL": 20,
}
MIN_ROWS = 300
MIN_NEGATIVES = 60

# Expected IBAN length per country, for the countries used in the set.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
    "IE": 22, "IT": 27, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24,
}


def _rows() -> list[dict]:
    rows = []
    for n, line in enumerate(JSONL.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:  # pragma: no cover - message for a broken file
            raise AssertionError(f"{JSONL}: line {n} is not JSON: {exc}") from exc
    return rows


ROWS = _rows()


def _entities(kind: str) -> list[dict]:
    return [e for r in ROWS for e in r["entities"] if e["type"] == kind]


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    total = 0
    for i, d in enumerate(digits):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    iban = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", iban):
        return False
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ssn_ok(ssn: str) -> bool:
    m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", ssn)
    if not m:
        return False
    area, group, serial = m.groups()
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def test_checkers_reject_bad_values():
    # the validators themselves must be able to fail
    assert luhn_ok("4921881428066667") and not luhn_ok("4921881428066668")
    assert iban_ok("DE98 8086 1683 5284 5345 08") and not iban_ok("DE99 8086 1683 5284 5345 08")
    assert not iban_ok("DE98 8086 1683 5284 5345 0")  # wrong length
    assert ssn_ok("341-46-7772")
    for bad in ("000-46-7772", "666-46-7772", "912-46-7772", "341-00-7772", "341-46-0000", "34-146-7772"):
        assert not ssn_ok(bad), bad


def test_row_shape_and_unique_ids():
    assert len(ROWS) >= MIN_ROWS
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids)), [i for i, c in collections.Counter(ids).items() if c > 1]
    for r in ROWS:
        assert set(r) == {"id", "kind", "split", "text", "entities"}, r["id"]
        assert re.fullmatch(r"g\d{4}", r["id"]), r["id"]
        assert r["split"] == "fresh2", r["id"]
        assert r["text"].strip(), r["id"]
        assert 1 <= len(r["text"]) <= 600, r["id"]


def test_offsets_match_values_and_types_known():
    for r in ROWS:
        for e in r["entities"]:
            assert e["type"] in MINIMUMS, (r["id"], e)
            assert 0 <= e["start"] < e["end"] <= len(r["text"]), (r["id"], e)
            assert r["text"][e["start"]:e["end"]] == e["value"], (r["id"], e)
            assert e["value"] == e["value"].strip(), (r["id"], e)


def test_no_overlapping_entities():
    for r in ROWS:
        spans = sorted((e["start"], e["end"]) for e in r["entities"])
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert s2 >= e1, (r["id"], (s1, e1), (s2, e2))


def test_person_labels_have_no_titles():
    for e in _entities("PERSON"):
        first = e["value"].split()[0].rstrip(".").lower()
        assert first not in {"mr", "mrs", "ms", "dr", "prof", "professor", "sir", "miss", "fr", "rabbi"}, e
        assert not e["value"].endswith("'s"), e


def test_credit_cards_are_luhn_valid_with_known_prefixes():
    for e in _entities("CREDIT_CARD"):
        digits = re.sub(r"[ -]", "", e["value"])
        assert digits.isdigit(), e
        assert luhn_ok(digits), e
        if digits[0] == "4":
            assert len(digits) == 16, e
        elif digits[:2] in ("34", "37"):
            assert len(digits) == 15, e
        elif digits.startswith("6011") or digits.startswith("65"):
            assert len(digits) == 16, e
        else:
            assert 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720, e
            assert len(digits) == 16, e
    brands = {
        "visa": lambda d: d[0] == "4",
        "mc51": lambda d: 51 <= int(d[:2]) <= 55,
        "mc2": lambda d: 2221 <= int(d[:4]) <= 2720,
        "amex": lambda d: d[:2] in ("34", "37"),
        "discover": lambda d: d.startswith("6011") or d.startswith("65"),
    }
    cards = [re.sub(r"[ -]", "", e["value"]) for e in _entities("CREDIT_CARD")]
    for name, match in brands.items():
        assert any(match(d) for d in cards), f"no {name} card in the set"


def test_ibans_are_mod97_valid_from_several_countries():
    ibans = _entities("IBAN_CODE")
    for e in ibans:
        assert iban_ok(e["value"]), e
    assert len({e["value"][:2] for e in ibans}) >= 8


def test_ssns_follow_issuance_rules():
    for e in _entities("US_SSN"):
        assert ssn_ok(e["value"]), e


def test_ip_addresses_parse_and_include_v6():
    import ipaddress

    versions = set()
    for e in _entities("IP_ADDRESS"):
        versions.add(ipaddress.ip_address(e["value"]).version)
    assert versions == {4, 6}


def test_emails_and_urls_look_right():
    for e in _entities("EMAIL_ADDRESS"):
        assert re.fullmatch(r"[\w.+%-]+@[\w-]+(\.[\w-]+)+", e["value"]), e
    for e in _entities("URL"):
        assert re.match(r"(https?://|ftp://|www\.|[\w-]+\.[a-z]{2,}/)", e["value"]), e


def test_minimum_counts_per_type():
    counts = collections.Counter(e["type"] for r in ROWS for e in r["entities"])
    for kind, minimum in MINIMUMS.items():
        assert counts[kind] >= minimum, (kind, counts[kind], minimum)


def test_some_lower_case_person_names():
    persons = _entities("PERSON")
    lower = [e for e in persons if e["value"] == e["value"].lower()]
    assert len(lower) >= 0.05 * len(persons)


def test_negatives():
    negatives = [r for r in ROWS if r["kind"].startswith("negative_")]
    assert len(negatives) >= MIN_NEGATIVES
    for r in ROWS:
        if r["kind"].startswith("negative_"):
            assert r["entities"] == [], r["id"]
        else:
            assert r["entities"], r["id"]


def test_jsonl_equals_script_output():
    spec = importlib.util.spec_from_file_location("make_pii_fresh2", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert JSONL.read_text(encoding="utf-8") == module.render()


def test_script_rejects_ambiguous_or_missing_values():
    spec = importlib.util.spec_from_file_location("make_pii_fresh2", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(ValueError, match="occurs 2 times"):
        module._find("Ana met Ana", "Ana", None)
    with pytest.raises(ValueError, match="occurs 0 times"):
        module._find("Ana met Ben", "Cleo", None)
    assert module._find("Ana met Ana", "Ana", 1) == 8

"""The fresh labelled PII set (tests/data/pii_fresh.jsonl) is well formed and is what its script makes.

These checks re-derive everything from the .jsonl itself (Luhn, IBAN mod-97, SSN rules, offsets)
rather than trusting the generator's own bookkeeping.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
JSONL = DATA / "pii_fresh.jsonl"
SCRIPT = DATA / "make_pii_fresh.py"

MINIMUMS = {
    "PERSON": 120,
    "LOCATION": 40,
    "EMAIL_ADDRESS": 25,
    "PHONE_NUMBER": 25,
    "CREDIT_CARD": 20,
    "US_SSN": 20,
    "IBAN_CODE": 20,
    "IP_ADDRESS": 20,
    "URL": 20,
}
MIN_ROWS = 260
MIN_NEGATIVE_ROWS = 50

# IBAN lengths (ISO 13616 registry) for the countries the set may use.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
    "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24,
}


def _load_script():
    spec = importlib.util.spec_from_file_location("make_pii_fresh", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows():
    with JSONL.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _entities(rows, etype):
    return [(r["id"], e["value"]) for r in rows for e in r["entities"] if e["type"] == etype]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def test_luhn_and_mod97_helpers_reject_corrupted_numbers():
    # The helpers below judge the data, so check they can say no.
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")


def test_row_shape_ids_and_size(rows):
    assert len(rows) >= MIN_ROWS
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), [i for i, c in Counter(ids).items() if c > 1]
    for r in rows:
        assert set(r) == {"id", "kind", "split", "text", "entities"}, r["id"]
        assert re.fullmatch(r"f\d{4}", r["id"]), r["id"]
        assert r["split"] == "fresh", r["id"]
        assert r["kind"] and isinstance(r["kind"], str), r["id"]
        assert r["text"].strip(), r["id"]
    negatives = [r for r in rows if not r["entities"]]
    assert len(negatives) >= MIN_NEGATIVE_ROWS


def test_negative_kind_means_no_entities(rows):
    for r in rows:
        assert r["kind"].startswith("negative_") == (not r["entities"]), r["id"]


def test_offsets_match_values_and_types_are_known(rows):
    for r in rows:
        for e in r["entities"]:
            assert set(e) == {"type", "start", "end", "value"}, r["id"]
            assert e["type"] in MINIMUMS, (r["id"], e["type"])
            assert 0 <= e["start"] < e["end"] <= len(r["text"]), (r["id"], e)
            assert r["text"][e["start"]:e["end"]] == e["value"], (r["id"], e)
            assert e["value"] == e["value"].strip(), (r["id"], e)


def test_no_overlapping_entities_in_a_row(rows):
    for r in rows:
        spans = sorted((e["start"], e["end"]) for e in r["entities"])
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert s2 >= e1, (r["id"], (s1, e1), (s2, e2))


def test_minimum_counts_per_type(rows):
    counts = Counter(e["type"] for r in rows for e in r["entities"])
    short = {t: (counts[t], n) for t, n in MINIMUMS.items() if counts[t] < n}
    assert not short, f"(found, needed): {short}"


def test_credit_cards_pass_luhn_and_have_a_brand_prefix(rows):
    cards = _entities(rows, "CREDIT_CARD")
    assert cards
    for row_id, value in cards:
        assert re.fullmatch(r"\d[\d -]*\d", value), (row_id, value)
        digits = re.sub(r"[ -]", "", value)
        assert len(digits) in (13, 15, 16), (row_id, value)
        assert luhn_ok(digits), (row_id, value)
        brand = (
            digits.startswith("4")
            or 51 <= int(digits[:2]) <= 55
            or 2221 <= int(digits[:4]) <= 2720
            or digits[:2] in ("34", "37")
            or digits.startswith("6011")
            or 644 <= int(digits[:3]) <= 649
            or digits.startswith("65")
        )
        assert brand, (row_id, value)
    brands = {re.sub(r"[ -]", "", v)[0] for _, v in cards}
    assert {"3", "4", "5", "6"} <= brands  # Amex, Visa, Mastercard and Discover all present


def test_ibans_pass_mod97_and_have_their_country_length(rows):
    ibans = _entities(rows, "IBAN_CODE")
    assert ibans
    for row_id, value in ibans:
        compact = value.replace(" ", "")
        if " " in value:  # printed form: groups of four
            assert value == " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)), (row_id, value)
        assert re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact), (row_id, value)
        assert len(compact) == IBAN_LENGTHS[compact[:2]], (row_id, value)
        assert iban_ok(compact), (row_id, value)
    assert len({v.replace(" ", "")[:2] for _, v in ibans}) >= 8


def test_ssns_look_valid(rows):
    ssns = _entities(rows, "US_SSN")
    assert ssns
    for row_id, value in ssns:
        m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", value)
        assert m, (row_id, value)
        area, group, serial = m.group(1), m.group(3), m.group(4)
        assert area not in ("000", "666") and not area.startswith("9"), (row_id, value)
        assert group != "00" and serial != "0000", (row_id, value)
    separators = {re.sub(r"\d", "", v) for _, v in ssns}
    assert {"--", "  ", ""} <= separators  # dashes, spaces and none


def test_ip_addresses_parse_and_both_versions_appear(rows):
    versions = set()
    for row_id, value in _entities(rows, "IP_ADDRESS"):
        versions.add(ipaddress.ip_address(value).version)  # raises on a malformed address
    assert versions == {4, 6}


def test_emails_phones_and_urls_are_plausible(rows):
    for row_id, value in _entities(rows, "EMAIL_ADDRESS"):
        assert re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value), (row_id, value)
    for row_id, value in _entities(rows, "PHONE_NUMBER"):
        assert 7 <= len(re.sub(r"\D", "", value)) <= 15, (row_id, value)
        assert re.fullmatch(r"[+\d(][\d ().+-]*\d", value), (row_id, value)
    for row_id, value in _entities(rows, "URL"):
        assert " " not in value and "." in value, (row_id, value)


def test_jsonl_is_exactly_what_the_script_produces():
    module = _load_script()
    assert JSONL.read_text(encoding="utf-8") == module.render(module.build_rows())


def test_script_refuses_a_value_that_is_not_in_the_text(monkeypatch, tmp_path):
    module = _load_script()
    out = tmp_path / "pii_fresh.jsonl"
    out.write_text("old content\n", encoding="utf-8")
    monkeypatch.setattr(module, "OUT", out)
    monkeypatch.setattr(module, "ROWS", [("chat", "Ask Mia about it.", [("PERSON", "Maya")])])
    with pytest.raises(module.DataError, match=r"f0001.*'Maya'.*0 times"):
        module.build_rows()
    assert module.main([]) == 1
    assert out.read_text(encoding="utf-8") == "old content\n"  # nothing half-written


def test_script_needs_an_occurrence_index_for_a_repeated_value(monkeypatch):
    module = _load_script()
    text = "Ana called, then Ana wrote."
    monkeypatch.setattr(module, "ROWS", [("chat", text, [("PERSON", "Ana")])])
    with pytest.raises(module.DataError, match="2 times"):
        module.build_rows()
    monkeypatch.setattr(module, "ROWS", [("chat", text, [("PERSON", "Ana", 1)])])
    (row,) = module.build_rows()
    assert row["entities"] == [{"type": "PERSON", "start": 17, "end": 20, "value": "Ana"}]

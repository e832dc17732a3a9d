"""The hand-written labelled PII sets (tests/data/pii_fresh*.jsonl): each file is exactly what its
script writes, and its labels are consistent (offsets, types, checksums, counts).

Each set was written by a different hand, independently of the recognisers (see docs/pii.md,
Accuracy); the scripts differ in small ways (function names, error types), the checks do not.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from data_scripts import load

DATA = Path(__file__).parent / "data"
TYPES = {"PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
         "IP_ADDRESS", "URL", "DATE_OF_BIRTH", "CARD_EXPIRY", "CARD_CVV"}
#: Minimum items per type, rows and negative rows each set was written to (the brief of its author).
MINIMUMS = {
    "fresh": dict(PERSON=120, LOCATION=40, EMAIL_ADDRESS=25, PHONE_NUMBER=25, CREDIT_CARD=20, US_SSN=20,
                  IBAN_CODE=20, IP_ADDRESS=20, URL=20, rows=260, negatives=50),
    "fresh2": dict(PERSON=150, LOCATION=60, EMAIL_ADDRESS=25, PHONE_NUMBER=25, CREDIT_CARD=20, US_SSN=20,
                   IBAN_CODE=20, IP_ADDRESS=20, URL=20, rows=300, negatives=60),
    "fresh3": dict(PERSON=160, LOCATION=60, EMAIL_ADDRESS=25, PHONE_NUMBER=25, CREDIT_CARD=20, US_SSN=20,
                   IBAN_CODE=20, IP_ADDRESS=20, URL=20, rows=320, negatives=60),
    "fresh4": dict(PERSON=160, LOCATION=60, EMAIL_ADDRESS=25, PHONE_NUMBER=25, CREDIT_CARD=20, US_SSN=20,
                   IBAN_CODE=20, IP_ADDRESS=20, URL=20, rows=320, negatives=60),
    "fresh5": dict(PERSON=160, LOCATION=60, EMAIL_ADDRESS=25, PHONE_NUMBER=25, CREDIT_CARD=20, US_SSN=20,
                   IBAN_CODE=20, IP_ADDRESS=20, URL=20, rows=320, negatives=60),
    # medical chat with the kinds the defaults missed (issue #15): dates of birth, card expiry and
    # security codes, lower-case first names
    "fresh6": dict(PERSON=90, DATE_OF_BIRTH=40, CARD_EXPIRY=25, CARD_CVV=25, CREDIT_CARD=20, US_SSN=20,
                   PHONE_NUMBER=20, EMAIL_ADDRESS=15, rows=160, negatives=0),
}
SETS = tuple(MINIMUMS)


def _script(name: str):
    return load(f"make_pii_{name}", module_name=f"make_pii_{name}_under_test")


def _rendered(name: str) -> str:
    """What the set's script writes."""
    module = _script(name)
    if name == "fresh":
        return module.render(module.build_rows())
    return module.render()


def _rows(name: str) -> list[dict]:
    with (DATA / f"pii_{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _items(rows: list[dict], kind: str) -> list[str]:
    return [e["value"] for r in rows for e in r["entities"] if e["type"] == kind]


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return len(digits) >= 12 and total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = re.sub(r"[\s-]", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", s):
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def ssn_ok(ssn: str) -> bool:
    digits = re.sub(r"[\s-]", "", ssn)
    if not re.fullmatch(r"\d{9}", digits):
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def test_checkers_reject_bad_values():
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert ssn_ok("219-09-9999") and not ssn_ok("666-12-3456") and not ssn_ok("912-12-3456")
    assert not ssn_ok("123-00-4567") and not ssn_ok("123-45-0000")


@pytest.mark.parametrize("name", SETS)
def test_file_is_what_its_script_writes(name):
    assert (DATA / f"pii_{name}.jsonl").read_text(encoding="utf-8") == _rendered(name)


@pytest.mark.parametrize("name", SETS)
def test_rows_offsets_and_overlaps(name):
    rows = _rows(name)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) >= {"id", "kind", "split", "text", "entities"} and r["split"] == name, r["id"]
        spans = []
        for e in r["entities"]:
            assert e["type"] in TYPES, (r["id"], e)
            assert r["text"][e["start"]:e["end"]] == e["value"], (r["id"], e)
            spans.append((e["start"], e["end"]))
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), (r["id"], spans)
        # a negative row has no items, and every other row has some
        assert r["kind"].startswith("negative") == (not r["entities"]), r["id"]


@pytest.mark.parametrize("name", SETS)
def test_minimum_counts(name):
    rows, want = _rows(name), MINIMUMS[name]
    counts = Counter(e["type"] for r in rows for e in r["entities"])
    assert len(rows) >= want["rows"] and sum(not r["entities"] for r in rows) >= want["negatives"]
    for kind in TYPES:
        assert counts[kind] >= want.get(kind, 0), (kind, counts[kind])


@pytest.mark.parametrize("name", SETS)
def test_structured_items_are_valid(name):
    rows = _rows(name)
    assert all(luhn_ok(v) for v in _items(rows, "CREDIT_CARD"))
    assert all(iban_ok(v) for v in _items(rows, "IBAN_CODE"))
    assert all(ssn_ok(v) for v in _items(rows, "US_SSN"))
    versions = {ipaddress.ip_address(v.split("%")[0]).version for v in _items(rows, "IP_ADDRESS")}
    assert versions == ({4, 6} if MINIMUMS[name].get("IP_ADDRESS") else set())
    assert all(re.fullmatch(r"\d{3,4}", v) for v in _items(rows, "CARD_CVV"))
    assert all(re.search(r"\d", v) for v in _items(rows, "CARD_EXPIRY") + _items(rows, "DATE_OF_BIRTH"))
    assert all("@" in v and "." in v.rsplit("@", 1)[1] for v in _items(rows, "EMAIL_ADDRESS"))
    assert all(sum(c.isdigit() for c in v) >= 7 for v in _items(rows, "PHONE_NUMBER"))


@pytest.mark.parametrize("name", SETS)
def test_names_are_names(name):
    persons = _items(_rows(name), "PERSON")
    assert not [p for p in persons if re.match(r"(?i)(mr|mrs|ms|dr|prof)\.?\s", p)]  # titles are not labelled
    assert not [p for p in persons if p.endswith(("'s", "’s"))]  # nor possessive endings
    assert sum(p == p.lower() for p in persons) >= 0.03 * len(persons)  # chat-style lower-case names


@pytest.mark.parametrize("name, error", [("fresh", "DataError"), ("fresh2", "ValueError"),
                                         ("fresh3", "DataError"), ("fresh4", "SystemExit"),
                                         ("fresh5", "DataError"), ("fresh6", "DataError")])
def test_scripts_fail_loudly_on_a_missing_or_repeated_value(name, error, monkeypatch):
    module = _script(name)
    exc = getattr(module, error, None) or {"ValueError": ValueError, "SystemExit": SystemExit}[error]
    if name == "fresh2":  # its finder is tested directly
        with pytest.raises(exc, match="occurs 2 times"):
            module._find("Ana met Ana", "Ana", None)
        with pytest.raises(exc, match="occurs 0 times"):
            module._find("Ana met Ben", "Cleo", None)
        return
    build = module.build if name == "fresh4" else module.build_rows
    person = "P" if name == "fresh4" else "PERSON"
    for text, value, found in (("Ana met Ana.", "Ana", "2 times"), ("Ana met Bo.", "Cy", "0 times")):
        monkeypatch.setattr(module, "ROWS", [("chat", text, ((person, value),))])
        with pytest.raises(exc, match=found):
            build()


# --------------------------------------------------------------------------- the PII-free set

FREE_KINDS = {"instruction", "question", "answer", "code", "math", "recipe", "medical_info", "support", "creative",
              "public_place"}


def test_pii_free_set_is_what_its_script_writes_and_holds_no_items():
    """tests/data/pii_free.jsonl: instruction-style texts without personal data (issue #15), every
    detected span on them is a false one (bench/bench_pii.py, split ``free``)."""
    assert (DATA / "pii_free.jsonl").read_text(encoding="utf-8") == _script("free").render()
    rows = _rows("free")
    assert len(rows) >= 320 and len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    assert all(r["entities"] == [] and r["split"] == "pii_free" and r["kind"] in FREE_KINDS for r in rows)
    assert not [r["id"] for r in rows if re.search(r"@|https?://|www\.|\d{3}[- ]\d{2}[- ]\d{4}", r["text"])]
    assert len({r["kind"] for r in rows}) == len(FREE_KINDS)


def test_pii_free_script_refuses_a_duplicate_or_an_unknown_kind(monkeypatch):
    module = _script("free")
    for rows, found in (([("instruction", "Write a haiku about rain."), ("instruction", "Write a haiku about rain.")],
                         "duplicate"), ([("poem", "Write a haiku about rain.")], "unknown kind")):
        monkeypatch.setattr(module, "ROWS", rows)
        with pytest.raises(module.DataError, match=found):
            module.build_rows()

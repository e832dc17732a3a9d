"""What the default PII configuration redacts since issue #15: dates of birth, a card's expiry and
security code, SSNs typed as SSNs and lower-case first names after an introduction; and what it
leaves alone: instruction-style text without personal data (tests/data/pii_free.jsonl), where it
must find no more false spans than stock Presidio.

The figures the thresholds below guard are in docs/pii.md (Accuracy) and come from
``python bench/bench_pii.py``; each threshold sits a little under the measured value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.pii import DEFAULT_ENTITIES, PiiConfig, PiiRedactor

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict]:
    with (DATA / f"pii_{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def redactor() -> PiiRedactor:
    red = PiiRedactor(PiiConfig())
    red.analyzer  # noqa: B018 - load once for the module
    return red


@pytest.fixture(scope="module")
def stock() -> PiiRedactor:
    red = PiiRedactor(PiiConfig(custom_recognizers=False, ner_only=False))
    red.analyzer  # noqa: B018
    return red


def test_the_issue_examples_are_redacted_with_their_types(redactor):
    text = "Hi, i'm emma, DOB 03/14/2015. Card 4111 1111 1111 1111 exp 09/27, CVV 123. SSN 123-45-6789."
    assert redactor.redact(text).text == ("Hi, i'm <PERSON>, DOB <DATE_OF_BIRTH>. Card <CREDIT_CARD> exp <CARD_EXPIRY>, "
                                          "CVV <CARD_CVV>. SSN <US_SSN>.")
    assert {"DATE_OF_BIRTH", "CARD_EXPIRY", "CARD_CVV"} <= set(DEFAULT_ENTITIES)


@pytest.mark.parametrize("text, kept", [
    ("Summarize the following paragraph in two sentences.", "Summarize"),
    ("Convert this for-loop into a list comprehension.", "Convert"),
    ("Paraphrase: \"The results were inconclusive.\"", "Paraphrase"),
    ("Translate the sentence into French, German and Italian.", "French"),
    ("The seal is usually a blocked drain filter or hose.", "hose"),
    ("Insulin pens: lot 26B114 expires 03/2027; store unopened pens in the fridge.", "03/2027"),
    ("Your appointment is on 03/14/2027 at 10:30.", "03/14/2027"),
    ("Cook on low for 8 hours.", "Cook"),
])
def test_generated_instructions_and_other_dates_are_left_alone(redactor, text, kept):
    assert kept in redactor.redact(text).text


@pytest.mark.parametrize("text, value, entity", [
    ("Bot: What's your date of birth?\nUser: 21st of october 1993\nBot: Thanks.", "21st of october 1993", "DATE_OF_BIRTH"),
    ("Ms. Adaora Fielding-Osei, b. 11/02/1960, presents with a cough.", "11/02/1960", "DATE_OF_BIRTH"),
    ("Agent: And the CVV?\nCustomer: 363\nAgent: Thanks.", "363", "CARD_CVV"),
    ("so sending here: 3528 1359 3320 7269 / 12/26 / 419. For the physio.", "12/26", "CARD_EXPIRY"),
    ("so sending here: 3528 1359 3320 7269 / 12/26 / 419. For the physio.", "419", "CARD_CVV"),
    ("my son leo has had a fever since Monday", "leo", "PERSON"),
])
def test_values_named_by_a_question_or_by_a_card_number(redactor, text, value, entity):
    start = text.index(value)
    assert any(s.entity == entity and s.start <= start and start + len(value) <= s.end for s in redactor.analyze(text))


def test_everyday_words_after_an_introduction_are_not_names(redactor):
    for text in ("I'm sure my son will call back", "I am tired and this is urgent", "i am new here"):
        assert redactor.redact(text).text == text


def _recall_precision(rows, spans, entity):
    gold = [(i, e) for i, r in enumerate(rows) for e in r["entities"] if e["type"] == entity]
    found = sum(any(s.entity == entity and s.start < e["end"] and e["start"] < s.end for s in spans[i]) for i, e in gold)
    pred = [(i, s) for i, sp in enumerate(spans) for s in sp if s.entity == entity]
    right = sum(any(e["type"] == entity and s.start < e["end"] and e["start"] < s.end for e in rows[i]["entities"])
                for i, s in pred)
    return found / len(gold), right / len(pred)


def test_new_default_types_on_the_medical_chat_set(redactor):
    """fresh6 (hand-written, 109 dates of birth, 37 expiries, 32 security codes, 30 SSNs): measured
    recall 0.99 / 0.97 / 1.00 and precision 1.00 (before the dialogue and card-sequence rules: recall
    0.91 / 0.78 / 0.69); every SSN is typed US_SSN, none PHONE_NUMBER; lower-case first names 0.72."""
    rows = _rows("fresh6")
    spans = redactor.analyze_batch([r["text"] for r in rows], n_process=1)
    for entity, min_recall in (("DATE_OF_BIRTH", 0.95), ("CARD_EXPIRY", 0.93), ("CARD_CVV", 0.95), ("US_SSN", 1.0)):
        recall, precision = _recall_precision(rows, spans, entity)
        assert recall >= min_recall and precision >= 0.97, (entity, recall, precision)
    lower = [(i, e) for i, r in enumerate(rows) for e in r["entities"]
             if e["type"] == "PERSON" and e["value"] == e["value"].lower()]
    found = sum(any(s.entity == "PERSON" and s.start < e["end"] and e["start"] < s.end for s in spans[i]) for i, e in lower)
    assert found / len(lower) >= 0.70, found / len(lower)  # measured 0.72 (66 of 92)


def test_no_more_false_spans_than_stock_presidio_on_text_without_personal_data(redactor, stock):
    """412 instruction-style texts without personal data: Workbench 35 spans (85 per 1,000 texts),
    stock Presidio 51 (124), before issue #15's changes Workbench 49 (119)."""
    texts = [r["text"] for r in _rows("free")]
    ours = sum(map(len, redactor.analyze_batch(texts, n_process=1)))
    theirs = sum(map(len, stock.analyze_batch(texts, n_process=1)))
    assert ours <= theirs, (ours, theirs)
    assert ours <= 0.1 * len(texts), ours

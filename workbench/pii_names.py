"""Person names found by their given name: a gazetteer of given names for Presidio.

spaCy's small English model misses many names that nothing around them announces: a first name
alone ("Travelling with Ivana"), a list ("me, Siddharth, Hana and Tyrone"), a sign-off without a
line break ("... - Olga"), and full names in sentences about something else ("the W-2 for Sean
Delaney"). Measured on ``tests/data/pii_fresh.jsonl`` (a labelled set written after the other
recognisers, never used to tune them), PERSON recall was 0.73. :class:`GivenNameRecognizer` finds
runs of capitalised words (the name pattern of :mod:`workbench.pii_recognizers`) whose first
word is a known given name, and reports the run as a PERSON ("Sean Delaney", "Ivana").

Given names: the first-name lists of Faker's person providers (MIT licence, installed with
Workbench, read offline) for every locale written in Latin script, about 21,000 names from 58
locales. Those lists include words that are far more often something else ("Will", "May",
"China", "Young"), so a word is not taken as a given name when it is

* an English stop word or one of :data:`workbench.pii_recognizers.NOT_NAMES` (months, weekdays,
  greetings, roles, ...), or in Faker's list of common English words (lorem ``en_US``);
* one of :data:`EVERYDAY_WORDS` (given names that are everyday English words) at the start of a
  sentence, where every word is capitalised; and a lone capitalised word opening a sentence is
  never taken ("Server logs show ...", "Link to ..."): a name there needs a surname after it;
* tagged by spaCy as a place, facility, nationality, date, time or number (``Bristol``, ``Victoria``
  as GPE), or preceded by a place preposition ("in Florence": :class:`LocationCueRecognizer`'s cue).

Names written in lower case ("tell jess i said hi") are not found: without capitalisation the
list would match everyday words ("will", "mark", "bill").
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import unicodedata
from typing import List

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult

from workbench.pii_recognizers import _LOCATION_CUE_RE, _NAME, _PARTICLE, NOT_NAMES, _result

#: Given names that are everyday English words; not names at the start of a sentence.
EVERYDAY_WORDS = frozenset("""
will may mark bill hope grace joy rose summer page chase art sky river dawn faith amber ruby iris lily
violet holly pearl crystal destiny angel christian carol frank jack sue pat rob don ken guy max hunter
mason taylor cooper walker parker baker miles rich drew reed dale glen cliff gene ray jean ginger candy
brandy sandy rusty sunny star autumn winter spring april june august major king price young long
early royal noble gay patience mercy charity heather olive jade poppy daisy honey precious blessing
lucky happy golden silver bishop dean penny ace sterling forrest stone hall wood field grant
""".split())

#: spaCy labels that make a capitalised word something other than a person's name.
_NOT_PERSON_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP", "LANGUAGE", "DATE", "TIME", "MONEY", "QUANTITY",
                                "PERCENT", "CARDINAL", "ORDINAL", "EVENT", "LAW"})

#: A run of capitalised words: one to four names, with name particles ("Maria de Souza").
_RUN = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}'’@.-]){_NAME}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME}){{0,3}}"
                     rf"(?![\p{{L}}\p{{N}}@])")
_WORD = regex.compile(rf"{_NAME}|{_PARTICLE}")
#: What ends the text before a sentence-initial word (after spaces and tabs are stripped).
_SENTENCE_ENDS = frozenset('.!?:;"“([\n')


def _sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence, line or quotation (capitalised anyway)."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return i == 0 or text[i - 1] in _SENTENCE_ENDS


def _is_latin(name: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


@functools.lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Lower-cased given names of Faker's person providers written in Latin script.

    A locale counts when at least 95% of its first names are in Latin script (names in other
    scripts are skipped: the recogniser matches Latin capitalisation).
    """
    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        found: list[str] = []
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            value = vars(provider).get(attr) if provider is not None else None
            if isinstance(value, (list, tuple, dict)):  # dicts map a name to its frequency
                found.extend(value)
        if found and sum(map(_is_latin, found)) >= 0.95 * len(found):
            names.update(unicodedata.normalize("NFC", n).lower() for n in found if _is_latin(n))
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-cased words never taken as given names (see the module docstring)."""
    from faker.providers.lorem.en_US import Provider as Lorem
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset({w.lower() for w in NOT_NAMES} | set(STOP_WORDS) | {w.lower() for w in Lorem.word_list})


class GivenNameRecognizer(LocalRecognizer):
    """PERSON: a run of capitalised words whose first word is a known given name (score 0.7).

    The score is below spaCy's (0.85) and the person cues' (0.9), so where they find the same
    name their span wins the overlap merge; above the default PERSON threshold (0.5).
    """

    SCORE = 0.7

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["PERSON"], name="WorkbenchGivenNames",
                         supported_language=supported_language)

    def load(self) -> None:
        self._names = given_names()
        self._common = common_words()

    def _is_given_name(self, word: str, text: str, start: int) -> bool:
        key = unicodedata.normalize("NFC", word).lower()
        if key not in self._names or key in self._common:
            return False
        if key in EVERYDAY_WORDS and _sentence_initial(text, start):
            return False
        return True

    def analyze(self, text, entities, nlp_artifacts=None) -> List[RecognizerResult]:
        if not hasattr(self, "_names"):
            self.load()
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        located = {m.start("name") for m in _LOCATION_CUE_RE.finditer(text)}
        results = []
        for run in _RUN.finditer(text):
            words = [(m.start(), m.end()) for m in _WORD.finditer(text, run.start(), run.end())]
            # leading words that are not names ("Hi", "Payroll") are skipped; the name starts at
            # the first given name and ends before the first word that is not a name
            first = next((i for i, (s, e) in enumerate(words) if self._is_given_name(text[s:e], text, s)), None)
            if first is None or words[first][0] in located:
                continue
            end = first + 1
            while end < len(words) and text[words[end][0]:words[end][1]].lower() not in self._common:
                end += 1
            while end > first + 1 and regex.fullmatch(_PARTICLE, text[words[end - 1][0]:words[end - 1][1]]):
                end -= 1  # a particle does not end a name
            start_char, end_char = words[first][0], words[end - 1][1]
            if end == first + 1 and _sentence_initial(text, start_char):
                continue  # a lone capitalised word opening a sentence: "Server logs show", "Link to"
            if doc is not None:
                span = doc.char_span(start_char, end_char, alignment_mode="expand")
                if span is not None and any(t.ent_type_ in _NOT_PERSON_LABELS for t in span):
                    continue
            results.append(_result(self, "PERSON", start_char, end_char, self.SCORE))
        return results

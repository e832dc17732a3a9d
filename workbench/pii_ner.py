"""spaCy NER for Presidio, run only on the parts of a text that can hold a name or a place.

Presidio's ``SpacyNlpEngine`` runs the whole spaCy pipeline over every text; spaCy's entity
recogniser (its own embedding layer plus the transition loop) is then most of the analysis time,
and it costs the same for every token, including the many that cannot start a person or a place
(lower-case words, numbers, e-mail addresses, punctuation). :class:`WindowedSpacyNlpEngine`
tokenises the whole text, picks the *candidate* tokens (a capital letter first; not "I", not
a token with a digit or "@" (e-mail addresses, IBANs: the pattern recognisers' business), not an
acronym of up to four capitals ("SSN", "GP"); a sentence's first word only when it is not a
common English word), and runs the
entity recogniser on windows of :data:`WINDOW` tokens either side of each candidate (overlapping
or touching windows merged; the windows of one text joined into one short document with a
newline token between them). A text without candidates gets no NER at all. The entities found
in the windows are written back onto the whole document (same tokens), so recognisers that
read ``token.ent_type_`` see them where they are.

The model's embedding layer sees four tokens either side of a token, so near a window's edge
its entities can differ from those of the whole text. Measured on the labelled set's dev split
(``bench/bench_pii.py``), windows of 2, 3 and 4 tokens found the same PERSON and LOCATION items as
whole-text NER; 3 changed 15 of 4,024 detected spans on 400 bench documents (4: 9, 2: 31) at
about half the NER time. ``tests/test_pii.py`` compares both scopes on the labelled set.

Lemmas are the lower-cased words (Presidio's context enhancer compares them by substring),
written straight into the artefacts instead of into every token by a pipeline component.
"""

from __future__ import annotations

from typing import Iterable

from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

#: Tokens either side of a candidate that the entity recogniser sees (tuned on the dev split).
WINDOW = 3

#: What stands between two windows of a text in the document the NER sees.
SEPARATOR = "\n"

#: Sentence-initial capitalised words that are ordinary words rather than names (lower-cased).
_SENTENCE_END = frozenset({".", "!", "?", ":", ";", "\u2026", "-", "\u2013", "\u2014", '"', "(", "["})


def _common_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    from workbench.pii_recognizers import NOT_NAMES

    return frozenset({w.lower() for w in NOT_NAMES} | set(STOP_WORDS))


class WindowedSpacyNlpEngine(SpacyNlpEngine):
    """A Presidio NLP engine that runs spaCy's NER on candidate windows only (or not at all).

    Parameters
    ----------
    models, ner_model_configuration
        As for Presidio's ``SpacyNlpEngine``.
    scope : {"windows", "none"}
        ``windows``: NER on the windows around candidate tokens; ``none``: tokenizer only (no
        entity type needs NER).
    window : int, optional
        Tokens either side of a candidate (default :data:`WINDOW`).
    """

    engine_name = "spacy_windowed"

    def __init__(self, models=None, ner_model_configuration=None, scope: str = "windows", window: int | None = None):
        super().__init__(models=models, ner_model_configuration=ner_model_configuration)
        if scope not in ("windows", "none"):
            raise ValueError(f"scope must be 'windows' or 'none', not {scope!r}")
        self.scope = scope
        self.window = WINDOW if window is None else window
        self._common = _common_words()
        self._stop_memo: dict[str, bool] = {}
        self._punct_memo: dict[str, bool] = {}

    # -- which tokens the NER sees -------------------------------------------------------------

    def candidates(self, doc, words: list[str] | None = None) -> list[int]:
        """Indices of tokens that can be part of a name or a place (``words``: the tokens' texts,
        when the caller has them already)."""
        if words is None:
            words = _words(doc)
        common = self._common
        out = []
        prev = None
        for i, text in enumerate(words):
            if (text[:1].isupper() and text != "I" and not any(c.isdigit() or c == "@" for c in text)
                    and not (len(text) <= 4 and text.isupper())):  # not "I", e-mails, IBANs, "SSN", "GP"
                # spaCy's trailing whitespace is one space or nothing: a line break is its own
                # (space) token, so "after a line break" is "after a space token"
                initial = prev is None or prev in _SENTENCE_END or prev.isspace()
                if not (initial and text.lower() in common):
                    out.append(i)
            prev = text
        return out

    def windows(self, doc, words: list[str] | None = None) -> list[tuple[int, int]]:
        """Token ranges ``[start, end)`` the NER runs on: ``window`` tokens around each candidate,
        merged when they overlap or touch."""
        k, n = self.window, len(doc)
        spans: list[list[int]] = []
        for i in self.candidates(doc, words):
            start, end = max(0, i - k), min(n, i + k + 1)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        return [(s, e) for s, e in spans]

    # -- Presidio's keyword filter, memoised (it looks every lemma up in the vocabulary twice) ---

    def is_stopword(self, word: str, language: str) -> bool:
        try:
            return self._stop_memo[word]
        except KeyError:
            if len(self._stop_memo) > 100_000:  # bounded: every distinct token passes through here
                self._stop_memo.clear()
            value = self._stop_memo[word] = super().is_stopword(word, language)
            return value

    def is_punct(self, word: str, language: str) -> bool:
        try:
            return self._punct_memo[word]
        except KeyError:
            if len(self._punct_memo) > 100_000:  # bounded: every distinct token passes through here
                self._punct_memo.clear()
            value = self._punct_memo[word] = super().is_punct(word, language)
            return value

    # -- processing ----------------------------------------------------------------------------

    def _docs(self, texts: list[str], language: str, batch_size: int) -> list:
        """Tokenised texts with the entities found in their windows (see :meth:`_parse`)."""
        return [doc for doc, _ in self._parse(texts, language, batch_size)]

    def _parse(self, texts: list[str], language: str, batch_size: int) -> list[tuple]:
        """``(doc, arrays)`` per text: the tokenised text with the entities found in its windows,
        and the tokens' ``(texts, offsets, lower-cased texts)`` read once with ``Doc.to_array``
        (iterating a Doc creates a Python object per token, which cost more than the reads).

        The windows of one text are joined into one short document, separated by a newline
        token (spaCy's whitespace token, which no entity includes); an entity that would span a
        separator is dropped. One document per text, not one per window: spaCy's cost per document
        is then paid once, and its embedding layer works on one batch of tokens.
        """
        from spacy.attrs import IDX, LOWER, ORTH, SPACY
        from spacy.tokens import Doc, Span

        nlp = self.nlp[language]
        strings = nlp.vocab.strings
        parsed = []
        for text in texts:
            doc = nlp.make_doc(text)
            if len(doc):
                orth, spacy_, idx, lower = doc.to_array([ORTH, SPACY, IDX, LOWER]).T.tolist()
            else:
                orth = spacy_ = idx = lower = []
            parsed.append((doc, ([strings[o] for o in orth], spacy_, idx, [strings[o] for o in lower])))
        if self.scope == "none" or "ner" not in nlp.pipe_names:
            return [(doc, (words, idx, lower)) for doc, (words, _, idx, lower) in parsed]
        joined, maps = [], []
        for doc, (words_all, spacy_, _, _) in parsed:
            words: list[str] = []
            spaces: list[bool] = []
            index: list[int] = []
            for start, end in self.windows(doc, words_all):
                if words:
                    words.append(SEPARATOR)
                    spaces.append(False)
                    index.append(-1)
                words.extend(words_all[start:end])
                spaces.extend(bool(x) for x in spacy_[start:end])
                index.extend(range(start, end))
            joined.append(Doc(nlp.vocab, words=words, spaces=spaces))
            maps.append(index)
        for (doc, _), part, index in zip(parsed, nlp.get_pipe("ner").pipe(joined, batch_size=batch_size), maps):
            ents = []
            for ent in part.ents:
                covered = index[ent.start:ent.end]
                if min(covered) >= 0:  # not across a separator
                    ents.append(Span(doc, covered[0], covered[-1] + 1, label=ent.label))
            if ents:
                doc.ents = ents
        return [(doc, (words, idx, lower)) for doc, (words, _, idx, lower) in parsed]

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        if not self.nlp:
            raise ValueError("NLP engine is not loaded. Consider calling .load()")
        doc, arrays = self._parse([text], language, 1)[0]
        return self._doc_to_nlp_artifact(doc, language, arrays)

    def process_batch(self, texts: Iterable, language: str, batch_size: int = 32, n_process: int = 1,
                      as_tuples: bool = False):
        """Like Presidio's, in one process (``PiiRedactor`` forks its own workers), ``batch_size``
        texts at a time."""
        if not self.nlp:
            raise ValueError("NLP engine is not loaded. Consider calling .load()")
        items = list(texts)
        for i in range(0, len(items), max(1, batch_size)):
            chunk = items[i:i + batch_size]
            plain = [str(t[0]) if as_tuples else str(t) for t in chunk]
            # spaCy's tokenizer keeps every character, so doc.text is the input text
            for item, text, (doc, arrays) in zip(chunk, plain, self._parse(plain, language, batch_size)):
                if as_tuples:
                    yield text, self._doc_to_nlp_artifact(doc, language, arrays), item[1]
                else:
                    yield text, self._doc_to_nlp_artifact(doc, language, arrays)

    def _doc_to_nlp_artifact(self, doc, language: str, arrays: tuple | None = None) -> NlpArtifacts:
        entities = doc.ents
        scores = [self.ner_model_configuration.default_score] * len(entities)
        entities, scores = self._get_updated_entities(entities, scores)
        if arrays is None:
            _, idx, lower = _arrays(doc)
        else:
            _, idx, lower = arrays
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=idx,
                            lemmas=lower, nlp_engine=self, language=language, scores=scores)


def _arrays(doc) -> tuple[list[str], list[int], list[str]]:
    """The tokens' texts, character offsets and lower-cased texts, without a Token object each."""
    from spacy.attrs import IDX, LOWER, ORTH

    if not len(doc):
        return [], [], []
    strings = doc.vocab.strings
    orth, idx, lower = doc.to_array([ORTH, IDX, LOWER]).T.tolist()
    return [strings[o] for o in orth], idx, [strings[o] for o in lower]


def _words(doc) -> list[str]:
    """The tokens' texts."""
    return _arrays(doc)[0]

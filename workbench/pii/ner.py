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
written straight into the artefacts instead of into every token by a pipeline component; the
enhancer's keywords are worked out only when it reads them (:class:`LazyKeywordArtifacts`).
The NER's token embeddings, which depend on each token's own features only, are looked up
instead of computed again for every token (:func:`cache_ner_embeddings`; bitwise the same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, cast

from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, NlpEngine, SpacyNlpEngine

from workbench.pii.patterns import NOT_NAMES

if TYPE_CHECKING:
    import numpy
    from spacy.language import Language
    from spacy.pipeline import EntityRecognizer
    from spacy.tokens import Doc, Span
    from thinc.api import Model

#: Tokens either side of a candidate that the entity recogniser sees (tuned on the dev split).
WINDOW = 3

#: What stands between two windows of a text in the document the NER sees.
SEPARATOR = "\n"

#: Tokens after which a word opens a sentence: a capitalised word there that is a common word
#: (lower-cased) is no candidate.
SENTENCE_END_TOKENS = frozenset({".", "!", "?", ":", ";", "\u2026", "-", "\u2013", "\u2014", '"', "(", "["})


def spacy_pipelines(engine: SpacyNlpEngine) -> dict[str, Language]:
    """``engine.nlp``: its spaCy pipelines by language code (empty before ``load()``).

    presidio-analyzer sets the attribute to None in ``__init__`` and fills it in ``load()``, so a
    type checker reads it as always None (a typing gap of presidio's); this is its real type.
    """
    return cast("dict[str, Language]", engine.nlp or {})


def _common_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

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

    def __init__(self, models: list[dict[str, str]] | None = None,
                 ner_model_configuration: NerModelConfiguration | None = None, scope: str = "windows",
                 window: int | None = None) -> None:
        super().__init__(models=models, ner_model_configuration=ner_model_configuration)
        if scope not in ("windows", "none"):
            raise ValueError(f"scope must be 'windows' or 'none', not {scope!r}")
        self.scope = scope
        self.window = WINDOW if window is None else window
        self._common = _common_words()
        self._stop_memo: dict[str, bool] = {}
        self._punct_memo: dict[str, bool] = {}
        self._keyword_memo: dict[str, tuple[str, ...]] = {}

    def load(self) -> None:
        super().load()
        for nlp in spacy_pipelines(self).values():
            if "ner" in nlp.pipe_names:
                cache_ner_embeddings(nlp.get_pipe("ner"))

    # -- which tokens the NER sees -------------------------------------------------------------

    def candidates(self, doc: Doc, words: list[str] | None = None) -> list[int]:
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
                initial = prev is None or prev in SENTENCE_END_TOKENS or prev.isspace()
                if not (initial and text.lower() in common):
                    out.append(i)
            prev = text
        return out

    def windows(self, doc: Doc, words: list[str] | None = None) -> list[tuple[int, int]]:
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

    def keywords(self, lemmas: list[str], language: str) -> list[str]:
        """Presidio's ``NlpArtifacts.set_keywords`` (lower-cased lemmas that are not stop words,
        punctuation, "-PRON-" or "be", split at ":"), worked out once per distinct lemma."""
        memo = self._keyword_memo
        out: list[str] = []
        for lemma in lemmas:
            try:
                pieces = memo[lemma]
            except KeyError:
                if len(memo) > 100_000:  # bounded: every distinct token passes through here
                    memo.clear()
                pieces = memo[lemma] = tuple(NlpArtifacts.set_keywords(self, [lemma], language))
            out.extend(pieces)
        return out

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

        pipelines = spacy_pipelines(self)
        if not pipelines:
            raise ValueError("NLP engine is not loaded. Consider calling .load()")
        nlp = pipelines[language]
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
        # spaCy types get_pipe as any Doc -> Doc callable; "ner" is its EntityRecognizer
        ner = cast("EntityRecognizer", nlp.get_pipe("ner"))
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
        for (doc, _), part, index in zip(parsed, ner.pipe(joined, batch_size=batch_size), maps):
            ents = []
            for ent in part.ents:
                covered = index[ent.start:ent.end]
                if min(covered) >= 0:  # not across a separator
                    ents.append(Span(doc, covered[0], covered[-1] + 1, label=ent.label))
            if ents:
                doc.ents = ents
        return [(doc, (words, idx, lower)) for doc, (words, _, idx, lower) in parsed]

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        if not spacy_pipelines(self):
            raise ValueError("NLP engine is not loaded. Consider calling .load()")
        doc, arrays = self._parse([text], language, 1)[0]
        return self._doc_to_nlp_artifact(doc, language, arrays)

    # The signature of presidio's own SpacyNlpEngine.process_batch, which drops the abstract
    # NlpEngine's **kwargs (a typing gap of presidio-analyzer 2.2; callers pass these only).
    def process_batch(self, texts: Iterable[Any], language: str,  # type: ignore[override]
                      batch_size: int = 32, n_process: int = 1,
                      as_tuples: bool = False) -> Iterator[tuple[Any, ...]]:
        """Like Presidio's, in one process (``PiiRedactor`` forks its own workers), ``batch_size``
        texts at a time."""
        if not spacy_pipelines(self):
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

    def _doc_to_nlp_artifact(self, doc: Doc, language: str, arrays: tuple | None = None) -> NlpArtifacts:
        entities, scores = self._get_updated_entities(list(doc.ents), self._get_scores_for_entities(doc))
        if arrays is None:
            _, idx, lower = _arrays(doc)
        else:
            _, idx, lower = arrays
        return LazyKeywordArtifacts(entities=entities, tokens=doc, tokens_indices=idx,
                                    lemmas=lower, nlp_engine=self, language=language, scores=scores)


class KeywordList(list[str]):
    """A list of keywords whose ``in`` is a set lookup: Presidio's context enhancer tests each
    lemma it looks at with ``lemma in keywords``, which on a plain list scans it every time."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        super().__init__(words)
        self._set = frozenset(self)

    def __contains__(self, word: object) -> bool:
        return word in self._set


class LazyKeywordArtifacts(NlpArtifacts):
    """Presidio's NLP artefacts with ``keywords`` (a :class:`KeywordList`) worked out when first
    read: only the context enhancer reads them, and only for texts with a result from a
    recogniser that has context words."""

    def __init__(self, entities: list[Span], tokens: Doc, tokens_indices: list[int], lemmas: list[str],
                 nlp_engine: NlpEngine, language: str, scores: list[float] | None = None) -> None:
        self.entities = entities
        self.tokens = tokens
        self.lemmas = lemmas
        self.tokens_indices = tokens_indices
        self.nlp_engine = nlp_engine
        self.scores = scores if scores else [0.85] * len(entities)
        self._language = language
        self._keywords: list[str] | None = None

    @property
    def keywords(self) -> list[str]:
        if self._keywords is None:
            engine = self.nlp_engine
            if isinstance(engine, WindowedSpacyNlpEngine):
                self._keywords = KeywordList(engine.keywords(self.lemmas, self._language))
            else:
                self._keywords = KeywordList(self.set_keywords(engine, self.lemmas, self._language))
        return self._keywords

    @keywords.setter
    def keywords(self, value: list[str]) -> None:
        self._keywords = value

    def to_json(self) -> str:
        plain = NlpArtifacts.__new__(NlpArtifacts)
        plain.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        plain.keywords = list(self.keywords)
        return plain.to_json()


#: Distinct tokens whose NER embedding is kept (96 float32 each: ~19 MB); the cache starts
#: afresh when full.
EMBEDDING_CACHE_ROWS = 50_000


class _EmbeddingCache:
    """The NER embedding layer's output rows, by the token features they are computed from
    (valid for the model weights they were computed with: nothing here trains the model)."""

    def __init__(self, embed: Model, rows: int) -> None:
        self.extract, self.rest = embed.layers[0], embed.layers[1:]
        self.capacity = rows
        self.index: dict[bytes, int] = {}
        self.table: numpy.ndarray | None = None

    def __call__(self, docs: list) -> list:
        import numpy

        feats = self.extract.predict(docs)
        lengths = [len(f) for f in feats]
        if not sum(lengths):
            return self._compute(feats)
        flat = numpy.ascontiguousarray(numpy.concatenate(feats))
        keys = [row.tobytes() for row in flat]
        index = self.index
        missing = {key: row for key, row in zip(keys, flat) if key not in index}
        if missing:
            if len(index) + len(missing) > self.capacity:  # full: start afresh with this batch's tokens
                index.clear()
                missing = dict(zip(keys, flat))
                if len(missing) > self.capacity:
                    return self._compute(feats)
            rows = self._compute([numpy.stack(list(missing.values()))])[0]
            if self.table is None:
                self.table = numpy.empty((self.capacity, rows.shape[1]), dtype=rows.dtype)
            start = len(index)
            self.table[start:start + len(rows)] = rows
            for offset, key in enumerate(missing):
                index[key] = start + offset
        assert self.table is not None  # every key is in the index, so its row was stored
        out = self.table[[index[key] for key in keys]]
        return numpy.split(out, numpy.cumsum(lengths)[:-1])

    def _compute(self, feats: list) -> list:
        x = feats
        for layer in self.rest:
            x = layer.predict(x)
        return x


def cache_ner_embeddings(ner: EntityRecognizer, rows: int = EMBEDDING_CACHE_ROWS) -> bool:
    """Let ``ner`` (a loaded spaCy entity recogniser) look up its token embeddings instead of
    computing them for every token.

    spaCy's ``MultiHashEmbed`` embeds each token from its own features alone (norm, prefix,
    suffix, shape: four hash-embedding rows mixed by a maxout layer and normalised), about a
    fifth of the NER time here; only the encoder layers after it see neighbouring tokens. So a
    token's embedding is a function of its four feature ids, computed row by row (each row the
    same whatever else is in the batch: checked bitwise in ``tests/test_pii.py``), and can be
    kept. Nothing changes when not predicting (training goes through the model unchanged).
    Returns False, changing nothing, for a model that is not laid out as expected.
    """
    from thinc.api import Model

    try:
        tok2vec = ner.model.get_ref("tok2vec")
        body = tok2vec.layers[0]
        embed = body.layers[0]
    except (KeyError, AttributeError, IndexError):
        return False
    if getattr(embed, "name", "") == "workbench_cached_embed":
        return True
    names = [layer.name for layer in getattr(embed, "layers", [])]
    if (len(names) != 5 or names[0] != "extract_features" or names[1] != "list2ragged"
            or not names[2].startswith("with_array(ints-getitem>>hashembed")
            or not names[3].startswith("with_array(maxout")
            or names[4] != "ragged2list"):
        return False
    cache = _EmbeddingCache(embed, rows)

    def forward(model: Model, docs: list[Doc], is_train: bool) -> Any:
        if is_train:
            return embed(docs, is_train)
        return cache(docs), lambda d: []

    cached: Model = Model("workbench_cached_embed", forward, layers=[embed], dims={"nO": embed.get_dim("nO")}
                   if embed.has_dim("nO") else {})
    cached.attrs["cache"] = cache
    body.layers[0] = cached
    return True


def _arrays(doc: Doc) -> tuple[list[str], list[int], list[str]]:
    """The tokens' texts, character offsets and lower-cased texts, without a Token object each."""
    from spacy.attrs import IDX, LOWER, ORTH

    if not len(doc):
        return [], [], []
    strings = doc.vocab.strings
    orth, idx, lower = doc.to_array([ORTH, IDX, LOWER]).T.tolist()
    return [strings[o] for o in orth], idx, [strings[o] for o in lower]


def _words(doc: Doc) -> list[str]:
    """The tokens' texts."""
    return _arrays(doc)[0]

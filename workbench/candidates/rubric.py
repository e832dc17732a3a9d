"""The LLM judge's rubric, derived from the task's guideline, and the judge's answer format.

The judge answers the same rating question annotators answer, with the guideline's own words for
that question: :func:`guideline_section` finds the Markdown section whose heading names the
question (``### 1. Quality (1-5)`` for question ``quality``), and :func:`judge_template` puts it,
the task's description and the allowed ratings into a Jinja2 prompt for distilabel's
``TextGeneration``. :func:`parse_judgement` reads ``Rating: n`` / ``Rationale: ...`` back and
refuses anything else (a rating off the scale, no rating at all).

Pure functions: no I/O, no LLM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RATING = re.compile(r"^\s*\**\s*rating\s*\**\s*[:=]\s*\**\s*(-?\d+)\b", re.I | re.M)
_RATIONALE = re.compile(r"^\s*\**\s*rationale\s*\**\s*[:=]\s*(.+)", re.I | re.M | re.S)

#: Marks the answer in the prompt, so the judge (and the test fixture) can find it.
ANSWER_HEADING = "# Answer to judge"


@dataclass(frozen=True)
class Judgement:
    rating: int
    rationale: str


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def guideline_section(markdown: str, names: Sequence[str]) -> str | None:
    """The section (heading and body, up to the next heading of the same or a higher level) whose
    heading contains every word of one of ``names``; None when no heading does.

    >>> md = "# G\\n## Questions\\n### 1. Quality (1-5)\\nHow useful?\\n#### Scale\\n5 great\\n### 2. Safety\\nsafe?"
    >>> print(guideline_section(md, ["quality"]))
    ### 1. Quality (1-5)
    How useful?
    #### Scale
    5 great
    >>> guideline_section(md, ["tone"]) is None
    True
    """
    lines = markdown.splitlines()
    wanted = [_words(n.replace("_", " ")) for n in names if _words(n.replace("_", " "))]
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if not m:
            continue
        heading = _words(m.group(2))
        if not any(w <= heading for w in wanted):
            continue
        level = len(m.group(1))
        out = [line]
        for nxt in lines[i + 1:]:
            h = _HEADING.match(nxt)
            if h and len(h.group(1)) <= level:
                break
            out.append(nxt)
        return "\n".join(out).strip()
    return None


def _escape_jinja(text: str) -> str:
    """Text that Jinja2 renders verbatim.

    >>> _escape_jinja("a {{ b }} c")
    "a {{ '{{' }} b }} c"
    """
    return re.sub(r"(\{\{|\{%|\{#)", lambda m: "{{ '" + m.group(1) + "' }}", text)


def judge_template(*, task_title: str, task_description: str, question_title: str, values: Sequence[int],
                   rubric: str) -> str:
    """The Jinja2 template of the rubric judge (columns ``instruction`` and ``response``).

    >>> t = judge_template(task_title="T", task_description="D", question_title="Quality",
    ...                    values=[1, 2, 3], rubric="3 good, 1 bad")
    >>> "Rating: <one of 1, 2, 3>" in t and "{{ instruction }}" in t and "{{ response }}" in t
    True
    """
    scale = ", ".join(str(v) for v in values)
    return (
        f"You review candidate answers for the labelling task \"{_escape_jinja(task_title)}\".\n"
        f"{_escape_jinja(task_description.strip())}\n\n"
        f"# Rubric: {_escape_jinja(question_title)}\n"
        f"{_escape_jinja(rubric.strip())}\n\n"
        "# Question\n{{ instruction }}\n\n"
        f"{ANSWER_HEADING}\n{{{{ response }}}}\n\n"
        "# Your verdict\n"
        "Judge only the answer above, by the rubric. Reply in exactly this format and nothing else:\n"
        f"Rating: <one of {scale}>\n"
        "Rationale: <one or two sentences>"
    )


def parse_judgement(text: str | None, values: Sequence[int]) -> Judgement | str:
    """A :class:`Judgement`, or the reason ``text`` is not one.

    >>> parse_judgement("Rating: 4\\nRationale: Correct but terse.", [1, 2, 3, 4, 5])
    Judgement(rating=4, rationale='Correct but terse.')
    >>> parse_judgement("**Rating:** 2\\n**Rationale:** wrong dose", range(1, 6))
    Judgement(rating=2, rationale='wrong dose')
    >>> parse_judgement("Rating: 9\\nRationale: x", [1, 2, 3, 4, 5])
    'rating 9 is not on the scale 1, 2, 3, 4, 5'
    >>> parse_judgement("I think it is fine.", [1, 2, 3])
    "no 'Rating: <n>' line"
    """
    if text is None or not text.strip():
        return "empty output"
    m = _RATING.search(text)
    if not m:
        return "no 'Rating: <n>' line"
    rating = int(m.group(1))
    values = list(values)
    if rating not in values:
        return f"rating {rating} is not on the scale {', '.join(str(v) for v in values)}"
    r = _RATIONALE.search(text)
    rationale = r.group(1).strip().strip("*").strip() if r else ""
    return Judgement(rating, rationale)

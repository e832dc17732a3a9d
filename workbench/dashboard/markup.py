"""Text that comes from users, written into Streamlit's Markdown without being read as Markdown.

Most Streamlit elements (``st.markdown``, ``st.error``/``warning``/``info``/``success``,
``st.caption``, ``st.header``, ``st.metric`` labels, ...) render their text as Markdown with
Streamlit's extensions: links and images (``[t](url)``, ``![t](url)``), bare URLs turned into
links, ``:red[...]`` colours, ``:material/...:`` icons, emoji short codes and ``$...$`` maths.
Anything taken from a URL, a username, a task or dataset name, an answer or an exception message
goes through :func:`escape` (or :func:`code` inside a code span) before it is put into such text.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets each be written as a backslash escape, which
# stands for the character itself and starts no Markdown construct (nor Streamlit's ``:...:``
# directives, maths, or autolinks, whose ``://`` and ``www.`` are broken by the escapes).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape(value) -> str:
    """``value`` as text that Markdown shows literally: ASCII punctuation backslash-escaped and line
    breaks turned into spaces (a new line could start a heading, list or table)."""
    text = " ".join(str(value).splitlines())
    return _PUNCTUATION.sub(r"\\\1", text)


def code(value) -> str:
    """``value`` as an inline code span, fenced with more backticks than it contains (nothing inside
    a code span is read as Markdown, and backslash escapes do not work there)."""
    text = " ".join(str(value).splitlines())
    if not text:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"

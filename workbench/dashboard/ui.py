"""Small Streamlit helpers and widgets shared by the pages: selectors kept in the URL (the task and
round selector), tables with CSV download, figures with what they rest on, empty states, problems
the analytics core reported, Argilla record links. Pages import this, never each other."""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass

import pandas as pd
import requests
import streamlit as st

from workbench.dashboard import cache, views
from workbench.dashboard.auth import User
from workbench.dashboard.sources import Source
from workbench.dashboard.views import ALPHA_CI, ChartSample
from workbench.gate import CALIBRATION_KINDS
from workbench.dashboard.markup import code, escape  # noqa: F401 (pages use ui.code)

esc = escape  # user-controlled text into Markdown; `code` for a code span (see workbench.dashboard.markup)

BAND_MARKDOWN = {"reliable": "green", "tentative": "orange", "unreliable": "red", "undefined": "gray"}


@dataclass(frozen=True)
class Context:
    """What every page gets: who is looking, at which store (and its version), and where Argilla is."""

    user: User
    source: Source
    version: str
    argilla_url: str | None

    @property
    def key(self) -> tuple:
        """Arguments identifying the data for the cached functions: the store, its version, and
        what the user may see of it (their workspaces' tasks; :class:`~workbench.dashboard.auth.Scope`)."""
        return (self.source.url, self.source.demo, self.version, self.user.scope)


def qp_select(label: str, options, key: str, *, format_func=str, index: int = 0, container=None, help=None):
    """A selectbox whose value lives in the URL query parameter ``key`` (deep links, back button)."""
    options = list(options)
    if not options:
        return None
    container = container or st
    sk = f"qp_{key}"
    by_text = {str(o): o for o in options}
    raw = st.query_params.get(key)
    if raw is not None and raw in by_text and st.session_state.get(sk) != by_text[raw]:
        st.session_state[sk] = by_text[raw]
    if st.session_state.get(sk) not in options:
        st.session_state[sk] = options[min(index, len(options) - 1)]

    def _sync():
        st.query_params[key] = str(st.session_state[sk])

    value = container.selectbox(label, options, key=sk, format_func=format_func, on_change=_sync, help=help)
    st.query_params[key] = str(value)
    return value


def band_text(band: str) -> str:
    """``:green[**reliable**]``: band as colour and word."""
    return f":{BAND_MARKDOWN.get(band, 'gray')}[**{band}**]"


def fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "n/a"
    return f"{float(x):.{digits}f}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def sample_text(n_items: int, rounds: str = "", unit: str = "item") -> str:
    """The items a figure rests on and where they come from, as every page writes it:
    ``"80 items of round 1"``, ``"320 items of rounds 2-6"`` (``rounds``: :func:`data.rounds_label`)."""
    return plural(int(n_items), unit) + (f" of {rounds}" if rounds else "")


def basis(n_items: int, n_annotators: int, extra: str = "", *, rounds: str = "", unit: str = "item") -> str:
    text = f"Based on {sample_text(n_items, rounds, unit)} and {plural(int(n_annotators), 'annotator')}"
    return text + (f"; {extra}" if extra else "") + "."


def figure(fig, n_items: int, n_annotators: int, extra: str = "", key: str | None = None, *, rounds: str = "",
           unit: str = "item", caption: str | None = None) -> None:
    """A Plotly figure with the items and annotators it rests on written under it (``caption``, when
    given, is written instead: it must start with "Based on")."""
    st.plotly_chart(fig, width="stretch", key=key)
    st.caption(caption or basis(n_items, n_annotators, extra, rounds=rounds, unit=unit))


def ci_text(low, high) -> str:
    """An alpha interval as every page writes it: ``"95% CI 0.471 to 0.703"`` (3 decimals)."""
    return f"{ALPHA_CI:.0%} CI {fmt(low)} to {fmt(high)}"


def alpha_text(value, low=None, high=None) -> str:
    """Alpha and its interval as every page writes it: ``"0.600 (95% CI 0.471 to 0.703)"``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return fmt(value)
    return f"{fmt(value)} ({ci_text(low, high)})"


#: Column formats of figures shown in tables: the same rounding as the text beside them.
ALPHA_COLUMNS = ("alpha", "low", "high")


def number_columns(columns, digits: int = 3) -> dict:
    """``column_config`` showing ``columns`` with ``digits`` decimals (the CSV keeps every digit)."""
    return {c: st.column_config.NumberColumn(c, format=f"%.{digits}f") for c in columns}


def chart_sample_text(sample: ChartSample) -> str:
    """What a gold-agreement control chart draws, as the Drift and Annotator pages both write it:
    ``"460 monitored gold answers on 80 gold items of rounds 2-6"``."""
    return (f"{plural(sample.n_answers, 'monitored gold answer')} on "
            f"{sample_text(sample.n_items, sample.rounds, 'gold item')}")


def chart_basis(sample: ChartSample, extra: str = "") -> str:
    """The caption of a gold-agreement control chart: what it draws (:func:`chart_sample_text`)."""
    text = f"Based on {chart_sample_text(sample)} by {plural(sample.n_annotators, 'annotator')}"
    if sample.n_baseline:
        text += (f"; before them, each annotator's first {plural(sample.n_baseline, 'gold answer')} are the "
                 "baseline window (not drawn)")
    return text + (f"; {extra}" if extra else "") + "."


def table(df: pd.DataFrame, name: str, *, caption: str | None = None, column_config=None) -> None:
    """A table with a CSV download of exactly what is shown."""
    st.dataframe(df, width="stretch", hide_index=True, column_config=column_config)
    shown = df.drop(columns=[c for c in df.columns if c == "open in Argilla"], errors="ignore")
    st.download_button(f"Download {esc(name)} as CSV", shown.to_csv(index=False).encode("utf-8"),
                       file_name=f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.csv", mime="text/csv",
                       key=f"dl-{name}")
    if caption:
        st.caption(caption)


def problems(messages) -> None:
    """Say why figures are missing: each message (the analytics core's, escaped) as a warning."""
    for m in messages:
        st.warning(f"Not shown - {esc(m)}")


def select_round(ctx: Context, *, prefer_calibration: bool = True):
    """Task and round selectors (in the URL); returns ``(task, round_no)`` or ``(None, None)``."""
    rounds = cache.cached_rounds(*ctx.key)
    if rounds.empty:
        empty("The history store holds no round yet.",
              "`workbench round create TASK --kind calibration`, answer it in Argilla, then `workbench sync`.")
        return None, None
    tasks = views.labelling_tasks(rounds)
    c1, c2 = st.columns(2)
    task = qp_select("Task", tasks, "task", container=c1)
    rs = rounds[rounds["task"] == task].sort_values("round")
    labels = {int(r.round): f"round {int(r.round)} - {r.kind} ({r.dataset}, guideline v{int(r.guideline_version)})"
              for r in rs.itertuples()}
    options = list(labels)
    cal = [int(r) for r, k in zip(rs["round"], rs["kind"]) if k in CALIBRATION_KINDS]
    default = options.index(cal[-1]) if (prefer_calibration and cal) else len(options) - 1
    round_no = qp_select("Round", options, "round", format_func=lambda r: labels[r], index=default, container=c2)
    return task, round_no


def empty(message: str, next_step: str) -> None:
    """An empty state that says what is missing and what to do next (both Markdown: escape any
    user-controlled part with :func:`esc`)."""
    st.info(f"{message}\n\n**Next:** {next_step}")


def page_link(page: str, **params) -> str:
    """A relative link to another dashboard page with its selectors set."""
    return "?" + urllib.parse.urlencode({"page": page, **{k: str(v) for k, v in params.items()}})


def _viewer_key(token: str) -> str:
    """What identifies the viewer in a cache key: a digest of their Argilla token."""
    return hashlib.sha256(token.encode()).hexdigest()


@st.cache_data(show_spinner=False, max_entries=2048, ttl=600)
def _record_search(api_url: str, record_id: str, viewer: str, _token: str) -> str | None:
    """The ``search`` parameter that finds one record in Argilla's UI (a phrase of its longest field).

    The record is read with the viewer's own token, so Argilla decides whether they may read it;
    the cache is keyed on the viewer (``viewer``: :func:`_viewer_key` of the token), so a phrase
    read for one user is never served to another."""
    try:
        resp = requests.get(f"{api_url}/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {_token}"},
                            timeout=5)
    except requests.RequestException:
        return None
    if resp.status_code != 200:
        return None
    fields = {k: v for k, v in (resp.json().get("fields") or {}).items() if isinstance(v, str)}
    if not fields:
        return None
    name, text = max(fields.items(), key=lambda kv: len(kv[1]))
    words = re.findall(r"\w+", text)[:10]
    if not words:
        return None
    return f"\"{' '.join(words)}\"~{name}"


def record_links(ctx: Context, dataset_id: str | None, items, record_ids: dict) -> list[str | None]:
    """A link that opens each item's record in Argilla's annotation view (None where none can be made).

    Argilla 2.8's UI has no page per record; its annotation view takes ``search=<text>~<field>``
    and ``status`` query parameters, so the link searches a phrase of the record's longest field.
    That view shows a user only the records pending for them (``status=pending``, not yet
    completed) or those they answered (``submitted``): an annotator's link uses ``submitted`` and
    opens the record they answered; a lead's uses ``pending`` and finds the record only while it
    is not completed (Argilla offers owners no view of completed records they did not answer).
    """
    if ctx.source.demo or not ctx.argilla_url or not dataset_id or not ctx.user.token:
        return [None] * len(items)
    base = f"{ctx.argilla_url}/dataset/{dataset_id}/annotation-mode"
    status = "pending" if ctx.user.is_lead else "submitted"
    viewer = _viewer_key(ctx.user.token)
    out = []
    for item in items:
        rid = record_ids.get(item)
        search = _record_search(ctx.argilla_url, str(rid), viewer, ctx.user.token) if rid else None
        if search is None:
            out.append(None)
            continue
        q = {"search": search.replace(" ", "_"), "status": status}
        out.append(base + "?" + urllib.parse.urlencode(q))
    return out


LINK_COLUMN = st.column_config.LinkColumn("open in Argilla", display_text="open")

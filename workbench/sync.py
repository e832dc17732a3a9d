"""Argilla -> history store: pull every response and suggestion of the project's datasets.

:func:`sync` reads, for each dataset registered as a round in the
:class:`~workbench.store.HistoryStore` (and, with ``workspaces=``, every dataset of those
workspaces), its records with all users' responses and all suggestions through Argilla's REST API,
and appends what changed to the store: a response whose status, values or ``updated_at`` differ
from its latest stored version becomes a new version (see :mod:`workbench.store`).

Reads go through the REST API with ``requests`` rather than the SDK: SDK 2.8.0's
``dataset.records(with_responses=True)`` crashes on a response discarded with no values.

Atomicity
---------
Each dataset is written in one database transaction together with its sync marks. A sync that is
killed leaves every dataset it had not finished exactly as it was; running it again completes it.

Incremental sync
----------------
argilla-server 2.8 has no filter on a response's time, and a response change does not move its
record's ``updated_at``: a record's ``updated_at`` moves only when the record itself changes
(fields or metadata) or its status flips (pending/completed). What does move:

* the dataset's ``last_activity_at``, on every response created, edited or deleted through the
  response endpoints the web UI uses;
* each user's submitted/draft/discarded counts (``GET /api/v1/datasets/{id}/users/progress``),
  when a response appears or changes status by any route, including the SDK's bulk record log.

So, per dataset, an incremental sync reads the dataset and those counts (two requests; the
server's clock comes from the HTTP ``Date`` header), then:

1. if neither moved since the last sync, reads only the records whose ``updated_at`` is at or
   after the dataset's watermark (``POST /api/v1/datasets/{id}/records/search`` with a range filter
   and a sort on ``updated_at``), which is a single empty page when nothing changed;
2. otherwise reads every record of the dataset (``GET /api/v1/datasets/{id}/records``, 1,000 a
   page, with responses and suggestions): the API cannot say which records' responses changed.
   Only the changes are written.

Not seen by an incremental sync: a response whose *values* are changed through the bulk records
endpoint (SDK ``dataset.records.log``) without a change of status, fields or metadata, and a
suggestion changed on its own (``PUT /api/v1/records/{id}/suggestions``): Argilla leaves no trace
of either that can be polled. ``full=True`` (``workbench sync --full``) reads everything and
catches them; run it now and then if such writes happen.

The watermark is the server time at which the sync began (``Date`` header: whole seconds, refreshed
by uvicorn about once a second, so it can lag by up to ~2 s). A record written while a sync runs is
read again by the next one, as is one written in the ~2 s before the sync began (re-reading it
adds nothing).

Deleted responses: when a record is read and a response stored for it is gone, a version with status
``"deleted"`` and no values is appended.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator

import requests
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from workbench.argilla_client import Connection
from workbench.errors import ServiceError
from workbench.store import HistoryStore, RecordRow, ResponseRow, SuggestionRow, normalise_value, to_utc

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # the largest page argilla-server 2.8 allows on its record endpoints
READ_CONCURRENCY = 3
WRITE_ATTEMPTS = 5  # record pages requested at once during a full read


@dataclass
class DatasetReport:
    """What the sync of one dataset did."""

    dataset: str
    dataset_id: str
    mode: str = "full"  # "full", "rescan" (responses changed in the UI), "incremental", "missing"
    records_fetched: int = 0
    responses_seen: int = 0
    new_response_versions: int = 0
    new_suggestion_versions: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # reading from Argilla (and turning the records into rows)
    write_seconds: float = 0.0  # the store transaction

    def __str__(self) -> str:
        if self.mode == "missing":
            return f"{self.dataset}: not found in Argilla (deleted?), skipped"
        return (f"{self.dataset}: {self.mode}, {self.records_fetched} records read, "
                f"{self.new_response_versions} new response versions, "
                f"{self.new_suggestion_versions} new suggestion versions ({self.seconds:.1f} s)")


@dataclass
class SyncReport:
    """What a whole sync did: one :class:`DatasetReport` per dataset, and the HTTP requests made."""

    datasets: list[DatasetReport] = field(default_factory=list)
    api_calls: int = 0
    seconds: float = 0.0

    @property
    def new_response_versions(self) -> int:
        return sum(d.new_response_versions for d in self.datasets)

    @property
    def new_suggestion_versions(self) -> int:
        return sum(d.new_suggestion_versions for d in self.datasets)

    @property
    def records_fetched(self) -> int:
        return sum(d.records_fetched for d in self.datasets)

    @property
    def responses_seen(self) -> int:
        return sum(d.responses_seen for d in self.datasets)

    def __str__(self) -> str:
        lines = [str(d) for d in self.datasets]
        lines.append(f"synced {len(self.datasets)} dataset{'s' if len(self.datasets) != 1 else ''}: "
                     f"{self.new_response_versions} new response versions, "
                     f"{self.new_suggestion_versions} new suggestion versions, {self.records_fetched} records read "
                     f"in {self.api_calls} requests ({self.seconds:.1f} s)")
        return "\n".join(lines)


class _Api:
    """A thin REST client that counts its requests and turns failures into :class:`ServiceError`."""

    def __init__(self, conn: Connection, timeout: float = 120.0):
        self.conn = conn
        self.timeout = timeout
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.calls = 0

    @property
    def session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
            s.headers["X-Argilla-Api-Key"] = self.conn.api_key
            with self._lock:
                self._sessions.append(s)
        return s

    def request(self, method: str, path: str, *, allow_404: bool = False, **kwargs) -> requests.Response | None:
        url = f"{self.conn.api_url}{path}"
        with self._lock:
            self.calls += 1
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ServiceError(f"Argilla at {self.conn.api_url} does not answer ({exc.__class__.__name__}); "
                               f"is the server running? (`workbench server status`)") from None
        if resp.status_code == 404 and allow_404:
            return None
        if resp.status_code in (401, 403):
            raise ServiceError(f"Argilla at {self.conn.api_url} refused the API key (HTTP {resp.status_code} on "
                               f"{method} {path}); sync needs an owner or admin key")
        if resp.status_code >= 400:
            raise ServiceError(f"Argilla at {self.conn.api_url} failed on {method} {path}: HTTP {resp.status_code} "
                               f"{resp.text[:200]}")
        return resp

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        for s in self._sessions:
            s.close()


def _server_time(resp: requests.Response) -> datetime | None:
    date = resp.headers.get("Date")
    if not date:
        return None
    try:
        return to_utc(parsedate_to_datetime(date))
    except (TypeError, ValueError):
        return None


_INCLUDE = {"include": "responses,suggestions"}


def _pages_all(api: _Api, dataset_id: str, *, concurrency: int = READ_CONCURRENCY) -> Iterator[list[dict]]:
    """Every record of a dataset, a page at a time, in the server's order (``inserted_at``).

    The first page tells the total; the others are fetched ``concurrency`` at a time, so that the
    server prepares a page while the previous one travels and is parsed.
    """
    path = f"/api/v1/datasets/{dataset_id}/records"
    first = api.get(path, params={**_INCLUDE, "offset": 0, "limit": PAGE_SIZE}).json()
    items = first["items"]
    if items:
        yield items
    total = int(first.get("total") or 0)
    if len(items) < PAGE_SIZE:
        return
    offsets = list(range(len(items), max(total, len(items) + 1), PAGE_SIZE))

    def fetch(offset: int) -> list[dict]:
        return api.get(path, params={**_INCLUDE, "offset": offset, "limit": PAGE_SIZE}).json()["items"]

    last = None
    with ThreadPoolExecutor(max(1, concurrency)) as pool:
        pending = [pool.submit(fetch, o) for o in offsets[:concurrency]]
        nxt = len(pending)
        while pending:
            page = pending.pop(0).result()
            if nxt < len(offsets):
                pending.append(pool.submit(fetch, offsets[nxt]))
                nxt += 1
            if page:
                yield page
            last = page
    # records added while paging: keep going past the total the first page announced
    offset = offsets[-1] + len(last or [])
    while last is not None and len(last) == PAGE_SIZE:
        last = fetch(offset)
        if last:
            yield last
        offset += len(last)


def _pages_updated_since(api: _Api, dataset_id: str, since: datetime) -> Iterator[list[dict]]:
    body = {
        "filters": {"and": [{"type": "range", "scope": {"entity": "record", "property": "updated_at"},
                             "ge": since.isoformat()}]},
        "sort": [{"scope": {"entity": "record", "property": "updated_at"}, "order": "asc"}],
    }
    offset = 0
    while True:
        resp = api.request("POST", f"/api/v1/datasets/{dataset_id}/records/search",
                           params={**_INCLUDE, "offset": offset, "limit": PAGE_SIZE}, json=body)
        data = resp.json()
        items = [it["record"] for it in data["items"]]
        if items:
            yield items
        offset += len(items)
        if len(items) < PAGE_SIZE or offset >= data.get("total", 0):
            return


def _activity(api: _Api, dataset_id: str, info: dict) -> str:
    """A fingerprint of the dataset's response activity: ``last_activity_at`` (moved by the response
    endpoints the UI uses) and each user's count of submitted/draft/discarded responses (which also
    moves when responses are logged in bulk and a new response appears or changes status)."""
    progress = api.get(f"/api/v1/datasets/{dataset_id}/users/progress").json().get("users", [])
    digest = hashlib.sha1(json.dumps(sorted(progress, key=lambda u: str(u.get("username"))), sort_keys=True)
                          .encode("utf-8")).hexdigest()[:16]
    return f"{info.get('last_activity_at')}|{digest}"


def _users(api: _Api) -> dict[str, str]:
    return {u["id"]: u["username"] for u in api.get("/api/v1/users").json()["items"]}


def _questions(api: _Api, dataset_id: str) -> dict[str, tuple[str, str]]:
    """question id -> (name, argilla type)."""
    items = api.get(f"/api/v1/datasets/{dataset_id}/questions").json()["items"]
    return {q["id"]: (q["name"], q["settings"]["type"]) for q in items}


@dataclass
class _Target:
    dataset_id: str
    name: str
    workspace: str


def _targets(api: _Api, store: HistoryStore, task: str | None, workspaces: tuple[str, ...]) -> list[_Target]:
    out: dict[str, _Target] = {}
    from workbench.feedback.review import feedback_task  # its feedback reviews under <task>-feedback
    from workbench.review_store import review_task  # a task's review rounds are recorded under <task>-review

    for key in ((task,) if task is None else (task, review_task(task), feedback_task(task))):
        for r in store.rounds(key).itertuples():
            out.setdefault(str(r.dataset_id), _Target(str(r.dataset_id), r.dataset, r.workspace))
    if workspaces:
        known = {w["name"]: w["id"] for w in api.get("/api/v1/me/workspaces").json()["items"]}
        for ws in workspaces:
            if ws not in known:
                raise ServiceError(f"workspace {ws!r} not found in Argilla at {api.conn.api_url} "
                                   f"(known: {', '.join(sorted(known)) or 'none'})")
            for d in api.get("/api/v1/me/datasets", params={"workspace_id": known[ws]}).json()["items"]:
                out.setdefault(str(d["id"]), _Target(str(d["id"]), d["name"], ws))
    return list(out.values())


def _rows(records: list[dict], users: dict[str, str], questions: dict[str, tuple[str, str]],
          qtypes: dict[str, str]) -> tuple[list[ResponseRow], list[SuggestionRow]]:
    responses, suggestions = [], []
    for rec in records:
        rid = rec["id"]
        item = rec.get("external_id") or rid
        for r in rec.get("responses") or ():
            values = {}
            for q, wrapped in (r.get("values") or {}).items():
                v = wrapped.get("value") if isinstance(wrapped, dict) else wrapped
                values[q] = normalise_value(qtypes.get(q), v)
            uid = r["user_id"]
            responses.append(ResponseRow(
                record_id=rid, item=item, user_id=uid, annotator=users.get(uid, uid), response_id=r["id"],
                status=r["status"], values=values, inserted_at=to_utc(r.get("inserted_at")),
                updated_at=to_utc(r.get("updated_at"))))
        for s in rec.get("suggestions") or ():
            qname, qtype = questions.get(s["question_id"], (s["question_id"], None))
            suggestions.append(SuggestionRow(
                record_id=rid, item=item, question=qname, value=normalise_value(qtype, s.get("value")),
                score=s.get("score"), agent=s.get("agent"), type=s.get("type"),
                updated_at=to_utc(s.get("updated_at"))))
    return responses, suggestions


def sync_dataset(api: _Api, store: HistoryStore, target: _Target, users: dict[str, str], *, full: bool = False,
                 on_progress: Callable[[str, str], None] | None = None) -> DatasetReport:
    """Sync one dataset (see the module docstring for what is read)."""
    t0 = time.perf_counter()
    report = DatasetReport(dataset=target.name, dataset_id=target.dataset_id)
    resp = api.get(f"/api/v1/datasets/{target.dataset_id}", allow_404=True)
    if resp is None:
        report.mode = "missing"
        return report
    info = resp.json()
    started = _server_time(resp)
    activity = _activity(api, target.dataset_id, info)
    state = store.sync_state(target.dataset_id)
    # a dataset synced before record content was stored has none: read it whole once
    no_content = state is not None and not store.has_record_content(target.dataset_id)
    if full or state is None or state.watermark is None or no_content:
        report.mode, pages = "full", _pages_all(api, target.dataset_id)
    elif state.activity != activity:
        report.mode, pages = "rescan", _pages_all(api, target.dataset_id)
    else:
        report.mode, pages = "incremental", _pages_updated_since(api, target.dataset_id, state.watermark)

    records: list[dict] = []
    for page in pages:
        records.extend(page)
    questions = _questions(api, target.dataset_id) if records else {}
    qtypes = {name: qtype for name, qtype in questions.values()}
    missing_users = {r["user_id"] for rec in records for r in (rec.get("responses") or ()) if r["user_id"] not in users}
    if missing_users:  # a user created since the sync started
        users.update(_users(api))
    responses, suggestions = _rows(records, users, questions, qtypes)
    contents = [RecordRow(record_id=r["id"], item=r.get("external_id") or r["id"], fields=r.get("fields") or {},
                          metadata=r.get("metadata") or {}, status=r.get("status"),
                          updated_at=to_utc(r.get("updated_at"))) for r in records]
    report.records_fetched = len(records)
    report.responses_seen = len(responses)

    # The new watermark: every record updated before ``started`` has now been read at its latest
    # state (earlier ones by previous syncs, the rest by this one); anything written from then on
    # has an ``updated_at`` at or after it.
    previous = state.watermark if (state and report.mode == "incremental") else None
    if started is None:  # no Date header: fall back to the newest record read
        seen = [to_utc(r["updated_at"]) for r in records if r.get("updated_at")]
        watermark = max(seen + ([previous] if previous else []), default=None)
    else:
        watermark = max(started, previous) if previous else started
    if on_progress:
        on_progress("fetched", target.name)
    t_write = time.perf_counter()
    report.read_seconds = t_write - t0
    # Two syncs of one dataset at once (a --watch and a manual run): the second to commit either
    # waits for SQLite's write lock or collides on a version number; its transaction is rolled back
    # and it is written again from the new state, which makes it add only what is still missing.
    for attempt in range(WRITE_ATTEMPTS):
        try:
            written = store.write_dataset_sync(
                dataset_id=target.dataset_id, name=info.get("name", target.name), workspace=target.workspace,
                responses=responses, suggestions=suggestions, watermark=watermark, activity=activity,
                fetched_record_ids={r["id"]: (r.get("external_id") or r["id"]) for r in records}, records=contents,
                on_progress=(lambda stage: on_progress(stage, target.name)) if on_progress else None)
            break
        except (IntegrityError, OperationalError) as exc:
            if attempt == WRITE_ATTEMPTS - 1:
                raise ServiceError(f"history store {store!r}: could not write dataset {target.name!r} "
                                   f"({exc.__class__.__name__}: {str(exc).splitlines()[0][:200]})") from None
            time.sleep(0.2 * (attempt + 1))
    report.new_response_versions = written.responses
    report.new_suggestion_versions = written.suggestions
    report.write_seconds = time.perf_counter() - t_write
    report.seconds = time.perf_counter() - t0
    return report


def sync(conn: Connection, store: HistoryStore, *, task: str | None = None, full: bool = False,
         workspaces: tuple[str, ...] = (), on_progress: Callable[[str, str], None] | None = None) -> SyncReport:
    """Pull responses and suggestions of every registered round (of ``task`` when given) into ``store``.

    Parameters
    ----------
    conn : Connection
        Where Argilla is, with an owner (or admin) API key: sync reads every user's responses.
    store : HistoryStore
        Where the history goes. The datasets synced are its rounds (:meth:`HistoryStore.rounds`).
    task : str, optional
        Only the rounds of this task.
    full : bool
        Read every record of every dataset instead of what changed since the last sync.
    workspaces : tuple of str
        Also sync every dataset of these Argilla workspaces (their rows have no task nor round
        unless a round is recorded for them).
    on_progress : callable, optional
        ``on_progress(stage, dataset_name)`` between stages (``"fetched"``, ``"responses-read"``,
        ``"responses-written"``, ``"before-commit"``).

    Returns
    -------
    SyncReport

    Raises
    ------
    ServiceError
        Argilla does not answer or refuses the key; the store keeps every dataset finished before.
    """
    t0 = time.perf_counter()
    api = _Api(conn)
    try:
        api.get("/api/v1/me")
        report = SyncReport()
        users = _users(api)
        try:
            for target in _targets(api, store, task, workspaces):
                report.datasets.append(sync_dataset(api, store, target, users, full=full, on_progress=on_progress))
        except SQLAlchemyError as exc:
            raise ServiceError(f"history store {store!r} failed: {exc.__class__.__name__}: "
                               f"{str(exc).splitlines()[0][:200]}") from None
        report.api_calls = api.calls
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        api.close()


def watch(conn: Connection, store: HistoryStore, *, interval: float = 30.0, task: str | None = None,
          workspaces: tuple[str, ...] = (), max_cycles: int | None = None,
          echo: Callable[[str], Any] = print) -> int:
    """Sync every ``interval`` seconds until interrupted (Ctrl-C) or ``max_cycles`` syncs ran.

    A cycle whose Argilla is unreachable is reported and retried at the next tick rather than
    ending the watch. Returns the number of cycles run.
    """
    cycles = 0
    try:
        while max_cycles is None or cycles < max_cycles:
            started = time.monotonic()
            try:
                report = sync(conn, store, task=task, workspaces=workspaces)
                changed = [d for d in report.datasets if d.new_response_versions or d.new_suggestion_versions]
                stamp = datetime.now().strftime("%H:%M:%S")
                echo(f"[{stamp}] {report.new_response_versions} new response versions, "
                     f"{report.new_suggestion_versions} new suggestion versions"
                     + (f" in {', '.join(d.dataset for d in changed)}" if changed else ""))
            except ServiceError as exc:
                echo(f"[{datetime.now():%H:%M:%S}] error: {exc} (retrying in {interval:g} s)")
            cycles += 1
            if max_cycles is not None and cycles >= max_cycles:
                break
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        pass
    return cycles

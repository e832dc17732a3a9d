"""The workbench-sql search engine, end to end through a real argilla-server.

Every query goes through the Argilla SDK or the HTTP API of the embedded server (the fixture in
``conftest.py``); expected rows come from plain Python filters over the records the test logged.
Runs on SQLite, and on PostgreSQL when ``WORKBENCH_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import math
import random
import re
import uuid

import httpx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import argilla as rg

from workbench.server.search_sql import UnsupportedSearch, parse_text_query, python_word_regex, to_datetime

argilla = pytest.mark.argilla

WORDS = ["apple", "Apple", "pineapple", "apples", "banana", "cherry", "river", "stone", "cloud", "garden"]
SOURCES = ["web", "book", "chat"]
LABELS = ["pos", "neg", "neu"]
TOPICS = ["sport", "tech", "food"]
N_RECORDS = 36


# ----------------------------------------------------------------------------------------------
# data and the reference (pure Python) semantics
# ----------------------------------------------------------------------------------------------


def _make_records(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(N_RECORDS):
        rec = {
            "id": f"rec-{i:03d}",
            "text": " ".join(rng.choice(WORDS) for _ in range(6)),
            "title": rng.choice(["Alpha report", "beta notes", "Gamma river log"]),
            "chat": [{"role": "user", "content": rng.choice(["hello there", "quartz question", "bye now"])}],
            "metadata": {},
            "vector": [rng.uniform(-1, 1) for _ in range(3)],
            "suggestions": {},
        }
        if i % 9 != 4:  # some records lack metadata
            rec["metadata"] = {"src": rng.choice(SOURCES), "n": rng.randint(0, 20), "x": round(rng.uniform(0, 1), 4)}
        if i % 5 != 3:
            rec["suggestions"]["label"] = {"value": rng.choice(LABELS), "score": round(rng.random(), 4),
                                           "agent": rng.choice(["m1", "m2"]), "type": "model"}
        if i % 4 != 1:
            k = rng.randint(1, 2)
            rec["suggestions"]["topics"] = {"value": rng.sample(TOPICS, k), "score": None, "agent": "m3", "type": "human"}
        if i % 3 != 2:
            rec["suggestions"]["rating"] = {"value": rng.randint(1, 5), "score": None, "agent": None, "type": None}
        out.append(rec)
    return out


def _to_sdk(rec: dict) -> rg.Record:
    suggestions = [
        rg.Suggestion(q, s["value"], score=s["score"], agent=s["agent"], type=s["type"])
        for q, s in rec["suggestions"].items()
    ]
    return rg.Record(
        id=rec["id"],
        fields={"text": rec["text"], "title": rec["title"], "chat": rec["chat"]},
        metadata=rec["metadata"] or None,
        vectors={"emb": rec["vector"]},
        suggestions=suggestions,
    )


_TOKEN = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _texts(rec: dict) -> list[list[str]]:
    return [_tokens(rec["text"]), _tokens(rec["title"]), _tokens(" ".join(m["content"] for m in rec["chat"]))]


def _has_word(rec, word, prefix=False):
    return any((any(t.startswith(word) for t in toks) if prefix else word in toks) for toks in _texts(rec))


def _has_phrase(rec, words):
    n = len(words)
    return any(toks[i:i + n] == words for toks in _texts(rec) for i in range(len(toks) - n + 1))


def _ids(records) -> set[str]:
    return {r["id"] for r in records}


# ----------------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------------


def _settings() -> rg.Settings:
    return rg.Settings(
        fields=[rg.TextField(name="text"), rg.TextField(name="title", required=False), rg.ChatField(name="chat", required=False)],
        questions=[
            rg.LabelQuestion(name="label", labels=LABELS),
            rg.MultiLabelQuestion(name="topics", labels=TOPICS, required=False),
            rg.RatingQuestion(name="rating", values=[1, 2, 3, 4, 5], required=False),
            rg.RankingQuestion(name="rank", values=["first", "second"], required=False),
            rg.SpanQuestion(name="span", field="text", labels=["FRUIT", "PLACE"], required=False),
            rg.TextQuestion(name="comment", required=False),
        ],
        metadata=[rg.TermsMetadataProperty(name="src"), rg.IntegerMetadataProperty(name="n"), rg.FloatMetadataProperty(name="x")],
        vectors=[rg.VectorField(name="emb", dimensions=3)],
    )


class Http:
    """Plain HTTP calls to the server, as a given user."""

    def __init__(self, base: str, headers: dict):
        self.client = httpx.Client(base_url=base, headers=headers, timeout=60)

    def search(self, dataset_id, body, *, me=True, limit=1000, offset=0):
        path = f"/api/v1/me/datasets/{dataset_id}/records/search" if me else f"/api/v1/datasets/{dataset_id}/records/search"
        r = self.client.post(path, params={"limit": limit, "offset": offset}, json=body)
        return r

    def ok(self, response):
        assert response.status_code < 300, response.text
        return response.json()


@pytest.fixture(scope="module")
def world(client, argilla_server):
    """A dataset with 36 records, two annotators and their responses."""
    tag = uuid.uuid4().hex[:8]
    ws = rg.Workspace(name=f"se-{tag}").create()
    records = _make_records()
    ds = rg.Dataset(name=f"se-{tag}", workspace=ws, settings=_settings(), client=client).create()
    ds.records.log([_to_sdk(r) for r in records])
    server = {r.id: r for r in ds.records()}
    for rec in records:
        rec["server_id"] = str(server[rec["id"]]._server_id)

    annotators = {}
    for name in ("ann_a", "ann_b"):
        password = uuid.uuid4().hex[:12]
        user = rg.User(username=f"{name}_{tag}", password=password, role="annotator", client=client).create()
        ws.add_user(user)
        token = httpx.post(f"{argilla_server.api_url}/api/v1/token",
                           data={"username": user.username, "password": password}).json()["access_token"]
        annotators[name] = (user, Http(argilla_server.api_url, {"Authorization": f"Bearer {token}"}))

    # (annotator, record index, status, label)
    plan = [("ann_a", i, "submitted", LABELS[i % 3]) for i in range(0, 5)]
    plan += [("ann_a", 5, "draft", "neg"), ("ann_a", 6, "discarded", None)]
    plan += [("ann_b", i, "submitted", "pos") for i in range(3, 9)]
    plan += [("ann_b", 9, "draft", "neu")]
    responses = []
    for who, i, status, label in plan:
        body = {"status": status, "values": {"label": {"value": label}, "rating": {"value": 1 + i % 5}} if label else None}
        if body["values"] is None:
            body.pop("values")
        http = annotators[who][1]
        http.ok(http.client.post(f"/api/v1/records/{records[i]['server_id']}/responses", json=body))
        responses.append({"user": annotators[who][0].id, "record": records[i]["id"], "status": status,
                          "label": label, "rating": (1 + i % 5) if label else None})
    owner = Http(argilla_server.api_url, {"X-Argilla-Api-Key": argilla_server.api_key})
    return {"ds": ds, "ws": ws, "records": records, "annotators": annotators, "responses": responses, "owner": owner}


def _query(ds, **kw) -> set[str]:
    # with_responses=False: SDK 2.8 crashes on a discarded response without values
    return {r.id for r in ds.records(query=rg.Query(**kw), with_responses=False)}


def _status(world, rec_id) -> str:
    submitted = [r for r in world["responses"] if r["record"] == rec_id and r["status"] == "submitted"]
    return "completed" if submitted else "pending"  # default distribution: min_submitted = 1


# ----------------------------------------------------------------------------------------------
# filters through the SDK (the non-"me" search endpoint)
# ----------------------------------------------------------------------------------------------


@argilla
def test_metadata_terms_and_ranges(world):
    ds, recs = world["ds"], world["records"]
    web = _ids(r for r in recs if r["metadata"].get("src") == "web")
    assert web and _query(ds, filter=rg.Filter([("metadata.src", "==", "web")])) == web
    web_book = _ids(r for r in recs if r["metadata"].get("src") in ("web", "book"))
    assert _query(ds, filter=rg.Filter([("metadata.src", "in", ["web", "book"])])) == web_book
    n_range = _ids(r for r in recs if "n" in r["metadata"] and 5 <= r["metadata"]["n"] <= 12)
    assert n_range and _query(ds, filter=rg.Filter([("metadata.n", ">=", 5), ("metadata.n", "<=", 12)])) == n_range
    x_low = _ids(r for r in recs if "x" in r["metadata"] and r["metadata"]["x"] <= 0.5)
    assert x_low and _query(ds, filter=rg.Filter([("metadata.x", "<=", 0.5)])) == x_low
    both = _ids(r for r in recs if r["metadata"].get("src") == "book" and r["metadata"].get("x", -1) >= 0.25)
    assert _query(ds, filter=rg.Filter([("metadata.src", "==", "book"), ("metadata.x", ">=", 0.25)])) == both


@argilla
def test_suggestion_value_score_agent_type(world):
    ds, recs = world["ds"], world["records"]
    sug = lambda r, q: r["suggestions"].get(q)  # noqa: E731
    pos = _ids(r for r in recs if sug(r, "label") and sug(r, "label")["value"] == "pos")
    assert pos and _query(ds, filter=rg.Filter([("label", "==", "pos")])) == pos
    tech = _ids(r for r in recs if sug(r, "topics") and "tech" in sug(r, "topics")["value"])
    assert tech and _query(ds, filter=rg.Filter([("topics", "in", ["tech"])])) == tech
    high = _ids(r for r in recs if sug(r, "rating") and sug(r, "rating")["value"] >= 4)
    assert high and _query(ds, filter=rg.Filter([("rating", ">=", 4)])) == high
    scored = _ids(r for r in recs if sug(r, "label") and sug(r, "label")["score"] >= 0.5)
    assert scored and _query(ds, filter=rg.Filter([("label.score", ">=", 0.5)])) == scored
    m1 = _ids(r for r in recs if sug(r, "label") and sug(r, "label")["agent"] == "m1")
    assert m1 and _query(ds, filter=rg.Filter([("label.agent", "==", "m1")])) == m1
    human = _ids(r for r in recs if sug(r, "topics"))
    assert human and _query(ds, filter=rg.Filter([("topics.type", "==", "human")])) == human
    assert _query(ds, filter=rg.Filter([("label.type", "==", "human")])) == set()


@argilla
def test_record_properties(world):
    ds, recs = world["ds"], world["records"]
    some = [recs[1]["id"], recs[7]["id"], "no-such-id"]
    assert _query(ds, filter=rg.Filter([("id", "in", some)])) == {recs[1]["id"], recs[7]["id"]}
    assert _query(ds, filter=rg.Filter([("_server_id", "==", recs[2]["server_id"])])) == {recs[2]["id"]}
    completed = {r["id"] for r in recs if _status(world, r["id"]) == "completed"}
    assert completed and _query(ds, filter=rg.Filter([("status", "==", "completed")])) == completed
    assert _query(ds, filter=rg.Filter([("status", "==", "pending")])) == _ids(recs) - completed

    listed = world["owner"].ok(world["owner"].client.get(f"/api/v1/datasets/{ds.id}/records", params={"limit": 1000}))["items"]
    stamps = sorted(item["inserted_at"] for item in listed)
    cut = stamps[len(stamps) // 2]
    expected = {item["external_id"] for item in listed if item["inserted_at"] >= cut}
    assert 0 < len(expected) < len(listed)
    assert _query(ds, filter=rg.Filter([("inserted_at", ">=", cut)])) == expected


@argilla
def test_response_values_and_status_across_users(world):
    ds, recs, resps = world["ds"], world["records"], world["responses"]
    pos = {r["record"] for r in resps if r["label"] == "pos"}
    assert pos and _query(ds, filter=rg.Filter([("label.response", "==", "pos")])) == pos
    rated = {r["record"] for r in resps if r["rating"] is not None and r["rating"] >= 3}
    assert rated and _query(ds, filter=rg.Filter([("rating.response", ">=", 3)])) == rated
    submitted = {r["record"] for r in resps if r["status"] == "submitted"}
    assert _query(ds, filter=rg.Filter([("response.status", "==", "submitted")])) == submitted
    # without a user, "pending" means: no response from anyone
    answered = {r["record"] for r in resps}
    assert _query(ds, filter=rg.Filter([("response.status", "==", "pending")])) == _ids(recs) - answered
    draft_or_pending = {r["record"] for r in resps if r["status"] == "draft"} | (_ids(recs) - answered)
    assert _query(ds, filter=rg.Filter([("response.status", "in", ["draft", "pending"])])) == draft_or_pending


# ----------------------------------------------------------------------------------------------
# text search
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, predicate",
    [
        ("apple", lambda r: _has_word(r, "apple")),  # whole word, any case; not pineapple/apples
        ("APPLE banana", lambda r: _has_word(r, "apple") and _has_word(r, "banana")),
        ('"apple banana"', lambda r: _has_phrase(r, ["apple", "banana"])),
        ("app*", lambda r: _has_word(r, "app", prefix=True)),
        ("cherry -river", lambda r: _has_word(r, "cherry") and not _has_word(r, "river")),
        ("stone | quartz", lambda r: _has_word(r, "stone") or _has_word(r, "quartz")),
        ("gamma", lambda r: _has_word(r, "gamma")),  # a second text field
        ("quartz", lambda r: _has_word(r, "quartz")),  # chat message content
    ],
)
@argilla
def test_text_query(world, q, predicate):
    expected = _ids(r for r in world["records"] if predicate(r))
    assert 0 < len(expected) < N_RECORDS
    assert _query(world["ds"], query=q) == expected


@argilla
def test_text_query_on_one_field_and_combined_with_filters(world):
    ds, recs, owner = world["ds"], world["records"], world["owner"]
    body = {"query": {"text": {"q": "river", "field": "title"}}}
    got = {i["record"]["external_id"] for i in owner.ok(owner.search(ds.id, body, me=False))["items"]}
    assert got == _ids(r for r in recs if "river" in _tokens(r["title"]))
    assert got != _ids(r for r in recs if _has_word(r, "river"))  # the text field has rivers too
    expected = _ids(r for r in recs if _has_word(r, "banana") and r["metadata"].get("src") == "web")
    assert _query(ds, query="banana", filter=rg.Filter([("metadata.src", "==", "web")])) == expected


# ----------------------------------------------------------------------------------------------
# sort
# ----------------------------------------------------------------------------------------------


def _sorted_ids(world, sort):
    owner = world["owner"]
    items = owner.ok(owner.search(world["ds"].id, {"sort": sort}, me=False))["items"]
    return [i["record"]["external_id"] for i in items]


@argilla
def test_sort_by_metadata_and_suggestion_score(world):
    recs = world["records"]
    got = _sorted_ids(world, [{"scope": {"entity": "metadata", "metadata_property": "n"}, "order": "desc"}])
    with_n = [r for r in recs if "n" in r["metadata"]]
    # ties keep insertion order; records without the value come last
    expected = [r["id"] for r in sorted(with_n, key=lambda r: -r["metadata"]["n"])]
    expected += [r["id"] for r in recs if "n" not in r["metadata"]]
    assert got == expected
    got = _sorted_ids(world, [{"scope": {"entity": "suggestion", "question": "label", "property": "score"}, "order": "asc"}])
    scored = sorted((r for r in recs if "label" in r["suggestions"]), key=lambda r: r["suggestions"]["label"]["score"])
    assert got[: len(scored)] == [r["id"] for r in scored]
    got = _sorted_ids(world, [{"scope": {"entity": "record", "property": "inserted_at"}, "order": "desc"}])
    assert got == [r["id"] for r in reversed(recs)]
    got = _sorted_ids(world, [{"scope": {"entity": "record", "property": "status"}, "order": "asc"}])
    by_status = sorted(recs, key=lambda r: _status(world, r["id"]))  # stable: "completed" < "pending"
    assert got == [r["id"] for r in by_status]


# ----------------------------------------------------------------------------------------------
# similarity
# ----------------------------------------------------------------------------------------------


def _cosine_order(recs, query, least=False, exclude=None):
    q = np.asarray(query, dtype=float)
    scored = []
    for r in recs:
        if r["id"] == exclude:
            continue
        v = np.asarray(r["vector"], dtype=float)
        cos = float(v @ q / (np.linalg.norm(v) * np.linalg.norm(q)))
        scored.append(((1 - cos) / 2 if least else (1 + cos) / 2, r["id"]))
    scored.sort(key=lambda t: -t[0])
    return scored


def _similar(ds, similar, **kw):
    return [(rec.id, score) for rec, score in ds.records(query=rg.Query(similar=similar, **kw), with_responses=False)]


@argilla
def test_similarity_most_and_least(world):
    ds, recs = world["ds"], world["records"]
    query = [0.3, -0.8, 0.5]
    got = _similar(ds, rg.Similar("emb", query))
    expected = _cosine_order(recs, query)
    assert [i for i, _ in got] == [i for _, i in expected]
    assert all(math.isclose(s, e, rel_tol=1e-5) for (_, s), (e, _) in zip(got, expected))
    got = _similar(ds, rg.Similar("emb", query, most_similar=False))
    assert [i for i, _ in got] == [i for _, i in _cosine_order(recs, query, least=True)]


@argilla
def test_similarity_to_a_record_with_filter_and_top_k(world, argilla_server):
    ds, recs, owner = world["ds"], world["records"], world["owner"]
    anchor = recs[0]
    books = [r for r in recs if r["metadata"].get("src") == "book"]
    expected = [i for _, i in _cosine_order(books, anchor["vector"], exclude=anchor["id"])]
    body = {
        "query": {"vector": {"name": "emb", "record_id": anchor["server_id"], "order": "most_similar"}},
        "filters": {"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "src"}, "values": ["book"]}]},
    }
    res = owner.ok(owner.search(ds.id, body, me=False, limit=3))
    assert [i["record"]["external_id"] for i in res["items"]] == expected[:3]
    res = owner.ok(owner.search(ds.id, body, me=False, limit=100))
    assert [i["record"]["external_id"] for i in res["items"]] == expected


# ----------------------------------------------------------------------------------------------
# per-user queue (the web UI's "me" endpoint), progress, metrics
# ----------------------------------------------------------------------------------------------

QUEUE = {"filters": {"and": [
    {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["pending"]},
    {"type": "terms", "scope": {"entity": "record", "property": "status"}, "values": ["pending"]},
]}}


def _tab(status):
    return {"filters": {"and": [{"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": [status]}]}}


@argilla
def test_pending_queue_per_user(world):
    ds, recs, resps = world["ds"], world["records"], world["responses"]
    for _name, (user, http) in world["annotators"].items():
        mine = {r["record"] for r in resps if r["user"] == user.id}
        expected = {r["id"] for r in recs if r["id"] not in mine and _status(world, r["id"]) == "pending"}
        res = http.ok(http.search(ds.id, QUEUE))
        assert res["total"] == len(expected)
        assert {i["record"]["external_id"] for i in res["items"]} == expected
        # paging walks the same queue without gaps or repeats, in a stable order
        pages = []
        for offset in range(0, len(expected) + 5, 5):
            pages += [i["record"]["id"] for i in http.ok(http.search(ds.id, QUEUE, limit=5, offset=offset))["items"]]
        assert len(pages) == len(set(pages)) == len(expected)
        again = [i["record"]["id"] for i in http.ok(http.search(ds.id, QUEUE, limit=len(expected)))["items"]]
        assert again == pages
        for status in ("submitted", "draft", "discarded"):
            tab = {r["record"] for r in resps if r["user"] == user.id and r["status"] == status}
            got = http.ok(http.search(ds.id, _tab(status)))
            assert {i["record"]["external_id"] for i in got["items"]} == tab and got["total"] == len(tab)


@argilla
def test_response_value_filter_on_me_endpoint_is_per_user(world):
    ds, resps = world["ds"], world["responses"]
    user, http = world["annotators"]["ann_b"]
    body = {"filters": {"and": [{"type": "terms", "scope": {"entity": "response", "question": "label"}, "values": ["pos"]}]}}
    got = {i["record"]["external_id"] for i in http.ok(http.search(ds.id, body))["items"]}
    assert got == {r["record"] for r in resps if r["user"] == user.id and r["label"] == "pos"}
    everyone = {r["record"] for r in resps if r["label"] == "pos"}
    assert got != everyone


@argilla
def test_progress_and_user_metrics(world):
    ds, recs, resps = world["ds"], world["records"], world["responses"]
    progress = ds.progress()
    completed = sum(_status(world, r["id"]) == "completed" for r in recs)
    assert (progress["total"], progress["completed"], progress["pending"]) == (N_RECORDS, completed, N_RECORDS - completed)
    for user, http in world["annotators"].values():
        metrics = http.ok(http.client.get(f"/api/v1/me/datasets/{ds.id}/metrics"))["responses"]
        mine = [r for r in resps if r["user"] == user.id]
        for status in ("submitted", "draft", "discarded"):
            assert metrics[status] == sum(r["status"] == status for r in mine)
        assert metrics["pending"] == N_RECORDS - len(mine)


@argilla
def test_metadata_metrics(world):
    ds, recs, owner = world["ds"], world["records"], world["owner"]
    props = {p["name"]: p["id"] for p in owner.ok(owner.client.get(f"/api/v1/me/datasets/{ds.id}/metadata-properties"))["items"]}
    terms = owner.ok(owner.client.get(f"/api/v1/metadata-properties/{props['src']}/metrics"))
    counts = {}
    for r in recs:
        if "src" in r["metadata"]:
            counts[r["metadata"]["src"]] = counts.get(r["metadata"]["src"], 0) + 1
    assert terms["total"] == sum(counts.values())
    assert {v["term"]: v["count"] for v in terms["values"]} == counts
    assert [v["count"] for v in terms["values"]] == sorted(counts.values(), reverse=True)
    ints = owner.ok(owner.client.get(f"/api/v1/metadata-properties/{props['n']}/metrics"))
    ns = [r["metadata"]["n"] for r in recs if "n" in r["metadata"]]
    assert (ints["min"], ints["max"]) == (min(ns), max(ns))
    floats = owner.ok(owner.client.get(f"/api/v1/metadata-properties/{props['x']}/metrics"))
    xs = [r["metadata"]["x"] for r in recs if "x" in r["metadata"]]
    assert math.isclose(floats["min"], min(xs)) and math.isclose(floats["max"], max(xs))


# ----------------------------------------------------------------------------------------------
# what the engine refuses, with a message naming it
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, needle",
    [
        ({"filters": {"and": [{"type": "terms", "scope": {"entity": "suggestion", "question": "span", "property": "value"}, "values": ["FRUIT"]}]}}, "span"),
        ({"filters": {"and": [{"type": "terms", "scope": {"entity": "response", "question": "comment"}, "values": ["x"]}]}}, "comment"),
        ({"filters": {"and": [{"type": "range", "scope": {"entity": "metadata", "metadata_property": "src"}, "ge": 1}]}}, "src"),
        ({"query": {"text": {"q": "apple~2"}}}, "~"),
        ({"sort": [{"scope": {"entity": "response", "question": "label"}, "order": "asc"}]}, "label"),
    ],
)
@argilla
def test_unsupported_searches_are_refused_with_a_message(world, body, needle):
    owner = world["owner"]
    r = owner.search(world["ds"].id, body, me=False)
    assert r.status_code == 422, r.text
    assert "workbench-sql" in r.text and needle in r.text


@argilla
def test_sdk_surfaces_the_refusal(world):
    with pytest.raises(Exception, match="span"):
        _query(world["ds"], filter=rg.Filter([("span", "==", "FRUIT")]))


# ----------------------------------------------------------------------------------------------
# updates and deletes are followed (nothing to re-index)
# ----------------------------------------------------------------------------------------------


@argilla
def test_updates_and_deletes_are_seen(client):
    tag = uuid.uuid4().hex[:8]
    ws = rg.Workspace(name=f"se-upd-{tag}").create()
    ds = rg.Dataset(name=f"se-upd-{tag}", workspace=ws, settings=_settings(), client=client).create()
    recs = _make_records(seed=11)[:12]
    ds.records.log([_to_sdk(r) for r in recs])
    target = recs[0]
    before = _query(ds, filter=rg.Filter([("metadata.src", "==", "chat")]))
    ds.records.log([rg.Record(id=target["id"], fields={"text": target["text"] + " zebra"},
                              metadata={"src": "chat", "n": 99, "x": 0.5})])
    assert _query(ds, filter=rg.Filter([("metadata.src", "==", "chat")])) == before | {target["id"]}
    assert _query(ds, filter=rg.Filter([("metadata.n", ">=", 99)])) == {target["id"]}
    assert _query(ds, query="zebra") == {target["id"]}
    # a terms metadata value may be a list: any element matches, as with Elasticsearch keywords
    ds.records.log([rg.Record(id=recs[3]["id"], fields={"text": recs[3]["text"]}, metadata={"src": ["web", "zoo"]})])
    assert recs[3]["id"] in _query(ds, filter=rg.Filter([("metadata.src", "==", "zoo")]))
    assert _query(ds, filter=rg.Filter([("metadata.src", "==", "zoo")])) == {recs[3]["id"]}
    assert recs[3]["id"] in _query(ds, filter=rg.Filter([("metadata.src", "in", ["web"])]))
    gone = [r for r in ds.records() if r.id in (recs[0]["id"], recs[1]["id"])]
    ds.records.delete(gone)
    assert _query(ds, query="zebra") == set()
    remaining = {r.id for r in ds.records()}
    assert remaining == _ids(recs[2:])
    assert ds.progress()["total"] == len(recs) - 2
    q = recs[2]["vector"]
    assert {i for i, _ in _similar(ds, rg.Similar("emb", q))} == _ids(recs[2:])


# ----------------------------------------------------------------------------------------------
# the text-query language, without a server: parser + regular expressions vs whole-word tokens
# ----------------------------------------------------------------------------------------------

_VOCAB = ["apple", "Apple", "apples", "pineapple", "river", "riverbank", "stone"]


def _eval(node, text: str) -> bool:
    """What the SQL does for one field: each atom is a regular-expression search."""
    if node.kind == "none":
        return False
    if node.kind == "and":
        return all(_eval(c, text) for c in node.children)
    if node.kind == "or":
        return any(_eval(c, text) for c in node.children)
    if node.kind == "not":
        return not _eval(node.children[0], text)
    if node.kind == "phrase":
        return re.search(python_word_regex(node.words, phrase=True, prefix=node.prefix), text, re.I) is not None
    return all(
        re.search(python_word_regex((w,), phrase=False, prefix=node.prefix and i == len(node.words) - 1), text, re.I)
        for i, w in enumerate(node.words)
    )


@settings(max_examples=150, deadline=None)
@given(
    doc=st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=8),
    sep=st.sampled_from([" ", ", ", " - ", "\n"]),
    a=st.sampled_from(_VOCAB),
    b=st.sampled_from(_VOCAB),
    form=st.sampled_from(["{a}", "{a} {b}", '"{a} {b}"', "{a}*", "{a} -{b}", "{a} | {b}", "-{a}", "({a} | {b}) {a}"]),
)
def test_text_query_semantics_match_whole_word_tokens(doc, sep, a, b, form):
    text = sep.join(doc)
    toks = [t.lower() for t in doc]
    la, lb = a.lower(), b.lower()
    expected = {
        "{a}": la in toks,
        "{a} {b}": la in toks and lb in toks,
        '"{a} {b}"': any(toks[i:i + 2] == [la, lb] for i in range(len(toks) - 1)),
        "{a}*": any(t.startswith(la) for t in toks),
        "{a} -{b}": la in toks and lb not in toks,
        "{a} | {b}": la in toks or lb in toks,
        "-{a}": la not in toks,
        "({a} | {b}) {a}": la in toks,
    }[form]
    assert _eval(parse_text_query(form.format(a=a, b=b)), text) == expected


def test_text_query_refuses_fuzziness_and_reads_dates():
    with pytest.raises(UnsupportedSearch, match="~"):
        parse_text_query("apple~1")
    assert parse_text_query("!!! ...").kind == "none"
    assert to_datetime("2024-01-02T03:04:05+02:00", "inserted_at").isoformat() == "2024-01-02T01:04:05"
    with pytest.raises(UnsupportedSearch, match="inserted_at"):
        to_datetime("yesterday", "inserted_at")


# ----------------------------------------------------------------------------------------------
# the engine's own indexes and the count split by record id
# ----------------------------------------------------------------------------------------------


def _indexes(database_url: str) -> dict[str, tuple[str, list[str]]]:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    url = url.set(drivername="sqlite" if url.get_backend_name() == "sqlite" else "postgresql+psycopg2")
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        return {ix["name"]: (table, list(ix["column_names"]))
                for table in ("records", "responses", "vectors") for ix in insp.get_indexes(table)}
    finally:
        engine.dispose()


@argilla
def test_engine_indexes_exist_after_start_and_survive_a_second_ensure(argilla_server):
    from workbench.server.search_indexes import INDEXES, ensure_indexes

    wanted = {name: (table, list(cols)) for name, table, cols in INDEXES}
    assert "ix_wb_records_id_dataset_status" in wanted
    before = _indexes(argilla_server.database_url)
    assert {n: before.get(n) for n in wanted} == wanted  # created by `server start`
    # a second start runs the same step on a database that has them: no error, nothing doubled
    assert ensure_indexes(argilla_server.database_url) == list(wanted)
    assert _indexes(argilla_server.database_url) == before


@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_count_parts_cover_every_record_id_once(parts):
    from workbench.server.search_sql import id_bounds

    bounds = id_bounds(parts)
    assert len(bounds) == parts - 1 and bounds == sorted(bounds)
    rng = random.Random(parts)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(2000)]
    ids += [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), *bounds]
    edges = [None, *bounds, None]
    for u in ids:
        # as the engine compares them: hex text on SQLite, uuid order (bytewise) on PostgreSQL
        for key, cut in ((u.hex, [b.hex for b in bounds]), (u.bytes, [b.bytes for b in bounds])):
            cuts = [None, *cut, None]
            inside = [i for i in range(parts)
                      if (cuts[i] is None or key >= cuts[i]) and (cuts[i + 1] is None or key < cuts[i + 1])]
            assert len(inside) == 1, (u, inside)
    # equal widths: random ids spread evenly (each part holds 1/parts of them, within 5 points)
    if parts > 1:
        counts = [sum(1 for u in ids[:2000] if (lo is None or u >= lo) and (hi is None or u < hi))
                  for lo, hi in zip(edges[:-1], edges[1:])]
        assert max(abs(c / 2000 - 1 / parts) for c in counts) < 0.05

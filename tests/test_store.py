"""The history store on SQLite and on a fresh PostgreSQL database: rounds, guideline versions in
force, gold, append-only response versions, value round trips, atomic writes."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta

import pytest
import pandas as pd
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import BadInput
from workbench.store import (
    HISTORY_COLUMNS, TIDY_COLUMNS, HistoryStore, ResponseRow, SuggestionRow, decode_value, encode_value,
    normalise_value,
)

PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
T0 = datetime(2025, 3, 1, 9, 0, 0)


def _postgres_store():
    url = sa.engine.make_url(PG_URL).set(drivername="postgresql+psycopg2")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("WORKBENCH_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL at {url.render_as_string(hide_password=True)} ({exc.__class__.__name__}); set PG_URL")
    name = f"wb_store_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = HistoryStore(f"sqlite:///{tmp_path / 'history.db'}")
        yield s
        s.close()
    else:
        url, drop = _postgres_store()
        s = HistoryStore(url)
        try:
            yield s
        finally:
            s.close()
            drop()


def _resp(record, user, values, *, status="submitted", updated=T0, inserted=None, item=None, annotator=None):
    return ResponseRow(record_id=record, item=item or f"item-{record}", user_id=user, annotator=annotator or f"ann-{user}",
                       response_id=f"resp-{record}-{user}", status=status, values=values,
                       inserted_at=inserted or updated, updated_at=updated)


def _write(store, responses, *, suggestions=(), dataset_id="ds1", fetched=None, **kw):
    return store.write_dataset_sync(dataset_id=dataset_id, name=kw.pop("name", "round-1"), workspace="ws",
                                    responses=list(responses), suggestions=list(suggestions),
                                    watermark=T0, fetched_record_ids=fetched, **kw)


def _round(store, dataset_id="ds1", dataset="round-1", round=1, version=1):
    store.record_round(task="qa", round=round, kind="calibration", dataset=dataset, workspace="ws",
                       dataset_id=dataset_id, guideline_version=version, created_at=T0 - timedelta(days=1))


def test_record_round_is_idempotent_and_listed(store):
    _round(store)
    store.record_round(task="qa", round=7, kind="production", dataset="round-1", workspace="other",
                       dataset_id="ds1", guideline_version=3)
    _round(store, dataset_id="ds2", dataset="round-2", round=2, version=2)
    store.record_round(task="other", round=1, kind="production", dataset="x", workspace="ws", dataset_id="ds9",
                       guideline_version=1, forced_reason="deadline")
    df = store.rounds("qa")
    assert list(df["dataset"]) == ["round-1", "round-2"]
    assert list(df["round"]) == [1, 2]  # the second record of (qa, round-1) changed nothing
    assert df.loc[0, "workspace"] == "ws"
    assert str(df["created_at"].dt.tz) == "UTC"
    assert store.rounds("other").loc[0, "forced_reason"] == "deadline"
    assert len(store.rounds()) == 3


def test_guideline_version_in_force_when_submitted(store):
    _round(store, version=1)
    store.record_guideline_publication(task="qa", dataset_id="ds1", version=1, published_at=T0)
    store.record_guideline_publication(task="qa", dataset_id="ds1", version=2, published_at=T0 + timedelta(hours=2))
    store.record_guideline_publication(task="qa", dataset_id="ds1", version=2, published_at=T0 + timedelta(hours=2))
    assert len(store.publications("ds1")) == 2  # the repeated publication is not stored twice
    assert store.guideline_version_at("ds1", T0 - timedelta(hours=1)) == 1  # before any: the round's
    assert store.guideline_version_at("ds1", T0 + timedelta(hours=1)) == 1
    assert store.guideline_version_at("ds1", T0 + timedelta(hours=2)) == 2
    assert store.guideline_version_at("ds1", "2025-03-01T13:00:00+02:00") == 2  # 11:00 UTC
    assert store.guideline_version_at("ds1", "2025-03-01T12:00:00+02:00") == 1  # 10:00 UTC
    assert store.guideline_version_at("unknown", T0) is None
    _write(store, [_resp("r1", "u1", {"q": "a"}, updated=T0 + timedelta(minutes=5)),
                   _resp("r1", "u2", {"q": "b"}, updated=T0 + timedelta(hours=3))])
    tidy = store.tidy().set_index("annotator")
    assert tidy.loc["ann-u1", "guideline_version"] == 1
    assert tidy.loc["ann-u2", "guideline_version"] == 2
    assert tidy.loc["ann-u2", "round"] == 1 and tidy.loc["ann-u2", "task"] == "qa"


def test_values_of_every_kind_round_trip(store):
    _round(store)
    raw = {
        "label": "safe",
        "rating": 4,
        "multi": normalise_value("multi_label_selection", ["z", "a", "m"]),
        "rank": normalise_value("ranking", [{"value": "b", "rank": 2}, {"value": "a", "rank": 1},
                                           {"value": "c", "rank": 3}]),
        "spans": normalise_value("span", [{"start": 9, "end": 12, "label": "DRUG"},
                                          {"start": 0, "end": 4, "label": "PER"}]),
        "note": "Ünïcode \"quoted\"\nline",
    }
    _write(store, [_resp("r1", "u1", raw)])
    got = dict(zip(store.tidy()["question"], store.tidy()["value"]))
    assert got == {
        "label": "safe", "rating": 4, "multi": ["a", "m", "z"], "rank": ["a", "b", "c"],
        "spans": [{"start": 0, "end": 4, "label": "PER"}, {"start": 9, "end": 12, "label": "DRUG"}],
        "note": "Ünïcode \"quoted\"\nline",
    }
    assert isinstance(got["rating"], int)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=6))
def test_multi_label_encoding_is_order_free(labels):
    a = decode_value(encode_value(normalise_value("multi_label", labels)))
    b = decode_value(encode_value(normalise_value("multi_label", list(reversed(labels)))))
    assert a == b == sorted(set(labels))


def test_edits_append_versions_and_rewrites_add_nothing(store):
    _round(store)
    first = [_resp("r1", "u1", {"q": "a"}), _resp("r2", "u1", {"q": "b"})]
    assert _write(store, first).responses == 2
    assert _write(store, first).responses == 0  # the same state again: nothing new
    edited = [_resp("r1", "u1", {"q": "c"}, updated=T0 + timedelta(minutes=1)), first[1]]
    assert _write(store, edited).responses == 1
    hist = store.response_history()
    r1 = hist[hist["item"] == "item-r1"].sort_values("version")
    assert list(r1["version"]) == [1, 2] and list(r1["value"]) == ["a", "c"]
    tidy = store.tidy()
    assert len(tidy) == 2
    assert tidy.set_index("item").loc["item-r1", "value"] == "c"
    assert tidy.set_index("item").loc["item-r1", "version"] == 2
    # The latest version counts: turned back into a draft, the response is no longer submitted
    _write(store, [_resp("r1", "u1", {"q": "c"}, status="draft", updated=T0 + timedelta(minutes=2))])
    assert list(store.tidy()["item"]) == ["item-r2"]
    assert set(store.tidy(statuses=None)["status"]) == {"draft", "submitted"}
    assert len(store.tidy(latest_only=False)) == 3  # the two submitted versions of r1 and r2


def test_deleted_response_gets_a_version_without_values(store):
    _round(store)
    _write(store, [_resp("r1", "u1", {"q": "a"}), _resp("r1", "u2", {"q": "b"})])
    _write(store, [_resp("r1", "u1", {"q": "a"})], fetched={"r1": "item-r1"})
    versions = store.response_versions()
    gone = versions[versions["user_id"] == "u2"].sort_values("version")
    assert list(gone["status"]) == ["submitted", "deleted"]
    assert list(store.tidy()["annotator"]) == ["ann-u1"]
    # a record that was not read in full keeps its responses
    _write(store, [], fetched={"r9": "item-r9"})
    assert len(store.response_versions()) == 3


def test_discarded_without_values_is_kept_as_a_version(store):
    _round(store)
    _write(store, [_resp("r1", "u1", {}, status="discarded")])
    v = store.response_versions()
    assert list(v["status"]) == ["discarded"]
    assert store.tidy(statuses=None).empty  # no value, no judgement


def test_suggestions_are_versioned(store):
    _round(store)
    s1 = SuggestionRow("r1", "item-r1", "q", "a", 0.9, "gpt", "model", T0)
    assert _write(store, [], suggestions=[s1]).suggestions == 1
    assert _write(store, [], suggestions=[s1]).suggestions == 0
    s2 = SuggestionRow("r1", "item-r1", "q", "b", 0.4, "gpt", "model", T0 + timedelta(minutes=1))
    assert _write(store, [], suggestions=[s2]).suggestions == 1
    latest = store.suggestions()
    assert list(latest["value"]) == ["b"] and latest.loc[0, "score"] == pytest.approx(0.4)
    assert list(store.suggestions(latest_only=False)["version"]) == [1, 2]


def test_latest_suggestions_of_a_dataset_are_the_newest_version_of_each(store):
    """The Judges page's read (one dataset's latest suggestions) against every version kept by a loop."""
    for ds_id, name, rnd in (("ds1", "round-1", 1), ("ds2", "round-2", 2), ("ds3", "unregistered", None)):
        if rnd is not None:
            _round(store, dataset_id=ds_id, dataset=name, round=rnd)
        for step in range(3):
            rows = [SuggestionRow(f"r{i}", f"item-r{i}", q, f"{ds_id}-{i}-{step if (i + step) % 2 else 0}",
                                  None if i == 2 else 0.5 + step / 10, "judge" if i else None, "model",
                                  None if i == 3 else T0 + timedelta(minutes=step))
                    for i in range(5) for q in ("q", "p")]
            _write(store, [], suggestions=rows, dataset_id=ds_id, name=name)
    every = store.suggestions(latest_only=False)
    assert every["version"].max() >= 2
    for sel in (["ds1"], ["round-2"], ["ds3", "round-1"], ["unregistered"], ["nothing"]):
        best = {}  # (dataset, record, question) -> (version, row label in `every`)
        for label, r in zip(every.index, every.to_dict("records")):
            if r["dataset_id"] in sel or r["dataset"] in sel:
                key = (r["dataset_id"], r["record_id"], r["question"])
                if key not in best or r["version"] > best[key][0]:
                    best[key] = (r["version"], label)
        want = every.loc[[best[k][1] for k in sorted(best)]].reset_index(drop=True)
        got = store.suggestions(dataset=sel)
        assert list(got.columns) == list(every.columns) and len(got) == len(want), sel
        for df in (got, want):  # (an unregistered dataset's rows have no round: float or int by the rows read)
            df["round"] = df["round"].astype("Int64")
        assert got.astype(str).equals(want.astype(str)), (sel, got, want)
        assert str(got["time"].dtype) == "datetime64[ns, UTC]" and got["time"].isna().any() == (len(got) > 0), sel


def test_filters(store):
    _round(store)
    _round(store, dataset_id="ds2", dataset="round-2", round=2)
    _write(store, [_resp("r1", "u1", {"q": "a", "p": 1})])
    _write(store, [_resp("r5", "u1", {"q": "b"})], dataset_id="ds2", name="round-2")
    assert set(store.tidy(round=2)["item"]) == {"item-r5"}
    assert set(store.tidy(dataset="round-1")["question"]) == {"q", "p"}
    assert set(store.tidy(dataset="ds2")["item"]) == {"item-r5"}
    assert list(store.tidy(question="p")["value"]) == [1]
    assert store.tidy(task="nope").empty
    assert list(store.tidy().columns) == ["item", "annotator", "question", "value", "time", "round",
                                         "guideline_version", "task", "dataset", "status", "version"]


def test_write_is_atomic(store):
    _round(store)
    _write(store, [_resp("r1", "u1", {"q": "a"})])
    before = (store.counts(), store.sync_state("ds1"))

    def boom(stage):
        if stage == "before-commit":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        _write(store, [_resp("r1", "u1", {"q": "b"}, updated=T0 + timedelta(1)), _resp("r2", "u1", {"q": "a"})],
               suggestions=[SuggestionRow("r1", "item-r1", "q", "a", None, None, None, T0)],
               on_progress=boom, activity="later")
    assert (store.counts(), store.sync_state("ds1")) == before


def test_gold_latest_wins_and_adjudication_preferred(store):
    store.set_gold(task="qa", item="i1", question="q", value="a", set_by="ann", set_at=T0)
    store.set_gold(task="qa", item="i1", question="q", value="b", set_by="bob", set_at=T0 + timedelta(1))
    store.set_gold(task="qa", item="i2", question="q", value=["x", "y"], set_by="ann", set_at=T0)
    store.set_gold(task="qa", item="i1", question="q", value="c", set_by="lead", kind="adjudicated",
                   set_at=T0 + timedelta(hours=1))
    g = store.gold("qa").set_index("item")
    assert g.loc["i1", "value"] == "c" and g.loc["i1", "kind"] == "adjudicated" and g.loc["i1", "set_by"] == "lead"
    assert g.loc["i2", "value"] == ["x", "y"]
    g2 = store.gold("qa", prefer_adjudicated=False).set_index("item")
    assert g2.loc["i1", "value"] == "b" and g2.loc["i1", "set_by"] == "bob"  # the latest of either kind
    assert len(store.gold_history("qa")) == 4
    assert store.gold("other").empty
    with pytest.raises(BadInput, match="kind 'guess'"):
        store.set_gold(task="qa", item="i1", question="q", value="a", set_by="x", kind="guess")
    with pytest.raises(BadInput, match="set_by"):
        store.set_gold(task="qa", item="i1", question="q", value="a", set_by="")


def test_default_location(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_STORE_URL", raising=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    s = HistoryStore()
    assert s.url == f"sqlite:///{tmp_path / 'home' / 'history.db'}"
    s.set_gold(task="t", item="i", question="q", value=1, set_by="me")
    assert (tmp_path / "home" / "history.db").exists()
    s.close()
    monkeypatch.setenv("WORKBENCH_STORE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    s = HistoryStore()
    assert s.gold("t").empty and s.url.endswith("elsewhere.db")
    s.close()


def test_tidy_filters_first_and_gives_what_latest_versions_store_wide_gave(store):
    """tidy resolves latest versions only for the rows its filters keep; the rows are those of
    the former query, which took the latest version of every response in the store first: the
    latest version per (dataset, record, user) over all versions, then the filters."""
    import random

    rng = random.Random(5)
    specs = [("qa", 1, "ds-a1", "qa-r1"), ("qa", 2, "ds-a2", "qa-r2"), ("other", 1, "ds-b1", "other-r1"),
             ("other", 3, "ds-b3", "other-r3"), (None, None, "ds-x", "unregistered")]
    for task, rnd, ds_id, name in specs:
        if task is not None:
            store.record_round(task=task, round=rnd, kind="calibration", dataset=name, workspace="ws",
                               dataset_id=ds_id, guideline_version=rnd, created_at=T0 - timedelta(days=1))
    for _task, _rnd, ds_id, name in specs:
        # the same record ids in every dataset: versions must be matched within their own dataset
        state = {(r, u): {"q": rng.choice("abc"), "p": rng.randint(1, 5)} for r in ("r1", "r2", "r3", "r4")
                 for u in ("u1", "u2", "u3")}
        for step in range(rng.randint(2, 4)):
            rows = []
            for (r, u), values in state.items():
                if step and rng.random() < 0.4:  # an edit: new values or a new status
                    values = state[(r, u)] = {"q": rng.choice("abc"), "p": rng.randint(1, 5)}
                status = rng.choice(["submitted", "submitted", "draft", "discarded"]) if step else "submitted"
                rows.append(_resp(r, u, values, status=status, updated=T0 + timedelta(minutes=step)))
            _write(store, rows, dataset_id=ds_id, name=name)
    every = store.response_history()  # every version, every status
    assert every.groupby(["dataset_id", "record_id", "user_id"])["version"].max().max() >= 3
    latest = every[every["version"] == every.groupby(["dataset_id", "record_id", "user_id"])["version"]
                   .transform("max")]

    def expected(task=None, round=None, dataset=None, question=None, statuses=("submitted",)):
        df = latest
        if task is not None:
            df = df[df["task"] == task]
        if round is not None:
            df = df[df["round"].isin(round if isinstance(round, list) else [round])]
        if dataset is not None:
            names = dataset if isinstance(dataset, list) else [dataset]
            df = df[df["dataset"].isin(names) | df["dataset_id"].isin(names)]
        if question is not None:
            df = df[df["question"] == question]
        if statuses is not None:
            df = df[df["status"].isin(statuses)]
        return df[list(store.tidy().columns)]

    key = ["dataset", "item", "annotator", "question"]
    cases = [{}, {"task": "qa"}, {"task": "qa", "round": 2}, {"round": 1}, {"round": [1, 3]},
             {"task": "other", "round": 2}, {"dataset": "qa-r1"}, {"dataset": "ds-b3"}, {"dataset": "ds-x"},
             {"dataset": ["unregistered", "ds-a2"]}, {"task": "qa", "dataset": "other-r1"},
             {"task": "other", "question": "p"}, {"task": "qa", "statuses": None},
             {"round": 1, "statuses": ("draft", "discarded")}, {"task": "nope"}]
    for case in cases:
        got = store.tidy(**case).sort_values(key).reset_index(drop=True)
        want = expected(**case).sort_values(key).reset_index(drop=True)
        assert got.astype(str).equals(want.astype(str)), (case, got, want)
    assert len(store.tidy(task="qa")) > 0 and store.tidy(task="other", round=2).empty


def test_tidy_can_keep_only_items_with_gold(store):
    _round(store)
    store.record_round(task="other", round=1, kind="calibration", dataset="o-1", workspace="ws", dataset_id="ds-o",
                       guideline_version=1, created_at=T0)
    _write(store, [_resp(r, u, {"q": "a"}) for r in ("r1", "r2", "r3") for u in ("u1", "u2")])
    _write(store, [_resp(r, "u1", {"q": "b"}) for r in ("r1", "r2")], dataset_id="ds-o", name="o-1")
    store.set_gold(task="qa", item="item-r2", question="q", value="a", set_by="expert")
    store.set_gold(task="other", item="item-r1", question="q", value="b", set_by="expert")
    got = store.tidy(task="qa", gold_items_only=True)
    assert sorted(zip(got["item"], got["annotator"])) == [("item-r2", "ann-u1"), ("item-r2", "ann-u2")]
    assert list(store.tidy(task="other", gold_items_only=True)["item"]) == ["item-r1"]
    assert set(store.tidy(gold_items_only=True)["item"]) == {"item-r1", "item-r2"}  # any task's gold


def _seed_edits(store, seed=11):
    """Several tasks and rounds (and an unregistered dataset), the same record ids in each, edits,
    drafts, discards, deletions, multi-label and rating answers, gold on some items."""
    import random

    rng = random.Random(seed)
    specs = [("qa", 1, "ds-a1", "qa-r1"), ("qa", 2, "ds-a2", "qa-r2"), ("other", 1, "ds-b1", "other-r1"),
             (None, None, "ds-x", "unregistered")]
    for task, rnd, ds_id, name in specs:
        if task is not None:
            store.record_round(task=task, round=rnd, kind="calibration", dataset=name, workspace="ws",
                               dataset_id=ds_id, guideline_version=rnd, created_at=T0 - timedelta(days=1))
            store.record_guideline_publication(task=task, dataset_id=ds_id, version=rnd + 1,
                                               published_at=T0 + timedelta(minutes=2))
    for _task, _rnd, ds_id, name in specs:
        state = {(r, u): {"q": rng.choice("abc"), "p": rng.randint(1, 5), "m": rng.sample("xyz", rng.randint(1, 3))}
                 for r in ("r1", "r2", "r3", "r4", "r5") for u in ("u1", "u2", "u3")}
        for step in range(4):
            rows = []
            for (r, u), values in state.items():
                if step and rng.random() < 0.4:
                    values = state[(r, u)] = {"q": rng.choice("abc"), "p": rng.randint(1, 5)}
                status = rng.choice(["submitted", "submitted", "draft", "discarded"]) if step else "submitted"
                if step == 3 and (r, u) == ("r5", "u3"):
                    continue  # deleted in Argilla: a "deleted" version without values
                rows.append(_resp(r, u, values if status != "discarded" or rng.random() < 0.5 else {},
                                  status=status, updated=T0 + timedelta(minutes=step)))
            _write(store, rows, dataset_id=ds_id, name=name,
                   fetched={r: f"item-{r}" for r in ("r1", "r2", "r3", "r4", "r5")} if step == 3 else None)
    store.set_gold(task="qa", item="item-r2", question="q", value="a", set_by="expert")
    store.set_gold(task="other", item="item-r4", question="p", value=3, set_by="expert")


TIDY_CASES = [{}, {"task": "qa"}, {"task": "qa", "round": 2}, {"round": 1}, {"round": [1, 2]}, {"dataset": "qa-r1"},
              {"dataset": "ds-x"}, {"dataset": ["unregistered", "ds-a2"]}, {"task": "qa", "dataset": "other-r1"},
              {"task": "other", "question": "p"}, {"question": ["m", "q"]}, {"task": "qa", "statuses": None},
              {"round": 1, "statuses": ("draft", "discarded")}, {"task": "nope"}, {"task": "qa", "gold_items_only": True},
              {"gold_items_only": True}, {"task": "qa", "extra_columns": ("record_id", "user_id", "dataset_id",
                                                                          "response_id", "inserted_at", "synced_at")}]


def _same_frames(got, want, case):
    assert list(got.columns) == list(want.columns), case
    assert len(got) == len(want), (case, got, want)
    if len(want):  # (empty frames: column types are not compared)
        assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes], (case, got.dtypes, want.dtypes)
    assert got.astype(str).equals(want.astype(str)), (case, got, want)  # same rows, same order


def test_tidy_from_the_latest_table_equals_the_query_over_every_version(store):
    _seed_edits(store)
    assert store.response_history()["version"].max() >= 3
    assert (store.response_versions()["status"] == "deleted").any()
    for case in TIDY_CASES:
        fast = store.tidy(**case)
        store.read_latest_table = False
        try:
            slow = store.tidy(**case)
        finally:
            store.read_latest_table = True
        _same_frames(fast, slow, case)
    rows = store.tidy(task="qa", question="m")
    assert len(rows) and all(isinstance(v, list) for v in rows["value"])
    assert len({id(v) for v in rows["value"]}) == len(rows)  # no two rows share a mutable value


def test_tidy_with_columns_equals_the_full_table_cut_to_those_columns(store):
    """``columns=``: only the columns asked for (read and converted from the latest-version table,
    or cut from the query over every version), with the rows and order of the full table."""
    _seed_edits(store)
    choices = [["item", "annotator", "question", "value", "time", "round", "guideline_version"],
               ["value", "item"], ["round", "dataset", "time"], ["question"], ["record_id", "status", "version", "item"],
               ["synced_at", "task", "annotator", "dataset_id", "user_id", "response_id", "inserted_at"]]
    for case in TIDY_CASES:
        for cols in choices:
            for latest in (True, False):
                store.read_latest_table = latest
                try:
                    full = store.tidy(**{**case, "extra_columns": tuple(HISTORY_COLUMNS)})
                    got = store.tidy(**case, columns=cols)
                finally:
                    store.read_latest_table = True
                _same_frames(got, full[cols].reset_index(drop=True), (case, cols, latest))
    with pytest.raises(BadInput, match="columns: .*'nope'"):
        store.tidy(columns=["item", "nope"])
    with pytest.raises(BadInput, match="columns: empty"):
        store.tidy(columns=[])


def test_latest_table_migration_is_idempotent_and_resumable(store):
    """A store written before response_latest existed: opening it fills the table dataset by
    dataset; an interrupted migration resumes; a repeated one changes nothing."""
    from workbench.store import LATEST_DATASET, LATEST_DONE, response_latest_t, store_meta_t

    _seed_edits(store)
    expected = {repr(c): store.tidy(**c) for c in TIDY_CASES}
    with store.engine.begin() as conn:  # what an old store looks like: no latest rows, no marks
        conn.execute(response_latest_t.delete())
        conn.execute(store_meta_t.delete())
    calls = []
    real = HistoryStore.rebuild_latest

    def interrupted(self, dataset_id):
        if len(calls) == 2:
            raise RuntimeError("killed")
        calls.append(dataset_id)
        return real(self, dataset_id)

    HistoryStore.rebuild_latest = interrupted
    try:
        with pytest.raises(RuntimeError):
            HistoryStore(store.url)
    finally:
        HistoryStore.rebuild_latest = real
    with store.engine.connect() as conn:
        marks = {r[0] for r in conn.execute(sa.select(store_meta_t.c.key))}
    assert marks == {LATEST_DATASET + d for d in calls} and LATEST_DONE not in marks
    resumed = []
    HistoryStore.rebuild_latest = lambda self, d: resumed.append(d) or real(self, d)
    try:
        again = HistoryStore(store.url)
        assert set(resumed) == {"ds-a1", "ds-a2", "ds-b1", "ds-x"} - set(calls)  # only what was left
        resumed.clear()
        HistoryStore(store.url).close()
        assert resumed == []  # complete: nothing rebuilt
    finally:
        HistoryStore.rebuild_latest = real
    for c in TIDY_CASES:
        _same_frames(again.tidy(**c), expected[repr(c)], c)
    before = again.counts()
    assert again.rebuild_latest("ds-a1") > 0 and again.counts() == before
    for c in TIDY_CASES:
        _same_frames(again.tidy(**c), expected[repr(c)], c)
    again.close()


def _codes_frame(codes, rows):
    """ResponseCodes rows as plain columns (for comparing with the store's other reads)."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.int64)
    return pd.DataFrame({
        "dataset_id": [codes.dataset_ids[d] for d in codes.dataset[rows]],
        "item": codes.items[codes.item[rows]], "annotator": codes.annotators[codes.annotator[rows]],
        "user_id": codes.user_ids[codes.user_id[rows]], "status": codes.statuses[codes.status[rows]],
        "guideline_version": codes.guideline_versions(rows)})


@pytest.mark.parametrize("selection", [["ds-a1"], ["ds-a1", "ds-a2"], ["qa-r2"], ["ds-x"], ["ds-b1", "ds-x", "ds-a1"],
                                       ["nothing-here"]])
def test_response_codes_give_tidy_answers_and_every_current_response(store, selection):
    """What `workbench export` reads: one pass over the latest responses as codes. Spread, the
    submitted ones are tidy()'s rows in tidy()'s order (values, their types, times); all of them are
    latest_responses()' rows."""
    import numpy as np

    _seed_edits(store)
    codes = store.response_codes(selection, with_time=True)
    every = store.latest_responses(dataset=selection, columns=store.LATEST_RESPONSE_COLUMNS)
    got = _codes_frame(codes, np.arange(len(codes)))
    key = ["dataset_id", "item", "user_id"]
    want = every[key + ["annotator", "status", "guideline_version"]].sort_values(key, ignore_index=True)
    _same_frames(got[want.columns].sort_values(key, ignore_index=True), want, selection)
    submitted = np.flatnonzero(codes.statuses[codes.status] == "submitted") if len(codes) else np.zeros(0, int)
    rep, question, value = codes.spread(submitted)
    spread = pd.DataFrame({"item": codes.items[codes.item[rep]], "annotator": codes.annotators[codes.annotator[rep]],
                           "question": np.asarray(question, dtype=object), "value": value,
                           "time": codes.times(submitted).take(np.searchsorted(submitted, rep))})
    tidy = store.tidy(dataset=selection, columns=["item", "annotator", "question", "value", "time"])
    _same_frames(spread, tidy, selection)
    assert [type(v) for v in spread["value"]] == [type(v) for v in tidy["value"]]


def test_response_codes_read_names_holding_the_separator(store):
    """An annotator name with the character that joins the per-response values in one read: the
    codes are read column by column instead, with the same result."""
    import numpy as np

    _round(store)
    _write(store, [_resp("r1", "u1", {"q": "a"}, annotator="odd\x1fname"), _resp("r1", "u2", {"q": "b"}),
                   _resp("r2", "u1", {"q": "c"}, annotator="odd\x1fname", status="discarded")])
    codes = store.response_codes("ds1")
    got = _codes_frame(codes, np.arange(len(codes)))
    assert got[["item", "annotator", "status"]].values.tolist() == [
        ["item-r1", "ann-u2", "submitted"], ["item-r1", "odd\x1fname", "submitted"],
        ["item-r2", "odd\x1fname", "discarded"]]
    assert codes.answer_texts[codes.answers].tolist() == ['{"q":"b"}', '{"q":"a"}', '{"q":"c"}']


def test_record_texts_are_the_latest_record_contents_as_stored(store):
    """record_texts(): records(decode=False)'s rows (latest version per record, a dataset registered
    under two tasks listed twice), its columns an export needs, the JSON text undecoded."""
    from workbench.store import RecordRow, decode_objects

    store.record_round(task="qa", round=1, kind="production", dataset="r1", workspace="ws", dataset_id="ds1",
                       guideline_version=1, created_at=T0)
    store.record_round(task="other", round=3, kind="production", dataset="r1", workspace="ws", dataset_id="ds1",
                       guideline_version=1, created_at=T0)
    for version in range(3):
        recs = [RecordRow(record_id=f"rec{i}", item=f"item{i % 3}", fields={"text": f"t{i}-{version if i < 2 else 0}"},
                          metadata={"source": "logs", "n": i}) for i in range(5)]
        _write(store, [], dataset_id="ds1", name="r1", records=recs)
        _write(store, [], dataset_id="ds2", name="r2", records=recs[:2])
    for selection in (["ds1"], ["ds1", "ds2"], "r2", ["none"]):
        got = store.record_texts(selection)
        want = store.records(dataset=selection, decode=False)
        assert got.columns.tolist() == ["dataset_id", "record_id", "item", "fields", "metadata"]
        assert got.values.tolist() == want[got.columns].values.tolist(), selection
        keys = store.record_texts(selection, content=False)
        assert keys.values.tolist() == want[keys.columns].values.tolist()
    texts = store.record_texts(["ds1"])["fields"].tolist()
    assert decode_objects(texts) == [decode_value(t) for t in texts] and decode_objects([]) == []


# --------------------------------------------------------------------------- rows as written, and the dashboard's reads


def test_each_row_type_names_its_tables_columns_in_order():
    """The named tuples a sync writes carry the columns of their table, by name and in order (a
    plain tuple in column order is what the driver gets), and every appended table has one."""
    from workbench.store import ROW_TYPES, metadata

    for table, row_type in ROW_TYPES.items():
        assert row_type._fields == tuple(c.name for c in metadata.tables[table].columns), table
    assert set(ROW_TYPES) == {"response_versions", "response_values", "response_latest", "suggestion_versions",
                              "record_versions"}


def _submitted_latest(store):
    """The latest version of every response, status submitted: from the version table, by brute force
    (one pass, keeping the highest version seen per (dataset, record, user))."""
    best = {}
    for r in store.response_versions().to_dict("records"):
        key = (r["dataset_id"], r["record_id"], r["user_id"])
        if key not in best or r["version"] > best[key]["version"]:
            best[key] = r
    return [r for r in best.values() if r["status"] == "submitted"]


def test_submitted_volumes_and_totals_count_the_latest_submitted_responses(store):
    _seed_edits(store)
    latest = _submitted_latest(store)
    assert latest and len(latest) < len(store.response_versions())  # edits, drafts and deletions seeded
    want = {}
    for r in latest:
        want.setdefault(r["dataset_id"], []).append(r)
    got = store.submitted_volumes().set_index("dataset_id")
    assert sorted(got.index) == sorted(want)
    for ds, rows in want.items():
        assert tuple(int(x) for x in got.loc[ds, ["responses", "items", "annotators"]]) == (
            len(rows), len({r["record_id"] for r in rows}), len({r["user_id"] for r in rows})), ds
    for ids in (["ds-a1"], ["ds-a1", "ds-a2", "ds-x"], ["nothing"], []):
        rows = [r for r in latest if r["dataset_id"] in ids]
        # by name: the same item or annotator in two datasets counts once
        assert store.submitted_totals(ids) == (len(rows), len({r["item"] for r in rows}),
                                               len({r["annotator"] for r in rows})), ids
    assert store.submitted_totals(["ds-a1"]).responses == len(want["ds-a1"])


def test_content_version_changes_with_every_kind_of_write_and_only_then(store):
    seen = [store.content_version()]

    def changed():
        now = store.content_version()
        assert now not in seen and store.content_version() == now  # new, and stable until the next write
        seen.append(now)

    _round(store)
    changed()
    _write(store, [_resp("r1", "u1", {"q": "a"})])
    changed()
    _write(store, [_resp("r1", "u1", {"q": "b"}, updated=T0 + timedelta(minutes=1))])
    changed()
    _write(store, [], suggestions=[SuggestionRow("r1", "item-r1", "q", "a", 0.9, "gpt", "model", T0)])
    changed()
    store.set_gold(task="qa", item="item-r1", question="q", value="a", set_by="expert")
    changed()
    store.record_guideline_publication(task="qa", dataset_id="ds1", version=2, published_at=T0)
    changed()
    store.record_round(task="qa", round=2, kind="production", dataset="round-2", workspace="ws", dataset_id="ds2",
                       guideline_version=2)
    changed()


def test_round_row_round_answers_and_task_answers(store):
    _seed_edits(store)
    rounds = store.rounds("qa")
    assert store.round_row("qa", 2) == rounds[rounds["round"] == 2].iloc[0].to_dict()
    assert store.round_row("qa", 99) is None and store.round_row("nope", 1) is None
    got = store.round_answers("qa", 2)
    assert list(got.columns) == list(TIDY_COLUMNS) + ["record_id"]
    want = {(r["item"], r["annotator"], r["record_id"]) for r in _submitted_latest(store)
            if r["dataset_id"] in set(rounds.loc[rounds["round"] == 2, "dataset_id"])}
    assert {(i, a, r) for i, a, r in zip(got["item"], got["annotator"], got["record_id"])} == want
    # a task's answers: every round's, in round order, only the questions and columns asked for
    cols = ["item", "annotator", "question", "value", "round"]
    answers = store.task_answers("qa", ["q"], columns=cols)
    assert list(answers.columns) == cols and set(answers["question"]) == {"q"}
    assert list(answers["round"]) == sorted(answers["round"])
    per_round = pd.concat([store.tidy(task="qa", round=r, question="q", columns=cols) for r in rounds["round"]],
                          ignore_index=True)
    _same_frames(answers, per_round, "task_answers")
    assert store.task_answers("nope", columns=cols).empty


def test_sync_state_is_named(store):
    assert store.sync_state("ds1") is None
    _round(store)
    _write(store, [_resp("r1", "u1", {"q": "a"})], activity="act-1")
    marks = store.sync_state("ds1")
    assert (marks.dataset_id, marks.watermark, marks.activity) == ("ds1", T0, "act-1")
    assert marks.last_sync_at is not None

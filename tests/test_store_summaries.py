"""The store's summaries of the submitted responses (``submitted_counts``, ``dataset_volumes``),
kept by the write path in the same transaction as the responses, against a brute-force count of
the latest versions after every step of a sequence of writes, on SQLite and PostgreSQL; the
migration that builds them for an old store; the index the Overview's gold read uses."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from test_store import T0, _resp, _round, _seed_edits, _write, store  # noqa: F401 (the fixture)
from workbench.store import SUMMARIES_DONE, HistoryStore, dataset_volumes_t, store_meta_t, submitted_counts_t


def _latest_by_brute_force(store):
    """The latest stored version of every response, from the version table alone: one pass keeping
    the highest version per (dataset, record, user)."""
    best = {}
    for r in store.response_versions().to_dict("records"):
        key = (r["dataset_id"], r["record_id"], r["user_id"])
        if key not in best or r["version"] > best[key]["version"]:
            best[key] = r
    return [r for r in best.values() if r["status"] == "submitted"]


def _expected_counts(latest):
    counts = {}
    for r in latest:
        for kind, col in (("r", "record_id"), ("u", "user_id"), ("i", "item"), ("a", "annotator")):
            key = (r["dataset_id"], kind, r[col])
            counts[key] = counts.get(key, 0) + 1
    return counts


def _check(store, step):
    """Every summary equals its recomputation from the versions (and the SQL count over the latest table)."""
    latest = _latest_by_brute_force(store)
    with store.engine.connect() as conn:
        stored = {(d, k, n): c for d, k, n, c in conn.execute(sa.select(
            submitted_counts_t.c.dataset_id, submitted_counts_t.c.kind, submitted_counts_t.c.name,
            submitted_counts_t.c.n))}
    assert stored == _expected_counts(latest), step  # (no row left with a count of zero)
    per = {}
    for r in latest:
        per.setdefault(r["dataset_id"], []).append(r)
    want = pd.DataFrame(
        [(d, len(rs), len({r["record_id"] for r in rs}), len({r["user_id"] for r in rs})) for d, rs in sorted(per.items())],
        columns=["dataset_id", "responses", "items", "annotators"])
    got = store.submitted_volumes()
    assert got.astype(str).equals(want.astype(str)), (step, got, want)
    assert got.astype(str).equals(store.submitted_volumes_counted().astype(str)), step
    ids = sorted({r["dataset_id"] for r in store.response_versions().to_dict("records")})
    for sel in [ids, ids[:1], ids[1:], ids[::2], ["nothing"], []]:
        rows = [r for r in latest if r["dataset_id"] in sel]
        want_totals = (len(rows), len({r["item"] for r in rows}), len({r["annotator"] for r in rows}))
        assert store.submitted_totals(sel) == want_totals, (step, sel)
        assert store.submitted_totals_counted(sel) == want_totals, (step, sel)


def test_summaries_follow_new_edited_deleted_and_resynced_responses(store):
    _round(store)
    _round(store, dataset_id="ds2", dataset="round-2", round=2)
    _check(store, "empty")
    first = [_resp(f"r{i}", u, {"q": "a", "p": i % 5 + 1}) for i in range(6) for u in ("u1", "u2", "u3")]
    _write(store, first)
    _check(store, "new responses")
    _write(store, first)  # a re-sync of the same rows adds nothing
    _check(store, "re-sync")
    later = T0 + timedelta(minutes=5)
    edited = [_resp("r0", "u1", {"q": "b"}, updated=later),                     # a new value, still submitted
              _resp("r1", "u2", {"q": "a"}, status="draft", updated=later),     # taken back to a draft
              _resp("r2", "u3", {}, status="discarded", updated=later),         # discarded without values
              _resp("r6", "u1", {"q": "c"}, updated=later)]                     # a new record
    _write(store, edited)
    _check(store, "edits")
    # read in full again: r3's responses are gone from Argilla (deleted versions); r1/u2 submitted again
    again = [r for r in first if r.record_id not in ("r3", "r0", "r1", "r2")] + edited[:1] + edited[2:] + [
        _resp("r1", "u2", {"q": "c"}, updated=later + timedelta(minutes=1))]
    _write(store, again, fetched={f"r{i}": f"item-r{i}" for i in range(7)})
    _check(store, "deletions")
    # the same items and annotators (by name) in a second dataset, under other user ids
    _write(store, [_resp(f"r{i}", f"v{u}", {"q": "a"}, item=f"item-r{i}", annotator=f"ann-u{u}")
                   for i in range(3) for u in (1, 2)], dataset_id="ds2", name="round-2")
    _check(store, "second dataset")
    # every response of a record withdrawn: its counts go, its dataset's figures drop
    _write(store, [_resp("r4", u, {"q": "a"}, status="draft", updated=later + timedelta(minutes=2))
                   for u in ("u1", "u2", "u3")])
    _check(store, "withdrawn record")


def test_summaries_after_the_seeded_history(store):
    _seed_edits(store)  # four datasets, edits, drafts, discards, deletions
    _check(store, "seeded")


def test_a_failed_write_leaves_the_summaries_as_they_were(store):
    _round(store)
    _write(store, [_resp("r1", "u1", {"q": "a"})])
    with store.engine.connect() as conn:
        before = sorted(conn.execute(sa.select(submitted_counts_t)).all())

    def die(stage):
        if stage == "before-commit":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        _write(store, [_resp("r1", "u1", {"q": "b"}, updated=T0 + timedelta(hours=1)), _resp("r2", "u2", {"q": "a"})],
               on_progress=die)
    with store.engine.connect() as conn:
        assert sorted(conn.execute(sa.select(submitted_counts_t)).all()) == before
    _check(store, "after a failed write")


def test_an_old_store_gets_its_summaries_and_index_when_opened(store):
    _seed_edits(store)
    with store.engine.begin() as conn:  # what a store written before the summaries looks like
        conn.execute(submitted_counts_t.delete())
        conn.execute(dataset_volumes_t.delete())
        conn.execute(store_meta_t.delete().where(store_meta_t.c.key == SUMMARIES_DONE))
        conn.execute(sa.text("DROP INDEX ix_response_latest_item"))
    assert store.submitted_volumes().empty  # (no summaries: nothing counted)
    real = HistoryStore.rebuild_summaries

    def interrupted(self):
        with self.engine.begin() as conn:
            conn.execute(submitted_counts_t.insert(), [dict(dataset_id="ds-a1", kind="r", name="half", n=1)])
            raise RuntimeError("killed")

    HistoryStore.rebuild_summaries = interrupted
    try:
        with pytest.raises(RuntimeError):
            HistoryStore(store.url)
    finally:
        HistoryStore.rebuild_summaries = real
    with store.engine.connect() as conn:  # one transaction: nothing half-built, no mark
        assert conn.execute(sa.select(sa.func.count()).select_from(submitted_counts_t)).scalar() == 0
        assert conn.execute(sa.select(store_meta_t.c.key).where(store_meta_t.c.key == SUMMARIES_DONE)).first() is None
    again = HistoryStore(store.url)
    try:
        assert "ix_response_latest_item" in {ix["name"] for ix in sa.inspect(again.engine).get_indexes("response_latest")}
        _check(again, "migrated")
        calls = []
        HistoryStore.rebuild_summaries = lambda self: calls.append(1)
        try:
            HistoryStore(again.url).close()
        finally:
            HistoryStore.rebuild_summaries = real
        assert calls == []  # marked complete: not rebuilt on the next open
        again.rebuild_summaries()  # idempotent
        _check(again, "rebuilt twice")
        assert again.rebuild_latest("ds-a1") > 0  # a rebuilt latest table rebuilds its dataset's summaries
        _check(again, "latest rebuilt")
    finally:
        again.close()


def test_gold_items_are_read_through_the_item_index(store):
    """The Overview's read of the answers on gold items (the index path on SQLite) gives the rows
    of the full read restricted to the gold items, in the same order."""
    _seed_edits(store)
    store.set_gold(task="qa", item="item-r4", question="p", value=2, set_by="expert")
    full = store.tidy(task="qa")
    gold_items = set(store.gold("qa")["item"])
    want = full[full["item"].isin(gold_items)].reset_index(drop=True)
    got = store.tidy(task="qa", gold_items_only=True)
    assert len(got) and got.astype(str).equals(want.astype(str))
    if store.engine.dialect.name == "sqlite":  # the statements the read sent, as SQLite plans them
        sent = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if "FROM gold" in statement:
                sent.append((statement, parameters))

        sa.event.listen(store.engine, "before_cursor_execute", keep)
        try:
            store.tidy(task="qa", gold_items_only=True)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", keep)
        assert sent
        with store.engine.connect() as conn:
            for statement, parameters in sent:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                assert any("USING INDEX ix_response_latest_item" in str(row) for row in plan), plan


@pytest.mark.parametrize("selection", [["ds-a1"], ["ds-a1", "qa-r2"], ["unregistered"], ["ds-b1", "ds-x", "ds-a2"],
                                       ["nothing-here"]])
def test_submitted_items_are_the_items_of_the_latest_submitted_responses(store, selection):
    _seed_edits(store)
    names = {r["dataset_id"]: r["dataset"] for r in store.response_versions().to_dict("records")}
    latest = _latest_by_brute_force(store)
    want = {r["item"] for r in latest if r["dataset_id"] in selection or names.get(r["dataset_id"]) in selection}
    assert store.submitted_items(dataset=selection) == want
    assert "ds-a1" not in selection or want  # (a selection with submitted responses is among them)

"""``workbench gold import`` and ``gold show`` against a SQLite history store (no Argilla): a
repeated import adds nothing, a failure while writing leaves nothing written, contradicting rows
and unknown tasks are refused."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from workbench.cli import main
from workbench.store import HistoryStore

TASK = "medical-qa-rating"
GOLD_CSV = ('item,question,value,set_by\n'
            'q1,safety,unsafe,dr-a\n'
            'q1,quality,4,dr-a\n'
            'q2,issues,"[""overconfident"", ""factual-error""]",dr-b\n'
            'q2,safety,safe,dr-b\n')


def _import(path, url):
    return CliRunner().invoke(main, ["gold", "import", TASK, str(path), "--store", url])


def _history(url):
    store = HistoryStore(url)
    try:
        return store.gold_history(TASK)
    finally:
        store.close()


def test_import_twice_adds_nothing_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    f = tmp_path / "gold.csv"
    f.write_text(GOLD_CSV, encoding="utf-8")
    res = _import(f, url)
    assert res.exit_code == 0, res.output
    assert "imported 4 new gold answers" in res.output and "(0 unchanged)" in res.output
    first = _history(url)
    assert len(first) == 4

    res = _import(f, url)
    assert res.exit_code == 0, res.output
    assert "imported 0 new gold answers" in res.output and "(4 unchanged)" in res.output
    assert _history(url).equals(first)

    # one changed value (the multi-label list in another order is the same answer): only it is new
    f.write_text(GOLD_CSV.replace("q1,quality,4", "q1,quality,5")
                 .replace('""overconfident"", ""factual-error""', '""factual-error"", ""overconfident""'),
                 encoding="utf-8")
    res = _import(f, url)
    assert res.exit_code == 0, res.output
    assert "imported 1 new gold answer " in res.output and "(3 unchanged)" in res.output
    hist = _history(url)
    assert len(hist) == 5
    assert hist.iloc[-1][["item", "question", "value"]].tolist() == ["q1", "quality", 5]


def test_import_equal_to_adjudication_is_new_expert_gold_but_not_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = HistoryStore(url)
    store.set_gold(task=TASK, item="q1", question="safety", value="unsafe", set_by="lead", kind="adjudicated")
    # an expert answer is compared with the expert gold (none yet), not with the adjudication
    assert store.set_gold_many(TASK, [dict(item="q1", question="safety", value="unsafe", set_by="dr-a")]) == 1
    assert store.set_gold_many(TASK, [dict(item="q1", question="safety", value="unsafe", set_by="dr-a"),
                                      dict(item="q1", question="safety", value="unsafe", set_by="dr-a")]) == 0
    assert len(store.gold_history(TASK)) == 2
    store.close()


def test_failure_while_writing_leaves_nothing_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = HistoryStore(url)
    store.set_gold(task=TASK, item="q9", question="safety", value="safe", set_by="dr-z")
    # the database refuses the third row of the file, after the first two were inserted
    with store.engine.begin() as conn:
        conn.execute(sa.text("CREATE TRIGGER refuse_q2 BEFORE INSERT ON gold WHEN NEW.item = 'q2' "
                             "AND NEW.question = 'issues' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"))
    store.close()
    before = _history(url)
    f = tmp_path / "gold.csv"
    f.write_text(GOLD_CSV, encoding="utf-8")
    res = _import(f, url)
    assert res.exit_code == 1
    assert "injected failure" in res.output and "nothing was" in res.output
    assert _history(url).equals(before)


def test_contradicting_rows_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    f = tmp_path / "gold.csv"
    f.write_text("item,question,value,set_by,kind\n"
                 "q1,safety,unsafe,dr-a,expert\n"
                 "q1,quality,4,dr-a,expert\n"
                 "q1,safety,unsafe,dr-c,expert\n"
                 "q1,safety,safe,lead,adjudicated\n"
                 "q1,safety,safe,dr-c,expert\n", encoding="utf-8")
    res = _import(f, url)
    assert res.exit_code == 2
    problems = [line.removeprefix("error: ") for line in res.output.splitlines()]
    # a repeat (line 4) and another kind (line 5) are fine
    assert problems == [f"{f}:6: value: 'safe' contradicts line 2, which gives expert gold of item 'q1', "
                        f"question 'safety' another value (one answer per item, question and kind)"]
    assert _history(url).empty


def test_gold_show_unknown_task(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    res = CliRunner().invoke(main, ["gold", "show", "nosuchtask", "--store", url])
    assert res.exit_code == 2
    assert "no task named 'nosuchtask' in" in res.output and "tasks" in res.output
    f = tmp_path / "gold.csv"
    f.write_text(GOLD_CSV, encoding="utf-8")
    assert _import(f, url).exit_code == 0
    res = CliRunner().invoke(main, ["gold", "show", TASK, "--store", url])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == "item,question,value,set_by,set_at,kind"
    assert len(res.output.splitlines()) == 5

"""``workbench gold show`` against a SQLite history store (no Argilla): unknown tasks are refused."""

from __future__ import annotations

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

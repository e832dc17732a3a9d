"""An export's files do not change when the export is made faster: byte-identity against a fixture.

``tests/data/export_identity.json`` holds, for every export below, the SHA-256 of each file it
wrote (Parquet shards, the card), of its manifest (less what changes from run to run: the
store's sync time, the versions of Workbench and pyarrow, the file listing), and of its rows read
back (which does not depend on the pyarrow version that wrote the bytes). It was made with the
export as it was before the columnar rewrite (issue #12), so every later version of the export
must write exactly the same files from the same stores.

The stores are built here, from a seeded generator and the store's own write API (as a sync
writes), so the fixture depends on no demo data: two tasks (ratings with a multi-label and a text
question; a ranking over answer fields with an edit question and Dawid-Skene), calibration and
recalibration rounds, two production rounds with re-annotated items whose records changed,
responses edited after a first sync, drafts, discards, items nobody answered, ties, a label that
is not in the task's list, expert gold and adjudications, superseded guideline versions, an
annotator under two user ids, and a failing gate exported with a reason. Every format, with
and without a holdout, one round or several, an earlier holdout kept.

Regenerate the fixture only for an intended change of what an export contains:
``python tests/test_export_identity.py --write``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "data" / "export_identity.json"

QA_TASK = """\
name: id-qa
title: Identity Q&A
guideline: id-qa
overlap: 3
fields:
  - {name: instruction, type: text}
  - {name: response, type: markdown}
questions:
  - {name: quality, kind: rating, values: [1, 2, 3, 4, 5], level: interval}
  - name: safety
    kind: label
    labels: [safe, needs-caveat, unsafe]
    ordinal: true
    order: as-listed
    level: ordinal
  - {name: issues, kind: multi_label, labels: [none, factual-error, missing-caveat, harmful-advice], level: masi}
  - {name: critique, kind: text, required: false}
metadata:
  - {name: source, kind: terms, options: [seed-set, gen-a, logs]}
  - {name: judge_quality, kind: float, min: 1.0, max: 5.0}
calibration:
  set_size: 40
  min_gold_agreement: 0.6
  thresholds:
    default: {alpha_reliable: 0.5, alpha_tentative: 0.4}
    issues: {alpha_reliable: 0.3, alpha_tentative: 0.2}
export:
  prompt: instruction
  completion: response
  accept:
    quality: {min: 4}
    safety: [safe]
    issues: {none_of: [harmful-advice]}
  rank_by: quality
  min_margin: 1
  tie:
    quality: lowest
    safety: highest
    default: drop
  min_answers: 2
  min_item_agreement: 0.6
  holdout_sources:
    source: [seed-set, logs]
  superseded_guidelines: [1]
"""

RANK_TASK = """\
name: id-rank
title: Identity ranking
guideline: id-rank
overlap: 2
fields:
  - {name: prompt, type: text}
  - {name: answer_a, type: text}
  - {name: answer_b, type: text}
  - {name: answer_c, type: text}
questions:
  - {name: better, kind: ranking, values: [answer_a, answer_b, answer_c]}
  - {name: ok, kind: label, labels: [good, bad]}
  - {name: improved, kind: text, required: false}
export:
  prompt: prompt
  completion: answer_a
  accept: {ok: [good]}
  rank_by: better
  edit: improved
  aggregation: dawid-skene
  min_answers: 1
"""

GUIDE = "---\nversion: {v}\ndate: 2026-01-0{v}\nauthor: T\nchangelog: clearer examples\n---\n# Guide\nVersion {v}.\n"
SAFETY = ("safe", "needs-caveat", "unsafe")
ISSUES = ("none", "factual-error", "missing-caveat", "harmful-advice")
WORDS = ("rest", "water", "dose", "fever", "call", "doctor", "sleep", "pain", "check", "the", "a", "if", "with")
START = dt.datetime(2026, 2, 2, 9, tzinfo=dt.timezone.utc)


def _project(root: Path) -> Path:
    project = root / "project"
    for name, _text in (("id-qa", QA_TASK), ("id-rank", RANK_TASK)):
        (project / "guidelines" / name).mkdir(parents=True, exist_ok=True)
        for v in (1, 2):
            (project / "guidelines" / name / f"v{v}.md").write_text(GUIDE.format(v=v))
    (project / "tasks").mkdir(parents=True, exist_ok=True)
    (project / "tasks" / "id-qa.yaml").write_text(QA_TASK)
    (project / "tasks" / "id-rank.yaml").write_text(RANK_TASK)
    return project


def _words(rng, n: int) -> str:
    return " ".join(rng.choice(WORDS, n))


def _truth(item: str) -> tuple[int, str]:
    """An item's true quality and safety (the same in every round)."""
    import zlib

    import numpy as np

    r = np.random.default_rng(zlib.crc32(item.encode()))
    return int(r.integers(1, 6)), SAFETY[int(r.choice(3, p=[0.6, 0.3, 0.1]))]


def _qa_round(store, rng, *, number: int, kind: str, items: list[str], version: int, prompts: dict, texts: dict,
              users: dict, noise: float, bad: str | None = None, second_sync: bool = False) -> None:
    """One round of task id-qa written as a sync writes it (twice with ``second_sync``: some
    responses edited in between, so the store keeps two versions of them)."""
    from workbench.store import RecordRow, ResponseRow

    name = f"id-qa-{kind}-r{number}"
    ds_id = f"ds-{name}"
    created = START + dt.timedelta(weeks=number)
    store.record_round(task="id-qa", round=number, kind=kind, dataset=name, workspace="w", dataset_id=ds_id,
                       guideline_version=version, created_at=created)
    records, rows = [], []
    for k, item in enumerate(items):
        rid = f"rec-{number}-{k:04d}"
        meta = {"source": ("seed-set", "gen-a", "logs", "gen-a")[k % 4], "judge_quality": float(k % 5) + 0.5}
        if k % 7 == 0:
            meta.update(licence="cc-by-4.0", pii_flagged="yes", pii_entities=str(k % 3), generator="gen-a-v2")
        if k % 11 == 0:
            meta.update(instruction_source="logs", response_source="curated", origin="seed", deita_score=k / 10)
        if k % 13 == 0:
            meta.update(pii_flagged=True, pii_entities=2.0, judge_quality=4)
        records.append(RecordRow(record_id=rid, item=item, fields={"instruction": prompts[item],
                                                                    "response": texts[item]}, metadata=meta))
        if k % 17 == 5:
            continue  # nobody answered
        truth_q, truth_s = _truth(item)
        n_ann = int(rng.integers(2, 6))
        for a in sorted(rng.choice(sorted(users), n_ann, replace=False)):
            uid = users[a]
            if a == "ann4" and number >= 3:
                uid = "uid-ann4-new"  # the same annotator under a second user id
            wrong = rng.random() < (0.6 if a == bad else 0.4 if a == "ann3" and kind == "production" else noise)
            q = int(min(5, max(1, truth_q + (rng.choice([-1, 1]) if wrong else 0))))
            s = SAFETY[int(rng.integers(0, 3))] if wrong else truth_s
            if rng.random() < 0.03 and kind == "production" and int(item[5:]) % 37:
                s = "legacy-unsafe"  # a label the task no longer lists (on items without gold)
            values = {"quality": q, "safety": s}
            if rng.random() < 0.08:
                del values["safety"]
            issues = ["none"] if s == "safe" else sorted({"missing-caveat", ISSUES[int(rng.integers(1, 4))]})
            if rng.random() < 0.9:
                values["issues"] = issues
            if rng.random() < 0.2:
                values["critique"] = _words(rng, 6)
            status = "submitted"
            r = rng.random()
            if r < 0.05:
                status, values = "discarded", {}
            elif r < 0.08:
                status = "draft"
            when = created + dt.timedelta(minutes=k, seconds=int(rng.integers(0, 50)))
            rows.append(ResponseRow(record_id=rid, item=item, user_id=uid, annotator=a,
                                    response_id=f"resp-{rid}-{a}", status=status, values=values, inserted_at=when,
                                    updated_at=when))
    store.write_dataset_sync(dataset_id=ds_id, name=name, workspace="w", responses=rows, suggestions=[],
                             watermark=created + dt.timedelta(days=6), records=records)
    if second_sync:  # some answers edited after the first sync: new versions of those responses
        later = []
        for i, r in enumerate(rows):
            if i % 9 == 0 and r.status == "submitted":
                values = dict(r.values, quality=5 - (r.values["quality"] % 5))
                when = r.updated_at + dt.timedelta(days=1)
                later.append(ResponseRow(record_id=r.record_id, item=r.item, user_id=r.user_id, annotator=r.annotator,
                                         response_id=r.response_id, status="submitted", values=values,
                                         inserted_at=r.inserted_at, updated_at=when))
            else:
                later.append(r)
        store.write_dataset_sync(dataset_id=ds_id, name=name, workspace="w", responses=later, suggestions=[],
                                 watermark=created + dt.timedelta(days=7), records=records)


def _qa_store(url: str, *, failing_recalibration: bool) -> None:
    import numpy as np

    from workbench.store import HistoryStore

    rng = np.random.default_rng(20260202)
    store = HistoryStore(url)
    users = {f"ann{i}": f"uid-ann{i}" for i in range(5)}
    cal_items = [f"cal-{i:03d}" for i in range(40)]
    prompts, texts = {}, {}
    for item in cal_items:
        prompts[item], texts[item] = _words(rng, 8), _words(rng, 20)
    prod2 = [f"item-{i:04d}" for i in range(240)]
    prod3 = [f"item-{i:04d}" for i in range(200, 420)]  # 40 items re-annotated in round 3
    shared = [_words(rng, 7) for _ in range(150)]
    for i in range(420):
        item = f"item-{i:04d}"
        prompts[item] = shared[i // 3 % len(shared)]  # three answers per prompt
        texts[item] = _words(rng, 15) if i % 23 else shared[0]  # a few identical answers
    # calibration: everyone answers every item, expert gold on all of them
    _qa_round(store, rng, number=1, kind="calibration", items=cal_items, version=1, prompts=prompts, texts=texts,
              users=users, noise=0.02)
    gold = []
    for r in store.tidy(task="id-qa", dataset="id-qa-calibration-r1").groupby(["item", "question"]):
        (item, question), g = r
        if question in ("quality", "safety", "issues"):
            value = g["value"].mode().iloc[0] if question != "issues" else g["value"].iloc[0]
            gold.append(dict(item=item, question=question, value=value, set_by="lead", kind="expert"))
    store.set_gold_many("id-qa", gold, set_at=START)
    _qa_round(store, rng, number=2, kind="production", items=prod2, version=1, prompts=prompts, texts=texts,
              users=users, noise=0.15, second_sync=True)
    store.record_guideline_publication(task="id-qa", dataset_id="ds-id-qa-production-r2", version=2,
                                       published_at=START + dt.timedelta(weeks=2, minutes=120))
    for i in range(200, 420, 9):  # records changed for the next round
        texts[f"item-{i:04d}"] = _words(rng, 12)
    _qa_round(store, rng, number=3, kind="production", items=prod3, version=2, prompts=prompts, texts=texts,
              users=users, noise=0.15)
    store.set_gold_many("id-qa", [dict(item=f"item-{i:04d}", question="quality", value=_truth(f"item-{i:04d}")[0],
                                       set_by="lead", kind="expert") for i in range(0, 420, 37)],
                        set_at=START + dt.timedelta(weeks=4))
    store.set_gold_many("id-qa", [dict(item=f"item-{i:04d}", question=q, value=v, set_by="lead", kind="adjudicated")
                                  for i in range(3, 420, 29)
                                  for q, v in (("quality", 2 + i % 4), ("safety", SAFETY[i % 3]))],
                        set_at=START + dt.timedelta(weeks=4, hours=1))
    if failing_recalibration:
        _qa_round(store, rng, number=4, kind="recalibration", items=cal_items, version=2, prompts=prompts,
                  texts=texts, users=users, noise=0.02, bad="ann2")
    store.close()


def _rank_store(url: str) -> None:
    import numpy as np

    from workbench.store import HistoryStore, RecordRow, ResponseRow

    rng = np.random.default_rng(7)
    store = HistoryStore(url)
    name = "id-rank-production-r1"
    store.record_round(task="id-rank", round=1, kind="production", dataset=name, workspace="w", dataset_id="ds-rank",
                       guideline_version=1, created_at=START)
    fields = ("answer_a", "answer_b", "answer_c")
    records, rows = [], []
    for k in range(150):
        item, rid = f"r-{k:04d}", f"rec-r-{k:04d}"
        answers = {f: _words(rng, 10) for f in fields}
        if k % 10 == 0:
            answers["answer_c"] = answers["answer_a"]  # first and last may be the same text
        records.append(RecordRow(record_id=rid, item=item, fields={"prompt": _words(rng, 6), **answers},
                                 metadata={"source": "logs" if k % 3 else "gen", "instruction_source": "logs",
                                           "response_source": "curated" if k % 2 else "synthetic"}))
        order = list(rng.permutation(fields))
        for a in ("x", "y", "z")[: 1 + k % 3]:
            ranking = order if rng.random() < 0.7 else list(rng.permutation(fields))
            values = {"better": [str(v) for v in ranking], "ok": "good" if rng.random() < 0.6 else "bad"}
            r = rng.random()
            if r < 0.3:
                values["improved"] = f"A better answer {k}"
            elif r < 0.4:
                values["improved"] = answers["answer_a"].upper() + "!"
            elif r < 0.45:
                values["improved"] = "   "
            when = START + dt.timedelta(minutes=k, seconds=int(rng.integers(0, 50)))
            rows.append(ResponseRow(record_id=rid, item=item, user_id=f"uid-{a}", annotator=a,
                                    response_id=f"resp-{k}-{a}", status="submitted", values=values, inserted_at=when,
                                    updated_at=when))
    store.write_dataset_sync(dataset_id="ds-rank", name=name, workspace="w", responses=rows, suggestions=[],
                             watermark=START + dt.timedelta(days=6), records=records)
    store.close()


#: (name, store, task, arguments), run in this order in one Workbench home (so earlier holdouts stay held out)
EXPORTS = (
    ("qa-sft", "qa", "id-qa", ["--holdout", "0.3"]),
    ("qa-sft-seed", "qa", "id-qa", ["--holdout", "0.3", "--seed", "5"]),
    ("qa-dpo", "qa", "id-qa", ["--format", "dpo"]),
    ("qa-kto", "qa", "id-qa", ["--format", "kto", "--holdout", "0.2"]),
    ("qa-labels", "qa", "id-qa", ["--format", "labels", "--holdout", "0.2"]),
    ("qa-sft-superseded", "qa", "id-qa", ["--exclude-superseded"]),
    ("qa-sft-round3", "qa", "id-qa", ["--rounds", "3"]),
    ("qa-dpo-rounds", "qa", "id-qa", ["--format", "dpo", "--rounds", "2,id-qa-production-r3"]),
    ("qa-forced-sft", "qa-forced", "id-qa", ["--force-reason", "deadline"]),
    ("qa-forced-labels", "qa-forced", "id-qa", ["--format", "labels", "--force-reason", "deadline"]),
    ("rank-dpo", "rank", "id-rank", ["--format", "dpo", "--force-reason", "no calibration"]),
    ("rank-kto", "rank", "id-rank", ["--format", "kto", "--force-reason", "no calibration"]),
    ("rank-labels", "rank", "id-rank", ["--format", "labels", "--force-reason", "no calibration"]),
    ("rank-sft", "rank", "id-rank", ["--format", "sft", "--force-reason", "no calibration", "--holdout", "0.5"]),
)

#: manifest keys that change from run to run or with the software's versions (not with the content)
VOLATILE = ("store_watermark", "workbench_version", "writer", "files", "dataset_hash")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(folder: Path) -> dict:
    """What the fixture holds of one export folder (see the module docstring)."""
    import pyarrow.parquet as pq

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["workbench_version"]
    out = {"manifest": _sha(json.dumps({k: v for k, v in manifest.items() if k not in VOLATILE},
                                       sort_keys=True).encode()),
           "card": _sha((folder / "README.md").read_bytes().replace(f"Workbench {version} ".encode(), b"Workbench V ")),
           "files": {}, "rows": {}}
    for name in sorted(manifest["files"]):
        if name.endswith(".parquet"):
            out["files"][name] = _sha((folder / name).read_bytes())
            table = pq.read_table(folder / name)
            out["rows"][name] = _sha((str(table.schema) + json.dumps(table.to_pylist(), sort_keys=True)).encode())
    return out


def run_exports(root: Path) -> dict:
    """Build the stores under ``root`` and run every export of :data:`EXPORTS`: name -> digest
    (or the error message of an export that refused)."""
    from click.testing import CliRunner

    from workbench.cli import main

    project = _project(root)
    urls = {name: f"sqlite:///{root / (name + '.db')}" for name in ("qa", "qa-forced", "rank")}
    _qa_store(urls["qa"], failing_recalibration=False)
    _qa_store(urls["qa-forced"], failing_recalibration=True)
    _rank_store(urls["rank"])
    saved = {k: os.environ.get(k) for k in ("WORKBENCH_HOME", "WORKBENCH_PROJECT_DIR")}
    os.environ["WORKBENCH_HOME"] = str(root / "home")
    os.environ["WORKBENCH_PROJECT_DIR"] = str(project)
    try:
        out = {}
        for name, store, task, args in EXPORTS:
            folder = root / "out" / name
            result = CliRunner().invoke(main, ["export", task, "--store", urls[store], "--output", str(folder), *args],
                                        catch_exceptions=False)
            out[name] = digest(folder) if result.exit_code == 0 else {"exit": result.exit_code,
                                                                        "output": result.output}
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_exports_are_byte_identical_to_the_fixture(tmp_path):
    import pyarrow

    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    got = run_exports(tmp_path)
    assert set(got) == set(expected["exports"])
    same_writer = pyarrow.__version__ == expected["pyarrow"]
    for name, want in expected["exports"].items():
        have = got[name]
        assert "exit" not in have, f"{name}: {have}"
        assert have["manifest"] == want["manifest"], f"{name}: manifest differs"
        assert have["card"] == want["card"], f"{name}: card differs"
        assert have["rows"] == want["rows"], f"{name}: rows differ"
        if same_writer:  # (the bytes of a Parquet file name the pyarrow version that wrote them)
            assert have["files"] == want["files"], f"{name}: Parquet bytes differ"


if __name__ == "__main__":
    import tempfile

    import pyarrow

    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/test_export_identity.py --write   (regenerates the fixture)")
    with tempfile.TemporaryDirectory() as tmp:
        exports = run_exports(Path(tmp))
    failed = {k: v for k, v in exports.items() if "exit" in v}
    if failed:
        raise SystemExit(f"exports refused: {failed}")
    FIXTURE.write_text(json.dumps({"pyarrow": pyarrow.__version__, "exports": exports}, indent=1, sort_keys=True)
                       + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE} ({len(exports)} exports)")

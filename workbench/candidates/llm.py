"""LLM backends for candidate generation, configured, not coded.

A config names each backend and says which kind it is::

    llms:
      teacher-a:
        kind: openai                      # any OpenAI-compatible endpoint (vLLM/TGI/llama.cpp servers, ...)
        base_url: http://127.0.0.1:8000/v1
        model: Qwen2.5-7B-Instruct
        api_key_env: TEACHER_A_API_KEY    # name of the variable holding the key; null: no key
        timeout: 120                      # seconds per request
        max_retries: 2
        generation: {temperature: 0.7, max_new_tokens: 512}
      local:
        kind: vllm                        # distilabel's vLLM class, in-process (needs the vllm package)
        model: /models/qwen2.5-7b
        options: {dtype: auto}
      ollama: {kind: ollama, model: llama3.1, host: http://127.0.0.1:11434}   # needs workbench[ollama]
      gguf: {kind: llamacpp, model_path: /models/x.gguf, options: {n_ctx: 4096}}

The kinds map to distilabel classes by name (:data:`KINDS`). A missing setting is a
:class:`~workbench.errors.BadInput` that says what to set. The endpoint of an ``openai`` backend
is always explicit: distilabel's own default is api.openai.com, which Workbench never uses
silently.

Every backend is wrapped so that one failed request (timeout, HTTP error, refused connection)
costs one record, not the batch: distilabel fills a whole batch with ``None`` when a step raises,
so the wrappers answer a failed request with ``ERROR_MARK`` followed by the reason, which the
pipeline's own steps recognise, report and keep aside (:mod:`workbench.candidates.pipeline`).
"""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from workbench.candidates import import_distilabel
from workbench.errors import BadInput

if TYPE_CHECKING:
    from distilabel.models.llms.base import LLM

#: Starts a "generation" that stands for a failed request; the rest of the text is the reason.
ERROR_MARK = "\u27e6workbench:llm-error\u27e7 "

KINDS = ("openai", "vllm", "ollama", "llamacpp")
_REQUIRED = {
    "openai": ("model", "base_url", "api_key_env"),
    "vllm": ("model",),
    "ollama": ("model", "host"),
    "llamacpp": ("model_path",),
}
_HINT = {
    "model": "the model name the server knows (e.g. Qwen2.5-7B-Instruct), or a local path for vllm",
    "base_url": "the endpoint's URL including /v1, e.g. http://127.0.0.1:8000/v1",
    "api_key_env": "the NAME of the environment variable holding the API key (null for a server that needs none)",
    "host": "the Ollama server URL, e.g. http://127.0.0.1:11434",
    "model_path": "the path of the GGUF file",
}
_KEYS = {"kind", "model", "base_url", "api_key_env", "host", "model_path", "timeout", "max_retries", "generation", "options"}


@dataclass(frozen=True)
class LLMSpec:
    """One configured backend (see the module docstring)."""

    name: str
    kind: str
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    host: str | None = None
    model_path: str | None = None
    timeout: float = 120.0
    max_retries: int = 2
    generation: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the backend is named in agent names and reports: its model (or file)."""
        return str(self.model or (os.path.basename(self.model_path) if self.model_path else self.name))


def parse_llm(name: str, data: Any, source: str) -> LLMSpec:
    """Check one ``llms.<name>`` mapping of a config file."""
    where = f"{source}: llms.{name}"
    if not isinstance(data, Mapping):
        raise BadInput(f"{where}: expected a mapping with kind, model, ... got {data!r:.60}")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise BadInput(f"{where}.{unknown[0]}: unknown setting (known: {', '.join(sorted(_KEYS))}; "
                       "class-specific arguments go under options:)")
    kind = data.get("kind")
    if kind not in KINDS:
        raise BadInput(f"{where}.kind: {kind!r}: set kind to one of {', '.join(KINDS)}")
    for key in _REQUIRED[kind]:
        if key not in data or (data[key] in (None, "") and key != "api_key_env"):
            raise BadInput(f"{where}.{key}: missing: set {key} to {_HINT[key]}")
    for key in ("model", "base_url", "api_key_env", "host", "model_path"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise BadInput(f"{where}.{key}: {value!r} must be non-empty text")
    base_url = data.get("base_url")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise BadInput(f"{where}.base_url: {base_url!r} is not an http(s) URL")
    timeout = data.get("timeout", 120.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise BadInput(f"{where}.timeout: {timeout!r} must be a positive number of seconds")
    retries = data.get("max_retries", 2)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise BadInput(f"{where}.max_retries: {retries!r} must be a whole number >= 0")
    for key in ("generation", "options"):
        if not isinstance(data.get(key, {}), Mapping):
            raise BadInput(f"{where}.{key}: expected a mapping, got {data.get(key)!r:.60}")
    spec = LLMSpec(name=name, kind=kind, model=data.get("model"), base_url=base_url, api_key_env=data.get("api_key_env"),
                   host=data.get("host"), model_path=data.get("model_path"), timeout=float(timeout), max_retries=retries,
                   generation=dict(data.get("generation") or {}), options=dict(data.get("options") or {}))
    _check_generation(spec, where)
    return spec


def _classes() -> dict[str, type[Any]]:
    mod = __import__(__name__, fromlist=["_"])
    return {"openai": mod.RecordSafeOpenAILLM, "vllm": mod.RecordSafeVLLM, "ollama": mod.RecordSafeOllamaLLM,
            "llamacpp": mod.RecordSafeLlamaCppLLM}


def _check_generation(spec: LLMSpec, where: str) -> None:
    cls = _classes()[spec.kind]
    method = cls.agenerate if spec.kind in ("openai", "ollama") else cls.generate
    # the distilabel method, not the wrapper's *args/**kwargs
    for klass in cls.__mro__[1:]:
        if klass in (_AsyncRecordSafe, _SyncRecordSafe):
            continue
        if method.__name__ in vars(klass):
            method = vars(klass)[method.__name__]
            break
    allowed = [p for p in inspect.signature(method).parameters if p not in ("self", "input", "inputs", "num_generations")]
    for key in spec.generation:
        if key not in allowed:
            raise BadInput(f"{where}.generation.{key}: not a generation setting of {spec.kind} (allowed: {', '.join(allowed)})")


def api_key(spec: LLMSpec) -> str:
    """The API key of an ``openai`` backend, read from the variable the config names."""
    if spec.api_key_env is None:
        return "no-key"  # OpenAI-compatible servers without auth ignore it; the client needs a string
    value = os.environ.get(spec.api_key_env)
    if not value:
        raise BadInput(f"llms.{spec.name}.api_key_env: the environment variable {spec.api_key_env} is not set: "
                       f"export {spec.api_key_env}=<key> (or set api_key_env: null for a server without keys)")
    return value


def build_llm(spec: LLMSpec) -> LLM:
    """The distilabel LLM of ``spec``, wrapped to fail per record (see the module docstring)."""
    cls = _classes()[spec.kind]
    kwargs: dict[str, Any] = dict(spec.options)
    if spec.kind == "openai":
        kwargs.update(model=spec.model, base_url=spec.base_url, api_key=api_key(spec),
                      timeout=int(max(1, round(spec.timeout))), max_retries=spec.max_retries)
    elif spec.kind == "vllm":
        kwargs.update(model=spec.model)
    elif spec.kind == "ollama":
        try:
            import ollama  # noqa: F401 - distilabel would only find out in a step process, at load
        except ImportError:
            raise BadInput(f"llms.{spec.name}: kind ollama needs the ollama client, which is not installed: "
                           "pip install 'workbench[ollama]'") from None
        kwargs.update(model=spec.model, host=spec.host, timeout=int(max(1, round(spec.timeout))))
    else:
        kwargs.update(model_path=spec.model_path)
    if spec.generation:
        kwargs["generation_kwargs"] = dict(spec.generation)
    try:
        return cls(**kwargs)
    except Exception as exc:  # pydantic ValidationError: name the offending option
        errors = getattr(exc, "errors", None)
        if callable(errors):
            detail = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in errors()[:3])
        else:
            detail = str(exc).splitlines()[0]
        base = next(k for k in cls.__mro__[1:] if k not in (_AsyncRecordSafe, _SyncRecordSafe))
        raise BadInput(f"llms.{spec.name}: distilabel's {base.__name__} refused the settings ({detail})") from None


# --------------------------------------------------------------------------------------------
# Per-record failure wrappers
# --------------------------------------------------------------------------------------------


def describe_error(exc: BaseException, llm: Any) -> str:
    """A one-line reason for a failed request, naming the model and endpoint."""
    name = type(exc).__name__
    where = getattr(llm, "base_url", None) or getattr(llm, "host", None) or ""
    model = getattr(llm, "model", None) or getattr(llm, "model_path", None) or "?"
    target = f"{model}" + (f" at {where}" if where else "")
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return f"timed out after {getattr(llm, 'timeout', '?')} s ({target})"
    if "Connection" in name or isinstance(exc, ConnectionError):
        return f"cannot connect ({target}): {exc}"
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"HTTP {status} from {target}: {str(exc)[:200]}"
    if name == "JSONDecodeError":  # a reply that is not JSON (a proxy's error page, a cut-off body)
        return f"unreadable reply from {target}: not JSON ({exc})"
    return f"{name} from {target}: {str(exc)[:200]}"


def _failed(reason: str, n: int) -> dict:
    import_distilabel()
    from distilabel.models.llms.utils import prepare_output

    return prepare_output([ERROR_MARK + reason] * max(1, n))


class _AsyncRecordSafe:
    """Marker base of the wrappers of asynchronous backends (methods added by :func:`_define`)."""


class _SyncRecordSafe:
    """Marker base of the wrappers of synchronous backends (methods added by :func:`_define`)."""


def _safe_agenerate(base: type[Any]) -> Callable[..., Any]:
    orig = base.agenerate

    @functools.wraps(orig)  # distilabel reads the generation settings off this signature
    async def agenerate(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await orig(self, *args, **kwargs)
        except Exception as exc:  # one request failed: this record only
            return _failed(describe_error(exc, self), int(kwargs.get("num_generations", 1) or 1))

    return agenerate


def _safe_generate(base: type[Any]) -> Callable[..., Any]:
    orig = base.generate

    @functools.wraps(orig)
    def generate(self: Any, inputs: Any, num_generations: int = 1, **kwargs: Any) -> Any:
        try:
            return orig(self, inputs=inputs, num_generations=num_generations, **kwargs)
        except Exception:
            out = []
            for one in inputs:  # find the record(s) at fault
                try:
                    out.extend(orig(self, inputs=[one], num_generations=num_generations, **kwargs))
                except Exception as exc:
                    out.append(_failed(describe_error(exc, self), num_generations))
            return out

    return generate


def _ollama_client_calls(base: type[Any]) -> dict[str, Callable[..., Any]]:
    """Client calls of ``OllamaLLM`` that answer a failed request with a marked reply.

    distilabel 1.5.3's ``OllamaLLM.agenerate`` catches every exception of the ``ollama`` client
    itself, logs it, and then fails on a variable the failed call never set (``UnboundLocalError:
    ... 'completion'``), so the wrapper around ``agenerate`` alone would report that instead of the
    timeout or HTTP error. These wrappers sit below ``agenerate``: the reply they return carries
    ``ERROR_MARK`` and the real reason as its text, and zero token counts.
    """
    chat, text = base._generate_chat_completion, base._generate_with_text_generation

    @functools.wraps(chat)
    async def _generate_chat_completion(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await chat(self, *args, **kwargs)
        except Exception as exc:  # one request failed: this record only
            from ollama import ChatResponse, Message

            return ChatResponse(message=Message(role="assistant", content=ERROR_MARK + describe_error(exc, self)),
                                prompt_eval_count=0, eval_count=0)

    @functools.wraps(text)
    async def _generate_with_text_generation(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await text(self, *args, **kwargs)
        except Exception as exc:
            from ollama import GenerateResponse

            return GenerateResponse(response=ERROR_MARK + describe_error(exc, self), prompt_eval_count=0, eval_count=0)

    return {"_generate_chat_completion": _generate_chat_completion,
            "_generate_with_text_generation": _generate_with_text_generation}


def _define() -> list[type[Any]]:
    import_distilabel()
    from distilabel.models.llms import LlamaCppLLM, OllamaLLM, OpenAILLM, vLLM

    made: list[type[Any]] = []
    for name, base, marker, method, factory in (
        ("RecordSafeOpenAILLM", OpenAILLM, _AsyncRecordSafe, "agenerate", _safe_agenerate),
        ("RecordSafeOllamaLLM", OllamaLLM, _AsyncRecordSafe, "agenerate", _safe_agenerate),
        ("RecordSafeVLLM", vLLM, _SyncRecordSafe, "generate", _safe_generate),
        ("RecordSafeLlamaCppLLM", LlamaCppLLM, _SyncRecordSafe, "generate", _safe_generate),
    ):
        doc = f"distilabel's ``{base.__name__}``; a failed request fails its record only."
        attrs = {method: factory(base), "__doc__": doc, "__module__": __name__}
        if base is OllamaLLM:
            attrs.update(_ollama_client_calls(base))
        made.append(type(name, (marker, base), attrs))
    return made


_LAZY = ("RecordSafeOpenAILLM", "RecordSafeOllamaLLM", "RecordSafeVLLM", "RecordSafeLlamaCppLLM")


def __getattr__(name: str) -> type[Any]:
    # distilabel takes a second or more to import: define the wrappers on first use.
    if name in _LAZY:
        for cls in _define():
            cls.__module__ = __name__
            cls.__qualname__ = cls.__name__
            globals()[cls.__name__] = cls
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

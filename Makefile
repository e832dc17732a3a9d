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

.PHONY: install up test test-sqlite test-postgres bench clean

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

# Every test on SQLite, then the Argilla-facing tests again on a fresh PostgreSQL database.
test: install
	bash scripts/test.sh

bench: install
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis

#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then the Argilla-facing tests (-m argilla) on PostgreSQL.
# Needs: the project's venv (make install), Debian's chromium for the browser tests, and a
# PostgreSQL server at $PG_URL for the second pass (WORKBENCH_REQUIRE_POSTGRES=1 makes its
# absence an error instead of a notice; CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
# what messages show: the URL with any password replaced by ***
PG_SHOWN=$("$PY" -c 'import sys; from workbench.server.launcher import redact_url; print(redact_url(sys.argv[1]))' "$PG_URL")
export WORKBENCH_TEST_ARTIFACTS=${WORKBENCH_TEST_ARTIFACTS:-$PWD/test-artifacts}

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests"
    (apt-get install -y -q chromium >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)
  else
    echo "the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

echo "== pass 1: all tests, Argilla on SQLite"
"$PY" -m pytest -p no:cacheprovider -q

if "$PY" - "$PG_URL" "$PG_SHOWN" <<'PYEOF'
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1].replace("postgresql://", "postgresql+psycopg2://", 1)).connect() as c:
        c.execute(text("select 1"))
except Exception as exc:
    print(f"PostgreSQL at {sys.argv[2]} does not answer: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "== pass 2: Argilla-facing tests on PostgreSQL (a fresh database per session)"
  WORKBENCH_TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest -p no:cacheprovider -q -m argilla
elif [ "${WORKBENCH_REQUIRE_POSTGRES:-0}" = 1 ]; then
  echo "PostgreSQL is required (WORKBENCH_REQUIRE_POSTGRES=1) but does not answer at $PG_SHOWN" >&2
  exit 1
else
  echo "NOTE: no PostgreSQL at $PG_SHOWN; the PostgreSQL pass was not run" >&2
fi

#!/usr/bin/env bash
# Tests schema/bundle.schema.json (tests/schema/test_schema.py):
#   - the schema is valid JSON Schema 2020-12;
#   - every bundle in examples/ and tests/schema/valid/ (and a generated S
#     bundle when build/bench/rolegate_gen_bundle exists) passes it;
#   - every file in tests/schema/invalid/ fails it, and the real CLI
#     (`rolegate validate`, exit 1) rejects it at the expected JSON pointer.
#
#   tests/schema/run.sh            (after building the rolegate CLI into build/)
#
# Environment: ROLEGATE_CLI (default build/rolegate), ROLEGATE_GEN_BUNDLE
# (default build/bench/rolegate_gen_bundle), SCHEMA_VENV (default
# ~/.cache/rolegate/venv-schema: created with jsonschema and pytest from PyPI
# when missing, reused otherwise).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${SCHEMA_VENV:-$HOME/.cache/rolegate/venv-schema}
export ROLEGATE_CLI=${ROLEGATE_CLI:-$repo/build/rolegate}
export ROLEGATE_GEN_BUNDLE=${ROLEGATE_GEN_BUNDLE:-$repo/build/bench/rolegate_gen_bundle}
if [ ! -x "$ROLEGATE_CLI" ]; then
  echo "tests/schema/run.sh: no rolegate CLI at $ROLEGATE_CLI (build it first: cmake --build build --target rolegate_cli)" >&2
  exit 1
fi
# A half-made venv (interrupted install) is remade rather than trusted.
if ! "$venv/bin/python" -c 'import jsonschema, pytest' 2>/dev/null; then
  if [ -e "$venv" ]; then
    # Never delete a directory that is not a virtualenv (SCHEMA_VENV may be mistyped).
    [ -f "$venv/pyvenv.cfg" ] || { echo "tests/schema/run.sh: $venv exists and is not a virtualenv" >&2; exit 1; }
    rm -rf "$venv"
  fi
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'jsonschema==4.26.0' 'pytest>=8'
fi
cd "$repo"
exec "$venv/bin/python" -m pytest -q -rs tests/schema/test_schema.py "$@"

#!/usr/bin/env bash
# raygate (examples/raygate) tested for real:
#   1. builds librolegate (bindings/go/build.sh) and raygate (Go binding);
#   2. go vet + the gateway's own tests (fake upstreams, -race);
#   3. installs Ray from PyPI into a virtualenv (.venv-ray, reused when it
#      already holds the pinned version);
#   4. starts two real Ray head nodes on loopback (projects a and b), raygate
#      in front of them, and drives it with Ray's own `ray job` CLI
#      (tests/raygate/test_ray_integration.py), ending with the added latency
#      per request, direct vs through raygate, measured in the same run;
#   5. installs the rolegate Python package from this checkout into the same
#      virtualenv and runs rolegate.audit (bulk audits with Ray Data) on a
#      third head node (tests/raygate/test_audit_ray.py), ending with its
#      throughput, one process vs the Ray cluster.
#
# When Ray cannot be installed (or Go is missing) it SKIPS locally with a
# message, and FAILS when CI=true: in CI a skip counts as a failure.
#
# Environment: RAYGATE_VENV (default .venv-ray), RAYGATE_RAY_SPEC (default
# ray[default,data]==2.60.0), RAYGATE_LATENCY_N (pairs measured, default 1000),
# RAYGATE_KEEP_WORK=1 keeps the scratch directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

skip_or_fail() {
  if [ "${CI:-}" = true ]; then
    echo "raygate integration: FAILED: $1 (CI=true, where a skip counts as a failure)" >&2
    exit 1
  fi
  echo "raygate integration: SKIPPED: $1" >&2
  echo "  (it needs Go, Python 3 with venv, and PyPI for ray[default]; CI=true turns this skip into a failure)" >&2
  exit 0
}

command -v go >/dev/null || skip_or_fail "no Go toolchain on PATH"
command -v python3 >/dev/null || skip_or_fail "no python3 on PATH"

echo "=== raygate: librolegate (bindings/go/build.sh, incremental)"
JOBS=${JOBS:-2} bindings/go/build.sh >/dev/null

WORK=$(mktemp -d /tmp/raygate-it.XXXXXX) # short: Ray's Unix sockets live below it
cleanup() {
  # Ray processes this run started, by session id (never `ray stop`, which
  # kills every Ray process on the machine by name).
  if [ -f "$WORK/ray-sessions" ]; then
    while read -r sid; do
      pids=$(ps -eo pid=,sid= | awk -v s="$sid" '$2==s {print $1}')
      [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    done <"$WORK/ray-sessions"
  fi
  if [ "${RAYGATE_KEEP_WORK:-0}" = 1 ]; then echo "scratch kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "=== raygate: build, vet, unit tests"
(cd examples/raygate && go vet ./... && go build -o "$WORK/raygate" . && go test -race -count=1 ./...)
(cd tests/raygate/latency && go vet ./... && go build -o "$WORK/latency" .)
(cd tests/raygate/jwtmint && go vet ./... && go build -o "$WORK/jwtmint" .)

echo "=== raygate: Ray from PyPI"
VENV=${RAYGATE_VENV:-$ROOT/.venv-ray}
SPEC=${RAYGATE_RAY_SPEC:-ray[default,data]==2.60.0}
WANT=${SPEC##*==}
have_ray() {
  "$VENV/bin/python" - "$WANT" <<'EOF' 2>/dev/null
import sys, ray, pytest, aiohttp, pyarrow, pandas
want = sys.argv[1]
sys.exit(0 if want in ("", ray.__version__) or "[" in want else 1)
EOF
}
t0=$(date +%s)
if ! have_ray; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1 || { tail -5 "$WORK/venv.log" >&2; skip_or_fail "cannot create a virtualenv at $VENV"; }
  fi
  echo "installing $SPEC and pytest into $VENV (cold: about 2 minutes)"
  if ! "$VENV/bin/pip" install -q "$SPEC" pytest >"$WORK/pip.log" 2>&1; then
    tail -20 "$WORK/pip.log" >&2
    skip_or_fail "pip could not install $SPEC"
  fi
  have_ray || skip_or_fail "$SPEC installed but does not import"
fi
echo "ray $("$VENV/bin/python" -c 'import ray; print(ray.__version__)') ready ($(( $(date +%s) - t0 ))s)"

echo "=== raygate: the rolegate Python package into $VENV (for rolegate.audit on Ray Data)"
# Built from this checkout (bindings/python/build/ is reused, so this is
# incremental after bindings/test.sh); Ray's workers import it from the venv.
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall ./bindings/python \
  >"$WORK/pip-rolegate.log" 2>&1 || { tail -20 "$WORK/pip-rolegate.log" >&2; exit 1; }

echo "=== raygate: against real Ray (two head nodes on loopback)"
RAYGATE_BIN="$WORK/raygate" RAYGATE_LATENCY_BIN="$WORK/latency" RAYGATE_JWTMINT_BIN="$WORK/jwtmint" RAYGATE_WORK="$WORK" \
RAY_BIN="$VENV/bin/ray" \
  "$VENV/bin/python" -m pytest -p no:cacheprovider -v -rs tests/raygate/test_ray_integration.py

echo "=== rolegate.audit: bulk audits with Ray Data (one head node on loopback)"
# timeout: a driver that cannot reach its cluster retries for a long time.
RAY_BIN="$VENV/bin/ray" RAYGATE_WORK="$WORK" \
  timeout 900 "$VENV/bin/python" -m pytest -p no:cacheprovider -v -rs tests/raygate/test_audit_ray.py

echo "=== raygate: added latency per request (GET /api/version, direct vs through raygate)"
"$VENV/bin/python" - "$WORK" <<'EOF'
import json, sys
w = sys.argv[1]
r = json.load(open(f"{w}/latency.json"))
f = lambda s: f"median {s['median_us']/1000:7.3f} ms   p99 {s['p99_us']/1000:7.3f} ms"
print(f"  direct to the dashboard  {f(r['direct'])}")
print(f"  through raygate          {f(r['proxy'])}")
print(f"  added (per pair)         {f(r['added_per_pair'])}")
print(f"  raygate auth + decision  median {r['raygate_check_us']['median_us']:7.1f} us   p99 {r['raygate_check_us']['p99_us']:7.1f} us")
print(f"  n={r['n']} pairs, load average {r['load_average'][0]:.1f} on {__import__('os').cpu_count()} cores")
rl = json.load(open(f"{w}/reload.json"))
print(f"  hot reload: {rl['requests_during_swaps']} requests across 4 bundle swaps (2 rejected), {rl['failed']} failed")
EOF
echo "=== rolegate.audit: throughput (example bundle)"
"$VENV/bin/python" - "$WORK" <<'EOF'
import json, sys
r = json.load(open(f"{sys.argv[1]}/audit_throughput.json"))
print(f"  {r['rows']:,} decisions: one process {r['one_process_s']:.2f} s ({r['one_process_rows_per_s']/1e6:.2f} M/s), "
      f"Ray Data on {r['ray_cpus']} CPUs {r['ray_s']:.2f} s ({r['ray_rows_per_s']/1e6:.2f} M/s)")
EOF

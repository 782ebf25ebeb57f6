#!/usr/bin/env bash
# Builds librolegate.so (and the rolegate CLI, which the tests compare against)
# from this checkout into bindings/go/_build/, where the package's cgo flags
# look for it. Re-running it only rebuilds what changed.
#
#   bindings/go/build.sh            # then: cd bindings/go && go test ./...
#
# Environment: JOBS (parallel build jobs, default 2), CMAKE_BUILD_TYPE
# (default Release), CMAKE_GENERATOR (default Ninja when installed).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="$here/_build"
jobs=${JOBS:-2}
gen=()
if [[ -z "${CMAKE_GENERATOR:-}" ]] && command -v ninja >/dev/null 2>&1; then
  gen=(-G Ninja)
fi
cmake -S "$repo" -B "$build" "${gen[@]}" \
  -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
  -DROLEGATE_BUILD_TESTS=OFF -DROLEGATE_BUILD_BENCH=OFF
cmake --build "$build" -j "$jobs" --target rolegate_shared rolegate_cli
test -e "$build/librolegate.so"
echo "built $build/librolegate.so and $build/rolegate"

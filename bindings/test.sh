#!/usr/bin/env bash
# Builds and tests both language bindings from a fresh checkout.
#
#   bindings/test.sh
#
# Needs: a C/C++ toolchain, CMake >= 3.22, the Debian -dev packages the core
# builds with (libabsl-dev, libsimdjson-dev, libre2-dev), Python >= 3.10 with
# pip, and Go >= 1.24. Environment: PYTHON (default python3), JOBS (parallel
# build jobs, default 2).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
py=${PYTHON:-python3}
export JOBS=${JOBS:-2}
export CMAKE_BUILD_PARALLEL_LEVEL=$JOBS

echo "== Go: build librolegate.so and the rolegate CLI into bindings/go/_build"
"$here/go/build.sh"
# The Python and Go suites compare their answers with this CLI's.
export ROLEGATE_CLI="$here/go/_build/rolegate"

echo "== Python: pip install ./bindings/python[test]"
# scikit-build-core (the build backend) comes through pip's build isolation;
# [test] adds pytest and numpy.
(cd "$repo" && "$py" -m pip install --quiet --disable-pip-version-check "./bindings/python[test]")

echo "== Python: pytest bindings/python/tests"
# Run from the repository root so `import rolegate` finds the installed
# package, not the source folder bindings/python/rolegate.
(cd "$repo" && "$py" -m pytest -q bindings/python/tests)

echo "== Go: go vet and go test -race ./... in bindings/go"
(cd "$here/go" && go vet ./... && go test -race -count=1 ./...)

echo "== Go: every benchmark once (smoke run)"
(cd "$here/go" && go test -count=1 -run '^$' -bench . -benchtime 1x ./...)

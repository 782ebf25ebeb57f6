#!/usr/bin/env bash
# Builds a relocatable raygate into OUT (default dist/raygate): the binary and
# librolegate.so.0 side by side, the binary's RUNPATH being $ORIGIN, so the
# directory can be copied anywhere (/opt/raygate, a container image) with no
# path into this checkout. The Go binding is linked with -tags rolegate_system
# and explicit flags instead of its default rpath to bindings/go/_build.
#
#   examples/raygate/deploy/build-release.sh [OUT]
#
# Environment: VERSION (default: git describe), JOBS (default 2).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${1:-$repo/dist/raygate}
version=${VERSION:-$(git -C "$repo" describe --always --dirty 2>/dev/null || echo dev)}
JOBS=${JOBS:-2} "$repo/bindings/go/build.sh" >/dev/null
lib="$repo/bindings/go/_build"
mkdir -p "$out"
cp -L "$lib/librolegate.so.0" "$out/librolegate.so.0"
cd "$repo/examples/raygate"
# The single quotes keep $ORIGIN literal: the dynamic loader expands it.
CGO_CFLAGS="-I$repo/capi" CGO_LDFLAGS="-L$lib -lrolegate -Wl,-rpath,\$ORIGIN" \
  go build -trimpath -tags rolegate_system -ldflags "-X main.Version=$version" -o "$out/raygate" .
if readelf -d "$out/raygate" | grep -E 'R(UN)?PATH' | grep -q "$repo"; then
  echo "build-release: the binary's RUNPATH points into the checkout" >&2
  exit 1
fi
readelf -d "$out/raygate" | grep -E 'R(UN)?PATH'
"$out/raygate" -version
echo "built $out (copy the whole directory; runtime needs Debian's libabsl, libre2-9, libsimdjson14)"

//go:build !rolegate_system

package rolegate

// By default the package links the librolegate.so that ./build.sh builds
// into _build/ (beside this file), and records that directory as the
// run-time search path, so `go test ./...` works straight after ./build.sh.
// Build with -tags rolegate_system to link an installed librolegate instead.

// #cgo CFLAGS: -I${SRCDIR}/../../capi
// #cgo LDFLAGS: -L${SRCDIR}/_build -lrolegate -Wl,-rpath,${SRCDIR}/_build
import "C"

//go:build !rolegate_system && !rolegate_origin

package rolegate

// By default (for development and `go test` in this checkout) the package
// links the librolegate.so that ./build.sh builds into _build/ (beside this
// file) and records that directory as the run-time search path, so
// `go test ./...` works straight after ./build.sh. A binary built this way
// needs the checkout at run time: to ship one, build with -tags
// rolegate_origin (link_origin.go) or -tags rolegate_system (link_system.go);
// README.md, "Building a program to ship".

// #cgo CFLAGS: -I${SRCDIR}/../../capi -I${SRCDIR}/_build/generated/include
// #cgo LDFLAGS: -L${SRCDIR}/_build -lrolegate -Wl,-rpath,${SRCDIR}/_build
import "C"

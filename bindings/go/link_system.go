//go:build rolegate_system

package rolegate

// With -tags rolegate_system the package links the librolegate installed on
// the system (cmake --install puts rolegate.h and rolegate_version.h in
// include/ and librolegate.so in lib/) and records no run-time search path:
// the dynamic loader finds the library as it finds any other. Point
// CGO_CFLAGS / CGO_LDFLAGS at a non-standard prefix, e.g. with
// $(pkg-config --cflags rolegate) and $(pkg-config --libs rolegate).

// #cgo LDFLAGS: -lrolegate
import "C"

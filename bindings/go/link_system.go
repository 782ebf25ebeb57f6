//go:build rolegate_system

package rolegate

// With -tags rolegate_system the package links the librolegate installed on
// the system (cmake --install puts rolegate.h in include/ and librolegate.so
// in lib/). Point CGO_CFLAGS / CGO_LDFLAGS at a non-standard prefix.

// #cgo LDFLAGS: -lrolegate
import "C"

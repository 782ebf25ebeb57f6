//go:build rolegate_origin && !rolegate_system

package rolegate

// With -tags rolegate_origin the package links the librolegate.so that
// ./build.sh builds into _build/, but records only $ORIGIN (the directory of
// the executable) as the run-time search path: the program runs wherever
// librolegate.so.<major> is copied beside it, and never looks into the
// checkout. README.md, "Building a program to ship".

// #cgo CFLAGS: -I${SRCDIR}/../../capi -I${SRCDIR}/_build/generated/include
// #cgo LDFLAGS: -L${SRCDIR}/_build -lrolegate -Wl,-rpath,$ORIGIN
import "C"

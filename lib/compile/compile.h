// lib/compile/compile.h — the compiler's entry point: a loaded bundle
// (rolegate/bundle.h) to the immutable decision table (PolicyData).
#ifndef ROLEGATE_LIB_COMPILE_COMPILE_H_
#define ROLEGATE_LIB_COMPILE_COMPILE_H_

#include <memory>

#include "model/loader.h"
#include "rolegate/internal/policy_data.h"

namespace rolegate::internal {

// Every semantic check of the bundle, then the table (compile/compiler.cc
// runs the stages). Null when any error was reported to `sink`.
std::unique_ptr<PolicyData> CompileBundle(const model::Bundle& b, const Limits& limits, DiagSink* sink);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COMPILE_COMPILE_H_

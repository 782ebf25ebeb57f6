// lib/compiler.h — the compile stages, one file each.
#ifndef ROLEGATE_LIB_COMPILER_H_
#define ROLEGATE_LIB_COMPILER_H_

#include <memory>

#include "model/loader.h"
#include "rolegate/internal/policy_data.h"

namespace rolegate::internal {

// Semantic checks and table building (compiler.cc). Null when any error.
std::unique_ptr<PolicyData> CompileBundle(const model::Bundle& b, const Limits& limits, DiagSink* sink);

// Clouds and mapping rules (identity.cc), routes (request.cc). They run
// after the catalog is built and write into `d`.
void CompileClouds(const model::Bundle& b, const Limits& limits, DiagSink* sink, PolicyData* d);
void CompileRoutes(const model::Bundle& b, const Limits& limits, DiagSink* sink, PolicyData* d);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_COMPILER_H_

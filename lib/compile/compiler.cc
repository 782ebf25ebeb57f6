// lib/compile/compiler.cc — model::Bundle -> PolicyData: runs the stages in
// order (see compiler.h for what each does and where it lives).
#include "compile/compile.h"
#include "compile/compiler.h"
#include "eval/match.h"

namespace rolegate::internal {

std::unique_ptr<PolicyData> Compiler::Run() {
  PolicyData& D = d();
  D.max_resource_bytes = lim_.max_string_bytes;
  D.max_query_segments = lim_.max_scope_segments;
  D.nodes.push_back(ScopeNode{});  // the root
  D.match = std::make_unique<MatchTable>();
  BuildCatalog();
  BuildGroups();
  BuildRoles();
  BuildAssignments();
  BuildStatements();
  BuildClouds();
  BuildRoutes();
  BuildDenies();
  BuildScopeParents();
  if (sink_->has_errors()) return nullptr;
  NumberScopes();  // every scope is in the tree now
  CheckAssignable();
  if (sink_->has_errors()) return nullptr;
  PlaceDenies();
  BuildEffective();
  FinishPrincipals();
  TransposeSets();
  return std::move(d_);
}


std::unique_ptr<PolicyData> CompileBundle(const model::Bundle& b, const Limits& limits, DiagSink* sink) {
  // On std::bad_alloc the compiler and its half-built tables are leaked, not
  // destroyed (see leak_on_unwind.h).
  LeakOnUnwind<Compiler> c(b, limits, sink);
  return c->Run();
}

}  // namespace rolegate::internal

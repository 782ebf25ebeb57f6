// rolegate/import.h — native policy data (Azure RBAC as the az CLI and ARM
// print it, AWS IAM authorization details) -> a rolegate bundle and an
// import report (SPEC §16). The CLI's `rolegate import`, the C ABI's
// rolegate_import and the bindings all go through ImportPolicy.
//
// The mapping of each source is documented in docs/import-azure.md and
// docs/import-aws.md.
#ifndef ROLEGATE_IMPORT_H_
#define ROLEGATE_IMPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rolegate {

// One input file. All three views are borrowed for the call only.
//   kind: for "azure": "roles" (at least one), "assignments",
//         "deny_assignments", "management_groups", "group_members",
//         "operations"; for "aws": "authorization_details" (one or more
//         pages), "actions" (the catalog CSV, at most one),
//         "ignore_permission_boundaries" (data ignored: its presence sets
//         the option).
//   name: what errors and report entries call the file (e.g. its path).
//   data: the file's bytes.
// Inputs of one kind are read in the order given.
struct ImportInput {
  std::string_view kind;
  std::string_view name;
  std::string_view data;
};

struct ImportOutput {
  std::string bundle_json;  // a bundle (docs/bundle.md) that compiles (limits raised as far as they go)
  std::string report_json;  // {"counts", "imported", "entries": [{kind, source_file, pointer, what, why}]}
};

// Imports `inputs` from `source` ("azure" or "aws"). Errors:
// InvalidArgument for an unknown source or kind, or a malformed input (the
// message reads "NAME: /json/pointer: what is wrong"; a key given twice in
// one object is one), or an input whose bundle would not compile (a
// malformed condition, an unknown AWS condition operator, a cycle: the
// message names the bundle pointers), or an AWS listing with a page missing
// (every file IsTruncated). Deterministic: the
// same inputs give the same bytes. Thread-safe (no shared state); throws
// only std::bad_alloc. Cost: linear in the inputs; memory a few times the
// largest input plus the bundle.
absl::StatusOr<ImportOutput> ImportPolicy(std::string_view source, const std::vector<ImportInput>& inputs);

}  // namespace rolegate

#endif  // ROLEGATE_IMPORT_H_

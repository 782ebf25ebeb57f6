// lib/import/aws.h — `rolegate import aws` (SPEC §16): the output of
// `aws iam get-account-authorization-details` plus an action catalog -> the
// public bundle model (rolegate/bundle.h) and an import report.
//
// The CLI (`rolegate import aws --authorization-details FILE [FILE...]
// [--actions CSV] [--ignore-permission-boundaries] [--report FILE]`) reads
// the files, fills AwsImportInputs (file names as the user gave them, so
// errors and report entries name them), calls ImportAws, then writes the
// bundle with WriteBundleJson (model/writer.h) and the report with
// WriteImportReportJson (import/report.h).
//
// Mapping (each decision that is not 1:1 is a report entry naming the
// source file and JSON pointer):
// - Principals are ARNs: every user, group and role. Groups become bundle
//   groups (id = the group's ARN) whose members are the users naming them in
//   their GroupList (names resolved through GroupDetailList; an unknown name
//   is reported and dropped: that group has no policies in the input).
// - Every statement of every inline policy and of the default version of
//   every attached managed policy becomes one bundle statement of that
//   principal; id `<user|group|role>/<name>/<inline|managed>/<policy name>/<index>`
//   (a `#N` suffix keeps ids unique should two policies share a name).
//   Action/NotAction, Resource/NotResource (string or list), Condition (kept
//   as written, values keep their JSON kind) and Version -> policy_version
//   map 1:1.
// - Policy documents may be JSON objects (as the AWS CLI prints them) or
//   URL-encoded JSON text (as the IAM API returns them: RFC 3986
//   percent-encoding; '+' is a literal plus, never a space, since AWS encodes
//   a space as %20 — https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
// - The catalog: every `prefix:Action` of the CSV (columns `service_prefix`
//   and `action`, found by header name), deduplicated case-insensitively,
//   plus each literal action the policies name that the CSV lacks (reported).
// - Not imported, reported: trust policies (AssumeRolePolicyDocument),
//   managed policies nothing attaches, principal tags. A statement with
//   Principal/NotPrincipal (a resource-policy statement): an Allow is skipped;
//   a Deny is kept as a deny of the identity, without the Principal element
//   (over-denies, never over-allows: the safer reading).
// - Permissions boundaries limit what identity policies allow; importing the
//   identity policies alone would over-allow. An identity with a
//   PermissionsBoundary therefore fails the import (an error naming it)
//   unless `ignore_permission_boundaries` (then each is reported). SCPs and
//   session policies are not part of this input; the bundle does not apply
//   them (a report entry says so).
#ifndef ROLEGATE_LIB_IMPORT_AWS_H_
#define ROLEGATE_LIB_IMPORT_AWS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "import/report.h"
#include "rolegate/bundle.h"

namespace rolegate::internal {

// The importer's inputs: file contents in memory, each with the name errors
// and report entries use. Borrowed for the duration of ImportAws only.
struct AwsImportInputs {
  // One authorization-details document, or the pages of a paginated call
  // (their lists are concatenated in the order given; IsTruncated and Marker
  // are ignored).
  std::vector<std::pair<std::string /*file name*/, std::string /*contents*/>> authorization_details;
  // The action catalog CSV (`service_prefix,action,...` with a header row).
  // Absent: the catalog is the literal actions the policies name (so `*`
  // patterns expand over those only; reported).
  std::optional<std::pair<std::string, std::string>> actions_csv;
  // Import identities with a PermissionsBoundary anyway (boundary not
  // applied: over-allows; each reported).
  bool ignore_permission_boundaries = false;
};

// Imports `in` into *out (replaced) and *report (entries appended).
// Returns InvalidArgument naming the file and JSON pointer (or CSV line) on
// malformed JSON, bad URL-encoding, a wrong type, an unknown statement
// element, a managed policy ARN that `Policies` lacks, a duplicate ARN, or a
// PermissionsBoundary without `ignore_permission_boundaries`; *out is then
// unspecified. Deterministic: the same inputs give the same bundle and
// report, in input order. Never throws (allocation failure aside).
// Cost: linear in the input size; memory a few times the largest file.
absl::Status ImportAws(const AwsImportInputs& in, model::Bundle* out, ImportReport* report);

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_IMPORT_AWS_H_

// tests/support/build_policy.h — small helpers the spec test files share:
// compile a bundle that must compile, and print diagnostics and query
// strings readably in failure messages.
#ifndef ROLEGATE_TESTS_SUPPORT_BUILD_POLICY_H_
#define ROLEGATE_TESTS_SUPPORT_BUILD_POLICY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rolegate/policy.h"
#include "rolegate/types.h"

namespace rolegate_test {

using rolegate::Diagnostic;
using rolegate::Policy;

// One line per diagnostic: severity, line/column, pointer, message.
std::string DiagText(const std::vector<Diagnostic>& diags);

// Compiles a bundle that must compile; on failure records a test failure
// with every diagnostic and returns nullptr.
std::unique_ptr<Policy> Build(std::string_view json);

// `s` with bytes outside printable ASCII as \xNN, cut after 120 characters
// when longer than 200.
std::string Printable(std::string_view s);

}  // namespace rolegate_test

#endif  // ROLEGATE_TESTS_SUPPORT_BUILD_POLICY_H_

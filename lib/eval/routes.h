// lib/eval/routes.h — the compiled gateway routes (SPEC §5). Internal: the
// public headers only see PolicyData::routes as an opaque pointer, so RE2 is
// not in any public include chain.
#ifndef ROLEGATE_LIB_EVAL_ROUTES_H_
#define ROLEGATE_LIB_EVAL_ROUTES_H_

#include <memory>
#include <string_view>
#include <vector>

#include "re2/re2.h"
#include "re2/set.h"

namespace rolegate::internal {

// Capture groups a route pattern may have (sizes the query's stack array).
inline constexpr int kMaxCaptureGroups = 64;
// Longest request path (as received, before decoding) check_request reads.
inline constexpr size_t kMaxPathBytes = 4096;

struct Route {
  std::string_view id, method, action;
  uint32_t action_id = 0;  // the route's action, resolved at compile time
  std::unique_ptr<re2::RE2> re;
  // Template pieces: literal text, or a capture group number to substitute.
  struct Piece {
    std::string_view literal;
    int group = -1;
  };
  std::vector<Piece> pieces;
  std::vector<int> named_groups;  // every named capture group (all must be non-empty, no '/')
  int num_groups = 0;
};

// Routes in bundle order, plus one RE2::Set of all patterns (linear time).
struct RouteTable {
  std::vector<Route> routes;
  std::unique_ptr<re2::RE2::Set> set;
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_EVAL_ROUTES_H_

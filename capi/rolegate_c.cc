// capi/rolegate_c.cc — the C ABI over the C++ core.
//
// Every entry point validates its arguments (NULL handles, NULL data with a
// non-zero length, bad offsets, out-of-range ids and enums), catches every
// exception, and on any failure leaves the decision at deny/invalid_input.
#include "rolegate.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rolegate/engine.h"
#include "rolegate/policy.h"

#include "rolegate_handles.h"  // rolegate_engine, rolegate_snapshot (shared with rolegate_ops_c.cc)

namespace {

using rolegate::Decision;
using rolegate::Reason;

static_assert(ROLEGATE_REASON_NO_IDENTITY == static_cast<int>(Reason::kNoIdentity));
static_assert(ROLEGATE_REASON_CONDITION_NOT_MET == static_cast<int>(Reason::kConditionNotMet));
static_assert(ROLEGATE_REASON_COUNT == rolegate::kReasonCount);

using rolegate::capi::Fail;

void ClearErr(rolegate_error** err) {
  if (err) *err = nullptr;
}

// (ptr, len) -> string_view; false for NULL with a non-zero length.
bool View(const char* p, size_t len, std::string_view* out) {
  if (p == nullptr) {
    if (len != 0) return false;
    *out = std::string_view();
    return true;
  }
  *out = std::string_view(p, len);
  return true;
}

void Deny(rolegate_decision* out, Reason r = Reason::kInvalidInput) {
  if (out) {
    out->allowed = 0;
    out->reason = static_cast<uint8_t>(r);
  }
}

void Put(const Decision& d, rolegate_decision* out) {
  out->allowed = d.allowed ? 1 : 0;
  out->reason = static_cast<uint8_t>(d.reason);
}

void PutExplanation(const rolegate::Explanation& e, rolegate_explanation* out) {
  Put(e.decision, &out->decision);
  out->kind = static_cast<uint8_t>(e.kind);
  out->rule = e.rule.empty() ? nullptr : e.rule.data();
  out->rule_len = e.rule.size();
}

void ClearExplanation(rolegate_explanation* out) {
  if (!out) return;
  Deny(&out->decision);
  out->kind = 0;
  out->rule = nullptr;
  out->rule_len = 0;
}

rolegate::Limits ToLimits(const rolegate_options* o) {
  rolegate::Limits l;
  if (!o) return l;
  // Read only the fields the caller's struct has (it may be older).
  rolegate_options c;
  std::memset(&c, 0, sizeof(c));
  std::memcpy(&c, o, std::min<size_t>(o->struct_size, sizeof(c)));
  const size_t have = o->struct_size;
  auto has = [&](size_t field_end) { return have >= field_end; };
  if (has(offsetof(rolegate_options, max_string_bytes) + 4) && c.max_string_bytes)
    l.max_string_bytes = c.max_string_bytes;
  if (has(offsetof(rolegate_options, max_bundle_bytes) + 8) && c.max_bundle_bytes)
    l.max_bundle_bytes = c.max_bundle_bytes;
  if (has(offsetof(rolegate_options, max_list_entries) + 8) && c.max_list_entries)
    l.max_list_entries = c.max_list_entries;
  if (has(offsetof(rolegate_options, max_scope_segments) + 4) && c.max_scope_segments)
    l.max_scope_segments = c.max_scope_segments;
  if (has(offsetof(rolegate_options, max_group_depth) + 4) && c.max_group_depth)
    l.max_group_depth = c.max_group_depth;
  if (has(offsetof(rolegate_options, max_routes) + 4) && c.max_routes) l.max_routes = c.max_routes;
  if (has(offsetof(rolegate_options, max_regex_program_bytes) + 8) && c.max_regex_program_bytes > 0)
    l.max_regex_program_bytes = c.max_regex_program_bytes;
  return l;
}

bool OptionsValid(const rolegate_options* o) {
  return o == nullptr || (o->struct_size >= sizeof(uint32_t) * 2 && o->struct_size <= 4096);
}

int32_t BundleError(rolegate_error** err, const absl::Status& st, std::vector<rolegate::Diagnostic> diags) {
  std::string msg;
  for (const auto& d : diags) {
    if (d.severity != rolegate::Severity::kError) continue;
    if (!msg.empty()) msg.push_back('\n');
    msg += rolegate::FormatDiagnostic(d);
  }
  if (msg.empty()) msg = std::string(st.message());
  return Fail(err, ROLEGATE_E_BUNDLE, std::move(msg), std::move(diags));
}

// ROLEGATE_OK, or the failure already recorded in *err: a file over the
// bundle limit is a bundle error (a limit exceeded, SPEC §6), as the same
// text given in memory would be; anything else is ROLEGATE_E_IO.
int32_t ReadFile(const char* path, size_t path_len, uint64_t max_bytes, std::string* out, rolegate_error** err) {
  const absl::Status st = rolegate::ReadBundleFile(std::string(path, path_len), max_bytes, out);
  if (st.ok()) return ROLEGATE_OK;
  std::string msg(st.message());
  if (absl::IsResourceExhausted(st)) {
    rolegate::Diagnostic d{rolegate::Severity::kError, "", 0, 0, msg};
    return Fail(err, ROLEGATE_E_BUNDLE, msg, {d});
  }
  return Fail(err, ROLEGATE_E_IO, std::move(msg));
}

#define RG_GUARD_BEGIN try {
#define RG_GUARD_END(err)                                                   \
  }                                                                         \
  catch (const std::bad_alloc&) {                                           \
    return Fail(err, ROLEGATE_E_NO_MEMORY, "out of memory");                \
  }                                                                         \
  catch (const std::exception& ex) {                                        \
    return Fail(err, ROLEGATE_E_INTERNAL, absl::StrCat("internal error: ", ex.what())); \
  }                                                                         \
  catch (...) {                                                             \
    return Fail(err, ROLEGATE_E_INTERNAL, "internal error");                \
  }

thread_local rolegate::RequestScratch t_request_scratch;

// ---- rolegate_query -> rolegate::Query --------------------------------------
// The C strings are (data, len) and std::string_view is not laid out the same
// way, so lists and groups are converted into per-thread scratch arrays that
// grow once and are reused (no allocation per call once warm). Counts are
// checked against the query limits before anything is converted, so scratch
// holds at most kMaxContextKeys entries and kMaxContextKeys *
// kMaxContextValues list values; past kScratchKeepValues it is released
// after the call to keep idle threads small.
struct QueryScratch {
  std::vector<rolegate::ContextEntry> entries;
  std::vector<std::string_view> values;  // every list's values, back to back
  std::vector<std::string_view> groups;
};
thread_local QueryScratch t_query_scratch;
constexpr size_t kScratchKeepValues = 4096;

// Releases oversized scratch when the call is done, whatever way it ends.
struct ScratchTrim {
  QueryScratch* s;
  ~ScratchTrim() {
    if (s->values.capacity() > kScratchKeepValues) std::vector<std::string_view>().swap(s->values);
  }
};

enum class QueryCheck { kOk, kBadArgument, kInvalidInput };

constexpr size_t kQueryV0Size = 88;
static_assert(sizeof(rolegate_query) == kQueryV0Size, "rolegate_query changed: see the _init note");
static_assert(sizeof(rolegate_context_entry) == 64, "rolegate_context_entry is part of the ABI");
static_assert(ROLEGATE_MAX_CONTEXT_KEYS == rolegate::kMaxContextKeys &&
              ROLEGATE_MAX_CONTEXT_VALUES == rolegate::kMaxContextValues &&
              ROLEGATE_MAX_CONTEXT_STRING_BYTES == rolegate::kMaxContextStringBytes &&
              ROLEGATE_MAX_ASSERTED_GROUPS == rolegate::kMaxAssertedGroups);
static_assert(ROLEGATE_VALUE_STRING_LIST == static_cast<int>(rolegate::ValueType::kStringList));

// Reads the caller's struct (at least version 0, at most a sane size; an
// unknown newer tail is ignored) into `c`.
bool ReadQueryStruct(const rolegate_query* in, rolegate_query* c) {
  if (!in || in->struct_size < kQueryV0Size || in->struct_size > 4096) return false;
  std::memcpy(c, in, kQueryV0Size);
  return c->reserved0 == 0;
}

// First pass: every pointer/length pair, every type, and the counts (so the
// second pass can size scratch exactly). Over a limit or a bad type is
// invalid_input; a NULL pointer with a length is a bad argument.
QueryCheck ValidateContext(const rolegate_query& c, size_t* total_values) {
  *total_values = 0;
  if ((c.context == nullptr && c.context_len != 0) || (c.groups == nullptr && c.groups_len != 0))
    return QueryCheck::kBadArgument;
  if (c.context_len > rolegate::kMaxContextKeys || c.groups_len > rolegate::kMaxAssertedGroups)
    return QueryCheck::kInvalidInput;
  for (size_t i = 0; i < c.groups_len; ++i)
    if (c.groups[i].data == nullptr && c.groups[i].len != 0) return QueryCheck::kBadArgument;
  QueryCheck verdict = QueryCheck::kOk;  // a bad argument anywhere outranks invalid_input
  for (size_t i = 0; i < c.context_len; ++i) {
    const rolegate_context_entry& e = c.context[i];
    if (e.key == nullptr && e.key_len != 0) return QueryCheck::kBadArgument;
    switch (e.type) {
      case ROLEGATE_VALUE_STRING:
        if (e.str == nullptr && e.str_len != 0) return QueryCheck::kBadArgument;
        break;
      case ROLEGATE_VALUE_NUMBER:
      case ROLEGATE_VALUE_BOOL:
        break;
      case ROLEGATE_VALUE_STRING_LIST:
        if (e.list == nullptr && e.list_len != 0) return QueryCheck::kBadArgument;
        if (e.list_len > rolegate::kMaxContextValues) {
          verdict = QueryCheck::kInvalidInput;
          break;
        }
        for (size_t j = 0; j < e.list_len; ++j)
          if (e.list[j].data == nullptr && e.list[j].len != 0) return QueryCheck::kBadArgument;
        *total_values += e.list_len;
        break;
      default:
        verdict = QueryCheck::kInvalidInput;
    }
  }
  return verdict;
}

std::string_view Sv(const char* p, size_t n) { return p ? std::string_view(p, n) : std::string_view(); }

// Second pass: fill scratch and point `extras` at it. Throws only bad_alloc.
void ConvertExtras(const rolegate_query& c, size_t total_values, QueryScratch* s,
                   rolegate::QueryExtras* extras) {
  s->groups.resize(c.groups_len);
  for (size_t i = 0; i < c.groups_len; ++i) s->groups[i] = Sv(c.groups[i].data, c.groups[i].len);
  s->entries.resize(c.context_len);
  s->values.resize(total_values);
  size_t next = 0;
  for (size_t i = 0; i < c.context_len; ++i) {
    const rolegate_context_entry& in = c.context[i];
    rolegate::ContextEntry& out = s->entries[i];
    out = rolegate::ContextEntry();
    out.key = Sv(in.key, in.key_len);
    out.type = static_cast<rolegate::ValueType>(in.type);
    out.str = in.type == ROLEGATE_VALUE_STRING ? Sv(in.str, in.str_len) : std::string_view();
    out.number = in.type == ROLEGATE_VALUE_NUMBER ? in.number : 0;
    out.boolean = in.type == ROLEGATE_VALUE_BOOL && in.boolean != 0;
    if (in.type == ROLEGATE_VALUE_STRING_LIST) {
      out.list = s->values.data() + next;
      out.list_size = in.list_len;
      for (size_t j = 0; j < in.list_len; ++j) s->values[next++] = Sv(in.list[j].data, in.list[j].len);
    }
  }
  extras->groups = {s->groups.data(), s->groups.size()};
  extras->context = {s->entries.data(), s->entries.size()};
}

// The whole conversion. kOk fills `c` (the caller's struct, version 0) and
// `extras`; principal/action/resource are left to the caller to view.
QueryCheck ToExtras(const rolegate_query* in, rolegate_query* c, rolegate::QueryExtras* extras) {
  if (!ReadQueryStruct(in, c)) return QueryCheck::kBadArgument;
  size_t total_values = 0;
  QueryCheck v = ValidateContext(*c, &total_values);
  if (v != QueryCheck::kOk) return v;
  ConvertExtras(*c, total_values, &t_query_scratch, extras);
  return QueryCheck::kOk;
}

// As ToExtras, plus the three strings into a full rolegate::Query.
QueryCheck ToQuery(const rolegate_query* in, rolegate::Query* q) {
  rolegate_query c;
  rolegate::QueryExtras extras;
  QueryCheck v = ToExtras(in, &c, &extras);
  if (v == QueryCheck::kBadArgument) return v;
  if (!View(c.principal, c.principal_len, &q->principal) || !View(c.action, c.action_len, &q->action) ||
      !View(c.resource, c.resource_len, &q->resource))
    return QueryCheck::kBadArgument;
  q->groups = extras.groups;
  q->context = extras.context;
  return v;
}

// The status for a conversion that did not give kOk (the decision stays deny).
int32_t NotOk(QueryCheck v) { return v == QueryCheck::kBadArgument ? ROLEGATE_E_INVALID_ARGUMENT : ROLEGATE_OK; }

}  // namespace

extern "C" {

int32_t rolegate_version_number(void) { return ROLEGATE_VERSION_NUMBER; }
const char* rolegate_version_string(void) { return ROLEGATE_VERSION_STRING; }

const char* rolegate_reason_name(int32_t reason) {
  if (reason < 0 || reason >= ROLEGATE_REASON_COUNT) return nullptr;
  // The one list of names (lib/base/types.cc): string literals, so static
  // and NUL-terminated.
  return rolegate::ReasonName(static_cast<Reason>(reason)).data();
}

int32_t rolegate_error_code(const rolegate_error* err) { return err ? err->code : ROLEGATE_OK; }
const char* rolegate_error_message(const rolegate_error* err) { return err ? err->message.c_str() : ""; }
size_t rolegate_error_diagnostic_count(const rolegate_error* err) { return err ? err->diagnostics.size() : 0; }
const char* rolegate_error_diagnostic_pointer(const rolegate_error* err, size_t i) {
  return err && i < err->diagnostics.size() ? err->diagnostics[i].pointer.c_str() : nullptr;
}
const char* rolegate_error_diagnostic_message(const rolegate_error* err, size_t i) {
  return err && i < err->diagnostics.size() ? err->diagnostics[i].message.c_str() : nullptr;
}
uint32_t rolegate_error_diagnostic_line(const rolegate_error* err, size_t i) {
  return err && i < err->diagnostics.size() ? err->diagnostics[i].line : 0;
}
uint32_t rolegate_error_diagnostic_column(const rolegate_error* err, size_t i) {
  return err && i < err->diagnostics.size() ? err->diagnostics[i].column : 0;
}
int32_t rolegate_error_diagnostic_severity(const rolegate_error* err, size_t i) {
  return err && i < err->diagnostics.size() ? static_cast<int32_t>(err->diagnostics[i].severity) : 0;
}
void rolegate_error_free(rolegate_error* err) { delete err; }

// The _init functions write the version-0 layout only, never this build's
// sizeof: a program compiled against an older (shorter) header passes a
// shorter struct, and a library that appended fields must not write past it.
// The struct_size they record tells the library the appended fields are
// absent (= defaults). When a field is appended, these sizes stay and the
// asserts become >=.
constexpr size_t kOptionsV0Size = 48;
constexpr size_t kWorkloadV0Size = 88;
static_assert(sizeof(rolegate_options) == kOptionsV0Size, "rolegate_options changed: see above");
static_assert(sizeof(rolegate_workload) == kWorkloadV0Size, "rolegate_workload changed: see above");

void rolegate_options_init(rolegate_options* opts) {
  if (!opts) return;
  std::memset(opts, 0, kOptionsV0Size);
  opts->struct_size = kOptionsV0Size;
}

void rolegate_query_init(rolegate_query* q) {
  if (!q) return;
  std::memset(q, 0, kQueryV0Size);
  q->struct_size = kQueryV0Size;
}

void rolegate_workload_init(rolegate_workload* w) {
  if (!w) return;
  std::memset(w, 0, kWorkloadV0Size);
  w->struct_size = kWorkloadV0Size;
}

const char* rolegate_example_bundle(size_t* len) {
  std::string_view b = rolegate::ExampleBundle();
  if (len) *len = b.size();
  return b.data();
}

int32_t rolegate_engine_new(const rolegate_options* opts, const char* bundle, size_t bundle_len,
                            rolegate_engine** out, rolegate_error** err) {
  ClearErr(err);
  if (out) *out = nullptr;
  std::string_view json;
  if (!out || !View(bundle, bundle_len, &json) || !OptionsValid(opts))
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_new: invalid argument");
  RG_GUARD_BEGIN
  std::vector<rolegate::Diagnostic> diags;
  auto engine = rolegate::Engine::Create(json, ToLimits(opts), &diags);
  if (!engine.ok()) return BundleError(err, engine.status(), std::move(diags));
  *out = new rolegate_engine{std::move(*engine)};
  return ROLEGATE_OK;
  RG_GUARD_END(err)
}

int32_t rolegate_engine_new_from_file(const rolegate_options* opts, const char* path, size_t path_len,
                                      rolegate_engine** out, rolegate_error** err) {
  ClearErr(err);
  if (out) *out = nullptr;
  if (!out || !path || path_len == 0 || !OptionsValid(opts))
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_new_from_file: invalid argument");
  RG_GUARD_BEGIN
  std::string text;
  if (const int32_t st = ReadFile(path, path_len, ToLimits(opts).max_bundle_bytes, &text, err); st != ROLEGATE_OK)
    return st;
  return rolegate_engine_new(opts, text.data(), text.size(), out, err);
  RG_GUARD_END(err)
}

void rolegate_engine_free(rolegate_engine* engine) { delete engine; }

int32_t rolegate_engine_publish(rolegate_engine* engine, const char* bundle, size_t bundle_len,
                                rolegate_error** err) {
  ClearErr(err);
  std::string_view json;
  if (!engine || !View(bundle, bundle_len, &json))
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_publish: invalid argument");
  RG_GUARD_BEGIN
  std::vector<rolegate::Diagnostic> diags;
  absl::Status st = engine->rep->Publish(json, &diags);
  if (!st.ok()) return BundleError(err, st, std::move(diags));
  return ROLEGATE_OK;
  RG_GUARD_END(err)
}

int32_t rolegate_engine_publish_file(rolegate_engine* engine, const char* path, size_t path_len,
                                     rolegate_error** err) {
  ClearErr(err);
  if (!engine || !path || path_len == 0)
    return Fail(err, ROLEGATE_E_INVALID_ARGUMENT, "rolegate_engine_publish_file: invalid argument");
  RG_GUARD_BEGIN
  std::string text;
  if (const int32_t st = ReadFile(path, path_len, engine->rep->limits().max_bundle_bytes, &text, err);
      st != ROLEGATE_OK)
    return st;
  return rolegate_engine_publish(engine, text.data(), text.size(), err);
  RG_GUARD_END(err)
}

uint64_t rolegate_engine_generation(const rolegate_engine* engine) {
  return engine ? engine->rep->generation() : 0;
}

int32_t rolegate_engine_check(const rolegate_engine* engine, const char* principal, size_t principal_len,
                              const char* action, size_t action_len, const char* resource,
                              size_t resource_len, rolegate_decision* out) {
  Deny(out);
  std::string_view p, a, r;
  if (!engine || !out || !View(principal, principal_len, &p) || !View(action, action_len, &a) ||
      !View(resource, resource_len, &r))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    Put(engine->rep->Check(p, a, r), out);
    return ROLEGATE_OK;
  } catch (...) {
    Deny(out);
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_engine_acquire(const rolegate_engine* engine, rolegate_snapshot** out) {
  if (out) *out = nullptr;
  if (!engine || !out) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    auto s = std::make_unique<rolegate_snapshot>();
    s->rep = engine->rep->Acquire();
    *out = s.release();
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    return ROLEGATE_E_INTERNAL;
  }
}

void rolegate_snapshot_release(rolegate_snapshot* snap) { delete snap; }

int32_t rolegate_snapshot_check(const rolegate_snapshot* snap, const char* principal, size_t principal_len,
                                const char* action, size_t action_len, const char* resource,
                                size_t resource_len, rolegate_decision* out) {
  Deny(out);
  std::string_view p, a, r;
  if (!snap || !out || !View(principal, principal_len, &p) || !View(action, action_len, &a) ||
      !View(resource, resource_len, &r))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    Put(snap->rep.Check(p, a, r), out);
  } catch (...) {  // only a heap fallback for raised limits can throw
    Deny(out);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

int32_t rolegate_snapshot_explain(const rolegate_snapshot* snap, const char* principal, size_t principal_len,
                                  const char* action, size_t action_len, const char* resource,
                                  size_t resource_len, rolegate_explanation* out) {
  ClearExplanation(out);
  std::string_view p, a, r;
  if (!snap || !out || !View(principal, principal_len, &p) || !View(action, action_len, &a) ||
      !View(resource, resource_len, &r))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    PutExplanation(snap->rep.Explain(p, a, r), out);
  } catch (...) {
    ClearExplanation(out);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

int32_t rolegate_snapshot_principal_id(const rolegate_snapshot* snap, const char* principal, size_t len,
                                       uint32_t* out) {
  if (out) *out = ROLEGATE_UNKNOWN_PRINCIPAL;
  std::string_view p;
  if (!snap || !out || !View(principal, len, &p) || p.empty()) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    *out = snap->rep->FindPrincipal(p);
    return ROLEGATE_OK;
  } catch (...) {  // a hash probe does not throw; no exception crosses the C boundary all the same
    *out = ROLEGATE_UNKNOWN_PRINCIPAL;
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_snapshot_action_id(const rolegate_snapshot* snap, const char* action, size_t len,
                                    uint32_t* out) {
  if (out) *out = ROLEGATE_UNKNOWN_ACTION;
  std::string_view a;
  if (!snap || !out || !View(action, len, &a)) return ROLEGATE_E_INVALID_ARGUMENT;
  try {  // FindAction allocates for an action longer than its stack buffer
    *out = snap->rep->FindAction(a);
  } catch (const std::bad_alloc&) {
    *out = ROLEGATE_UNKNOWN_ACTION;
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    *out = ROLEGATE_UNKNOWN_ACTION;
    return ROLEGATE_E_INTERNAL;
  }
  return *out == ROLEGATE_UNKNOWN_ACTION ? ROLEGATE_E_NOT_FOUND : ROLEGATE_OK;
}

int32_t rolegate_snapshot_check_ids(const rolegate_snapshot* snap, uint32_t principal_id, uint32_t action_id,
                                    const char* resource, size_t resource_len, rolegate_decision* out) {
  Deny(out);
  std::string_view r;
  if (!snap || !out || !View(resource, resource_len, &r)) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    Put(snap->rep.CheckIds(principal_id, action_id, r), out);
  } catch (...) {
    Deny(out);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

static bool OffsetsValid(const uint64_t* offsets, size_t count, size_t buf_len) {
  if (!offsets) return false;
  if (offsets[0] > buf_len) return false;
  for (size_t i = 1; i < count; ++i)
    if (offsets[i] < offsets[i - 1] || offsets[i] > buf_len) return false;
  return true;
}

int32_t rolegate_snapshot_check_batch(const rolegate_snapshot* snap, const char* buf, size_t buf_len,
                                      const uint64_t* offsets, size_t n, rolegate_decision* out) {
  if (n == 0) return snap ? ROLEGATE_OK : ROLEGATE_E_INVALID_ARGUMENT;
  // An n whose offsets array size would overflow cannot describe real
  // arrays: refuse it before touching `out`.
  if (!out || n > (SIZE_MAX / sizeof(uint64_t) - 1) / 3) return ROLEGATE_E_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; ++i) Deny(&out[i]);
  if (!snap || (buf == nullptr && buf_len != 0) || !OffsetsValid(offsets, 3 * n + 1, buf_len))
    return ROLEGATE_E_INVALID_ARGUMENT;
  const rolegate::Snapshot& policy = snap->rep;  // recorded when operations are on
  try {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t* o = offsets + 3 * i;
    Put(policy.Check(std::string_view(buf + o[0], o[1] - o[0]), std::string_view(buf + o[1], o[2] - o[1]),
                     std::string_view(buf + o[2], o[3] - o[2])),
        &out[i]);
  }
  } catch (...) {
    for (size_t i = 0; i < n; ++i) Deny(&out[i]);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

int32_t rolegate_snapshot_check_ids_batch(const rolegate_snapshot* snap, const uint32_t* principal_ids,
                                          const uint32_t* action_ids, const char* buf, size_t buf_len,
                                          const uint64_t* offsets, size_t n, rolegate_decision* out) {
  if (n == 0) return snap ? ROLEGATE_OK : ROLEGATE_E_INVALID_ARGUMENT;
  if (!out || n > SIZE_MAX / sizeof(uint64_t) - 1) return ROLEGATE_E_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; ++i) Deny(&out[i]);
  if (!snap || !principal_ids || !action_ids || (buf == nullptr && buf_len != 0) ||
      !OffsetsValid(offsets, n + 1, buf_len))
    return ROLEGATE_E_INVALID_ARGUMENT;
  const rolegate::Snapshot& policy = snap->rep;  // recorded when operations are on
  try {
  for (size_t i = 0; i < n; ++i) {
    Put(policy.CheckIds(principal_ids[i], action_ids[i],
                        std::string_view(buf + offsets[i], offsets[i + 1] - offsets[i])),
        &out[i]);
  }
  } catch (...) {
    for (size_t i = 0; i < n; ++i) Deny(&out[i]);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

static bool ToWorkload(const rolegate_workload* w, rolegate::WorkloadQuery* q) {
  if (!w || w->struct_size < offsetof(rolegate_workload, node_group_identity_len) + sizeof(size_t))
    return false;
  if (w->workload_type < 0 || w->workload_type > ROLEGATE_WORKLOAD_WORKSPACE) return false;
  q->workload_type = static_cast<rolegate::WorkloadType>(w->workload_type);
  return View(w->cloud, w->cloud_len, &q->cloud) && View(w->project, w->project_len, &q->project) &&
         View(w->user, w->user_len, &q->user) &&
         View(w->compute_config_identity, w->compute_config_identity_len, &q->compute_config_identity) &&
         View(w->node_group_identity, w->node_group_identity_len, &q->node_group_identity);
}

static void PutResolution(const rolegate::Resolution& r, rolegate_resolution* out) {
  out->error = static_cast<int32_t>(r.error);
  out->identity = r.identity.empty() ? nullptr : r.identity.data();
  out->identity_len = r.identity.size();
  out->source = r.source.empty() ? nullptr : r.source.data();
  out->source_len = r.source.size();
}

static void ClearResolution(rolegate_resolution* out) {
  if (!out) return;
  out->error = ROLEGATE_IDENTITY_NO_IDENTITY;
  out->identity = out->source = nullptr;
  out->identity_len = out->source_len = 0;
}

int32_t rolegate_snapshot_resolve(const rolegate_snapshot* snap, const rolegate_workload* w,
                                  rolegate_resolution* out) {
  ClearResolution(out);
  rolegate::WorkloadQuery q;
  if (!snap || !out || !ToWorkload(w, &q)) return ROLEGATE_E_INVALID_ARGUMENT;
  PutResolution(snap->rep->Resolve(q), out);
  return ROLEGATE_OK;
}

int32_t rolegate_snapshot_check_workload(const rolegate_snapshot* snap, const rolegate_workload* w,
                                         const char* action, size_t action_len, const char* resource,
                                         size_t resource_len, rolegate_resolution* resolution,
                                         rolegate_explanation* out) {
  ClearResolution(resolution);
  ClearExplanation(out);
  rolegate::WorkloadQuery q;
  std::string_view a, r;
  if (!snap || !out || !resolution || !ToWorkload(w, &q) || !View(action, action_len, &a) ||
      !View(resource, resource_len, &r))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    rolegate::WorkloadExplanation e = snap->rep.CheckWorkload(q, a, r);
    PutResolution(e.resolution, resolution);
    PutExplanation(e.check, out);
  } catch (...) {
    ClearResolution(resolution);
    ClearExplanation(out);
    return ROLEGATE_E_NO_MEMORY;
  }
  return ROLEGATE_OK;
}

int32_t rolegate_snapshot_check_request(const rolegate_snapshot* snap, const char* principal,
                                        size_t principal_len, const char* method, size_t method_len,
                                        const char* target, size_t target_len, char* resource_buf,
                                        size_t resource_cap, rolegate_request_result* out) {
  if (out) {
    ClearExplanation(&out->check);
    out->route = out->action = nullptr;
    out->route_len = out->action_len = out->resource_len = 0;
  }
  std::string_view p, m, t;
  if (!snap || !out || (resource_buf == nullptr && resource_cap != 0) || !View(principal, principal_len, &p) ||
      !View(method, method_len, &m) || !View(target, target_len, &t))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    rolegate::RequestExplanation e = snap->rep.CheckRequest(p, m, t, &t_request_scratch);
    if (e.resource.size() > resource_cap) return ROLEGATE_E_INVALID_ARGUMENT;  // stays deny
    PutExplanation(e.check, &out->check);
    out->route = e.route.empty() ? nullptr : e.route.data();
    out->route_len = e.route.size();
    out->action = e.action.empty() ? nullptr : e.action.data();
    out->action_len = e.action.size();
    if (!e.resource.empty()) std::memcpy(resource_buf, e.resource.data(), e.resource.size());
    out->resource_len = e.resource.size();
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    ClearExplanation(&out->check);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    ClearExplanation(&out->check);
    return ROLEGATE_E_INTERNAL;
  }
}

// ---- Queries with a context and asserted groups ------------------------------
// Each converts the query (ToQuery: a bad argument is an error, an invalid
// context an OK deny), then asks the core, which re-validates the context
// against the limits and keys itself. Every exception stays on this side.

int32_t rolegate_engine_check_query(const rolegate_engine* engine, const rolegate_query* q,
                                    rolegate_decision* out) {
  Deny(out);
  if (!engine || !out || !q) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate::Query query;
    QueryCheck v = ToQuery(q, &query);
    if (v != QueryCheck::kOk) return NotOk(v);
    Put(engine->rep->Check(query), out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    Deny(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    Deny(out);
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_snapshot_check_query(const rolegate_snapshot* snap, const rolegate_query* q,
                                      rolegate_decision* out) {
  Deny(out);
  if (!snap || !out || !q) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate::Query query;
    QueryCheck v = ToQuery(q, &query);
    if (v != QueryCheck::kOk) return NotOk(v);
    Put(snap->rep->Check(query), out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    Deny(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    Deny(out);
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_snapshot_explain_query(const rolegate_snapshot* snap, const rolegate_query* q,
                                        rolegate_explanation* out) {
  ClearExplanation(out);
  if (!snap || !out || !q) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate::Query query;
    QueryCheck v = ToQuery(q, &query);
    if (v != QueryCheck::kOk) return NotOk(v);
    PutExplanation(snap->rep->Explain(query), out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    ClearExplanation(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    ClearExplanation(out);
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_engine_explain_query(const rolegate_engine* engine, const rolegate_query* q, char* rule_buf,
                                      size_t rule_cap, rolegate_explanation* out) {
  ClearExplanation(out);
  if (!engine || !out || !q || (rule_buf == nullptr && rule_cap != 0)) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate::Query query;
    QueryCheck v = ToQuery(q, &query);
    if (v != QueryCheck::kOk) return NotOk(v);
    // Copy the rule while the hazard slot still protects the Policy it views.
    const bool fits = engine->rep->With([&](const rolegate::Policy& p) {
      rolegate::Explanation e = p.Explain(query);
      if (e.rule.size() > rule_cap) return false;
      if (!e.rule.empty()) std::memcpy(rule_buf, e.rule.data(), e.rule.size());
      PutExplanation(e, out);
      if (!e.rule.empty()) out->rule = rule_buf;
      return true;
    });
    return fits ? ROLEGATE_OK : ROLEGATE_E_INVALID_ARGUMENT;  // not fitting: stays deny
  } catch (const std::bad_alloc&) {
    ClearExplanation(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    ClearExplanation(out);
    return ROLEGATE_E_INTERNAL;
  }
}

int32_t rolegate_snapshot_check_workload_query(const rolegate_snapshot* snap, const rolegate_workload* w,
                                               const rolegate_query* q, rolegate_resolution* resolution,
                                               rolegate_explanation* out) {
  ClearResolution(resolution);
  ClearExplanation(out);
  rolegate::WorkloadQuery wq;
  if (!snap || !out || !resolution || !q || !ToWorkload(w, &wq)) return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate_query c;
    rolegate::QueryExtras extras;
    QueryCheck v = ToExtras(q, &c, &extras);
    std::string_view a, r;
    if (v == QueryCheck::kBadArgument || c.principal_len != 0 || !View(c.action, c.action_len, &a) ||
        !View(c.resource, c.resource_len, &r))
      return ROLEGATE_E_INVALID_ARGUMENT;
    if (v != QueryCheck::kOk) return ROLEGATE_OK;  // invalid_input, before resolving
    rolegate::WorkloadExplanation e = snap->rep->CheckWorkload(wq, a, r, extras);
    PutResolution(e.resolution, resolution);
    PutExplanation(e.check, out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    ClearResolution(resolution);
    ClearExplanation(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    ClearResolution(resolution);
    ClearExplanation(out);
    return ROLEGATE_E_INTERNAL;
  }
}

static void ClearRequestResult(rolegate_request_result* out) {
  if (!out) return;
  ClearExplanation(&out->check);
  out->route = out->action = nullptr;
  out->route_len = out->action_len = out->resource_len = 0;
}

static void PutRequest(const rolegate::RequestExplanation& e, char* resource_buf, rolegate_request_result* out) {
  PutExplanation(e.check, &out->check);
  out->route = e.route.empty() ? nullptr : e.route.data();
  out->route_len = e.route.size();
  out->action = e.action.empty() ? nullptr : e.action.data();
  out->action_len = e.action.size();
  if (!e.resource.empty()) std::memcpy(resource_buf, e.resource.data(), e.resource.size());
  out->resource_len = e.resource.size();
}

int32_t rolegate_snapshot_check_request_query(const rolegate_snapshot* snap, const rolegate_query* q,
                                              const char* method, size_t method_len, const char* target,
                                              size_t target_len, char* resource_buf, size_t resource_cap,
                                              rolegate_request_result* out) {
  ClearRequestResult(out);
  std::string_view m, t;
  if (!snap || !out || !q || (resource_buf == nullptr && resource_cap != 0) || !View(method, method_len, &m) ||
      !View(target, target_len, &t))
    return ROLEGATE_E_INVALID_ARGUMENT;
  try {
    ScratchTrim trim{&t_query_scratch};
    rolegate_query c;
    rolegate::QueryExtras extras;
    QueryCheck v = ToExtras(q, &c, &extras);
    std::string_view p;
    if (v == QueryCheck::kBadArgument || c.action_len != 0 || c.resource_len != 0 ||
        !View(c.principal, c.principal_len, &p))
      return ROLEGATE_E_INVALID_ARGUMENT;
    if (v != QueryCheck::kOk) return ROLEGATE_OK;  // invalid_input, before routing
    rolegate::RequestExplanation e = snap->rep->CheckRequest(p, m, t, &t_request_scratch, extras);
    if (e.resource.size() > resource_cap) return ROLEGATE_E_INVALID_ARGUMENT;  // stays deny
    PutRequest(e, resource_buf, out);
    return ROLEGATE_OK;
  } catch (const std::bad_alloc&) {
    ClearRequestResult(out);
    return ROLEGATE_E_NO_MEMORY;
  } catch (...) {
    ClearRequestResult(out);
    return ROLEGATE_E_INTERNAL;
  }
}

}  // extern "C"

// tests/fuzz/capi.cc — the C ABI entry points driven by a fuzzer-chosen
// sequence of calls with arbitrary lengths, offsets, ids, enums, struct sizes
// and NULLs (SPEC §8: "nothing a caller passes in can crash the library or
// make it allow").
//
// The harness is an honest caller in one respect only: every buffer it passes
// really is as long as the length it passes with it (lying about that is the
// caller's own memory bug). Everything else is fair game: NULL with a
// non-zero length, offsets past the buffer or decreasing, ids from nowhere,
// struct_size fields of any value (the struct is allocated with room to
// spare, so the library may read as much as the size it trusts), unknown
// enum values, error indexes past the end. After each call the harness reads
// every pointer the library handed back, so ASan checks those too.
//
// Invariants: a failing call leaves its decision deny; an allow has reason
// grant or statement; the string and the id paths agree.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "rolegate.h"

namespace {

using rolegate_fuzz::Die;

// A small valid bundle with every kind of rule (the example bundle is the
// other engine the harness can pick).
constexpr char kSmallBundle[] = R"JSON({"version":1,
 "actions":[{"name":"svc/a/read"},{"name":"svc/a/write"},{"name":"svc/d/get","data":true},
            {"name":"svc/admin","effective_only_at":["/s/*"]}],
 "roles":[{"id":"r","actions":["svc/*"],"data_actions":["svc/*"]}],
 "groups":[{"id":"g","members":["u1"]}],
 "assignments":[{"id":"a1","principal":"g","role":"r","scope":"/s/x"},
                {"id":"a2","principal":"u2","role":"r","scope":"/"}],
 "deny_assignments":[{"id":"d1","principals":["*"],"exclude_principals":["u2"],"actions":["*/write"],"scope":"/s/x/p"}],
 "statements":[{"id":"s1","principal":"id1","effect":"Allow","actions":["svc/a/read"],"resources":["arn:x:*"]}],
 "clouds":[{"id":"c","default_identity":"id0","mappings":[{"id":"m1","workload_type":"job","identity":"id1"}]}],
 "routes":[{"id":"rt","method":"GET","path":"/api/(?P<s>[^/]+)","action":"svc/a/read","scope":"/s/{s}"}]})JSON";

const char* const kStrings[] = {"u1", "u2", "g", "id1", "svc/a/read", "SVC/A/WRITE", "svc/d/get", "svc/admin",
                                "/s/x", "/s/x/p/q", "/", "arn:x:y", "GET", "/api/x", "/api/x%2Fy", "c",
                                "user:alice", "Anyscale.Platform/clouds/read", "/subscriptions/s1", ""};

// Touches every byte of [p, p+n): ASan reports a pointer that was handed
// back but does not point at live memory.
uint32_t Touch(const char* p, size_t n) {
  uint32_t h = 0;
  for (size_t i = 0; i < n; ++i) h = h * 31 + static_cast<unsigned char>(p[i]);
  return h;
}
volatile uint32_t g_sink;

void CheckDecision(const rolegate_decision& d, int32_t rc, const char* what) {
  if (rc != ROLEGATE_OK && d.allowed) Die(std::string(what) + ": failed call left an allow");
  if (d.reason >= ROLEGATE_REASON_COUNT) Die(std::string(what) + ": reason out of range");
  const bool allow_reason = d.reason == ROLEGATE_REASON_GRANT || d.reason == ROLEGATE_REASON_STATEMENT;
  if (d.allowed > 1 || (d.allowed == 1) != allow_reason)
    Die(std::string(what) + ": decision and reason disagree");
}

void CheckExplanation(const rolegate_explanation& e, int32_t rc, const char* what) {
  CheckDecision(e.decision, rc, what);
  if (e.kind > 3) Die(std::string(what) + ": rule kind out of range");
  if ((e.rule == nullptr) != (e.rule_len == 0)) Die(std::string(what) + ": rule pointer and length disagree");
  if (e.rule) g_sink = Touch(e.rule, e.rule_len);
}

void TouchError(rolegate_error* err, FuzzedDataProvider& in) {
  if (!err) return;
  g_sink = Touch(rolegate_error_message(err), std::strlen(rolegate_error_message(err)));
  if (rolegate_error_code(err) >= 0) Die("an error object with a non-negative code");
  const size_t n = rolegate_error_diagnostic_count(err);
  for (size_t i = 0; i < n && i < 8; ++i) {
    const char* p = rolegate_error_diagnostic_pointer(err, i);
    const char* m = rolegate_error_diagnostic_message(err, i);
    if (!p || !m) Die("diagnostic strings missing");
    g_sink = Touch(p, std::strlen(p)) + Touch(m, std::strlen(m)) + rolegate_error_diagnostic_line(err, i) +
             rolegate_error_diagnostic_column(err, i) + static_cast<uint32_t>(rolegate_error_diagnostic_severity(err, i));
  }
  const size_t i = in.ConsumeIntegral<size_t>();
  if (i >= n && (rolegate_error_diagnostic_pointer(err, i) || rolegate_error_diagnostic_message(err, i) ||
                 rolegate_error_diagnostic_line(err, i) || rolegate_error_diagnostic_column(err, i)))
    Die("diagnostic index past the end answered");
}

// A string argument: one of the known strings, fuzzer bytes, NULL with
// length 0, or NULL with a non-zero length (must be refused, never read).
struct Arg {
  std::string storage;
  const char* p = nullptr;
  size_t n = 0;
  bool bad = false;  // NULL with a non-zero length
};

Arg MakeArg(FuzzedDataProvider& in) {
  Arg a;
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0: a.p = nullptr; a.n = 0; return a;
    case 1: a.p = nullptr; a.n = in.ConsumeIntegralInRange<size_t>(1, SIZE_MAX); a.bad = true; return a;
    case 2: case 3: case 4:
      a.storage = kStrings[in.ConsumeIntegralInRange<size_t>(0, std::size(kStrings) - 1)];
      break;
    default: a.storage = in.ConsumeRandomLengthString(64); break;
  }
  // Exactly as long as the data: a heap copy so ASan sees one byte past it.
  a.p = a.storage.data();
  a.n = a.storage.size();
  return a;
}

std::vector<uint64_t> Offsets(FuzzedDataProvider& in, size_t count, size_t buf_len) {
  std::vector<uint64_t> o(count);
  const bool sane = in.ConsumeBool();
  uint64_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    if (sane) {
      at = std::min<uint64_t>(buf_len, at + in.ConsumeIntegralInRange<uint64_t>(0, 12));
      o[i] = at;
    } else {
      o[i] = in.ConsumeBool() ? in.ConsumeIntegral<uint64_t>() : in.ConsumeIntegralInRange<uint64_t>(0, buf_len + 2);
    }
  }
  return o;
}

// A fuzzed rolegate_query: random groups and context entries (any type
// value, strings from MakeArg, lists of them), a struct_size of any value
// now and then (the struct has room to spare, as the options above).
struct FuzzQuery {
  std::vector<Arg> args;  // reserved up front: pointers into it stay put
  std::vector<rolegate_string> strings;
  std::vector<rolegate_context_entry> entries;
  std::vector<rolegate_string> groups;
  alignas(8) unsigned char buf[sizeof(rolegate_query) + 64];
  rolegate_query* q = reinterpret_cast<rolegate_query*>(buf);

  rolegate_string Next(FuzzedDataProvider& in) {
    args.push_back(MakeArg(in));
    Arg& a = args.back();
    if (a.p && !a.bad) a.p = a.storage.data();  // the move may have relocated a short string
    return rolegate_string{a.p, a.n};
  }
};

void MakeQuery(FuzzedDataProvider& in, bool with_principal, bool with_action_resource, FuzzQuery* f) {
  const size_t n_groups = in.ConsumeIntegralInRange<size_t>(0, 4);
  const size_t n_entries = in.ConsumeIntegralInRange<size_t>(0, 6);
  f->args.reserve(3 + n_groups + 3 * n_entries + 4 * n_entries);
  f->strings.reserve(4 * n_entries);
  for (size_t i = 0; i < n_groups; ++i) f->groups.push_back(f->Next(in));
  for (size_t i = 0; i < n_entries; ++i) {
    rolegate_context_entry e;
    std::memset(&e, 0, sizeof e);
    const rolegate_string k = f->Next(in);
    e.key = k.data;
    e.key_len = k.len;
    e.type = in.ConsumeIntegralInRange<int>(0, 7) == 0 ? in.ConsumeIntegral<uint32_t>()
                                                       : in.ConsumeIntegralInRange<uint32_t>(0, 3);
    const rolegate_string v = f->Next(in);
    e.str = v.data;
    e.str_len = v.len;
    e.number = in.ConsumeFloatingPoint<double>();
    e.boolean = in.ConsumeIntegral<int32_t>();
    const size_t n_list = in.ConsumeIntegralInRange<size_t>(0, 4);
    const size_t first = f->strings.size();
    for (size_t j = 0; j < n_list; ++j) f->strings.push_back(f->Next(in));
    e.list = n_list ? f->strings.data() + first : (in.ConsumeBool() ? nullptr : f->strings.data());
    e.list_len = n_list;
    f->entries.push_back(e);
  }
  std::memset(f->buf, 0, sizeof f->buf);
  rolegate_query_init(f->q);
  if (with_principal) { rolegate_string p = f->Next(in); f->q->principal = p.data; f->q->principal_len = p.len; }
  if (with_action_resource) {
    rolegate_string a = f->Next(in), r = f->Next(in);
    f->q->action = a.data; f->q->action_len = a.len;
    f->q->resource = r.data; f->q->resource_len = r.len;
  }
  f->q->groups = f->groups.empty() && in.ConsumeBool() ? nullptr : f->groups.data();
  f->q->groups_len = f->groups.size();
  f->q->context = f->entries.empty() && in.ConsumeBool() ? nullptr : f->entries.data();
  f->q->context_len = f->entries.size();
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    f->q->groups_len += in.ConsumeIntegralInRange<size_t>(0, 2) * (f->q->groups == nullptr);
    f->q->context_len += in.ConsumeIntegralInRange<size_t>(0, 2) * (f->q->context == nullptr);
  }
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
    f->q->struct_size = in.ConsumeIntegralInRange<uint32_t>(0, sizeof(rolegate_query) + 64);
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0) f->q->reserved0 = in.ConsumeIntegral<uint32_t>();
}

// Drives one of the query entry points with a fuzzed query.
void QueryCall(FuzzedDataProvider& in, const rolegate_engine* e, const rolegate_snapshot* s) {
  const int which = in.ConsumeIntegralInRange<int>(0, 5);
  FuzzQuery f;
  MakeQuery(in, which != 4, which != 4 && which != 5, &f);
  const rolegate_query* q = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : f.q;
  switch (which) {
    case 0: case 1: {
      rolegate_decision d{1, 0};
      const int32_t rc = which ? rolegate_engine_check_query(e, q, &d) : rolegate_snapshot_check_query(s, q, &d);
      CheckDecision(d, rc, "check_query");
      if (which == 0 && s) {  // explain agrees with check on one snapshot
        rolegate_explanation x;
        std::memset(&x, 0xAB, sizeof x);
        const int32_t rc2 = rolegate_snapshot_explain_query(s, q, &x);
        CheckExplanation(x, rc2, "explain_query");
        if (rc2 != rc || x.decision.allowed != d.allowed || x.decision.reason != d.reason)
          Die("explain_query and check_query disagree");
      }
      break;
    }
    case 2: case 3: {
      const size_t cap = in.ConsumeIntegralInRange<size_t>(0, 64);
      std::vector<char> rule(cap);
      rolegate_explanation x;
      std::memset(&x, 0xAB, sizeof x);
      const int32_t rc = which == 2 ? rolegate_snapshot_explain_query(s, q, &x)
                                    : rolegate_engine_explain_query(e, q, cap ? rule.data() : nullptr, cap, &x);
      CheckExplanation(x, rc, "explain_query");
      if (which == 3 && x.rule && (x.rule != rule.data() || x.rule_len > cap)) Die("explain_query rule outside the buffer");
      break;
    }
    case 4: {
      alignas(8) unsigned char wbuf[sizeof(rolegate_workload) + 64];
      std::memset(wbuf, 0, sizeof wbuf);
      auto* w = reinterpret_cast<rolegate_workload*>(wbuf);
      rolegate_workload_init(w);
      w->cloud = "c"; w->cloud_len = 1; w->user = "u1"; w->user_len = 2;
      w->workload_type = in.ConsumeIntegralInRange<int32_t>(0, 3);
      rolegate_string a = f.Next(in), r = f.Next(in);
      f.q->action = a.data; f.q->action_len = a.len; f.q->resource = r.data; f.q->resource_len = r.len;
      rolegate_resolution res;
      rolegate_explanation x;
      std::memset(&x, 0xAB, sizeof x);
      const int32_t rc = rolegate_snapshot_check_workload_query(s, in.ConsumeBool() ? w : nullptr, q, &res, &x);
      CheckExplanation(x, rc, "check_workload_query");
      if (res.identity) g_sink = Touch(res.identity, res.identity_len);
      if (res.source) g_sink = Touch(res.source, res.source_len);
      break;
    }
    default: {
      Arg m = MakeArg(in), t = MakeArg(in);
      if (in.ConsumeBool()) { t.storage = "/api/" + in.ConsumeRandomLengthString(16); t.p = t.storage.data(); t.n = t.storage.size(); }
      const size_t cap = in.ConsumeIntegralInRange<size_t>(0, 64);
      std::vector<char> rbuf(cap);
      rolegate_request_result out;
      std::memset(&out, 0xAB, sizeof out);
      const int32_t rc = rolegate_snapshot_check_request_query(s, q, m.p, m.n, t.p, t.n, cap ? rbuf.data() : nullptr,
                                                               cap, &out);
      CheckExplanation(out.check, rc, "check_request_query");
      if (out.resource_len > cap) Die("check_request_query wrote past the resource buffer");
      if (out.route) g_sink = Touch(out.route, out.route_len);
      if (out.action) g_sink = Touch(out.action, out.action_len);
      if (out.resource_len) g_sink = Touch(rbuf.data(), out.resource_len);
      break;
    }
  }
}

rolegate_engine* NewEngine(FuzzedDataProvider& in) {
  // Options: a struct with room to spare and a struct_size of any value.
  alignas(8) unsigned char opt_buf[256];
  std::memset(opt_buf, 0, sizeof opt_buf);
  rolegate_options* opts = nullptr;
  const int mode = in.ConsumeIntegralInRange<int>(0, 3);
  if (mode > 0) {
    opts = reinterpret_cast<rolegate_options*>(opt_buf);
    if (mode == 1) {
      rolegate_options_init(opts);
    } else {
      const std::vector<uint8_t> bytes = in.ConsumeBytes<uint8_t>(sizeof(rolegate_options));
      if (!bytes.empty()) std::memcpy(opt_buf, bytes.data(), bytes.size());
      opts->struct_size = mode == 2 ? in.ConsumeIntegralInRange<uint32_t>(0, 80) : in.ConsumeIntegral<uint32_t>();
    }
  }
  std::string bundle;
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: bundle = kSmallBundle; break;
    case 1: {
      size_t n = 0;
      const char* ex = rolegate_example_bundle(&n);
      bundle.assign(ex, n);
      break;
    }
    case 2: bundle = in.ConsumeRandomLengthString(512); break;
    default: bundle = kSmallBundle; bundle.resize(in.ConsumeIntegralInRange<size_t>(0, bundle.size())); break;
  }
  rolegate_engine* eng = nullptr;
  rolegate_error* err = nullptr;
  const bool want_err = in.ConsumeBool();
  const int32_t rc = rolegate_engine_new(opts, bundle.data(), bundle.size(), &eng, want_err ? &err : nullptr);
  if ((rc == ROLEGATE_OK) != (eng != nullptr)) Die("engine_new: status and handle disagree");
  if (rc == ROLEGATE_OK && err) Die("engine_new: an error object on success");
  TouchError(err, in);
  rolegate_error_free(err);
  return eng;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  rolegate_engine* eng = NewEngine(in);
  if (!eng) {
    // Retry with the small bundle so the query calls get exercised.
    if (rolegate_engine_new(nullptr, kSmallBundle, sizeof kSmallBundle - 1, &eng, nullptr) != ROLEGATE_OK)
      Die("the small bundle does not compile");
  }
  rolegate_snapshot* snap = nullptr;
  if (rolegate_engine_acquire(eng, &snap) != ROLEGATE_OK || !snap) Die("acquire failed");

  for (int step = 0; step < 48 && in.remaining_bytes() > 0; ++step) {
    const rolegate_engine* e = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : eng;
    const rolegate_snapshot* s = in.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : snap;
    switch (in.ConsumeIntegralInRange<int>(0, 17)) {
      case 0: {  // publish: a bad bundle changes nothing
        const uint64_t gen = rolegate_engine_generation(eng);
        std::string b = in.ConsumeBool() ? std::string(kSmallBundle) : in.ConsumeRandomLengthString(256);
        rolegate_error* err = nullptr;
        const int32_t rc = rolegate_engine_publish(in.ConsumeBool() ? eng : nullptr, b.data(), b.size(),
                                                   in.ConsumeBool() ? &err : nullptr);
        if (rc != ROLEGATE_OK && rolegate_engine_generation(eng) != gen) Die("a failed publish changed the engine");
        TouchError(err, in);
        rolegate_error_free(err);
        break;
      }
      case 1: {  // publish from a file path that is not a file
        Arg path = MakeArg(in);
        rolegate_error* err = nullptr;
        const uint64_t gen = rolegate_engine_generation(eng);
        const int32_t rc = rolegate_engine_publish_file(eng, path.p, path.n, &err);
        if (rc == ROLEGATE_OK && path.bad) Die("publish_file accepted NULL with a length");
        if (rc != ROLEGATE_OK && rolegate_engine_generation(eng) != gen) Die("a failed publish changed the engine");
        TouchError(err, in);
        rolegate_error_free(err);
        break;
      }
      case 2: {
        Arg p = MakeArg(in), a = MakeArg(in), r = MakeArg(in);
        rolegate_decision d{1, 0};
        const int32_t rc = rolegate_engine_check(e, p.p, p.n, a.p, a.n, r.p, r.n, &d);
        if ((p.bad || a.bad || r.bad || !e) && rc != ROLEGATE_E_INVALID_ARGUMENT) Die("engine_check: bad argument accepted");
        CheckDecision(d, rc, "engine_check");
        break;
      }
      case 3: {
        Arg p = MakeArg(in), a = MakeArg(in), r = MakeArg(in);
        rolegate_decision d{1, 0};
        rolegate_explanation x;
        std::memset(&x, 0xAB, sizeof x);
        const int32_t rc = rolegate_snapshot_check(s, p.p, p.n, a.p, a.n, r.p, r.n, &d);
        CheckDecision(d, rc, "snapshot_check");
        if ((p.bad || a.bad || r.bad || !s) && rc != ROLEGATE_E_INVALID_ARGUMENT) Die("snapshot_check: bad argument accepted");
        const int32_t rc2 = rolegate_snapshot_explain(s, p.p, p.n, a.p, a.n, r.p, r.n, &x);
        CheckExplanation(x, rc2, "snapshot_explain");
        if (rc != rc2 || d.allowed != x.decision.allowed || d.reason != x.decision.reason)
          Die("snapshot_check and snapshot_explain disagree");
        // The id path agrees with the string path for valid principals.
        if (rc == ROLEGATE_OK && p.n > 0 && rolegate_ref::IsValidUtf8(std::string_view(p.p, p.n)) &&
            rolegate_ref::IsValidUtf8(std::string_view(a.p ? a.p : "", a.n))) {
          uint32_t pid = 0, aid = 0;
          if (rolegate_snapshot_principal_id(s, p.p, p.n, &pid) != ROLEGATE_OK) Die("principal_id failed");
          const int32_t arc = rolegate_snapshot_action_id(s, a.p, a.n, &aid);
          if (arc != ROLEGATE_OK && arc != ROLEGATE_E_NOT_FOUND) Die("action_id failed");
          rolegate_decision di{1, 0};
          const int32_t rc3 = rolegate_snapshot_check_ids(s, pid, aid, r.p, r.n, &di);
          CheckDecision(di, rc3, "check_ids");
          if (rc3 != ROLEGATE_OK || di.allowed != d.allowed || di.reason != d.reason)
            Die("check_ids and check disagree");
        }
        break;
      }
      case 4: {  // ids from anywhere
        Arg r = MakeArg(in);
        rolegate_decision d{1, 0};
        const int32_t rc = rolegate_snapshot_check_ids(s, in.ConsumeIntegral<uint32_t>(), in.ConsumeIntegral<uint32_t>(),
                                                       r.p, r.n, &d);
        CheckDecision(d, rc, "check_ids (fuzzed ids)");
        break;
      }
      case 5: {
        Arg p = MakeArg(in);
        uint32_t id = 7;
        const int32_t rc = in.ConsumeBool() ? rolegate_snapshot_principal_id(s, p.p, p.n, &id)
                                            : rolegate_snapshot_action_id(s, p.p, p.n, &id);
        if (p.bad && rc == ROLEGATE_OK) Die("id lookup accepted NULL with a length");
        break;
      }
      case 6: {  // batch by strings with fuzzed offsets
        const size_t n = in.ConsumeIntegralInRange<size_t>(0, 8);
        std::string buf = in.ConsumeRandomLengthString(96);
        const bool null_buf = in.ConsumeIntegralInRange<int>(0, 7) == 0;
        const size_t buf_len = null_buf ? (in.ConsumeBool() ? 0 : buf.size() + 1) : buf.size();
        std::vector<uint64_t> off = Offsets(in, 3 * n + 1, buf_len);
        std::vector<rolegate_decision> out(n, rolegate_decision{1, 0});
        const int32_t rc = rolegate_snapshot_check_batch(s, null_buf ? nullptr : buf.data(), buf_len,
                                                         in.ConsumeBool() ? off.data() : nullptr, n,
                                                         n ? out.data() : nullptr);
        for (const auto& d : out) CheckDecision(d, rc, "check_batch");
        break;
      }
      case 7: {  // batch by ids
        const size_t n = in.ConsumeIntegralInRange<size_t>(0, 8);
        std::vector<uint32_t> pids(n), aids(n);
        for (size_t i = 0; i < n; ++i) {
          pids[i] = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : in.ConsumeIntegralInRange<uint32_t>(0, 8);
          aids[i] = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : in.ConsumeIntegralInRange<uint32_t>(0, 8);
        }
        std::string buf = in.ConsumeRandomLengthString(96);
        std::vector<uint64_t> off = Offsets(in, n + 1, buf.size());
        std::vector<rolegate_decision> out(n, rolegate_decision{1, 0});
        const int32_t rc = rolegate_snapshot_check_ids_batch(s, n ? pids.data() : nullptr, n ? aids.data() : nullptr,
                                                             buf.data(), buf.size(), off.data(), n,
                                                             n ? out.data() : nullptr);
        for (const auto& d : out) CheckDecision(d, rc, "check_ids_batch");
        break;
      }
      case 8:
      case 9: {  // resolve / check_workload with a struct of any size and enum
        alignas(8) unsigned char wbuf[sizeof(rolegate_workload) + 64];
        std::memset(wbuf, 0, sizeof wbuf);
        auto* w = reinterpret_cast<rolegate_workload*>(wbuf);
        rolegate_workload_init(w);
        Arg c = MakeArg(in), pr = MakeArg(in), u = MakeArg(in), cc = MakeArg(in), ng = MakeArg(in);
        w->cloud = c.p; w->cloud_len = c.n;
        w->project = pr.p; w->project_len = pr.n;
        w->user = u.p; w->user_len = u.n;
        if (in.ConsumeBool()) { w->compute_config_identity = cc.p; w->compute_config_identity_len = cc.n; }
        if (in.ConsumeBool()) { w->node_group_identity = ng.p; w->node_group_identity_len = ng.n; }
        w->workload_type = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 2) : in.ConsumeIntegral<int32_t>();
        if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
          w->struct_size = in.ConsumeIntegralInRange<uint32_t>(0, sizeof(rolegate_workload) + 64);
        rolegate_resolution res;
        std::memset(&res, 0xCD, sizeof res);
        if (in.ConsumeBool()) {
          const int32_t rc = rolegate_snapshot_resolve(s, in.ConsumeIntegralInRange<int>(0, 15) ? w : nullptr, &res);
          if (rc != ROLEGATE_OK && res.identity) Die("failed resolve left an identity");
        } else {
          Arg a = MakeArg(in), r = MakeArg(in);
          rolegate_explanation x;
          std::memset(&x, 0xAB, sizeof x);
          const int32_t rc = rolegate_snapshot_check_workload(s, w, a.p, a.n, r.p, r.n, &res, &x);
          CheckExplanation(x, rc, "check_workload");
          if (x.decision.allowed && res.error != ROLEGATE_IDENTITY_OK) Die("allowed without an identity");
        }
        if ((res.identity == nullptr) != (res.identity_len == 0) || (res.source == nullptr) != (res.source_len == 0))
          Die("resolution pointers and lengths disagree");
        if (res.identity) g_sink = Touch(res.identity, res.identity_len);
        if (res.source) g_sink = Touch(res.source, res.source_len);
        break;
      }
      case 10:
      case 11: {  // check_request with a resource buffer of any capacity
        Arg p = MakeArg(in), m = MakeArg(in), t = MakeArg(in);
        if (in.ConsumeBool()) {
          t.storage = "/api/" + in.ConsumeRandomLengthString(32);
          t.p = t.storage.data(); t.n = t.storage.size(); t.bad = false;
        }
        const size_t cap = in.ConsumeIntegralInRange<size_t>(0, 64);
        std::vector<char> rbuf(cap);
        const bool null_buf = in.ConsumeIntegralInRange<int>(0, 7) == 0;
        rolegate_request_result out;
        std::memset(&out, 0xAB, sizeof out);
        const int32_t rc = rolegate_snapshot_check_request(s, p.p, p.n, m.p, m.n, t.p, t.n,
                                                           null_buf ? nullptr : (cap ? rbuf.data() : nullptr),
                                                           null_buf ? (in.ConsumeBool() ? 0 : cap + 1) : cap, &out);
        CheckExplanation(out.check, rc, "check_request");
        if (out.resource_len > cap) Die("check_request wrote past the resource buffer");
        if (out.route) g_sink = Touch(out.route, out.route_len);
        if (out.action) g_sink = Touch(out.action, out.action_len);
        if (out.resource_len) g_sink = Touch(rbuf.data(), out.resource_len);
        break;
      }
      case 12: {  // swap the pinned snapshot for a fresh one; the old one stays readable until released
        rolegate_snapshot* next = nullptr;
        if (rolegate_engine_acquire(eng, &next) != ROLEGATE_OK) Die("acquire failed");
        rolegate_snapshot_release(snap);
        snap = next;
        break;
      }
      case 13: {
        const char* name = rolegate_reason_name(in.ConsumeIntegral<int32_t>());
        if (name) g_sink = Touch(name, std::strlen(name));
        g_sink = static_cast<uint32_t>(rolegate_version_number()) +
                 Touch(rolegate_version_string(), std::strlen(rolegate_version_string()));
        rolegate_error_free(nullptr);
        rolegate_snapshot_release(nullptr);
        rolegate_engine_free(nullptr);
        g_sink = static_cast<uint32_t>(rolegate_error_code(nullptr) + rolegate_error_diagnostic_count(nullptr));
        break;
      }
      case 14: {  // a second engine with fuzzed options, queried once, then freed
        rolegate_engine* other = NewEngine(in);
        if (other) {
          Arg p = MakeArg(in), a = MakeArg(in), r = MakeArg(in);
          rolegate_decision d{1, 0};
          const int32_t rc = rolegate_engine_check(other, p.p, p.n, a.p, a.n, r.p, r.n, &d);
          CheckDecision(d, rc, "engine_check (fuzzed options)");
          rolegate_engine_free(other);
        }
        break;
      }
      case 15:
      case 16:  // the query entry points: context and asserted groups
        QueryCall(in, e, s);
        break;
      default: {  // NULL outputs everywhere: refused, never written
        if (rolegate_engine_check(eng, "u", 1, "a", 1, "/", 1, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_snapshot_check(snap, "u", 1, "a", 1, "/", 1, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_snapshot_explain(snap, "u", 1, "a", 1, "/", 1, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_snapshot_principal_id(snap, "u", 1, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_snapshot_resolve(snap, nullptr, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_snapshot_check_request(snap, "u", 1, "GET", 3, "/", 1, nullptr, 0, nullptr) !=
                ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_engine_acquire(eng, nullptr) != ROLEGATE_E_INVALID_ARGUMENT ||
            rolegate_engine_new(nullptr, "{}", 2, nullptr, nullptr) != ROLEGATE_E_INVALID_ARGUMENT)
          Die("a NULL output was accepted");
        break;
      }
    }
  }
  rolegate_snapshot_release(snap);
  rolegate_engine_free(eng);
  return 0;
}

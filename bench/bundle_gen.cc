// bench/bundle_gen.cc — see bundle_gen.h. Standard library only.
#include "bundle_gen.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

namespace rolegate_bench {
namespace {

// ---- randomness: xoshiro256** seeded by splitmix64 (same numbers everywhere) ----
uint64_t SplitMix(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& v : s_) v = SplitMix(&x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n); n > 0 (Lemire's multiply-shift, bias < 2^-64 * n).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<__uint128_t>(Next()) * n) >> 64); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Picks an index with probability given by a fixed table of weights.
class Weighted {
 public:
  explicit Weighted(std::vector<double> w) : cdf_(std::move(w)) {
    double sum = 0;
    for (double& x : cdf_) x = (sum += x);
    for (double& x : cdf_) x /= sum;
  }
  size_t Pick(Rng& rng) const {
    double u = rng.Unit();
    size_t i = std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
    return std::min(i, cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

Weighted Zipf(size_t n, double s) {
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1), s);
  return Weighted(std::move(w));
}

void AppendU(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

std::string Str(std::string_view a, uint64_t n) {
  std::string s(a);
  AppendU(n, &s);
  return s;
}

// A GUID-shaped id, deterministic in (salt, i).
std::string Guid(uint64_t salt, uint64_t i) {
  uint64_t x = salt * 0x2545F4914F6CDD1DULL + i;
  uint64_t a = SplitMix(&x), b = SplitMix(&x);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(0x4000 | (a & 0x0fff)),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// SPEC §2 glob: `*` any run (including '/'), `?` one character; ASCII
// case-insensitive (every generated string is ASCII).
bool GlobMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || (pat[p] != '*' && Lower(pat[p]) == Lower(s[i])))) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

[[noreturn]] void Die(const char* msg) {
  std::fprintf(stderr, "bundle_gen: %s\n", msg);
  std::exit(2);
}

}  // namespace

// ---- the model -----------------------------------------------------------------

// Scope tree levels: 0 root, 1 subscription, 2 resource group, 3 provider,
// 4 cloud, 5 project, 6 leaf (`jobs/jN`, `services/svcN`, ...). A node is
// (level, index among the nodes of its level); children of node i at level k
// are i*fan[k+1] .. i*fan[k+1]+fan[k+1]-1.
struct Tree {
  static constexpr int kLeaf = 6;
  uint64_t fan[7] = {1, 1, 1, 1, 1, 1, 1};
  uint64_t count[7] = {1, 1, 1, 1, 1, 1, 1};
  std::vector<std::string> subs;       // subscription ids (GUIDs)
  std::vector<std::string> providers;  // provider segment names

  void Init() {
    count[0] = 1;
    for (int k = 1; k <= kLeaf; ++k) count[k] = count[k - 1] * fan[k];
  }
  uint64_t Ancestor(int level, uint64_t idx, int to) const {
    for (int k = level; k > to; --k) idx /= fan[k];
    return idx;
  }
  uint64_t RandomDescendant(int level, uint64_t idx, int to, Rng& rng) const {
    for (int k = level + 1; k <= to; ++k) idx = idx * fan[k] + rng.Below(fan[k]);
    return idx;
  }
  uint64_t Local(int level, uint64_t idx) const { return idx % fan[level]; }
  void Append(int level, uint64_t idx, std::string* out) const {
    if (level == 0) {
      out->push_back('/');
      return;
    }
    uint64_t loc[7];
    for (int k = level; k >= 1; --k) {
      loc[k] = idx % fan[k];
      idx /= fan[k];
    }
    static constexpr std::string_view kLeafType[4] = {"/jobs/j", "/services/svc", "/workspaces/ws",
                                                       "/clusters/cl"};
    for (int k = 1; k <= level; ++k) {
      switch (k) {
        case 1: out->append("/subscriptions/").append(subs[loc[1]]); break;
        case 2: out->append("/resourceGroups/rg"); AppendU(loc[2], out); break;
        case 3: out->append("/providers/").append(providers[loc[3]]); break;
        case 4: out->append("/clouds/c"); AppendU(loc[4], out); break;
        case 5: out->append("/projects/p"); AppendU(loc[5], out); break;
        case 6: out->append(kLeafType[loc[6] % 4]); AppendU(loc[6] / 4, out); break;
      }
    }
  }
  std::string Path(int level, uint64_t idx) const {
    std::string s;
    Append(level, idx, &s);
    return s;
  }
};

struct Action {
  std::string name;
  bool data = false;
  bool eff_sub = false;  // effective_only_at ["/subscriptions/*"]
  int provider = 0;
};

struct Role {
  std::string id, name;
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  int assign_kind = 0;        // 0 absent (anywhere), 1 ["/"], 2 one subscription, 3 one resource group
  uint64_t assign_node = 0;   // subscription or resource group index
  std::vector<uint32_t> covered;  // catalog actions granted (excluding effective_only_at ones)
  std::vector<uint32_t> covered_eff;  // effective_only_at actions it covers
};

struct Assignment {
  uint32_t principal;  // < users: user; else group (principal - users)
  uint32_t role;
  uint8_t level;
  uint64_t node;
};

struct DenyAssignment {
  bool everyone = false;
  std::vector<uint32_t> principals, excluded;
  std::vector<std::string> actions, not_actions, data_actions;
  uint8_t level;
  uint64_t node;
  int apply_to_children = -1;  // -1 omitted (true), 0 false, 1 true
};

struct Statement {
  std::string principal;
  bool allow = true;
  std::vector<std::string> actions, resources;
};

struct Mapping {
  int wt = -1;         // 0 job, 1 service, 2 workspace
  int64_t project = -1;  // index into project pool
  int64_t user = -1;   // user index
  std::string identity;
};

struct Cloud {
  std::string id;
  std::string default_identity;  // empty: none
  std::vector<Mapping> mappings;
};

struct Route {
  std::string id, method, path_regex, scope;
  uint32_t action;
  std::string path_fmt;  // "/api/v2/clouds/{cloud}/projects/{project}/jobs/{id}"; pieces for building paths
};

class BundleModel {
 public:
  GenOptions opt;
  Tree tree;
  std::vector<Action> actions;
  std::vector<uint32_t> control_actions, data_actions_idx, aws_actions;
  std::vector<std::vector<uint32_t>> provider_actions;  // per provider
  std::vector<std::string> provider_names;
  std::vector<std::vector<std::string>> provider_types;  // resource types per azure-style provider
  std::vector<Role> roles;
  uint32_t users = 0, groups = 0;
  std::vector<uint8_t> group_level;
  std::vector<std::vector<uint32_t>> group_members;  // principal ids
  std::vector<std::vector<uint32_t>> group_parents;  // group indices
  std::vector<std::vector<uint32_t>> user_groups;    // group indices
  std::vector<Assignment> assignments;
  std::vector<uint32_t> by_principal_off, by_principal;  // CSR: principal -> assignment indices
  std::vector<DenyAssignment> denies;
  std::vector<Statement> statements;
  uint32_t arn_roles = 1;  // statement principals arn:...:role/team-{k}, k < arn_roles
  std::vector<Cloud> clouds;
  uint64_t project_pool = 0;
  std::vector<Route> routes;
  std::vector<uint32_t> gateway_assignments;  // assignments that cover part of the routes' subtree

  std::string PrincipalName(uint32_t p) const {
    return p < users ? UserName(p) : GroupName(p - users);
  }
  static std::string UserName(uint64_t u) { return "user:u" + std::to_string(u) + "@example.com"; }
  static std::string GroupName(uint64_t g) { return Str("grp:g", g); }
  static std::string ArnRole(uint64_t k) {
    return Str("arn:aws:iam::123456789012:role/team-", k);
  }
  static std::string ProjectName(uint64_t p) { return Str("proj-", p); }

  // A random user below principal p (p itself when it is a user).
  uint32_t WalkToUser(uint32_t p, Rng& rng) const {
    while (p >= users) {
      const auto& m = group_members[p - users];
      p = m[rng.Below(m.size())];
    }
    return p;
  }
  // Assignments that apply to user u: its own and those of every group above it.
  void EffectiveAssignments(uint32_t u, std::vector<uint32_t>* out) const {
    out->clear();
    auto add = [&](uint32_t pid) {
      for (uint32_t i = by_principal_off[pid]; i < by_principal_off[pid + 1]; ++i) out->push_back(by_principal[i]);
    };
    add(u);
    std::vector<uint32_t> stack(user_groups[u].begin(), user_groups[u].end()), seen;
    while (!stack.empty()) {
      uint32_t g = stack.back();
      stack.pop_back();
      if (std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
      seen.push_back(g);
      add(users + g);
      for (uint32_t pg : group_parents[g]) stack.push_back(pg);
    }
  }
};

void FreeModel(BundleModel* model) { delete model; }

namespace {

struct Preset {
  uint64_t subs, rgs, providers, clouds, projects, leaves;
  uint64_t users, groups, roles, assignments, statements, clouds_list, mapping_rules, routes;
};

Preset PresetFor(char size) {
  switch (size) {
    case 'S': return {2, 2, 1, 2, 4, 32, 500, 25, 40, 1000, 10, 2, 10, 10};
    case 'M': return {4, 5, 2, 5, 10, 50, 10000, 600, 300, 100000, 200, 5, 100, 10};
    case 'L': return {10, 10, 2, 10, 10, 50, 100000, 5000, 1000, 1000000, 1000, 10, 1000, 10};
  }
  Die("--size must be S, M or L");
}

// ---- the action catalog ----------------------------------------------------------
void BuildCatalog(BundleModel* m) {
  static const char* kAzure[] = {"Microsoft.Compute",         "Microsoft.Storage",  "Microsoft.Network",
                                 "Microsoft.KeyVault",        "Microsoft.ContainerService",
                                 "Microsoft.Insights",        "Microsoft.Resources", "Contoso.Compute",
                                 "Contoso.Data",              "Fabrikam.MachineLearning",
                                 "Fabrikam.Serving",          "Ray.Dashboard",       "Ray.Jobs",
                                 "Ray.Serve"};
  static const char* kTypes[] = {"virtualMachines", "disks",     "snapshots",   "accounts",  "containers",
                                 "vaults",          "secrets",   "clusters",    "nodePools", "workspaces",
                                 "pipelines",       "endpoints", "deployments", "networks",  "subnets",
                                 "gateways",        "registries", "images",     "jobs",      "schedules",
                                 "datastores",      "alerts",    "metrics",     "locks"};
  static const char* kChild[] = {"extensions", "versions", "policies", "keys", "members", "rules"};
  auto add = [&](int p, std::string name, bool data = false, bool eff = false) {
    Action a;
    a.name = std::move(name);
    a.data = data;
    a.eff_sub = eff;
    a.provider = p;
    m->actions.push_back(std::move(a));
  };
  // 0: Anyscale.Platform, modelled on examples/anyscale.json.
  m->provider_names.push_back("Anyscale.Platform");
  m->provider_types.push_back({"clouds", "clouds/cloudResources", "clouds/computeConfigs", "clouds/images",
                               "clouds/projects", "clouds/projects/jobs", "clouds/projects/services",
                               "clouds/projects/workspaces", "clouds/projects/clusters",
                               "clouds/projects/schedules", "clouds/projects/datasets",
                               "clouds/projects/models", "clouds/projects/secrets"});
  for (const auto& t : m->provider_types[0])
    for (const char* v : {"read", "write", "delete"}) add(0, "Anyscale.Platform/" + t + "/" + v);
  for (const char* a : {"clouds/projects/jobs/stop/action", "clouds/projects/services/restart/action",
                        "clouds/projects/workspaces/start/action", "clouds/projects/clusters/terminate/action"})
    add(0, std::string("Anyscale.Platform/") + a);
  for (const char* a : {"clouds/projects/jobs/logs/read", "clouds/projects/workspaces/files/read",
                        "clouds/projects/workspaces/files/write", "clouds/projects/datasets/data/read",
                        "clouds/projects/datasets/data/write"})
    add(0, std::string("Anyscale.Platform/") + a, true);
  add(0, "Anyscale.Platform/admin/action", true, true);
  // 1: Microsoft.Authorization.
  m->provider_names.push_back("Microsoft.Authorization");
  m->provider_types.push_back({"roleAssignments", "roleDefinitions", "denyAssignments", "locks", "policyAssignments"});
  for (const auto& t : m->provider_types[1])
    for (const char* v : {"read", "write", "delete"}) add(1, "Microsoft.Authorization/" + t + "/" + v);
  add(1, "Microsoft.Authorization/elevateAccess/action", false, true);
  // 2..15: generic Azure-style providers, 8 resource types each.
  const size_t nt = sizeof kTypes / sizeof kTypes[0];
  for (size_t i = 0; i < sizeof kAzure / sizeof kAzure[0]; ++i) {
    int p = static_cast<int>(m->provider_names.size());
    std::string pn = kAzure[i];
    m->provider_names.push_back(pn);
    std::vector<std::string> types;
    for (size_t k = 0; k < 6; ++k) types.push_back(kTypes[(i * 5 + k * 3) % nt]);
    types.push_back(types[0] + "/" + kChild[i % 6]);
    types.push_back(types[1] + "/" + kChild[(i + 3) % 6]);
    for (const auto& t : types)
      for (const char* v : {"read", "write", "delete"}) add(p, pn + "/" + t + "/" + v);
    add(p, pn + "/" + types[0] + "/restart/action");
    add(p, pn + "/" + types[1] + "/start/action");
    add(p, pn + "/" + types[2] + "/data/read", true);
    add(p, pn + "/" + types[2] + "/data/write", true);
    m->provider_types.push_back(std::move(types));
  }
  // 16..19: AWS-style services.
  struct Aws {
    const char* svc;
    std::vector<const char*> acts;
  };
  static const Aws kAws[] = {
      {"secretsmanager", {"GetSecretValue", "DescribeSecret", "PutSecretValue", "CreateSecret", "DeleteSecret",
                          "ListSecrets", "TagResource", "RotateSecret"}},
      {"s3", {"GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "PutBucketPolicy",
              "GetObjectTagging", "ListAllMyBuckets"}},
      {"kms", {"Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "CreateGrant"}},
      {"sts", {"AssumeRole", "GetCallerIdentity", "TagSession"}},
  };
  for (const auto& a : kAws) {
    int p = static_cast<int>(m->provider_names.size());
    m->provider_names.push_back(a.svc);
    m->provider_types.push_back({});
    for (const char* x : a.acts) add(p, std::string(a.svc) + ":" + x);
  }
  m->provider_actions.resize(m->provider_names.size());
  for (uint32_t i = 0; i < m->actions.size(); ++i) {
    const Action& a = m->actions[i];
    (a.data ? m->data_actions_idx : m->control_actions).push_back(i);
    m->provider_actions[a.provider].push_back(i);
    if (a.name.find(':') != std::string::npos) m->aws_actions.push_back(i);
  }
}

bool IsAws(const BundleModel& m, int p) { return m.provider_types[p].empty(); }

bool MatchesAny(const BundleModel& m, std::string_view pat, bool data) {
  for (const Action& a : m.actions)
    if (a.data == data && GlobMatch(pat, a.name)) return true;
  return false;
}

void ComputeCoverage(const BundleModel& m, Role* r) {
  r->covered.clear();
  r->covered_eff.clear();
  for (uint32_t i = 0; i < m.actions.size(); ++i) {
    const Action& a = m.actions[i];
    const auto& yes = a.data ? r->data_actions : r->actions;
    const auto& no = a.data ? r->not_data_actions : r->not_actions;
    bool in = false;
    for (const auto& p : yes)
      if (GlobMatch(p, a.name)) { in = true; break; }
    if (!in) continue;
    for (const auto& p : no)
      if (GlobMatch(p, a.name)) { in = false; break; }
    if (!in) continue;
    (a.eff_sub ? r->covered_eff : r->covered).push_back(i);
  }
}

// ---- roles ----------------------------------------------------------------------
std::string RandomControlPattern(const BundleModel& m, Rng& rng) {
  double u = rng.Unit();
  int np = static_cast<int>(m.provider_names.size());
  int p = static_cast<int>(rng.Below(np));
  static const char* kVerbs[] = {"read", "write", "delete", "action"};
  if (u < 0.55 || (IsAws(m, p) && u < 0.9)) {
    const auto& pa = m.provider_actions[p];
    for (int tries = 0; tries < 16; ++tries) {
      const Action& a = m.actions[pa[rng.Below(pa.size())]];
      if (!a.data) return a.name;
    }
    return m.actions[m.control_actions[rng.Below(m.control_actions.size())]].name;
  }
  if (IsAws(m, p)) return m.provider_names[p] + ":*";
  const std::string& pn = m.provider_names[p];
  if (u < 0.70) return pn + "/" + m.provider_types[p][rng.Below(m.provider_types[p].size())] + "/*";
  if (u < 0.85) return pn + "/*/" + kVerbs[rng.Below(4)];
  if (u < 0.90) return std::string("*/") + kVerbs[rng.Below(3)];
  if (u < 0.95) return pn + "/*";
  // A literal with its last letter replaced by '?'.
  std::string lit = m.actions[m.provider_actions[p][0]].name;
  lit.back() = '?';
  return lit;
}

std::string RandomDataPattern(const BundleModel& m, Rng& rng) {
  const Action& a = m.actions[m.data_actions_idx[rng.Below(m.data_actions_idx.size())]];
  double u = rng.Unit();
  if (u < 0.6) return a.name;
  if (u < 0.85) return m.provider_names[a.provider] + "/*";
  return m.provider_names[a.provider] + "/*/read";
}

void BuildRoles(BundleModel* m, uint64_t n, Rng& rng) {
  auto push = [&](std::string name, std::vector<std::string> a, std::vector<std::string> na,
                  std::vector<std::string> da, int kind) {
    if (m->roles.size() >= n) return;
    Role r;
    r.id = Guid(m->opt.seed * 7 + 1, m->roles.size());
    r.name = std::move(name);
    r.actions = std::move(a);
    r.not_actions = std::move(na);
    r.data_actions = std::move(da);
    r.assign_kind = kind;
    m->roles.push_back(std::move(r));
  };
  push("Owner", {"*"}, {}, {}, 1);
  push("Contributor", {"*"},
       {"Microsoft.Authorization/*/write", "Microsoft.Authorization/*/delete",
        "Microsoft.Authorization/elevateAccess/action"},
       {}, 1);
  push("Reader", {"*/read"}, {}, {}, 1);
  push("User Access Administrator", {"*/read", "Microsoft.Authorization/*"}, {}, {}, 1);
  push("Anyscale Platform Administrator",
       {"Microsoft.Authorization/*/read", "Anyscale.Platform/*/read", "Anyscale.Platform/*/write",
        "Anyscale.Platform/*/delete"},
       {}, {"Anyscale.Platform/admin/action", "Anyscale.Platform/*/read", "Anyscale.Platform/*/write"}, 1);
  push("Anyscale Platform Contributor",
       {"Microsoft.Authorization/*/read", "Anyscale.Platform/*/read", "Anyscale.Platform/*/write",
        "Anyscale.Platform/*/delete", "Anyscale.Platform/*/action"},
       {}, {"Anyscale.Platform/*/read", "Anyscale.Platform/*/write"}, 1);
  push("Anyscale Platform Reader", {"Microsoft.Authorization/*/read", "Anyscale.Platform/*/read"}, {},
       {"Anyscale.Platform/*/read"}, 1);
  for (size_t p = 2; p < m->provider_names.size(); ++p) {
    const std::string& pn = m->provider_names[p];
    if (IsAws(*m, static_cast<int>(p))) {
      push(pn + " Full Access", {pn + ":*"}, {}, {}, 0);
      push(pn + " Read Only", {pn + ":Get*", pn + ":Describe*", pn + ":List*"}, {}, {}, 0);
    } else {
      push(pn + " Contributor", {pn + "/*"}, {}, {pn + "/*"}, 0);
      push(pn + " Reader", {pn + "/*/read"}, {}, {}, 0);
      push(pn + " Data Reader", {pn + "/*/read"}, {}, {pn + "/*/read"}, 0);
    }
  }
  while (m->roles.size() < n) {
    std::vector<std::string> a, na, da;
    int k = 2 + static_cast<int>(rng.Below(7));
    for (int i = 0; i < k; ++i) a.push_back(RandomControlPattern(*m, rng));
    if (rng.Chance(0.2)) {
      na.push_back(rng.Chance(0.5) ? std::string("*/delete") : RandomControlPattern(*m, rng));
    }
    if (rng.Chance(0.3)) {
      int kd = 1 + static_cast<int>(rng.Below(3));
      for (int i = 0; i < kd; ++i) da.push_back(RandomDataPattern(*m, rng));
    }
    double u = rng.Unit();
    int kind = u < 0.70 ? 0 : u < 0.80 ? 1 : u < 0.92 ? 2 : 3;
    push(Str("Custom Role ", m->roles.size()), std::move(a), std::move(na), std::move(da), kind);
    if (rng.Chance(0.05) && !m->roles.back().data_actions.empty())
      m->roles.back().not_data_actions.push_back("*/write");
  }
  for (Role& r : m->roles) {
    if (r.assign_kind == 2) r.assign_node = rng.Below(m->tree.count[1]);
    if (r.assign_kind == 3) r.assign_node = rng.Below(m->tree.count[2]);
    // Drop duplicates and patterns that match nothing (they would be warnings).
    auto clean = [&](std::vector<std::string>* v, bool data) {
      std::vector<std::string> out;
      for (auto& p : *v)
        if (std::find(out.begin(), out.end(), p) == out.end() && MatchesAny(*m, p, data)) out.push_back(p);
      *v = std::move(out);
    };
    clean(&r.actions, false);
    clean(&r.not_actions, false);
    clean(&r.data_actions, true);
    clean(&r.not_data_actions, true);
    if (r.actions.empty()) r.actions.push_back(m->actions[m->control_actions[0]].name);
    ComputeCoverage(*m, &r);
  }
}

// ---- principals ------------------------------------------------------------------
void BuildGroups(BundleModel* m, Rng& rng) {
  const uint32_t G = m->groups, U = m->users;
  // Four levels; a group of level k (k >= 1) sits in one or two groups of level k-1.
  double frac[4] = {0.01, 0.05, 0.20, 0.74};
  uint32_t lvl_count[4], lvl_start[4];
  uint32_t left = G;
  for (int k = 0; k < 4; ++k) {
    uint32_t c = k == 3 ? left : std::max<uint32_t>(1, static_cast<uint32_t>(G * frac[k]));
    c = std::min(c, left);
    lvl_count[k] = c;
    left -= c;
  }
  lvl_start[0] = 0;
  for (int k = 1; k < 4; ++k) lvl_start[k] = lvl_start[k - 1] + lvl_count[k - 1];
  m->group_level.assign(G, 0);
  m->group_members.assign(G, {});
  m->group_parents.assign(G, {});
  m->user_groups.assign(U, {});
  int top = 0;
  for (int k = 0; k < 4; ++k) {
    if (lvl_count[k] == 0) break;
    top = k;
    for (uint32_t i = 0; i < lvl_count[k]; ++i) m->group_level[lvl_start[k] + i] = static_cast<uint8_t>(k);
  }
  for (int k = 1; k <= top; ++k) {
    for (uint32_t i = 0; i < lvl_count[k]; ++i) {
      uint32_t g = lvl_start[k] + i;
      int np = rng.Chance(0.2) ? 2 : 1;
      for (int j = 0; j < np; ++j) {
        uint32_t pg = lvl_start[k - 1] + static_cast<uint32_t>(rng.Below(lvl_count[k - 1]));
        if (std::find(m->group_parents[g].begin(), m->group_parents[g].end(), pg) != m->group_parents[g].end())
          continue;
        m->group_parents[g].push_back(pg);
        m->group_members[pg].push_back(U + g);
      }
    }
  }
  Weighted user_level({0.02, 0.08, 0.20, 0.70});
  Weighted per_user({0.10, 0.40, 0.30, 0.20});
  for (uint32_t u = 0; u < U; ++u) {
    size_t n = per_user.Pick(rng);
    for (size_t j = 0; j < n; ++j) {
      size_t k = std::min<size_t>(user_level.Pick(rng), top);
      uint32_t g = lvl_start[k] + static_cast<uint32_t>(rng.Below(lvl_count[k]));
      auto& ug = m->user_groups[u];
      if (std::find(ug.begin(), ug.end(), g) != ug.end()) continue;
      ug.push_back(g);
      m->group_members[g].push_back(u);
    }
  }
  for (uint32_t g = 0; g < G; ++g) {
    if (m->group_members[g].empty()) {
      uint32_t u = static_cast<uint32_t>(rng.Below(U));
      m->group_members[g].push_back(u);
      m->user_groups[u].push_back(g);
    }
  }
}

// ---- assignments ------------------------------------------------------------------
// Levels: root, sub, rg, provider, cloud, project, leaf.
const Weighted& AssignmentLevels() {
  static const Weighted w({0.0005, 0.01, 0.04, 0.02, 0.10, 0.43, 0.3995});
  return w;
}

void BuildAssignments(BundleModel* m, uint64_t n, Rng& rng) {
  const Tree& t = m->tree;
  // Popularity: Zipf over a ranking that puts Reader and Contributor first.
  std::vector<uint32_t> rank;
  for (uint32_t i : {2u, 1u, 6u, 5u, 4u, 0u, 3u})
    if (i < m->roles.size()) rank.push_back(i);
  for (uint32_t i = 7; i < m->roles.size(); ++i) rank.push_back(i);
  Weighted zipf = Zipf(rank.size(), 1.0);
  // Big groups (levels 0 and 1 hold most users transitively) get fewer
  // assignments than team groups, as in a real directory.
  std::vector<double> gw(m->groups);
  for (uint32_t g = 0; g < m->groups; ++g) gw[g] = m->group_level[g] == 0 ? 0.15 : m->group_level[g] == 1 ? 0.4 : 1.0;
  Weighted group_pick(std::move(gw));
  const size_t broad = m->control_actions.size() / 2;
  m->assignments.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    Assignment a;
    int level = static_cast<int>(AssignmentLevels().Pick(rng));
    // Broad roles (Owner, Contributor, ...) sit mostly low in the tree; high
    // scopes carry readers and narrow custom roles.
    for (int tries = 0; tries < 4; ++tries) {
      a.role = rank[zipf.Pick(rng)];
      if (level > 3 || m->roles[a.role].covered.size() < broad || rng.Chance(0.1)) break;
    }
    const Role& r = m->roles[a.role];
    a.principal = rng.Chance(0.6) ? static_cast<uint32_t>(rng.Below(m->users))
                                  : m->users + static_cast<uint32_t>(group_pick.Pick(rng));
    if (r.assign_kind == 2) {
      level = std::max(level, 1);
      a.node = t.RandomDescendant(1, r.assign_node, level, rng);
    } else if (r.assign_kind == 3) {
      level = std::max(level, 2);
      a.node = t.RandomDescendant(2, r.assign_node, level, rng);
    } else {
      a.node = rng.Below(t.count[level]);
    }
    a.level = static_cast<uint8_t>(level);
    m->assignments.push_back(a);
  }
  const uint32_t P = m->users + m->groups;
  m->by_principal_off.assign(P + 1, 0);
  for (const auto& a : m->assignments) ++m->by_principal_off[a.principal + 1];
  for (uint32_t p = 0; p < P; ++p) m->by_principal_off[p + 1] += m->by_principal_off[p];
  m->by_principal.resize(m->assignments.size());
  std::vector<uint32_t> fill(m->by_principal_off.begin(), m->by_principal_off.end() - 1);
  for (uint32_t i = 0; i < m->assignments.size(); ++i) m->by_principal[fill[m->assignments[i].principal]++] = i;
}

uint32_t RandomPrincipal(const BundleModel& m, Rng& rng) {
  return rng.Chance(0.6) ? static_cast<uint32_t>(rng.Below(m.users))
                         : m.users + static_cast<uint32_t>(rng.Below(m.groups));
}

void BuildDenies(BundleModel* m, uint64_t n, Rng& rng) {
  static const Weighted levels({0, 0, 0.10, 0.05, 0.25, 0.40, 0.20});
  const Tree& t = m->tree;
  for (uint64_t i = 0; i < n; ++i) {
    DenyAssignment d;
    d.level = static_cast<uint8_t>(levels.Pick(rng));
    d.node = rng.Below(t.count[d.level]);
    if (rng.Chance(0.2)) {
      // Deny-to-everyone (a locked project or resource) sits low in the tree.
      if (d.level < 5) {
        d.level = static_cast<uint8_t>(5 + rng.Below(2));
        d.node = rng.Below(t.count[d.level]);
      }
      d.everyone = true;
      if (rng.Chance(0.7)) {
        int k = 1 + static_cast<int>(rng.Below(2));
        for (int j = 0; j < k; ++j) {
          uint32_t g = m->users + static_cast<uint32_t>(rng.Below(m->groups));
          if (std::find(d.excluded.begin(), d.excluded.end(), g) == d.excluded.end()) d.excluded.push_back(g);
        }
      }
    } else {
      int k = 1 + static_cast<int>(rng.Below(3));
      for (int j = 0; j < k; ++j) {
        uint32_t p = RandomPrincipal(*m, rng);
        if (std::find(d.principals.begin(), d.principals.end(), p) == d.principals.end()) d.principals.push_back(p);
      }
    }
    double u = rng.Unit();
    int p = 2 + static_cast<int>(rng.Below(14));  // an Azure-style provider
    const std::string& pn = m->provider_names[p];
    if (u < 0.25) {
      d.actions = {"*/delete"};
    } else if (u < 0.45) {
      d.actions = {pn + "/*/write", pn + "/*/delete"};
    } else if (u < 0.75) {
      int k = 1 + static_cast<int>(rng.Below(3));
      for (int j = 0; j < k; ++j) {
        const std::string& a = m->actions[m->control_actions[rng.Below(m->control_actions.size())]].name;
        if (std::find(d.actions.begin(), d.actions.end(), a) == d.actions.end()) d.actions.push_back(a);
      }
    } else if (u < 0.85) {
      d.actions = {"*"};
      d.not_actions = {"*/read"};
    } else {
      d.actions = {pn + "/" + m->provider_types[p][rng.Below(m->provider_types[p].size())] + "/*"};
    }
    if (rng.Chance(0.15)) d.data_actions = {RandomDataPattern(*m, rng)};
    double c = rng.Unit();
    d.apply_to_children = c < 0.10 ? 0 : c < 0.55 ? 1 : -1;
    m->denies.push_back(std::move(d));
  }
}

// ---- statements ---------------------------------------------------------------------
std::string SecretArn(uint64_t team, std::string_view name) {
  std::string s = Str("arn:aws:secretsmanager:us-west-2:123456789012:secret:team", team);
  s.push_back('-');
  s.append(name);
  return s;
}

void BuildStatements(BundleModel* m, uint64_t n, Rng& rng) {
  m->arn_roles = static_cast<uint32_t>(std::max<uint64_t>(1, n / 4));
  for (uint64_t i = 0; i < n; ++i) {
    Statement s;
    if (rng.Chance(0.9)) {
      uint64_t k = rng.Below(m->arn_roles);
      s.principal = BundleModel::ArnRole(k);
      s.allow = !rng.Chance(0.15);
      switch (rng.Below(3)) {
        case 0: {
          static const std::vector<std::vector<std::string>> kA = {
              {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
              {"secretsmanager:*"},
              {"secretsmanager:Get*", "secretsmanager:List*"}};
          s.actions = kA[rng.Below(kA.size())];
          s.resources = {SecretArn(k, s.allow ? "*" : "prod-*")};
          break;
        }
        case 1: {
          static const std::vector<std::vector<std::string>> kA = {
              {"s3:GetObject"}, {"s3:*"}, {"s3:Get*", "s3:List*"}};
          s.actions = kA[rng.Below(kA.size())];
          std::string b = Str("arn:aws:s3:::team", k) + "-data";
          s.resources = {b, b + (s.allow ? "/*" : "/restricted/*")};
          break;
        }
        default:
          s.actions = {"kms:Decrypt", "kms:GenerateDataKey"};
          s.resources = {"arn:aws:kms:us-west-2:123456789012:key/*"};
      }
    } else {
      s.principal = m->PrincipalName(RandomPrincipal(*m, rng));
      s.allow = rng.Chance(0.7);
      s.actions = {rng.Chance(0.5) ? std::string("Anyscale.Platform/*/read")
                                   : m->actions[m->control_actions[rng.Below(m->control_actions.size())]].name};
      int level = 2 + static_cast<int>(rng.Below(3));
      s.resources = {m->tree.Path(level, rng.Below(m->tree.count[level])) + "/*"};
    }
    m->statements.push_back(std::move(s));
  }
}

// ---- clouds and mapping rules ----------------------------------------------------------
void BuildClouds(BundleModel* m, uint64_t nclouds, uint64_t nrules, Rng& rng) {
  m->project_pool = std::max<uint64_t>(100, nrules / std::max<uint64_t>(1, nclouds) / 4);
  static const Weighted kinds({0.35, 0.20, 0.20, 0.10, 0.05, 0.08, 0.015, 0.005});
  // mask bits: 1 workload_type, 2 project, 4 user
  static const int kMask[] = {4, 2, 3, 6, 5, 7, 1, 0};
  for (uint64_t c = 0; c < nclouds; ++c) {
    Cloud cl;
    cl.id = Str("cloud-", c);
    if (rng.Chance(0.8)) cl.default_identity = Str("arn:aws:iam::123456789012:role/cloud-", c) + "-default";
    uint64_t want = nrules / nclouds + (c < nrules % nclouds ? 1 : 0);
    std::unordered_set<uint64_t> keys;
    keys.reserve(want * 2);
    for (uint64_t i = 0; i < want; ++i) {
      for (int attempt = 0; attempt < 64; ++attempt) {
        int mask = kMask[kinds.Pick(rng)];
        Mapping mp;
        if (mask & 1) mp.wt = static_cast<int>(rng.Below(3));
        if (mask & 2) mp.project = static_cast<int64_t>(rng.Below(m->project_pool));
        if (mask & 4) mp.user = static_cast<int64_t>(rng.Below(m->users));
        uint64_t key = static_cast<uint64_t>(mask) | (static_cast<uint64_t>(mp.wt + 1) << 3) |
                       (static_cast<uint64_t>(mp.project + 1) << 5) | (static_cast<uint64_t>(mp.user + 1) << 27);
        if (!keys.insert(key).second) continue;
        mp.identity = rng.Chance(0.7) ? BundleModel::ArnRole(rng.Below(m->arn_roles))
                                      : Str("arn:aws:iam::123456789012:role/workload-", rng.Below(1000));
        cl.mappings.push_back(std::move(mp));
        break;
      }
    }
    m->clouds.push_back(std::move(cl));
  }
}

// ---- routes ---------------------------------------------------------------------------
uint32_t FindAction(const BundleModel& m, std::string_view name) {
  for (uint32_t i = 0; i < m.actions.size(); ++i)
    if (m.actions[i].name == name) return i;
  Die("internal: route action not in catalog");
}

std::string FmtToRegex(std::string_view fmt, bool optional_slash) {
  std::string re;
  for (size_t i = 0; i < fmt.size();) {
    if (fmt[i] == '{') {
      size_t j = fmt.find('}', i);
      re.append("(?P<").append(fmt.substr(i + 1, j - i - 1)).append(">[^/]+)");
      i = j + 1;
    } else {
      if (fmt[i] == '.') re.push_back('\\');
      re.push_back(fmt[i++]);
    }
  }
  if (optional_slash) re.append("/?");
  return re;
}

void BuildRoutes(BundleModel* m, uint64_t n) {
  // The gateway fronts the first subscription / resource group / Anyscale.Platform.
  const std::string base = m->tree.Path(3, 0);
  struct R {
    const char* method;
    std::string fmt;
    bool slash;
    std::string action;
    std::string scope;
  };
  std::vector<R> list;
  const std::string A = "Anyscale.Platform/";
  const std::string cl = "/api/v2/clouds/{cloud}";
  const std::string pj = cl + "/projects/{project}";
  const std::string cs = base + "/clouds/{cloud}";
  const std::string ps = cs + "/projects/{project}";
  list.push_back({"GET", "/api/v2/clouds", true, A + "clouds/read", base});
  list.push_back({"GET", cl, false, A + "clouds/read", cs});
  list.push_back({"PUT", cl, false, A + "clouds/write", cs});
  list.push_back({"DELETE", cl, false, A + "clouds/delete", cs});
  list.push_back({"GET", cl + "/projects", true, A + "clouds/projects/read", cs});
  list.push_back({"POST", cl + "/projects", true, A + "clouds/projects/write", cs});
  list.push_back({"GET", pj, false, A + "clouds/projects/read", ps});
  list.push_back({"DELETE", pj, false, A + "clouds/projects/delete", ps});
  list.push_back({"GET", cl + "/computeConfigs", true, A + "clouds/computeConfigs/read", cs});
  list.push_back({"GET", cl + "/images", true, A + "clouds/images/read", cs});
  static const char* kTypes[] = {"jobs", "services", "workspaces", "clusters", "schedules", "datasets", "models",
                                 "secrets"};
  for (const char* ty : kTypes) {
    std::string t = ty;
    std::string act = A + "clouds/projects/" + t + "/";
    list.push_back({"GET", pj + "/" + t, true, act + "read", ps});
    list.push_back({"POST", pj + "/" + t, true, act + "write", ps});
    list.push_back({"GET", pj + "/" + t + "/{id}", false, act + "read", ps + "/" + t + "/{id}"});
    list.push_back({"PATCH", pj + "/" + t + "/{id}", false, act + "write", ps + "/" + t + "/{id}"});
    list.push_back({"DELETE", pj + "/" + t + "/{id}", false, act + "delete", ps + "/" + t + "/{id}"});
  }
  for (uint64_t i = 0; i < n; ++i) {
    const R& r = list[i % list.size()];
    uint64_t gen = i / list.size();
    Route route;
    route.id = Str("r-", i);
    route.method = r.method;
    route.path_fmt = r.fmt;
    if (gen > 0) route.path_fmt.replace(0, 7, Str("/api/v", 2 + gen));
    route.path_regex = FmtToRegex(route.path_fmt, r.slash);
    route.action = FindAction(*m, r.action);
    route.scope = r.scope;
    m->routes.push_back(std::move(route));
  }
  // Assignments that reach into the gateway subtree (root, sub 0, rg 0, provider 0, and below).
  for (uint32_t i = 0; i < m->assignments.size(); ++i) {
    const Assignment& a = m->assignments[i];
    if (a.level == 6) continue;
    int top = std::min<int>(a.level, 3);
    if (m->tree.Ancestor(a.level, a.node, top) == 0) m->gateway_assignments.push_back(i);
  }
}

// ---- JSON ------------------------------------------------------------------------------
void AppendList(const std::vector<std::string>& v, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(v[i], out);
  }
  out->push_back(']');
}

}  // namespace

// ---- public entry points ------------------------------------------------------------------

std::string_view Arena::Add(std::string_view s) {
  if (cap_ - used_ < s.size()) {
    size_t sz = std::max<size_t>(1 << 20, s.size());
    chunks_.emplace_back(new char[sz]);
    used_ = 0;
    cap_ = sz;
  }
  char* p = chunks_.back().get() + used_;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  bytes_ += s.size();
  return std::string_view(p, s.size());
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  bool plain = true;
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out->append(s);
    out->push_back('"');
    return;
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

ModelPtr BuildModel(const GenOptions& options) {
  ModelPtr mp(new BundleModel);
  BundleModel* m = mp.get();
  m->opt = options;
  Preset p = PresetFor(options.size);
  Rng rng(options.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(options.size));
  Tree& t = m->tree;
  t.fan[1] = p.subs;
  t.fan[2] = p.rgs;
  t.fan[3] = p.providers;
  t.fan[4] = p.clouds;
  t.fan[5] = p.projects;
  t.fan[6] = p.leaves;
  t.Init();
  for (uint64_t i = 0; i < p.subs; ++i) t.subs.push_back(Guid(options.seed, i));
  t.providers = {"Anyscale.Platform", "Contoso.Compute", "Microsoft.Storage"};
  if (p.providers > t.providers.size()) Die("internal: too many providers per resource group");
  m->users = static_cast<uint32_t>(p.users);
  m->groups = static_cast<uint32_t>(p.groups);
  BuildCatalog(m);
  BuildRoles(m, p.roles, rng);
  BuildGroups(m, rng);
  uint64_t na = options.assignments >= 0 ? static_cast<uint64_t>(options.assignments) : p.assignments;
  BuildAssignments(m, na, rng);
  BuildDenies(m, std::max<uint64_t>(1, na / 100), rng);
  BuildStatements(m, p.statements, rng);
  uint64_t nclouds = options.clouds >= 0 ? static_cast<uint64_t>(options.clouds) : p.clouds_list;
  uint64_t nrules = options.mapping_rules >= 0 ? static_cast<uint64_t>(options.mapping_rules)
                                               : p.mapping_rules;
  if (nrules > 0 && nclouds == 0) nclouds = 1;
  BuildClouds(m, nclouds, nrules, rng);
  BuildRoutes(m, options.routes >= 0 ? static_cast<uint64_t>(options.routes) : p.routes);
  return mp;
}

ModelSummary Summarize(const BundleModel& m) {
  ModelSummary s;
  s.size = m.opt.size;
  s.actions = m.actions.size();
  s.data_actions = m.data_actions_idx.size();
  s.roles = m.roles.size();
  s.users = m.users;
  s.groups = m.groups;
  std::unordered_set<std::string> arns;
  for (const auto& st : m.statements)
    if (st.principal.rfind("arn:", 0) == 0) arns.insert(st.principal);
  s.principals = m.users + m.groups + arns.size();
  s.assignments = m.assignments.size();
  s.deny_assignments = m.denies.size();
  s.statements = m.statements.size();
  s.clouds = m.clouds.size();
  for (const auto& c : m.clouds) s.mapping_rules += c.mappings.size();
  s.routes = m.routes.size();
  for (int k = 1; k <= Tree::kLeaf; ++k) s.tree_nodes += m.tree.count[k];
  s.tree_leaves = m.tree.count[Tree::kLeaf];
  std::unordered_set<uint64_t> scopes;
  scopes.reserve(m.assignments.size() + m.denies.size());
  for (const auto& a : m.assignments) scopes.insert((static_cast<uint64_t>(a.level) << 56) | a.node);
  for (const auto& d : m.denies) scopes.insert((static_cast<uint64_t>(d.level) << 56) | d.node);
  s.bundle_scopes = scopes.size();
  int depth = 0;
  std::vector<int> gd(m.groups, 0);
  // Groups are numbered level by level, parents before children.
  for (uint32_t g = 0; g < m.groups; ++g) {
    int d = 1;
    for (uint32_t pg : m.group_parents[g]) d = std::max(d, gd[pg] + 1);
    gd[g] = d;
    depth = std::max(depth, d);
  }
  s.max_group_depth = depth;
  return s;
}

std::vector<std::string> AllPrincipals(const BundleModel& m) {
  std::vector<std::string> v;
  v.reserve(m.users + m.groups + m.arn_roles);
  for (uint32_t u = 0; u < m.users; ++u) v.push_back(BundleModel::UserName(u));
  for (uint32_t g = 0; g < m.groups; ++g) v.push_back(BundleModel::GroupName(g));
  std::unordered_set<std::string> seen;
  for (const auto& st : m.statements)
    if (st.principal.rfind("arn:", 0) == 0 && seen.insert(st.principal).second) v.push_back(st.principal);
  return v;
}
namespace {

// ---- SPEC §10-§12 extras of a --conditions bundle ----------------------------------
// Which rules carry a condition: a hash of the index, so the choice does not
// line up with the index patterns the model itself uses.
uint64_t CondHash(uint64_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  return SplitMix(&x);
}
bool CondPick(uint64_t i, uint64_t one_in) { return CondHash(i) % one_in == 0; }

// The AWS forms the issue names: StringEquals, StringLike, IpAddress,
// NumericLessThan with IfExists, Bool, ForAnyValue over a multi-valued key.
void AppendAwsCondition(uint64_t i, std::string* out) {
  static constexpr std::string_view kForms[] = {
      R"({"StringEquals":{"aws:RequestedRegion":["us-west-2","us-east-1"]}})",
      R"({"StringLike":{"aws:RequestedRegion":"eu-*"},"BoolIfExists":{"aws:SecureTransport":"true"}})",
      R"({"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}})",
      R"({"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"},"Bool":{"aws:SecureTransport":true}})",
      R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["team","cost-center"]}})",
  };
  out->append(",\"condition\":");
  out->append(kForms[(CondHash(i) / 5) % std::size(kForms)]);
}

// Azure ABAC 2.0 forms: a resource tag, the usual "not this action, or the
// tag" shape, a GUID set over a request attribute the queries never send
// (always false), and Exists.
constexpr std::string_view kAzureProdTag = "@Resource[tag:env] StringEquals 'prod'";
void AppendAzureCondition(uint64_t i, std::string* out) {
  static constexpr std::string_view kForms[] = {
      kAzureProdTag,
      "(!(ActionMatches{'*/delete'})) OR (@Resource[tag:env] StringEqualsIgnoreCase 'PROD')",
      "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
      "{ba92f5b4-2d11-453d-a403-e96b0029c9fe, 4633458b-17de-408a-b874-0445c86b69e6}",
      "(Exists @Resource[tag:env]) AND (@Resource[tag:env] StringNotEquals 'dev')",
  };
  out->append(",\"condition\":");
  AppendJsonString(kForms[(CondHash(i) / 10) % std::size(kForms)], out);
}

// The four lists of a role; `lead` puts a comma before the first.
void AppendRoleLists(const Role& r, std::string* out, bool lead = true) {
  out->append(lead ? ",\"actions\":" : "\"actions\":");
  AppendList(r.actions, out);
  if (!r.not_actions.empty()) { out->append(",\"not_actions\":"); AppendList(r.not_actions, out); }
  if (!r.data_actions.empty()) { out->append(",\"data_actions\":"); AppendList(r.data_actions, out); }
  if (!r.not_data_actions.empty()) { out->append(",\"not_data_actions\":"); AppendList(r.not_data_actions, out); }
}

// The same role as one permission block (it grants what the lists did);
// every other such role gets a second block, a data action under the prod tag.
void AppendPermissionBlocks(const BundleModel& m, const Role& r, size_t i, std::string* out) {
  out->append(",\"permissions\":[{");
  AppendRoleLists(r, out, false);
  out->push_back('}');
  if (i % 20 == 3 && !m.data_actions_idx.empty()) {
    out->append(",{\"data_actions\":[");
    AppendJsonString(m.actions[m.data_actions_idx[i % m.data_actions_idx.size()]].name, out);
    out->append("],\"condition\":");
    AppendJsonString(kAzureProdTag, out);
    out->push_back('}');
  }
  out->push_back(']');
}

std::string MgScope(std::string_view name) {
  return std::string("/providers/Microsoft.Management/managementGroups/").append(name);
}

// A few assignments at the management groups (one in a thousand, to users),
// of the first role assignable there; ends the assignments list.
void AppendMgAssignments(const BundleModel& m, std::string* out) {
  size_t role = 0;
  while (role < m.roles.size() && m.roles[role].assign_kind > 1) ++role;
  if (role == m.roles.size()) Die("internal: no role is assignable at a management group");
  static constexpr std::string_view kMg[] = {"mg-root", "mg-0", "mg-1"};
  auto one = [&](std::string_view id, std::string_view group, std::string_view mg) {
    out->append("{\"id\":");
    AppendJsonString(id, out);
    out->append(",\"principal\":");
    AppendJsonString(group, out);
    out->append(",\"role\":");
    AppendJsonString(m.roles[role].id, out);
    out->append(",\"scope\":");
    AppendJsonString(MgScope(mg), out);
  };
  for (size_t k = 0; k < m.assignments.size() / 1000; ++k) {
    // Users, not groups: a group here would reach thousands of users and
    // shift the allowed share away from the unconditional bundle's.
    one(Str("a-mg-", k), BundleModel::UserName(CondHash(k) % std::max<uint32_t>(1, m.users)), kMg[k % 3]);
    out->append("},\n");
  }
  // The list's last entry (no comma after it): a conditional one at the root.
  one("a-mg-last", BundleModel::UserName(0), "mg-root");
  AppendAzureCondition(0, out);
  out->append("}\n");
}

// Management groups above the subscriptions: each subscription under mg-0
// or mg-1, both under mg-root (SPEC §12).
void AppendScopeParents(const BundleModel& m, std::string* out) {
  out->append(",\n\"scope_parents\": [\n");
  for (size_t i = 0; i < m.tree.subs.size(); ++i) {
    out->append("{\"scope\":");
    AppendJsonString(m.tree.Path(1, i), out);
    out->append(",\"parent\":");
    AppendJsonString(MgScope(i % 2 ? "mg-1" : "mg-0"), out);
    out->append("},\n");
  }
  out->append("{\"scope\":\"" + MgScope("mg-0") + "\",\"parent\":\"" + MgScope("mg-root") + "\"},\n");
  out->append("{\"scope\":\"" + MgScope("mg-1") + "\",\"parent\":\"" + MgScope("mg-root") + "\"}\n]");
}

}  // namespace

void AppendBundleJson(const BundleModel& m, std::string* out) {
  const Tree& t = m.tree;
  out->reserve(out->size() + m.assignments.size() * 260 + (4 << 20));
  out->append("{\n\"version\": 1,\n\"actions\": [\n");
  for (size_t i = 0; i < m.actions.size(); ++i) {
    const Action& a = m.actions[i];
    out->append("{\"name\":");
    AppendJsonString(a.name, out);
    if (a.data) out->append(",\"data\":true");
    if (a.eff_sub) out->append(",\"effective_only_at\":[\"/subscriptions/*\"]");
    out->append(i + 1 < m.actions.size() ? "},\n" : "}\n");
  }
  out->append("],\n\"roles\": [\n");
  for (size_t i = 0; i < m.roles.size(); ++i) {
    const Role& r = m.roles[i];
    out->append("{\"id\":");
    AppendJsonString(r.id, out);
    out->append(",\"name\":");
    AppendJsonString(r.name, out);
    if (m.opt.conditions && i % 10 == 3) {
      AppendPermissionBlocks(m, r, i, out);
    } else {
      AppendRoleLists(r, out);
    }
    if (r.assign_kind == 1) out->append(",\"assignable_scopes\":[\"/\"]");
    if (r.assign_kind >= 2) {
      out->append(",\"assignable_scopes\":[\"");
      t.Append(r.assign_kind == 2 ? 1 : 2, r.assign_node, out);
      out->append("\"]");
    }
    out->append(i + 1 < m.roles.size() ? "},\n" : "}\n");
  }
  out->append("],\n\"groups\": [\n");
  for (uint32_t g = 0; g < m.groups; ++g) {
    out->append("{\"id\":");
    AppendJsonString(BundleModel::GroupName(g), out);
    out->append(",\"members\":[");
    const auto& mem = m.group_members[g];
    for (size_t j = 0; j < mem.size(); ++j) {
      if (j) out->push_back(',');
      AppendJsonString(m.PrincipalName(mem[j]), out);
    }
    out->append(g + 1 < m.groups ? "]},\n" : "]}\n");
  }
  out->append("],\n\"assignments\": [\n");
  for (size_t i = 0; i < m.assignments.size(); ++i) {
    const Assignment& a = m.assignments[i];
    out->append("{\"id\":\"a-");
    AppendU(i, out);
    out->append("\",\"principal\":\"");
    if (a.principal < m.users) {
      out->append("user:u");
      AppendU(a.principal, out);
      out->append("@example.com\"");
    } else {
      out->append("grp:g");
      AppendU(a.principal - m.users, out);
      out->push_back('"');
    }
    out->append(",\"role\":\"");
    out->append(m.roles[a.role].id);
    out->append("\",\"scope\":\"");
    t.Append(a.level, a.node, out);
    out->push_back('"');
    if (m.opt.conditions && CondPick(i, 10)) AppendAzureCondition(i, out);
    out->append(i + 1 < m.assignments.size() || m.opt.conditions ? "},\n" : "}\n");
  }
  if (m.opt.conditions) AppendMgAssignments(m, out);
  out->append("],\n\"deny_assignments\": [\n");
  for (size_t i = 0; i < m.denies.size(); ++i) {
    const DenyAssignment& d = m.denies[i];
    out->append("{\"id\":\"d-");
    AppendU(i, out);
    out->append("\",\"principals\":[");
    if (d.everyone) {
      out->append("\"*\"");
    } else {
      for (size_t j = 0; j < d.principals.size(); ++j) {
        if (j) out->push_back(',');
        AppendJsonString(m.PrincipalName(d.principals[j]), out);
      }
    }
    out->push_back(']');
    if (!d.excluded.empty()) {
      out->append(",\"exclude_principals\":[");
      for (size_t j = 0; j < d.excluded.size(); ++j) {
        if (j) out->push_back(',');
        AppendJsonString(m.PrincipalName(d.excluded[j]), out);
      }
      out->push_back(']');
    }
    if (!d.actions.empty()) { out->append(",\"actions\":"); AppendList(d.actions, out); }
    if (!d.not_actions.empty()) { out->append(",\"not_actions\":"); AppendList(d.not_actions, out); }
    if (!d.data_actions.empty()) { out->append(",\"data_actions\":"); AppendList(d.data_actions, out); }
    out->append(",\"scope\":\"");
    t.Append(d.level, d.node, out);
    out->push_back('"');
    if (d.apply_to_children >= 0) out->append(d.apply_to_children ? ",\"apply_to_children\":true" : ",\"apply_to_children\":false");
    out->append(i + 1 < m.denies.size() ? "},\n" : "}\n");
  }
  out->append("],\n\"statements\": [\n");
  for (size_t i = 0; i < m.statements.size(); ++i) {
    const Statement& s = m.statements[i];
    out->append("{\"id\":\"s-");
    AppendU(i, out);
    out->append("\",\"principal\":");
    AppendJsonString(s.principal, out);
    out->append(s.allow ? ",\"effect\":\"Allow\",\"actions\":" : ",\"effect\":\"Deny\",\"actions\":");
    AppendList(s.actions, out);
    out->append(",\"resources\":");
    AppendList(s.resources, out);
    if (m.opt.conditions && CondPick(i, 5)) AppendAwsCondition(i, out);
    out->append(i + 1 < m.statements.size() ? "},\n" : "}\n");
  }
  out->append("],\n\"clouds\": [\n");
  static const char* kWt[] = {"job", "service", "workspace"};
  for (size_t c = 0; c < m.clouds.size(); ++c) {
    const Cloud& cl = m.clouds[c];
    out->append("{\"id\":");
    AppendJsonString(cl.id, out);
    if (!cl.default_identity.empty()) {
      out->append(",\"default_identity\":");
      AppendJsonString(cl.default_identity, out);
    }
    out->append(",\"mappings\":[\n");
    for (size_t i = 0; i < cl.mappings.size(); ++i) {
      const Mapping& mp = cl.mappings[i];
      out->append(" {\"id\":\"m-");
      AppendU(i, out);
      out->push_back('"');
      if (mp.wt >= 0) { out->append(",\"workload_type\":\""); out->append(kWt[mp.wt]); out->push_back('"'); }
      if (mp.project >= 0) { out->append(",\"project\":"); AppendJsonString(BundleModel::ProjectName(mp.project), out); }
      if (mp.user >= 0) { out->append(",\"user\":"); AppendJsonString(BundleModel::UserName(mp.user), out); }
      out->append(",\"identity\":");
      AppendJsonString(mp.identity, out);
      out->append(i + 1 < cl.mappings.size() ? "},\n" : "}\n");
    }
    out->append(c + 1 < m.clouds.size() ? "]},\n" : "]}\n");
  }
  out->append("],\n\"routes\": [\n");
  for (size_t i = 0; i < m.routes.size(); ++i) {
    const Route& r = m.routes[i];
    out->append("{\"id\":");
    AppendJsonString(r.id, out);
    out->append(",\"method\":");
    AppendJsonString(r.method, out);
    out->append(",\"path\":");
    AppendJsonString(r.path_regex, out);
    out->append(",\"action\":");
    AppendJsonString(m.actions[r.action].name, out);
    out->append(",\"scope\":");
    AppendJsonString(r.scope, out);
    out->append(i + 1 < m.routes.size() ? "},\n" : "}\n");
  }
  out->push_back(']');
  if (m.opt.conditions) AppendScopeParents(m, out);
  out->append("\n}\n");
}

// ---- check queries ----------------------------------------------------------------------
namespace {

class QueryMaker {
 public:
  QueryMaker(const BundleModel& m, uint64_t seed) : m_(m), rng_(seed) {}

  Rng& rng() { return rng_; }

  // A resource under node (level, node): the node itself, a deeper node, or a leaf.
  void ResourceUnder(int level, uint64_t node, std::string* out) {
    const Tree& t = m_.tree;
    if (level == Tree::kLeaf) {
      t.Append(level, node, out);
      return;
    }
    int to = Tree::kLeaf;
    if (!rng_.Chance(0.7)) to = std::max(level, 1) + static_cast<int>(rng_.Below(Tree::kLeaf - std::max(level, 1)));
    t.Append(to, t.RandomDescendant(level, node, to, rng_), out);
  }
  void RandomResource(std::string* out) {
    const Tree& t = m_.tree;
    int level = rng_.Chance(0.75) ? Tree::kLeaf : 1 + static_cast<int>(rng_.Below(5));
    t.Append(level, rng_.Below(t.count[level]), out);
  }

  // From an assignment: a user holding it, an action its role covers, a resource below.
  bool FromAssignment(uint32_t ai, bool covered, uint32_t user_or_max, CheckQuerySet* qs) {
    const Assignment& a = m_.assignments[ai];
    const Role& r = m_.roles[a.role];
    uint32_t action;
    if (covered) {
      if (r.covered.empty()) return false;
      action = r.covered[rng_.Below(r.covered.size())];
    } else {
      action = static_cast<uint32_t>(rng_.Below(m_.actions.size()));
      for (int i = 0; i < 8 && std::binary_search(r.covered.begin(), r.covered.end(), action); ++i)
        action = static_cast<uint32_t>(rng_.Below(m_.actions.size()));
    }
    uint32_t user = user_or_max != UINT32_MAX ? user_or_max : m_.WalkToUser(a.principal, rng_);
    res_.clear();
    if (covered || rng_.Chance(0.6)) {
      ResourceUnder(a.level, a.node, &res_);
    } else {
      RandomResource(&res_);
      action = r.covered.empty() ? action : r.covered[rng_.Below(r.covered.size())];
    }
    Emit(BundleModel::UserName(user), m_.actions[action].name, res_, qs);
    return true;
  }

  void Arn(uint64_t k, CheckQuerySet* qs) {
    static const char* kActs[] = {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                                  "s3:GetObject", "s3:PutObject", "kms:Decrypt"};
    const char* act = kActs[rng_.Below(5)];
    std::string res;
    if (act[0] == 's' && act[1] == 'e') {
      res = SecretArn(rng_.Chance(0.8) ? k : rng_.Below(m_.arn_roles),
                      rng_.Chance(0.2) ? Str("prod-db-", rng_.Below(100)) : Str("gh-token-", rng_.Below(100)));
    } else if (act[0] == 's') {
      res = Str("arn:aws:s3:::team", rng_.Chance(0.8) ? k : rng_.Below(m_.arn_roles)) +
            (rng_.Chance(0.2) ? "-data/restricted/obj" : "-data/shards/obj") + std::to_string(rng_.Below(1000)) +
            ".parquet";
    } else {
      res = Str("arn:aws:kms:us-west-2:123456789012:key/", rng_.Below(50));
    }
    Emit(BundleModel::ArnRole(k), act, res, qs);
  }

  void Uniform(CheckQuerySet* qs) {
    double u = rng_.Unit();
    if (u < 0.02) {
      Arn(rng_.Below(m_.arn_roles), qs);
    } else if (u < 0.45) {
      while (!FromAssignment(static_cast<uint32_t>(rng_.Below(m_.assignments.size())), true, UINT32_MAX, qs)) {
      }
    } else if (u < 0.70) {
      FromAssignment(static_cast<uint32_t>(rng_.Below(m_.assignments.size())), false, UINT32_MAX, qs);
    } else if (u < 0.71) {
      res_.clear();
      RandomResource(&res_);
      Emit(Str("user:ext", rng_.Below(1000000)) + "@partner.example",
           m_.actions[rng_.Below(m_.actions.size())].name, res_, qs);
    } else {
      uint32_t p = rng_.Chance(0.9) ? static_cast<uint32_t>(rng_.Below(m_.users)) : RandomPrincipal(m_, rng_);
      res_.clear();
      RandomResource(&res_);
      Emit(m_.PrincipalName(p), m_.actions[rng_.Below(m_.actions.size())].name, res_, qs);
    }
  }

  void Emit(std::string_view p, std::string_view a, std::string_view r, CheckQuerySet* qs) {
    CheckQuery q;
    q.principal = qs->arena.Add(p);
    q.action = qs->arena.Add(a);
    q.resource = qs->arena.Add(r);
    qs->queries.push_back(q);
  }

 private:
  const BundleModel& m_;
  Rng rng_;
  std::string res_;
};

}  // namespace

std::unique_ptr<CheckQuerySet> MakeCheckQueries(const BundleModel& m, Pattern pattern, size_t count,
                                                uint64_t seed) {
  auto qs = std::make_unique<CheckQuerySet>();
  qs->queries.reserve(count);
  QueryMaker qm(m, seed * 0x9E3779B97F4A7C15ULL + (pattern == Pattern::kHot ? 17 : 29));
  Rng& rng = qm.rng();
  if (pattern == Pattern::kUniform) {
    for (size_t i = 0; i < count; ++i) qm.Uniform(qs.get());
    return qs;
  }
  // Hot: a pool of queries by 1 % of the users, over a few resources each.
  CheckQuerySet pool;
  const size_t H = std::max<size_t>(1, m.users / 100);
  std::vector<uint32_t> eff;
  size_t hot_users = 0;
  for (size_t tries = 0; hot_users < H && tries < 50 * H; ++tries) {
    uint32_t u = static_cast<uint32_t>(rng.Below(m.users));
    m.EffectiveAssignments(u, &eff);
    if (eff.empty()) continue;
    ++hot_users;
    for (int j = 0; j < 3; ++j)
      for (int t = 0; t < 8 && !qm.FromAssignment(eff[rng.Below(eff.size())], true, u, &pool); ++t) {
      }
    for (int j = 0; j < 5; ++j) qm.FromAssignment(eff[rng.Below(eff.size())], false, u, &pool);
  }
  const size_t arn_hot = std::max<size_t>(1, m.arn_roles / 100);
  for (size_t j = 0; j < std::max<size_t>(1, pool.queries.size() / 50); ++j) qm.Arn(rng.Below(arn_hot), &pool);
  {
    std::unordered_set<std::string_view> ps, rs;
    for (const auto& q : pool.queries) {
      ps.insert(q.principal);
      rs.insert(q.resource);
    }
    qs->distinct_principals = ps.size();
    qs->distinct_resources = rs.size();
  }
  for (size_t i = 0; i < count; ++i) {
    if (rng.Chance(0.8)) {
      const CheckQuery& q = pool.queries[rng.Below(pool.queries.size())];
      qm.Emit(q.principal, q.action, q.resource, qs.get());
    } else {
      qm.Uniform(qs.get());
    }
  }
  return qs;
}

// ---- request queries -----------------------------------------------------------------------
namespace {

struct PathParts {
  std::string cloud, project, id;
};

// Fills the route's path format; pads {id} so the path is path_bytes long.
std::string FillPath(const Route& r, const PathParts& parts, size_t path_bytes) {
  std::string out;
  size_t id_at = std::string::npos;
  for (size_t i = 0; i < r.path_fmt.size();) {
    if (r.path_fmt[i] == '{') {
      size_t j = r.path_fmt.find('}', i);
      std::string_view name(r.path_fmt.data() + i + 1, j - i - 1);
      if (name == "cloud") out += parts.cloud;
      else if (name == "project") out += parts.project;
      else { id_at = out.size(); out += parts.id; }
      i = j + 1;
    } else {
      out.push_back(r.path_fmt[i++]);
    }
  }
  if (id_at != std::string::npos && path_bytes > out.size()) {
    // "job-0000001234": zeros after the first character keep the id unique-looking.
    out.insert(id_at + 1, path_bytes - out.size(), '0');
  }
  return out;
}

}  // namespace

RequestQuery MakeRequestForRoute(const BundleModel& m, size_t route_index, size_t path_bytes, uint64_t seed,
                                 Arena* arena) {
  Rng rng(seed);
  const Route& r = m.routes[route_index % m.routes.size()];
  const Tree& t = m.tree;
  PathParts parts;
  uint32_t user = static_cast<uint32_t>(rng.Below(m.users));
  uint64_t cloud = rng.Below(t.fan[4]), project = rng.Below(t.fan[5]);
  for (int tries = 0; tries < 64 && !m.gateway_assignments.empty(); ++tries) {
    const Assignment& a = m.assignments[m.gateway_assignments[rng.Below(m.gateway_assignments.size())]];
    const Role& role = m.roles[a.role];
    if (!std::binary_search(role.covered.begin(), role.covered.end(), r.action) && tries < 63) continue;
    user = m.WalkToUser(a.principal, rng);
    if (a.level >= 4) cloud = t.Local(4, t.Ancestor(a.level, a.node, 4));
    if (a.level >= 5) project = t.Local(5, t.Ancestor(a.level, a.node, 5));
    break;
  }
  parts.cloud = Str("c", cloud);
  parts.project = Str("p", project);
  parts.id = Str("x", rng.Below(100000));
  RequestQuery q;
  q.principal = arena->Add(BundleModel::UserName(user));
  q.method = arena->Add(r.method);
  q.target = arena->Add(FillPath(r, parts, path_bytes));
  return q;
}

std::unique_ptr<RequestQuerySet> MakeRequestQueries(const BundleModel& m, size_t count, uint64_t seed,
                                                    size_t path_bytes) {
  auto qs = std::make_unique<RequestQuerySet>();
  if (m.routes.empty()) return qs;
  Rng rng(seed * 0x9E3779B97F4A7C15ULL + 41);
  const Tree& t = m.tree;
  qs->queries.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    double u = rng.Unit();
    if (u < 0.5) {
      qs->queries.push_back(MakeRequestForRoute(m, rng.Below(m.routes.size()), path_bytes, rng.Next(), &qs->arena));
      continue;
    }
    const Route& r = m.routes[rng.Below(m.routes.size())];
    PathParts parts{Str("c", rng.Below(t.fan[4])), Str("p", rng.Below(t.fan[5])), Str("x", rng.Below(100000))};
    std::string path = FillPath(r, parts, path_bytes);
    std::string_view method = r.method;
    if (u > 0.98) {
      path.replace(0, 7, "/api/v1");  // no route
    }
    RequestQuery q;
    q.principal = qs->arena.Add(BundleModel::UserName(rng.Below(m.users)));
    q.method = qs->arena.Add(method);
    q.target = qs->arena.Add(path);
    qs->queries.push_back(q);
  }
  return qs;
}

// ---- resolve queries ---------------------------------------------------------------------
std::unique_ptr<ResolveQuerySet> MakeResolveQueries(const BundleModel& m, size_t count, uint64_t seed) {
  auto qs = std::make_unique<ResolveQuerySet>();
  Rng rng(seed * 0x9E3779B97F4A7C15ULL + 53);
  static const char* kWt[] = {"job", "service", "workspace"};
  qs->queries.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ResolveQuery q;
    int wt = static_cast<int>(rng.Below(3));
    int64_t project = static_cast<int64_t>(rng.Below(std::max<uint64_t>(1, m.project_pool)));
    int64_t user = static_cast<int64_t>(rng.Below(m.users));
    std::string cloud;
    double u = rng.Unit();
    if (m.clouds.empty() || u < 0.02) {
      cloud = Str("cloud-unknown-", rng.Below(100));
    } else {
      const Cloud& c = m.clouds[rng.Below(m.clouds.size())];
      cloud = c.id;
      if (u < 0.82 && !c.mappings.empty()) {
        const Mapping& mp = c.mappings[rng.Below(c.mappings.size())];
        if (mp.wt >= 0) wt = mp.wt;
        if (mp.project >= 0) project = mp.project;
        if (mp.user >= 0) user = mp.user;
      }
    }
    q.cloud = qs->arena.Add(cloud);
    q.workload_type = kWt[wt];
    q.project = qs->arena.Add(BundleModel::ProjectName(project));
    q.user = qs->arena.Add(BundleModel::UserName(user));
    double o = rng.Unit();
    if (o < 0.03) q.compute_config_identity = qs->arena.Add(Str("arn:aws:iam::123456789012:role/cc-", rng.Below(10)));
    else if (o < 0.05) q.node_group_identity = qs->arena.Add(Str("arn:aws:iam::123456789012:role/ng-", rng.Below(10)));
    qs->queries.push_back(q);
  }
  return qs;
}

// ---- JSON Lines ------------------------------------------------------------------------
void AppendCheckQueryJson(const CheckQuery& q, std::string* out) {
  out->append("{\"op\":\"check\",\"principal\":");
  AppendJsonString(q.principal, out);
  out->append(",\"action\":");
  AppendJsonString(q.action, out);
  out->append(",\"resource\":");
  AppendJsonString(q.resource, out);
  out->append("}\n");
}

void AppendRequestQueryJson(const RequestQuery& q, std::string* out) {
  out->append("{\"op\":\"check_request\",\"principal\":");
  AppendJsonString(q.principal, out);
  out->append(",\"method\":");
  AppendJsonString(q.method, out);
  out->append(",\"path\":");
  AppendJsonString(q.target, out);
  out->append("}\n");
}

void AppendResolveQueryJson(const ResolveQuery& q, std::string* out) {
  out->append("{\"op\":\"resolve\",\"cloud\":");
  AppendJsonString(q.cloud, out);
  out->append(",\"workload_type\":");
  AppendJsonString(q.workload_type, out);
  out->append(",\"project\":");
  AppendJsonString(q.project, out);
  out->append(",\"user\":");
  AppendJsonString(q.user, out);
  if (!q.compute_config_identity.empty()) {
    out->append(",\"compute_config_identity\":");
    AppendJsonString(q.compute_config_identity, out);
  }
  if (!q.node_group_identity.empty()) {
    out->append(",\"node_group_identity\":");
    AppendJsonString(q.node_group_identity, out);
  }
  out->append("}\n");
}

}  // namespace rolegate_bench

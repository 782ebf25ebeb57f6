#!/usr/bin/env python3
"""Translate a rolegate bundle into each peer's encoding of the common subset.

Standard library only.

    translate.py --bundle FULL.json --queries QUERIES.jsonl --out DIR

The common subset (what casbin, OPA and Cedar all express):
  * control actions without `effective_only_at` (the catalog is filtered:
    data actions and effective_only_at actions are dropped);
  * roles: `actions` / `not_actions` patterns (wildcards), assignable_scopes kept;
  * nested groups;
  * assignments (principal, role, scope): the scope and every descendant;
  * deny assignments: principals or everyone, exclude_principals, actions /
    not_actions, scope, apply_to_children.
  Statements, clouds (mapping rules), routes, data_actions and
  not_data_actions are dropped.

Writes into DIR:
  subset.json        the rolegate bundle of the common subset (what every engine loads)
  queries.tsv        principal<TAB>action<TAB>resource, the check queries of the input
                     whose action is in the subset catalog and whose resource is a scope;
                     actions and scopes lower-cased (they compare case-insensitively)
  queries.jsonl      the same queries in the CLI format (SPEC §7), for `rolegate check`
  catalog.txt        the subset catalog, lower-cased, one action per line
  probes.tsv         correctness probes aimed at deny assignments and scope edges (answers
                     only, never timed)
  casbin/            model.conf, policy.csv (RBAC with domains, domain matching),
                     patterns.tsv (each policy line's expected action set, for a self-check)
  casbin_flat/       model.conf, policy.csv (RBAC, one policy line per assignment)
  opa/               policy.rego, data.json
  cedar/             policies.cedar, entities.json
  summary.json       counts
"""
import argparse
import json
import os
import re
import sys
import time


def glob_re(pat):
    """SPEC §2 glob: `*` any run (including '/'), `?` one character; the caller lower-cases."""
    out = []
    for c in pat:
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        else:
            out.append(re.escape(c))
    return re.compile("^" + "".join(out) + r"\Z", re.S)


def is_literal(pat):
    return "*" not in pat and "?" not in pat


class Catalog:
    def __init__(self, names):
        self.names = names  # lower-cased, in bundle order
        self.index = {n: i for i, n in enumerate(names)}
        self._cache = {}

    def expand(self, pat):
        """Indices of catalog actions the (lower-cased) pattern matches."""
        r = self._cache.get(pat)
        if r is None:
            if is_literal(pat):
                r = frozenset([self.index[pat]]) if pat in self.index else frozenset()
            else:
                rx = glob_re(pat)
                r = frozenset(i for i, n in enumerate(self.names) if rx.match(n))
            self._cache[pat] = r
        return r

    def cover(self, yes, no):
        s = set()
        for p in yes:
            s |= self.expand(p)
        for p in no:
            s -= self.expand(p)
        return frozenset(s)


def filter_patterns(pats, cat):
    """Keep the patterns that name something in the subset catalog (a literal
    outside it would be a compile error; a glob matching nothing a warning)."""
    out = []
    for p in pats or []:
        lp = p.lower()
        if cat.expand(lp) and p not in out:
            out.append(p)
    return out


def parent_scope(s):
    if s == "/":
        return None
    i = s.rfind("/")
    return "/" if i == 0 else s[:i]


def cedar_str(s):
    out = ['"']
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def csv_field(s):
    if any(c in s for c in ',"\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def doublestar(pat):
    """A lower-cased rolegate glob as a doublestar (casbin globMatch) pattern:
    a whole-segment `*` becomes `**` (which crosses '/'); the casbin runner
    checks at load that every line selects exactly the expected actions."""
    segs = pat.split("/")
    return "/".join("**" if s == "*" else s for s in segs)


def ds_alt(pats):
    pats = [doublestar(p.lower()) for p in pats]
    if not pats:
        return "-"  # matches no catalog action (none is "-")
    if len(pats) == 1:
        return pats[0]
    return "{" + ",".join(pats) + "}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--engines", default="casbin,casbin_flat,opa,cedar")
    ap.add_argument("--probes", type=int, default=300, help="deny assignments to build correctness probes from")
    args = ap.parse_args()
    engines = set(args.engines.split(","))
    t0 = time.time()
    with open(args.bundle, "rb") as f:
        b = json.load(f)
    os.makedirs(args.out, exist_ok=True)

    # ---- the subset bundle ---------------------------------------------------
    actions = [a for a in b["actions"] if not a.get("data") and "effective_only_at" not in a]
    cat = Catalog([a["name"].lower() for a in actions])
    roles = []
    for r in b.get("roles", []):
        nr = {"id": r["id"]}
        if "name" in r:
            nr["name"] = r["name"]
        nr["actions"] = filter_patterns(r.get("actions"), cat)
        na = filter_patterns(r.get("not_actions"), cat)
        if na:
            nr["not_actions"] = na
        if "assignable_scopes" in r:
            nr["assignable_scopes"] = r["assignable_scopes"]
        roles.append(nr)
    groups = b.get("groups", [])
    assignments = b.get("assignments", [])
    denies = []
    for d in b.get("deny_assignments", []):
        acts = filter_patterns(d.get("actions"), cat)
        if not acts:
            continue
        nd = {"id": d["id"], "principals": d["principals"]}
        if d.get("exclude_principals"):
            nd["exclude_principals"] = d["exclude_principals"]
        nd["actions"] = acts
        na = filter_patterns(d.get("not_actions"), cat)
        if na:
            nd["not_actions"] = na
        nd["scope"] = d["scope"]
        if "apply_to_children" in d:
            nd["apply_to_children"] = d["apply_to_children"]
        denies.append(nd)
    subset = {"version": 1, "actions": [{"name": a["name"]} for a in actions], "roles": roles,
              "groups": groups, "assignments": assignments, "deny_assignments": denies}
    with open(os.path.join(args.out, "subset.json"), "w") as f:
        # one list element per line, as the generator writes
        f.write('{\n"version": 1')
        for key in ("actions", "roles", "groups", "assignments", "deny_assignments"):
            f.write(',\n"%s": [\n' % key)
            f.write(",\n".join(json.dumps(x, separators=(",", ":")) for x in subset[key]))
            f.write("\n]")
        f.write("\n}\n")
    with open(os.path.join(args.out, "catalog.txt"), "w") as f:
        f.write("".join(n + "\n" for n in cat.names))

    # ---- the query set -------------------------------------------------------
    queries = []
    dropped = 0
    with open(args.queries) as f:
        for line in f:
            q = json.loads(line)
            if q.get("op") != "check":
                dropped += 1
                continue
            a = q["action"].lower()
            r = q["resource"]
            if a not in cat.index or not r.startswith("/") or "\t" in q["principal"]:
                dropped += 1
                continue
            queries.append((q["principal"], a, r.lower()))
    with open(os.path.join(args.out, "queries.tsv"), "w") as f:
        f.write("".join("%s\t%s\t%s\n" % q for q in queries))
    with open(os.path.join(args.out, "queries.jsonl"), "w") as f:
        for p, a, r in queries:
            f.write(json.dumps({"op": "check", "principal": p, "action": a, "resource": r},
                               separators=(",", ":")) + "\n")

    # ---- shared derived data -------------------------------------------------
    role_by_id = {r["id"]: r for r in roles}
    member_of = {}  # principal -> groups that directly contain it
    for g in groups:
        for m in g.get("members", []):
            member_of.setdefault(m, []).append(g["id"])
    lc = str.lower

    def role_cover(r):
        return cat.cover([lc(p) for p in r["actions"]], [lc(p) for p in r.get("not_actions", [])])

    def deny_cover(d):
        return cat.cover([lc(p) for p in d["actions"]], [lc(p) for p in d.get("not_actions", [])])

    # ---- correctness probes (answers only, never timed) ----------------------
    # The uniform query set rarely meets a deny assignment, so these aim at the
    # rules where encodings go wrong: a grant under a deny (deny beats grant),
    # everyone-with-exclusions, a member of an excluded or named group reached
    # through nesting, not_actions of a deny, apply_to_children false (a child
    # of the scope), and a segment-prefix trap ("/p1" is no ancestor of "/p10").
    rc_cache = {}

    def role_cover_by_id(rid):
        if rid not in rc_cache:
            rc_cache[rid] = role_cover(role_by_id[rid])
        return rc_cache[rid]

    probes = make_probes(assignments, denies, groups, member_of, role_cover_by_id, deny_cover, cat, args.probes)
    with open(os.path.join(args.out, "probes.tsv"), "w") as f:
        f.write("".join("%s\t%s\t%s\n" % q for q in probes))

    summary = {"actions": len(actions), "roles": len(roles), "groups": len(groups),
               "assignments": len(assignments), "deny_assignments": len(denies),
               "queries": len(queries), "queries_dropped": dropped,
               "bundle_bytes": os.path.getsize(os.path.join(args.out, "subset.json"))}

    # ---- casbin: RBAC with domains, domain matching = scope inheritance -------
    # g, principal, role, scope   an assignment (domain = scope)
    # g, member, group, /         group membership (domain "/" matches every scope)
    # g, group, excl:<deny>, /    the exclusion set of a deny assignment
    # p, role, acts, nacts, allow, -, -, -              a role's permissions
    # p, principal|*, acts, nacts, deny, scope, kids, excl   a deny assignment
    if "casbin" in engines or "casbin_flat" in engines:
        for name in ("casbin", "casbin_flat"):
            if name in engines:
                os.makedirs(os.path.join(args.out, name), exist_ok=True)
        deny_rows = []
        for d in denies:
            kids = "0" if d.get("apply_to_children") is False else "1"
            excl = "excl:" + d["id"] if d.get("exclude_principals") else "excl:none"
            subs = ["*"] if "*" in d["principals"] else d["principals"]
            for s in subs:
                deny_rows.append((s, ds_alt(d["actions"]), ds_alt(d.get("not_actions", [])), d["scope"].lower(),
                                  kids, excl, deny_cover(d)))
        excl_links = []
        for d in denies:
            for e in d.get("exclude_principals", []):
                excl_links.append((e, "excl:" + d["id"]))

    if "casbin" in engines:
        with open(os.path.join(args.out, "casbin", "model.conf"), "w") as f:
            f.write(CASBIN_MODEL)
        with open(os.path.join(args.out, "casbin", "policy.csv"), "w") as f:
            w = f.write
            for r in roles:
                w("p, %s, %s, %s, allow, -, -, -, -\n" % (csv_field(r["id"]), csv_field(ds_alt(r["actions"])),
                                                        csv_field(ds_alt(r.get("not_actions", [])))))
            for s, acts, nacts, scope, kids, excl, cov in deny_rows:
                w("p, %s, %s, %s, deny, %s, %s, %s, %s\n" % (
                    csv_field(s), csv_field(acts), csv_field(nacts), csv_field(scope),
                    csv_field("/*" if scope == "/" else scope + "/*"), kids, csv_field(excl)))
            for g in groups:
                for m in g.get("members", []):
                    w("g, %s, %s, /\n" % (csv_field(m), csv_field(g["id"])))
            for e, x in excl_links:
                w("g, %s, %s, /\n" % (csv_field(e), csv_field(x)))
            for a in assignments:
                w("g, %s, %s, %s\n" % (csv_field(a["principal"]), csv_field(a["role"]), csv_field(a["scope"].lower())))

    # ---- casbin (flat): RBAC without domains, one policy line per assignment --
    if "casbin_flat" in engines:
        with open(os.path.join(args.out, "casbin_flat", "model.conf"), "w") as f:
            f.write(CASBIN_FLAT_MODEL)
        with open(os.path.join(args.out, "casbin_flat", "policy.csv"), "w") as f:
            w = f.write
            for a in assignments:
                r = role_by_id[a["role"]]
                sc = a["scope"].lower()
                w("p, %s, %s, %s, allow, %s, %s, 1, excl:none\n" % (
                    csv_field(a["principal"]), csv_field(ds_alt(r["actions"])),
                    csv_field(ds_alt(r.get("not_actions", []))), csv_field(sc),
                    csv_field("/*" if sc == "/" else sc + "/*")))
            for s, acts, nacts, scope, kids, excl, cov in deny_rows:
                w("p, %s, %s, %s, deny, %s, %s, %s, %s\n" % (
                    csv_field(s), csv_field(acts), csv_field(nacts), csv_field(scope),
                    csv_field("/*" if scope == "/" else scope + "/*"), kids, csv_field(excl)))
            for g in groups:
                for m in g.get("members", []):
                    w("g, %s, %s\n" % (csv_field(m), csv_field(g["id"])))
            for e, x in excl_links:
                w("g, %s, %s\n" % (csv_field(e), csv_field(x)))

    if "casbin" in engines or "casbin_flat" in engines:
        rows, seen = [], set()
        for r in roles:
            rows.append((ds_alt(r["actions"]), ds_alt(r.get("not_actions", [])), role_cover(r)))
        for row in deny_rows:
            rows.append((row[1], row[2], row[6]))
        for name in ("casbin", "casbin_flat"):
            if name not in engines:
                continue
            with open(os.path.join(args.out, name, "patterns.tsv"), "w") as f:
                for acts, nacts, cov in rows:
                    if (acts, nacts) in seen:
                        continue
                    seen.add((acts, nacts))
                    f.write("%s\t%s\t%s\n" % (acts, nacts, ",".join(str(i) for i in sorted(cov))))
            seen = set()

    # ---- OPA: assignments as data, ancestors walked in the policy ------------
    if "opa" in engines:
        os.makedirs(os.path.join(args.out, "opa"), exist_ok=True)
        assign = {}
        for a in assignments:
            assign.setdefault(a["principal"], {}).setdefault(a["scope"].lower(), []).append(a["role"])
        deny_idx = {}
        for d in denies:
            deny_idx.setdefault(d["scope"].lower(), []).append({
                "id": d["id"],
                "everyone": "*" in d["principals"],
                "principals": [p for p in d["principals"] if p != "*"],
                "exclude": d.get("exclude_principals", []),
                "actions": [lc(p) for p in d["actions"]],
                "not_actions": [lc(p) for p in d.get("not_actions", [])],
                "children": d.get("apply_to_children", True),
            })
        # graph.reachable keeps only nodes that are keys of the graph: every group is one.
        graph = dict(member_of)
        for g in groups:
            graph.setdefault(g["id"], [])
        data = {"rg": {
            "member_of": graph,
            "assign": assign,
            "roles": {r["id"]: {"actions": [lc(p) for p in r["actions"]],
                                "not_actions": [lc(p) for p in r.get("not_actions", [])]} for r in roles},
            "deny": deny_idx,
        }}
        with open(os.path.join(args.out, "opa", "data.json"), "w") as f:
            json.dump(data, f, separators=(",", ":"))
        with open(os.path.join(args.out, "opa", "policy.rego"), "w") as f:
            f.write(OPA_POLICY)

    # ---- Cedar: one policy per assignment, forbid per deny; entity parents ----
    if "cedar" in engines:
        os.makedirs(os.path.join(args.out, "cedar"), exist_ok=True)
        # Action groups: one per distinct covered set (roles, then deny assignments).
        group_of_set = {}
        action_parents = [[] for _ in cat.names]

        def action_group(prefix, key, cov):
            gid = group_of_set.get(cov)
            if gid is None:
                gid = "%s:%s" % (prefix, key)
                group_of_set[cov] = gid
                for i in cov:
                    action_parents[i].append(gid)
            return gid

        group_names = set(g["id"] for g in groups)
        role_group = {r["id"]: action_group("role", r["id"], role_cover(r)) for r in roles}
        pol = []
        for a in assignments:
            p = a["principal"]
            op = "in" if p in group_names else "=="
            pol.append('permit(principal %s P::%s, action in Action::%s, resource in S::%s);\n' % (
                op, cedar_str(p), cedar_str(role_group[a["role"]]),
                cedar_str(a["scope"].lower())))
        for d in denies:
            ag = action_group("deny", d["id"], deny_cover(d))
            prs = [p for p in d["principals"] if p != "*"]
            everyone = "*" in d["principals"]
            head = "principal"
            when = ""
            if not everyone and len(prs) == 1:
                head = "principal in P::%s" % cedar_str(prs[0])
            elif not everyone:
                when = " when { %s }" % " || ".join("principal in P::%s" % cedar_str(p) for p in prs)
            unless = ""
            if d.get("exclude_principals"):
                unless = " unless { %s }" % " || ".join(
                    "principal in P::%s" % cedar_str(p) for p in d["exclude_principals"])
            rop = "==" if d.get("apply_to_children") is False else "in"
            pol.append('forbid(%s, action in Action::%s, resource %s S::%s)%s%s;\n' % (
                head, cedar_str(ag), rop, cedar_str(d["scope"].lower()), when, unless))
        with open(os.path.join(args.out, "cedar", "policies.cedar"), "w") as f:
            f.write("".join(pol))
        # Entities: principals with their groups, the scope tree (every scope the
        # bundle or the query set names, with its ancestors), actions with their groups.
        ents = []
        principals = set(member_of)
        for g in groups:
            principals.add(g["id"])
        for a in assignments:
            principals.add(a["principal"])
        for p in sorted(principals):
            ents.append({"uid": {"type": "P", "id": p}, "attrs": {},
                         "parents": [{"type": "P", "id": g} for g in member_of.get(p, [])]})
        scopes = set()

        def add_scope(s):
            while s is not None and s not in scopes:
                scopes.add(s)
                s = parent_scope(s)

        for a in assignments:
            add_scope(a["scope"].lower())
        for d in denies:
            add_scope(d["scope"].lower())
        for _, _, r in queries:
            add_scope(r)
        for _, _, r in probes:
            add_scope(r)
        for s in sorted(scopes):
            ps = parent_scope(s)
            ents.append({"uid": {"type": "S", "id": s}, "attrs": {},
                         "parents": [] if ps is None else [{"type": "S", "id": ps}]})
        for i, n in enumerate(cat.names):
            ents.append({"uid": {"type": "Action", "id": n}, "attrs": {},
                         "parents": [{"type": "Action", "id": g} for g in action_parents[i]]})
        for gid in sorted(group_of_set.values()):
            ents.append({"uid": {"type": "Action", "id": gid}, "attrs": {}, "parents": []})
        with open(os.path.join(args.out, "cedar", "entities.json"), "w") as f:
            f.write("[\n")
            f.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in ents))
            f.write("\n]\n")
        summary["cedar_policies"] = len(pol)
        summary["cedar_entities"] = len(ents)
        summary["cedar_scopes"] = len(scopes)
        summary["cedar_action_groups"] = len(group_of_set)

    summary["translate_seconds"] = round(time.time() - t0, 2)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary), file=sys.stderr)


def make_probes(assignments, denies, groups, member_of, role_cover, deny_cover, cat, n):
    import random
    rng = random.Random(12345)
    members = {}
    for g in groups:
        members[g["id"]] = g.get("members", [])

    def a_user(p, depth=0):
        # a principal at the bottom of p's membership tree (p itself if not a group)
        while p in members and members[p] and depth < 70:
            p = rng.choice(members[p])
            depth += 1
        return p

    by_scope = {}
    for a in assignments:
        by_scope.setdefault(a["scope"].lower(), []).append(a)
    out = []

    def ancestors(s):
        while s is not None:
            yield s
            s = parent_scope(s)

    def trap(s):
        return s + "0" if s != "/" else "/x0"

    ds = denies if len(denies) <= n else rng.sample(denies, n)
    for d in ds:
        cov = sorted(deny_cover(d))
        if not cov:
            continue
        scope = d["scope"].lower()
        # a grant under this deny: an assignment at an ancestor-or-self scope
        cands = [a for s in ancestors(scope) for a in by_scope.get(s, [])]
        a = rng.choice(cands) if cands else None
        if a is not None:
            both = sorted(set(cov) & role_cover(a["role"]))
            if both:
                cov = both  # the grant covers it too: only the deny can refuse it
        act_in = cat.names[rng.choice(cov)]
        if d["principals"] == ["*"] or "*" in d["principals"]:
            who = a_user(a["principal"]) if a else "user:probe-nobody"
        else:
            who = a_user(rng.choice(d["principals"]))
        child = scope.rstrip("/") + "/probes/x1"
        out.append((who, act_in, scope))
        out.append((who, act_in, child))
        out.append((who, act_in, trap(scope)))
        if d.get("not_actions"):
            spared = sorted(cat.cover([x.lower() for x in d["actions"]], []) - set(cov))
            if spared:
                out.append((who, cat.names[rng.choice(spared)], child))
        if d.get("exclude_principals"):
            out.append((a_user(rng.choice(d["exclude_principals"])), act_in, child))
    # segment-prefix traps and children for plain assignments
    for a in (assignments if len(assignments) <= n else rng.sample(assignments, n)):
        cov = sorted(role_cover(a["role"]))
        if not cov:
            continue
        u = a_user(a["principal"])
        s = a["scope"].lower()
        act = cat.names[rng.choice(cov)]
        out.append((u, act, s.rstrip("/") + "/probes/x2"))
        out.append((u, act, trap(s)))
    return [q for q in out if "\t" not in q[0]]


# r.dom: the resource (a scope); the g domain matching function (Go) says "stored
# scope is an ancestor-or-self of the request scope"; globMatch is casbin's
# doublestar matcher, `{a,b}` alternation.
CASBIN_MODEL = """[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act, nact, eft, scope, scopeglob, kids, excl

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = globMatch(r.act, p.act) && !globMatch(r.act, p.nact) && \\
  ((p.eft == "allow" && g(r.sub, p.sub, r.dom)) || \\
   (p.eft == "deny" && (r.dom == p.scope || (p.kids == "1" && keyMatch(r.dom, p.scopeglob))) && \\
    (p.sub == "*" || g(r.sub, p.sub, r.dom)) && !g(r.sub, p.excl, r.dom)))
"""

# RBAC without domains: group membership in g; every assignment a policy line
# with its scope; scope inheritance by keyMatch on "scope/*".
CASBIN_FLAT_MODEL = """[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act, nact, eft, scope, scopeglob, kids, excl

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = globMatch(r.act, p.act) && !globMatch(r.act, p.nact) && \\
  (r.dom == p.scope || (p.kids == "1" && keyMatch(r.dom, p.scopeglob))) && \\
  (p.sub == "*" || g(r.sub, p.sub)) && !g(r.sub, p.excl)
"""

OPA_POLICY = r"""package rolegate

import rego.v1

# The decision: a grant and no deny assignment (deny beats grant).
default allow := false

allow if {
	grant
	not denied
}

# P: the principal and every group that contains it, transitively.
members := graph.reachable(data.rg.member_of, {input.principal}) | {input.principal}

# The resource and its ancestors, walked along the path: every prefix that
# ends before a "/" ("/a", "/a/b", ...), the root and the resource itself.
ancestors contains "/"

ancestors contains input.resource

ancestors contains substring(input.resource, 0, i) if {
	some i in indexof_n(input.resource, "/")
	i > 0
}

matches_any(pats) if {
	some pat in pats
	glob.match(pat, null, input.action)
}

covers(perm) if {
	matches_any(perm.actions)
	not matches_any(perm.not_actions)
}

grant if {
	some p in members
	by_scope := data.rg.assign[p]
	some s in ancestors
	some role in by_scope[s]
	covers(data.rg.roles[role])
}

applies_here(d, s) if d.children
applies_here(d, s) if s == input.resource

names_someone(d) if d.everyone
names_someone(d) if {
	some p in d.principals
	members[p]
}

excluded(d) if {
	some p in d.exclude
	members[p]
}

denied if {
	some s in ancestors
	some d in data.rg.deny[s]
	applies_here(d, s)
	covers(d)
	names_someone(d)
	not excluded(d)
}
"""

if __name__ == "__main__":
    main()

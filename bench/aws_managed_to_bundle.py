#!/usr/bin/env python3
"""bench/aws_managed_to_bundle.py — turns AWS managed policies into a rolegate
bundle, for measuring compile time and table bytes of real AWS conditions
(the conditions issue). Not the product's importer (lib/import/aws.*): a
measurement aid only, which keeps every statement as it is.

usage: bench/aws_managed_to_bundle.py [--policies FILE] [--actions FILE]
                                      --out FILE [--no-conditions]

Each statement of each policy becomes one bundle statement (SPEC §11):
principal = the policy ARN (arn:aws:iam::aws:policy/NAME for the deprecated
policies that have none); Action/NotAction, Resource/NotResource and
Condition kept as they are; the document's Version as policy_version. The
catalog is every `service:Action` of the action list, plus the literals the
policies name that the list lacks (a literal outside a closed catalog is a
compile error, and the list is a snapshot older than some policies).
--no-conditions drops every Condition (the baseline for bytes per
conditional statement). A summary goes to standard error.
"""
import argparse
import json
import sys

DATA = "/work/shared/data/aws/raw"


def as_list(v):
    return v if isinstance(v, list) else [v]


def load_catalog(path):
    names = {}
    with open(path) as f:
        header = f.readline().strip().split(",")
        si, ai = header.index("service_prefix"), header.index("action")
        for line in f:
            cols = line.rstrip("\n").split(",")
            if len(cols) <= max(si, ai) or not cols[si] or not cols[ai]:
                continue
            name = f"{cols[si]}:{cols[ai]}"
            names.setdefault(name.lower(), name)
    return names


def convert(policies, catalog, keep_conditions):
    statements, extra, counts = [], {}, {"policies": 0, "conditional": 0, "not_action": 0, "not_resource": 0}
    for p in policies:
        doc = p.get("document") or {}
        version = doc.get("Version")
        counts["policies"] += 1
        for j, st in enumerate(as_list(doc.get("Statement", []))):
            # 75 deprecated policies of the data set have no ARN: name one.
            arn = p.get("arn") or f"arn:aws:iam::aws:policy/{p['name']}"
            s = {"id": f"{p['name']}/{j}", "principal": arn, "effect": st["Effect"]}
            akey = "Action" if "Action" in st else "NotAction"
            rkey = "Resource" if "Resource" in st else "NotResource"
            s["actions" if akey == "Action" else "not_actions"] = as_list(st[akey])
            s["resources" if rkey == "Resource" else "not_resources"] = as_list(st[rkey])
            counts["not_action"] += akey == "NotAction"
            counts["not_resource"] += rkey == "NotResource"
            if version:
                s["policy_version"] = version
            if "Condition" in st:
                counts["conditional"] += 1
                if keep_conditions:
                    s["condition"] = st["Condition"]
            for a in as_list(st[akey]):
                if "*" not in a and "?" not in a and a.lower() not in catalog:
                    extra.setdefault(a.lower(), a)
            statements.append(s)
    return statements, extra, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", default=f"{DATA}/aws-managed-policies.json")
    ap.add_argument("--actions", default=f"{DATA}/aws-actions.csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-conditions", action="store_true")
    a = ap.parse_args()
    with open(a.policies) as f:
        policies = json.load(f)
    catalog = load_catalog(a.actions)
    statements, extra, counts = convert(policies, catalog, not a.no_conditions)
    names = sorted(set(catalog.values()) | set(extra.values()), key=str.lower)
    bundle = {"version": 1, "actions": [{"name": n} for n in names], "statements": statements}
    with open(a.out, "w") as f:
        json.dump(bundle, f, separators=(",", ":"))
    print(f"{counts['policies']} policies, {len(statements)} statements "
          f"({counts['conditional']} with a Condition{'' if not a.no_conditions else ', dropped'}, "
          f"{counts['not_action']} NotAction, {counts['not_resource']} NotResource); "
          f"{len(names)} actions ({len(extra)} literals not in the action list)", file=sys.stderr)


if __name__ == "__main__":
    main()

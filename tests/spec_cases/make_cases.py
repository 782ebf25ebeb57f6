#!/usr/bin/env python3
"""Writes tests/spec_cases/*.jsonl: hand-written cases for SPEC §10-§13.

Each case is written out by hand below (the expected answers are read from
the spec, not computed); this script only spares repeating the shared parts
of the bundles. Run it from anywhere; it rewrites the .jsonl files beside it.
Line format: see tests/spec_cases_test.cc.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ACTIONS = [
    {"name": "Svc/things/read"},
    {"name": "Svc/things/write"},
    {"name": "Svc/things/delete"},
    {"name": "Svc/blobs/read", "data": True},
    {"name": "Svc/admin/action", "effective_only_at": ["/subscriptions/*"]},
    {"name": "s3:GetObject"},
    {"name": "s3:PutObject"},
    {"name": "secretsmanager:GetSecretValue"},
    {"name": "Microsoft.Authorization/roleAssignments/write"},
    {"name": "Microsoft.Authorization/roleAssignments/delete"},
]

FILES = {}


def bundle(**kw):
    b = {"version": 1, "actions": ACTIONS}
    b.update(kw)
    return b


def check(principal, action, resource, context=None, groups=None):
    q = {"op": "check", "principal": principal, "action": action, "resource": resource}
    if context is not None:
        q["context"] = context
    if groups is not None:
        q["groups"] = groups
    return q


def allow(reason, rule):
    return {"decision": "allow", "reason": reason, "rule": rule}


def deny(reason, rule=None):
    return {"decision": "deny", "reason": reason, "rule": rule}


def case(file, b, q, expect, why):
    FILES.setdefault(file, []).append({"bundle": b, "query": q, "expect": expect, "why": why})


def error(file, b, why, pointer=None):
    """A bundle that must be rejected; `pointer`: a prefix of the JSON pointer
    the error must name (SPEC §6: each error names where it is)."""
    expect = {"error": True}
    if pointer:
        expect["pointer"] = pointer
    FILES.setdefault(file, []).append({"bundle": b, "expect": expect, "why": why})


# ---------------------------------------------------------------------------
# AWS conditions on statements (§10 AWS form)
# ---------------------------------------------------------------------------
U = "arn:aws:iam::1:user/u"
OBJ = "arn:aws:s3:::b/k"


def st(cond=None, effect="Allow", sid="s1", actions=None, resources=None, version=None, **kw):
    s = {"id": sid, "principal": U, "effect": effect}
    if actions is not None or "not_actions" not in kw:
        s["actions"] = actions or ["s3:GetObject"]
    if resources is not None or "not_resources" not in kw:
        s["resources"] = resources or ["arn:aws:s3:::b/*"]
    if version:
        s["policy_version"] = version
    if cond is not None:
        s["condition"] = cond
    s.update(kw)
    return s


def aws(cond, ctx, expect_allow, why, file="sec10_aws.jsonl", resource=OBJ, version=None):
    b = bundle(statements=[st(cond, version=version)])
    e = allow("statement", "s1") if expect_allow else deny("condition_not_met")
    case(file, b, check(U, "s3:GetObject", resource, ctx), e, why)


W = "Key names compare case-insensitively (ASCII)"
aws({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, {"AWS:SOURCEVPC": "vpc-1"}, True, W)
aws({"StringEquals": {"AWS:SourceVPC": "vpc-1"}}, {"aws:sourcevpc": "vpc-1"}, True, W)
aws({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, {"aws:SourceVpc": "VPC-1"}, False,
    "values compare as each operator says (StringEquals is case-sensitive)")
aws({"StringEquals": {"k": "v"}}, None, False, "An absent context is an empty one; absent key: the pair is false")
# String family
aws({"StringNotEquals": {"k": "v"}}, {"k": "w"}, True, "StringNotEquals")
aws({"StringNotEquals": {"k": "v"}}, {"k": "v"}, False, "StringNotEquals")
aws({"StringEqualsIgnoreCase": {"k": "VaLuE"}}, {"k": "value"}, True, "StringEqualsIgnoreCase")
aws({"StringNotEqualsIgnoreCase": {"k": "VaLuE"}}, {"k": "value"}, False, "StringNotEqualsIgnoreCase")
aws({"StringNotEqualsIgnoreCase": {"k": "VaLuE"}}, {"k": "other"}, True, "StringNotEqualsIgnoreCase")
aws({"StringLike": {"k": "pre*-?"}}, {"k": "prefix-1"}, True, "StringLike: * and ? wildcards")
aws({"StringLike": {"k": "pre*-?"}}, {"k": "prefix-12"}, False, "StringLike: ? is exactly one character")
aws({"StringNotLike": {"k": "pre*"}}, {"k": "post"}, True, "StringNotLike")
aws({"StringNotLike": {"k": "pre*"}}, {"k": "prefix"}, False, "StringNotLike")
aws({"StringEquals": {"k": "a*"}}, {"k": "abc"}, False, "wildcards in the Like forms only")
aws({"StringEquals": {"k": "a*"}}, {"k": "a*"}, True, "wildcards in the Like forms only")
aws({"StringEquals": {"k": ""}}, {"k": ""}, True, "Condition values and context strings may be empty")
aws({"StringEquals": {"k": ""}}, {"k": "x"}, False, "Condition values and context strings may be empty")
# Numeric family
aws({"NumericLessThan": {"n": 10}}, {"n": "5"}, True, "Numeric operators read strings (parsed)")
aws({"NumericLessThan": {"n": "10"}}, {"n": 5}, True, "Numeric operators read JSON numbers")
aws({"NumericLessThan": {"n": 10}}, {"n": 15}, False, "NumericLessThan")
aws({"NumericLessThan": {"n": 10}}, {"n": 10}, False, "NumericLessThan is strict")
aws({"NumericLessThanEquals": {"n": 10}}, {"n": 10}, True, "NumericLessThanEquals")
aws({"NumericGreaterThan": {"n": 10}}, {"n": 10.5}, True, "NumericGreaterThan")
aws({"NumericGreaterThanEquals": {"n": 10}}, {"n": 9}, False, "NumericGreaterThanEquals")
aws({"NumericEquals": {"n": 3}}, {"n": "3.0"}, True, "NumericEquals compares numbers, not text")
aws({"NumericNotEquals": {"n": 3}}, {"n": 4}, True, "NumericNotEquals")
aws({"NumericEquals": {"n": 3}}, {"n": "three"}, False,
    "A present value that an operator cannot read counts, for that operator, as absent")
aws({"NumericNotEquals": {"n": 3}}, {"n": True}, True,
    "an unreadable value counts as absent; absent with a negated operator is true")
aws({"NumericEqualsIfExists": {"n": 3}}, {"n": "x"}, True,
    "an unreadable value counts as absent; IfExists holds on an absent key")
# Dates
aws({"DateGreaterThan": {"t": "2020-01-01T00:00:00Z"}}, {"t": "2021-06-01T12:00:00Z"}, True, "Date: ISO 8601")
aws({"DateGreaterThan": {"t": "2020-01-01T00:00:00Z"}}, {"t": 1600000000}, True,
    "Date: ISO 8601 or epoch seconds, on both sides (JSON number)")
aws({"DateGreaterThan": {"t": "2020-01-01T00:00:00Z"}}, {"t": "1500000000"}, False,
    "Date: epoch seconds as a string (2017) is before 2020")
aws({"DateEquals": {"t": "1577836800"}}, {"t": "2020-01-01T00:00:00Z"}, True,
    "Date: epoch on the policy side equals the same instant in ISO 8601")
aws({"DateLessThan": {"t": "2020-01-01T00:00:00Z"}}, {"t": "2019-12-31T23:59:59Z"}, True, "DateLessThan")
aws({"DateLessThanEquals": {"t": "2020-01-01T00:00:00Z"}}, {"t": "2020-01-01T00:00:00Z"}, True, "DateLessThanEquals")
aws({"DateGreaterThanEquals": {"t": "2020-01-01T00:00:00Z"}}, {"t": "2019-01-01T00:00:00Z"}, False, "DateGreaterThanEquals")
aws({"DateNotEquals": {"t": "2020-01-01T00:00:00Z"}}, {"t": "2020-01-01T01:00:00+01:00"}, False,
    "DateNotEquals: the same instant in another offset is equal")
aws({"DateGreaterThan": {"t": "2020-01-01T00:00:00Z"}}, {"t": "not a date"}, False,
    "an unreadable date counts as absent")
# Bool
aws({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, True, "Bool: JSON booleans")
aws({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "TRUE"}, True, "Bool: strings, case-insensitive")
aws({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"}, False, "Bool")
aws({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "yes"}, False, "Bool: unreadable is absent")
# Binary
aws({"BinaryEquals": {"b": "QmluYXJ5"}}, {"b": "QmluYXJ5"}, True, "BinaryEquals (base64, bytes compared)")
aws({"BinaryEquals": {"b": "QmluYXJ5"}}, {"b": "QmluYXJ6"}, False, "BinaryEquals")
# IP
aws({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True, "IpAddress IPv4 CIDR")
aws({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "11.0.0.1"}, False, "IpAddress IPv4 CIDR")
aws({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "203.0.113.9"}, True, "IpAddress: /0 is every address")
aws({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::1"}, True, "IpAddress IPv6 CIDR")
aws({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db9::1"}, False, "IpAddress IPv6 CIDR")
aws({"IpAddress": {"aws:SourceIp": "::/0"}}, {"aws:SourceIp": "::1"}, True, "IpAddress: IPv6 /0")
aws({"IpAddress": {"aws:SourceIp": "10.0.0.1"}}, {"aws:SourceIp": "10.0.0.1"}, True, "a bare address is /32")
aws({"IpAddress": {"aws:SourceIp": "10.0.0.1"}}, {"aws:SourceIp": "10.0.0.2"}, False, "a bare address is /32")
aws({"IpAddress": {"aws:SourceIp": "2001:db8::1"}}, {"aws:SourceIp": "2001:db8::2"}, False, "a bare address is /128")
aws({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.168.0.1"}, True, "NotIpAddress")
aws({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.9.9.9"}, False, "NotIpAddress")
aws({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}, {"aws:SourceIp": "2001:db8::5"}, True,
    "the values of one key OR")
# ARN operators
aws({"ArnLike": {"aws:SourceArn": "arn:aws:iam::123:role/*"}}, {"aws:SourceArn": "arn:aws:iam::123:role/x"}, True, "ArnLike")
aws({"ArnEquals": {"aws:SourceArn": "arn:aws:iam::*:role/x"}}, {"aws:SourceArn": "arn:aws:iam::1:2:role/x"}, False,
    "each of the six colon-separated fields matched separately (a * in field 5 does not cross :)")
aws({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, {"aws:SourceArn": "arn:aws:s3:::b/k:x"}, True,
    "`*` in the sixth field crossing `:` and `/`")
aws({"ArnEquals": {"aws:SourceArn": "arn:aws:IAM::123:role/x"}}, {"aws:SourceArn": "ARN:AWS:iam::123:role/x"}, True,
    "fields 1-5 case-insensitive")
aws({"ArnEquals": {"aws:SourceArn": "arn:aws:iam::123:role/x"}}, {"aws:SourceArn": "arn:aws:iam::123:role/X"}, False,
    "the rest case-sensitive")
aws({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:*"}}, {"aws:SourceArn": "not-an-arn"}, False,
    "a value that is not an ARN matches no ArnEquals/ArnLike pattern")
aws({"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:*"}}, {"aws:SourceArn": "not-an-arn"}, True,
    "a value that is not an ARN matches no pattern, so ArnNotLike holds")
aws({"ArnNotEquals": {"aws:SourceArn": "arn:aws:iam::123:role/x"}}, {"aws:SourceArn": "arn:aws:iam::123:role/x"}, False, "ArnNotEquals")
# Null
aws({"Null": {"aws:TokenIssueTime": "true"}}, {}, True, "Null true: the key is absent")
aws({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "x"}, False, "Null true: the key is absent")
aws({"Null": {"aws:TokenIssueTime": False}}, {"aws:tokenissuetime": "x"}, True, "Null false: present")
aws({"Null": {"aws:TokenIssueTime": "false"}}, {}, False, "Null false: present")
# IfExists
aws({"StringEqualsIfExists": {"k": "v"}}, {}, True, "IfExists: when the key is absent, the pair holds")
aws({"StringEqualsIfExists": {"k": "v"}}, {"k": "w"}, False, "IfExists: a present key is compared")
aws({"StringEqualsIfExists": {"k": "v"}}, {"k": "v"}, True, "IfExists: a present key is compared")
aws({"StringNotEqualsIfExists": {"k": "v"}}, {}, True, "IfExists with a negated operator, key absent")
aws({"StringNotEqualsIfExists": {"k": "v"}}, {"k": "v"}, False, "IfExists with a negated operator, key present and equal")
aws({"StringNotEqualsIfExists": {"k": "v"}}, {"k": "w"}, True, "IfExists with a negated operator, key present and different")
aws({"NumericLessThanIfExists": {"n": 5}}, {}, True, "IfExists on any operator but Null")
# Combination
aws({"StringEquals": {"a": "1"}, "StringLike": {"b": "x*"}}, {"a": "1", "b": "xy"}, True, "all operators AND")
aws({"StringEquals": {"a": "1"}, "StringLike": {"b": "x*"}}, {"a": "1", "b": "yy"}, False, "all operators AND")
aws({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False, "all keys of one operator AND")
aws({"StringEquals": {"a": ["1", "2"]}}, {"a": "2"}, True, "the values of one key OR")
aws({"StringNotEquals": {"a": ["1", "2"]}}, {"a": "2"}, False, "a negated operator: the request value must match none of the values")
aws({"StringNotEquals": {"a": ["1", "2"]}}, {"a": "3"}, True, "a negated operator: the request value must match none of the values")
aws({"StringNotEquals": {"k": "v"}}, {}, True, "Absent key: the pair is false, except negated operators (true)")
aws({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True, "Absent key: negated operators (true)")
aws({"StringEquals": {"k": "5"}}, {"k": 5}, False, "String operators read JSON strings (a number counts as absent)")
aws({"StringNotEquals": {"k": "5"}}, {"k": 5}, True, "String operators read JSON strings (a number counts as absent; negated: true)")
# Set prefixes
aws({"ForAnyValue:StringEquals": {"tags": ["a", "b"]}}, {"tags": ["c", "a"]}, True, "ForAnyValue: some request value")
aws({"ForAnyValue:StringEquals": {"tags": ["a", "b"]}}, {"tags": ["c"]}, False, "ForAnyValue: some request value")
aws({"ForAnyValue:StringEquals": {"tags": ["a", "b"]}}, {}, False, "ForAnyValue: false when the key is absent")
aws({"ForAnyValue:StringEquals": {"tags": ["a", "b"]}}, {"tags": []}, False, "ForAnyValue: false when the key is empty")
aws({"ForAllValues:StringEquals": {"tags": ["a", "b"]}}, {"tags": ["a", "b", "a"]}, True, "ForAllValues: every request value")
aws({"ForAllValues:StringEquals": {"tags": ["a", "b"]}}, {"tags": ["a", "c"]}, False, "ForAllValues: every request value")
aws({"ForAllValues:StringEquals": {"tags": ["a", "b"]}}, {}, True, "ForAllValues: true when the key is absent")
aws({"ForAllValues:StringEquals": {"tags": ["a", "b"]}}, {"tags": []}, True, "ForAllValues: true when the key is empty")
aws({"ForAnyValue:StringNotEquals": {"tags": ["a"]}}, {}, False,
    "for an absent key the set rules win over the negated-operator rule (ForAnyValue false)")
aws({"ForAllValues:StringNotEquals": {"tags": ["a"]}}, {"tags": ["b", "c"]}, True, "ForAllValues with a negated operator")
aws({"ForAllValues:StringNotEquals": {"tags": ["a"]}}, {"tags": ["b", "a"]}, False, "ForAllValues with a negated operator")
aws({"ForAnyValue:StringNotEquals": {"tags": ["a"]}}, {"tags": ["a", "b"]}, True, "ForAnyValue with a negated operator")
aws({"ForAnyValue:StringEqualsIfExists": {"tags": ["a"]}}, {}, False,
    "IfExists with a set prefix: the prefix's own rule for an absent key wins")
aws({"ForAllValues:StringEqualsIfExists": {"tags": ["a"]}}, {}, True,
    "IfExists with a set prefix: the prefix's own rule for an absent key wins")
aws({"ForAnyValue:StringLike": {"tags": ["te*"]}}, {"tags": "test"}, True, "a set prefix over a single value")
aws({"ForAnyValue:NumericLessThan": {"n": 10}}, {"n": ["20", "5"]}, True, "a set prefix with a Numeric operator reads strings")
aws({"ForAllValues:NumericLessThan": {"n": 5}}, {"n": ["3", "x"]}, False,
    "A present value that an operator cannot read counts, for that operator, as absent: in a list, the element fails a plain operator")
aws({"ForAllValues:NumericLessThan": {"n": 5}}, {"n": ["x"]}, False,
    "an unreadable list element does not empty the set (ForAllValues false)")
aws({"ForAllValues:NumericLessThan": {"n": 5}}, {"n": "x"}, True,
    "a single unreadable value counts as absent: ForAllValues true when the key is absent")
aws({"ForAnyValue:NumericNotEquals": {"n": 5}}, {"n": ["x"]}, True,
    "an unreadable list element counts as absent for the operator: a negated operator holds")
aws({"StringEquals": {"tags": "a"}}, {"tags": ["a"]}, False, "An operator without a set prefix over a multi-valued key is false")
aws({"StringNotEquals": {"tags": "a"}}, {"tags": ["b"]}, False, "... is false (negated ...)")
aws({"StringEqualsIfExists": {"tags": "a"}}, {"tags": ["a"]}, False, "... is false (... IfExists or not)")
aws({"StringNotEqualsIfExists": {"tags": "a"}}, {"tags": ["b"]}, False, "... is false (negated, IfExists or not)")

# Deny statements with conditions
F = "sec10_aws.jsonl"
ALLOW_ALL = st(sid="allow", actions=["s3:*"], resources=["*"])
case(F, bundle(statements=[st({"ForAllValues:StringEquals": {"tags": ["x"]}}, effect="Deny", sid="d"), ALLOW_ALL]),
     check(U, "s3:GetObject", OBJ, {}), deny("deny_statement", "d"),
     "ForAllValues on an absent key is true, so the Deny applies")
case(F, bundle(statements=[st({"ForAnyValue:StringEquals": {"tags": ["x"]}}, effect="Deny", sid="d"), ALLOW_ALL]),
     check(U, "s3:GetObject", OBJ, {}), allow("statement", "allow"),
     "ForAnyValue on an absent key is false: a conditional deny whose condition fails falls through")
case(F, bundle(statements=[st({"StringNotEquals": {"tags": "x"}}, effect="Deny", sid="d"), ALLOW_ALL]),
     check(U, "s3:GetObject", OBJ, {"tags": ["y"]}), allow("statement", "allow"),
     "An operator without a set prefix over a multi-valued key is false, also in a Deny")
case(F, bundle(statements=[st({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, effect="Deny", sid="d"), ALLOW_ALL]),
     check(U, "s3:GetObject", OBJ, {"aws:MultiFactorAuthPresent": False}), deny("deny_statement", "d"),
     "A rule with a condition counts in its step of §3 only when the condition holds (deny)")
case(F, bundle(statements=[st({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, effect="Deny", sid="d"), ALLOW_ALL]),
     check(U, "s3:GetObject", OBJ, {"aws:MultiFactorAuthPresent": True}), allow("statement", "allow"),
     "a conditional deny whose condition fails falls through")
case(F, bundle(statements=[st({"StringEquals": {"k": "no"}}, sid="c1"), st({"StringEquals": {"k": "yes"}}, sid="c2")]),
     check(U, "s3:GetObject", OBJ, {"k": "yes"}), allow("statement", "c2"),
     "The deciding rule of a conditional rule is named as any other (first matching in bundle order)")

# Policy variables
PV = "sec10_variables.jsonl"


def var(resources, ctx, resource, ok, why, version="2012-10-17", cond=None):
    b = bundle(statements=[st(cond, resources=resources, version=version)])
    e = allow("statement", "s1") if ok else deny("condition_not_met" if cond else "no_grant")
    case(PV, b, check(U, "s3:GetObject", resource, ctx), e, why)


var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/alice/x", True,
    "policy_version 2012-10-17: ${KEY} in a resource pattern is replaced by the context's string")
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/bob/x", False,
    "policy_version 2012-10-17: ${KEY} replaced")
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/${aws:username}/x", False,
    "with 2012-10-17 ${...} is a variable, not literal text")
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/${aws:username}/x", True,
    "Without policy_version, ${...} is literal text", version=None)
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/alice/x", False,
    "Without policy_version, ${...} is literal text", version=None)
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": "alice"}, "arn:aws:s3:::b/alice/x", False,
    "with 2008-10-17, ${...} is literal text", version="2008-10-17")
var(["arn:aws:s3:::b/${*}"], {}, "arn:aws:s3:::b/*", True, "${*} is a literal *")
var(["arn:aws:s3:::b/${*}"], {}, "arn:aws:s3:::b/x", False, "${*} is a literal * (not a wildcard)")
var(["arn:aws:s3:::b/a${?}"], {}, "arn:aws:s3:::b/a?", True, "${?} is a literal ?")
var(["arn:aws:s3:::b/a${?}"], {}, "arn:aws:s3:::b/ax", False, "${?} is a literal ? (not a wildcard)")
var(["arn:aws:s3:::b/${$}x"], {}, "arn:aws:s3:::b/$x", True, "${$} is a literal $")
var(["arn:aws:s3:::b/${aws:username, 'anon'}/*"], {}, "arn:aws:s3:::b/anon/x", True, "${KEY, 'default'} supplies a default")
var(["arn:aws:s3:::b/${aws:username, 'anon'}/*"], {"aws:username": "eve"}, "arn:aws:s3:::b/eve/x", True,
    "a default is used only when the key has no value")
var(["arn:aws:s3:::b/${aws:username}/*"], {}, "arn:aws:s3:::b//x", False,
    "A value or pattern whose variable has no value matches nothing")
var(["arn:aws:s3:::b/${aws:username}*"], {}, "arn:aws:s3:::b/x", False,
    "A pattern whose variable has no value matches nothing (even with a *)")
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": 7}, "arn:aws:s3:::b/7/x", False,
    "replaced by the context's single-valued STRING for KEY (a number is none)")
var(["arn:aws:s3:::b/${aws:username}/*"], {"aws:username": ["alice"]}, "arn:aws:s3:::b/alice/x", False,
    "replaced by the context's SINGLE-VALUED string for KEY")
var(["arn:aws:s3:::b/${aws:username}"], {"aws:username": "a*"}, "arn:aws:s3:::b/abc", False,
    "A substituted variable's text matches literally (its * is not a wildcard)")
var(["arn:aws:s3:::b/${aws:username}"], {"aws:username": "a*"}, "arn:aws:s3:::b/a*", True,
    "A substituted variable's text matches literally")
var(["arn:aws:s3:::b/${AWS:UserName}"], {"aws:username": "al"}, "arn:aws:s3:::b/al", True,
    "context keys compare case-insensitively, also as variables")
var(["/users/${aws:username}/*"], {"aws:username": "al"}, "/Users/al/x", True,
    "a variable in a scope pattern (a scope resource compares case-insensitively)")
var(["*"], {"k": "home/bob", "aws:username": "bob"}, OBJ, True,
    "${KEY} in a condition value of a String operator", cond={"StringEquals": {"k": "home/${aws:username}"}})
var(["*"], {"k": "home/bob"}, OBJ, False,
    "a condition value whose variable has no value matches nothing",
    cond={"StringEquals": {"k": "home/${aws:username}"}})
var(["*"], {"k": "home/x"}, OBJ, True,
    "a condition value whose variable has no value matches nothing: a negated operator then holds",
    cond={"StringNotEquals": {"k": "home/${aws:username}"}})
var(["*"], {"k": "a*", "u": "a*"}, OBJ, True,
    "a substituted variable in StringLike matches literally",
    cond={"StringLike": {"k": "${u}"}})
var(["*"], {"k": "abc", "u": "a*"}, OBJ, False,
    "a substituted variable in StringLike matches literally (its * is no wildcard)",
    cond={"StringLike": {"k": "${u}"}})
var(["*"], {"k": "home/${aws:username}"}, OBJ, True,
    "without policy_version, ${...} in a condition value is literal text", version=None,
    cond={"StringEquals": {"k": "home/${aws:username}"}})
var(["*"], {"arn": "arn:aws:iam::42:role/r", "acct": "42"}, OBJ, True,
    "${KEY} in a condition value of an Arn operator",
    cond={"ArnEquals": {"arn": "arn:aws:iam::${acct}:role/*"}})

# ---------------------------------------------------------------------------
# §11 statements in full
# ---------------------------------------------------------------------------
S11 = "sec11_statements.jsonl"
case(S11, bundle(statements=[st(not_actions=["s3:PutObject"], resources=["*"])]),
     check(U, "s3:GetObject", OBJ), allow("statement", "s1"),
     "not_actions: every catalog action that none of the patterns matches")
case(S11, bundle(statements=[st(not_actions=["s3:PutObject"], resources=["*"])]),
     check(U, "s3:PutObject", OBJ), deny("no_grant"), "not_actions: a matched action is not covered")
case(S11, bundle(statements=[st(not_actions=["s3:*"], resources=["*"])]),
     check(U, "Svc/things/read", "/x"), allow("statement", "s1"),
     "not_actions reaches every other catalog action")
ND = [st(effect="Deny", sid="d", actions=["s3:*"], not_resources=["arn:aws:s3:::safe/*"]),
      st(sid="allow", actions=["s3:*"], resources=["*"])]
case(S11, bundle(statements=ND), check(U, "s3:GetObject", "arn:aws:s3:::other/x"), deny("deny_statement", "d"),
     "NotResource with Deny: every resource that none of the patterns matches is denied")
case(S11, bundle(statements=ND), check(U, "s3:GetObject", "arn:aws:s3:::safe/x"), allow("statement", "allow"),
     "NotResource with Deny: a listed resource is not denied")
case(S11, bundle(statements=ND), check(U, "s3:GetObject", "/subscriptions/s1"), deny("deny_statement", "d"),
     "not_resources: every resource (a scope too) that none of the patterns matches")
R = "arn:aws:secretsmanager:*:123:secret:x"
case(S11, bundle(statements=[st(actions=["secretsmanager:GetSecretValue"], resources=[R])]),
     check(U, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us:east:123:secret:x"), deny("no_grant"),
     "ARN fields 1-5 each a glob on its own: a region * does not cross :")
case(S11, bundle(statements=[st(actions=["secretsmanager:GetSecretValue"], resources=[R])]),
     check(U, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-west-2:123:secret:x"), allow("statement", "s1"),
     "ARN fields 1-5 each a glob on its own")
case(S11, bundle(statements=[st(resources=["arn:aws:S3:::b/k"])]),
     check(U, "s3:GetObject", "ARN:AWS:s3:::b/k"), allow("statement", "s1"), "fields 1-5 case-insensitively")
case(S11, bundle(statements=[st(resources=["arn:aws:s3:::b/k"])]),
     check(U, "s3:GetObject", "arn:aws:s3:::B/k"), deny("no_grant"), "field 6 onward case-sensitively")
case(S11, bundle(statements=[st(resources=["arn:aws:s3:::b/*"])]),
     check(U, "s3:GetObject", "arn:aws:s3:::b/x:y/z"), allow("statement", "s1"),
     "field 6 onward, : and / included, as one glob")
case(S11, bundle(statements=[st(resources=["arn:*"])]),
     check(U, "s3:GetObject", "arn:aws:s3:::b"), allow("statement", "s1"),
     "a pattern that is not an ARN (fewer than six fields) keeps the whole-string rule")
case(S11, bundle(statements=[st(resources=["arn:*"])]),
     check(U, "s3:GetObject", "ARN:aws:s3:::b"), deny("no_grant"),
     "the whole-string rule is case-sensitive for a non-scope resource")
case(S11, bundle(statements=[st(resources=["arn:aws:s3:::*"])]),
     check(U, "s3:GetObject", "arn:aws:s3:::"), allow("statement", "s1"), "an ARN with an empty sixth field")
s_both = st()
s_both["not_actions"] = ["s3:PutObject"]
error(S11, bundle(statements=[s_both]), "A statement has actions or not_actions (exactly one)")
s_none = st()
del s_none["actions"]
error(S11, bundle(statements=[s_none]), "A statement has actions or not_actions (exactly one): neither")
s_both_r = st()
s_both_r["not_resources"] = ["*"]
error(S11, bundle(statements=[s_both_r]), "resources or not_resources (exactly one)")
s_none_r = st()
del s_none_r["resources"]
error(S11, bundle(statements=[s_none_r]), "resources or not_resources (exactly one): neither")
error(S11, bundle(statements=[st(version="2013-01-01")]), "policy_version is 2012-10-17 or 2008-10-17",
      "/statements/0/policy_version")
error(S11, bundle(statements=[st(not_actions=["s3:NoSuchAction"], resources=["*"])]),
      "a literal in not_actions must be in the catalog")

# ---------------------------------------------------------------------------
# Azure conditions (§10 Azure form)
# ---------------------------------------------------------------------------
AZ = "sec10_azure.jsonl"
ROLE_ALL = {"id": "all", "actions": ["Svc/*", "Microsoft.Authorization/*"], "data_actions": ["Svc/*"]}
RES = "/subscriptions/s1/rg/x"


def az(condition, ctx, ok, why, action="Svc/things/read", resource=RES, file=AZ):
    b = bundle(roles=[ROLE_ALL], assignments=[
        {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": condition}])
    e = allow("grant", "a1") if ok else deny("condition_not_met")
    case(file, b, check("u", action, resource, ctx), e, why)


def az_error(condition, why):
    error(AZ, bundle(roles=[ROLE_ALL], assignments=[
        {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": condition}]), why,
          "/assignments/0/condition")


A = "@Resource[tag]"
az(f"{A} StringEquals 'x'", {"@Resource[tag]": "x"}, True, "the context key whose name is the whole reference text")
az(f"{A} StringEquals 'x'", {"@RESOURCE[TAG]": "x"}, True, "the reference text compares case-insensitively, as keys do")
az(f"{A} StringEquals 'x'", {"tag": "x"}, False, "the key is the whole reference text, not the name inside")
az(f"{A} StringEquals 'x'", {A: "X"}, False, "StringEquals is case-sensitive")
az(f"{A} StringEqualsIgnoreCase 'x'", {A: "X"}, True, "StringEqualsIgnoreCase")
az(f"{A} StringNotEquals 'x'", {A: "y"}, True, "StringNotEquals")
az(f"{A} StringNotEquals 'x'", {A: "x"}, False, "StringNotEquals")
az(f"{A} StringNotEqualsIgnoreCase 'x'", {A: "X"}, False, "StringNotEqualsIgnoreCase")
az(f"{A} StringStartsWith 'pre'", {A: "prefix"}, True, "StringStartsWith")
az(f"{A} StringStartsWith 'pre'", {A: "Prefix"}, False, "StringStartsWith (case-sensitive)")
az(f"{A} StringStartsWithIgnoreCase 'pre'", {A: "Prefix"}, True, "StringStartsWithIgnoreCase")
az(f"{A} StringNotStartsWith 'pre'", {A: "post"}, True, "StringNotStartsWith")
az(f"{A} StringNotStartsWithIgnoreCase 'pre'", {A: "PREfix"}, False, "StringNotStartsWithIgnoreCase")
az(f"{A} StringLike 'a*c'", {A: "abbc"}, True, "StringLike")
az(f"{A} StringLike 'a*c'", {A: "abbd"}, False, "StringLike")
az(f"{A} StringLikeIgnoreCase 'a*c'", {A: "ABBC"}, True, "StringLikeIgnoreCase")
az(f"{A} StringNotLike 'a*c'", {A: "abbd"}, True, "StringNotLike")
az(f"{A} StringNotLikeIgnoreCase 'a*c'", {A: "ABC"}, False, "StringNotLikeIgnoreCase")
N = "@Request[n]"
az(f"{N} NumericEquals 5", {N: 5}, True, "NumericEquals (integers)")
az(f"{N} NumericNotEquals 5", {N: 6}, True, "NumericNotEquals")
az(f"{N} NumericLessThan 5", {N: 4}, True, "NumericLessThan")
az(f"{N} NumericLessThan 5", {N: 5}, False, "NumericLessThan")
az(f"{N} NumericLessThanEquals 5", {N: 5}, True, "NumericLessThanEquals")
az(f"{N} NumericGreaterThan 5", {N: 5}, False, "NumericGreaterThan")
az(f"{N} NumericGreaterThanEquals 5", {N: 5}, True, "NumericGreaterThanEquals")
az(f"{N} NumericGreaterThan -3", {N: -2}, True, "bare numbers (negative)")
D = "@Environment[UtcNow]"
az(f"{D} DateTimeGreaterThan '2023-05-01T13:00:00.0Z'", {D: "2023-06-01T00:00:00Z"}, True, "DateTimeGreaterThan")
az(f"{D} DateTimeGreaterThanEquals '2023-05-01T13:00:00.0Z'", {D: "2023-05-01T13:00:00Z"}, True, "DateTimeGreaterThanEquals")
az(f"{D} DateTimeLessThan '2023-05-01T13:00:00.0Z'", {D: "2023-05-01T13:00:00Z"}, False, "DateTimeLessThan")
az(f"{D} DateTimeLessThanEquals '2023-05-01T13:00:00.0Z'", {D: "2023-05-01T12:00:00Z"}, True, "DateTimeLessThanEquals")
az(f"{D} DateTimeEquals '2023-05-01T13:00:00.0Z'", {D: "2023-05-01T13:00:00Z"}, True, "DateTimeEquals")
az(f"{D} DateTimeNotEquals '2023-05-01T13:00:00.0Z'", {D: "2023-05-01T13:00:00Z"}, False, "DateTimeNotEquals")
G = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
az(f"{G} GuidEquals 49fc33c1886f4b21a00e1d9993234734", {G: "49FC33C1-886F-4B21-A00E-1D9993234734"}, True,
   "GuidEquals compares GUID values (case and dashes do not matter)")
az(f"{G} GuidEquals 49FC33C1-886F-4B21-A00E-1D9993234734", {G: "49fc33c1886f4b21a00e1d9993234734"}, True,
   "GuidEquals: case and dashes do not matter, either side")
az(f"{G} GuidNotEquals 49fc33c1-886f-4b21-a00e-1d9993234734", {G: "49FC33C1886F4B21A00E1D9993234734"}, False,
   "GuidNotEquals (case-insensitive)")
az(f"{G} GuidNotEquals 49fc33c1-886f-4b21-a00e-1d9993234734", {G: "00000000-0000-0000-0000-000000000000"}, True,
   "GuidNotEquals")
az(f"{G} ForAnyOfAnyValues:GuidEquals {{ba92f5b4-2d11-453d-a403-e96b0029c9fe, 49FC33C1-886F-4B21-A00E-1D9993234734}}",
   {G: ["49fc33c1-886f-4b21-a00e-1d9993234734"]}, True, "ForAnyOfAnyValues:GuidEquals with differing case")
az(f"{G} ForAnyOfAnyValues:GuidEquals{{ba92f5b4-2d11-453d-a403-e96b0029c9fe}}",
   {G: "BA92F5B4-2D11-453D-A403-E96B0029C9FE"}, True, "`{` may follow an operator without a space")
az(f"{G} ForAnyOfAnyValues:GuidEquals {{ba92f5b4-2d11-453d-a403-e96b0029c9fe}}",
   {G: ["00000000-0000-0000-0000-000000000000"]}, False, "ForAnyOfAnyValues:GuidEquals, no value matches")
B = "@Request[flag]"
az(f"{B} BoolEquals true", {B: True}, True, "BoolEquals, bare true")
az(f"{B} BoolEquals false", {B: True}, False, "BoolEquals, bare false")
az(f"{B} BoolNotEquals true", {B: False}, True, "BoolNotEquals")
az(f"{B} boolequals TRUE", {B: "true"}, True, "operator names compare case-insensitively (boolequals)")
az(f"{A} stringequals 'x'", {A: "x"}, True, "operator names compare case-insensitively")
L = "@Resource[list]"
az(f"{L} ForAnyOfAllValues:NumericLessThan {{15, 18}}", {L: ["10", "20"]}, True,
   "{10,20} ForAnyOfAllValues:NumericLessThan {15,18} holds")
az(f"{L} ForAllOfAllValues:NumericLessThan {{15, 25, 30}}", {L: ["10", "20"]}, False,
   "{10,20} ForAllOfAllValues:NumericLessThan {15,25,30} does not")
az(f"{L} ForAllOfAllValues:NumericLessThan {{25, 30}}", {L: ["10", "20"]}, True, "ForAllOfAllValues: every against every")
az(f"{L} ForAnyOfAnyValues:NumericLessThan {{15}}", {L: ["20", "10"]}, True, "ForAnyOfAnyValues: some against some")
az(f"{L} ForAllOfAnyValues:NumericLessThan {{15, 25}}", {L: ["10", "20"]}, True, "ForAllOfAnyValues: every against some")
az(f"{L} ForAllOfAnyValues:NumericLessThan {{15, 18}}", {L: ["10", "20"]}, False, "ForAllOfAnyValues: every against some")
az(f"{L} ForAnyOfAllValues:StringNotEquals {{'a', 'b'}}", {L: ["a", "c"]}, True,
   "ForAnyOfAllValues with a negated operator: some left value against every right value")
az(f"{L} ForAllOfAnyValues:StringEquals {{'a', 'b'}}", {L: ["a", "c"]}, False, "ForAllOfAnyValues:StringEquals")
az(f"{L} ForAnyOfAnyValues:StringEquals 'a'", {L: ["b", "a"]}, True, "a prefix with a single right value")
az(f"{L} StringEquals 'a'", {L: ["a"]}, False, "Without a prefix, a multi-valued attribute makes the comparison false")
az(f"{L} StringNotEquals 'a'", {L: ["b"]}, False, "Without a prefix, a multi-valued attribute makes the comparison false (negated)")
az(f"{A} StringEquals 'x'", {}, False, "A comparison over an absent attribute is false")
az(f"{A} StringNotEquals 'x'", {}, False, "A comparison over an absent attribute is false, negated or not")
az(f"!({A} StringNotEquals 'x')", {}, True, "NOT of a comparison over an absent attribute is true")
az(f"Exists {A}", {A: ""}, True, "Exists tests presence")
az(f"Exists {A}", {}, False, "Exists tests presence")
az(f"NOT Exists {A}", {}, True, "NOT Exists")
az("ActionMatches{'Svc/things/*'}", {}, True, "ActionMatches: glob over the query's action", action="Svc/things/write")
az("ActionMatches{'svc/THINGS/*'}", {}, True, "ActionMatches is case-insensitive", action="Svc/things/write")
az("ActionMatches{'Svc/things/r*'}", {}, False, "ActionMatches with a wildcard", action="Svc/things/write")
az("ActionMatches{'Svc/things/read'}", {}, True, "ActionMatches with a literal", action="svc/THINGS/READ")
az("SubOperationMatches{'Blob.List'}", {"SubOperation": "Blob.List"}, True,
   "SubOperationMatches reads the context key SubOperation", action="Svc/blobs/read")
az("SubOperationMatches{'Blob.List'}", {}, False, "SubOperationMatches: SubOperation absent", action="Svc/blobs/read")
az("!SubOperationMatches{'Blob.List'}", {}, True, "NOT SubOperationMatches: SubOperation absent", action="Svc/blobs/read")
T = f"{A} StringEquals 'x'"
F2 = f"{N} NumericEquals 1"
az(f"{T} AND {F2}", {A: "x", N: 1}, True, "AND")
az(f"{T} && {F2}", {A: "x", N: 2}, False, "&&")
az(f"{T} OR {F2}", {A: "y", N: 1}, True, "OR")
az(f"{T} || {F2}", {A: "y", N: 2}, False, "||")
az(f"NOT {T}", {A: "y"}, True, "NOT")
az(f"!{T}", {A: "x"}, False, "!")
az(f"({T}) AND ({F2} OR Exists {B})", {A: "x", B: True}, True, "parentheses")
az(f"{T} AND ({F2} OR Exists {B})", {A: "x", N: 9}, False, "parentheses")
az(f"(({T}))", {A: "x"}, True, "nested parentheses")
az(f"{T} and {F2}", {A: "x", N: 1}, True, "connective names compare case-insensitively (and)")
az(f"(!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR ({G} ForAnyOfAnyValues:GuidEquals {{ba92f5b4-2d11-453d-a403-e96b0029c9fe}})",
   {G: ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"]}, True,
   "an Azure delegation condition: writing a role assignment of an allowed role",
   action="Microsoft.Authorization/roleAssignments/write")
az(f"(!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR ({G} ForAnyOfAnyValues:GuidEquals {{ba92f5b4-2d11-453d-a403-e96b0029c9fe}})",
   {G: ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"]}, False,
   "an Azure delegation condition: writing a role assignment of another role",
   action="Microsoft.Authorization/roleAssignments/write")
az(f"(!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR ({G} ForAnyOfAnyValues:GuidEquals {{ba92f5b4-2d11-453d-a403-e96b0029c9fe}})",
   {}, True, "an Azure delegation condition: other actions pass", action="Microsoft.Authorization/roleAssignments/delete")

az_error(f"{T} AND {F2} OR Exists {B}", "mixing AND and OR without parentheses is an error")
az_error(f"{T} || {F2} && Exists {B}", "mixing && and || without parentheses is an error")
az_error(f"{A} StringEquals {{'a', 'b'}}", "Without a prefix ... a literal set there is a compile error")
az_error(f"{A} StringEquals @Request[other]", "comparing two attributes is a compile error")
az_error(f"{A} StringEqualz 'x'", "an unknown operator is a compile error")
az_error(f"{A} StringEquals", "a condition that does not parse")
az_error(f"({T}", "a condition that does not parse (unbalanced parentheses)")
az_error(f"{T} garbage", "a condition that does not parse (trailing text)")
az_error(f"@Foo[x] StringEquals 'x'", "attributes are @Resource, @Request, @Principal, @Environment")
az_error(f"{N} NumericEquals 'five'", "an operator given a value of the wrong type is a compile error")
az_error(f"{G} GuidEquals 'not-a-guid'", "GuidEquals given a value that is not a GUID")
az_error(f"{B} BoolEquals 5", "BoolEquals given a number")
az_error(f"{A} StringEquals 5", "values are 'quoted strings' for String operators")
az_error(f"{D} DateTimeEquals 'yesterday'", "DateTime operator given a value that is not a date")
az_error("ActionMatches{Svc/things/read}", "ActionMatches takes a 'quoted string'")
az_error("", "a condition that does not parse (empty)")
error(AZ, bundle(roles=[ROLE_ALL], assignments=[{"id": "a1", "principal": "u", "role": "all", "scope": "/s"}],
                 deny_assignments=[{"id": "d1", "principals": ["*"], "actions": ["*"], "scope": "/s",
                                    "condition": f"{T} OR"}]), "a deny assignment's condition that does not parse",
      "/deny_assignments/0/condition")

# Deny assignments with conditions
DA = "sec10_azure.jsonl"


def da_bundle(cond):
    return bundle(roles=[ROLE_ALL],
                  assignments=[{"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1"}],
                  deny_assignments=[{"id": "d1", "principals": ["*"], "actions": ["Svc/*"],
                                     "scope": "/subscriptions/s1", "condition": cond}])


case(DA, da_bundle(f"{A} StringEquals 'locked'"), check("u", "Svc/things/write", RES, {A: "locked"}),
     deny("deny_assignment", "d1"), "a deny assignment with a condition counts only when it holds")
case(DA, da_bundle(f"{A} StringEquals 'locked'"), check("u", "Svc/things/write", RES, {A: "open"}),
     allow("grant", "a1"), "a conditional deny whose condition fails falls through")
case(DA, da_bundle("ActionMatches{'Svc/things/d*'}"), check("u", "Svc/things/delete", RES),
     deny("deny_assignment", "d1"), "ActionMatches with a wildcard in a deny assignment")
case(DA, da_bundle("ActionMatches{'Svc/things/d*'}"), check("u", "Svc/things/read", RES),
     allow("grant", "a1"), "ActionMatches with a wildcard in a deny assignment (no match: falls through)")
case(DA, da_bundle(f"{A} StringNotEquals 'x'"), check("u", "Svc/things/read", RES, {}),
     allow("grant", "a1"), "an absent attribute is false, negated or not: the deny does not apply")

# Permission blocks
PB = "sec10_permissions.jsonl"


def pb_bundle(blocks, acond=None):
    a = {"id": "a1", "principal": "u", "role": "r", "scope": "/subscriptions/s1"}
    if acond:
        a["condition"] = acond
    return bundle(roles=[{"id": "r", "permissions": blocks}], assignments=[a])


BL = [{"actions": ["Svc/things/*"], "not_actions": ["Svc/things/delete"]},
      {"actions": ["Svc/things/delete"], "condition": f"{A} StringEquals 'ok'"}]
case(PB, pb_bundle(BL), check("u", "Svc/things/read", RES), allow("grant", "a1"),
     "an action is covered when some block covers it")
case(PB, pb_bundle(BL), check("u", "Svc/things/delete", RES, {A: "ok"}), allow("grant", "a1"),
     "each block's not_ lists subtract from that block only")
case(PB, pb_bundle(BL), check("u", "Svc/things/delete", RES, {A: "no"}), deny("condition_not_met"),
     "a grant needs the block's condition to hold")
case(PB, pb_bundle(BL, acond=f"{N} NumericEquals 1"), check("u", "Svc/things/delete", RES, {A: "ok", N: 2}),
     deny("condition_not_met"), "a grant needs both the assignment's and the block's condition to hold")
case(PB, pb_bundle(BL, acond=f"{N} NumericEquals 1"), check("u", "Svc/things/delete", RES, {A: "ok", N: 1}),
     allow("grant", "a1"), "a grant needs both the assignment's and the block's condition to hold")
case(PB, pb_bundle(BL, acond=f"{N} NumericEquals 1"), check("u", "Svc/things/read", RES, {N: 2}),
     deny("condition_not_met"), "the assignment's condition applies to every block")
case(PB, pb_bundle([{"data_actions": ["Svc/*"], "condition": "SubOperationMatches{'Blob.List'}"},
                    {"actions": ["Svc/*"]}]),
     check("u", "Svc/blobs/read", RES, {"SubOperation": "Blob.Read"}), deny("condition_not_met"),
     "a data action through a conditional block")
case(PB, pb_bundle([{"actions": ["Svc/*"], "not_actions": ["Svc/things/write"]},
                    {"actions": ["Svc/things/*"], "not_actions": ["Svc/things/read"]}]),
     check("u", "Svc/things/write", RES), allow("grant", "a1"), "not_ lists subtract from their own block only")
case(PB, pb_bundle([]), check("u", "Svc/things/read", RES), deny("no_grant"), "a role with no permission blocks covers nothing")
error(PB, bundle(roles=[{"id": "r", "actions": ["Svc/*"], "permissions": [{"actions": ["Svc/*"]}]}]),
      "permissions instead of those four lists (not both)")
error(PB, bundle(roles=[{"id": "r", "permissions": [{"actions": ["Svc/nope"]}]}]),
      "a literal in a permission block must be in the catalog")
error(PB, bundle(roles=[{"id": "r", "permissions": [{"actions": ["Svc/*"], "conditon": "x"}]}]),
      "unknown keys in a permission block are an error")
error(PB, bundle(roles=[{"id": "r", "permissions": [{"actions": ["Svc/*"], "condition": "Exists"}]}]),
      "a block's condition that does not parse", "/roles/0/permissions/0/condition")

# AWS condition compile errors
AE = "sec10_aws.jsonl"
for cond, why in [
    ({"StringEqualz": {"k": "v"}}, "an unknown operator is a compile error"),
    ({"NumericLessThan": {"n": "ten"}}, "a Numeric operator given a non-number"),
    ({"DateLessThan": {"t": "tomorrow"}}, "a Date operator given a non-date"),
    ({"Bool": {"b": "yes"}}, "Bool given something other than true/false"),
    ({"IpAddress": {"ip": "10.0.0.0/33"}}, "IpAddress given a bad CIDR"),
    ({"BinaryEquals": {"b": "not base64!"}}, "BinaryEquals given non-base64"),
    ({"StringEquals": {"k": 5}}, "String operators read JSON strings"),
    ({"NullIfExists": {"k": "true"}}, "IfExists on any operator but Null"),
    ({"StringEquals": "v"}, "OPERATOR maps to an object of keys"),
    ("StringEquals", "a condition is an object"),
]:
    error(AE, bundle(statements=[st(cond)]), why, "/statements/0/condition")
dup = '{"version":1,"actions":[{"name":"s3:GetObject"}],"statements":[{"id":"s1","principal":"p","effect":"Allow","actions":["s3:GetObject"],"resources":["*"],"condition":{"StringEquals":{"k":"a"},"StringEquals":{"k":"b"}}}]}'
FILES[AE].append({"bundle": "RAW", "expect": {"error": True}, "why": "Unknown keys and duplicate keys are an error (a duplicate operator)", "_raw": dup})

# ---------------------------------------------------------------------------
# §3 step 8, condition_not_met
# ---------------------------------------------------------------------------
S8 = "sec03_step8.jsonl"
case(S8, bundle(statements=[st({"StringEquals": {"k": "v"}})]), check(U, "s3:GetObject", OBJ, {"k": "w"}),
     deny("condition_not_met"), "an Allow statement matched only with a condition that does not hold")
case(S8, bundle(statements=[st({"StringEquals": {"k": "v"}}, effect="Deny", sid="d")]),
     check(U, "s3:GetObject", OBJ, {"k": "w"}), deny("no_grant"),
     "a Deny whose condition fails is no grant either: no_grant")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": f"{A} StringEquals 'x'"},
    {"id": "a2", "principal": "u", "role": "all", "scope": "/subscriptions/s1/rg"}]),
     check("u", "Svc/things/read", RES, {}), allow("grant", "a2"), "an unconditional grant beside a failing one grants")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": f"{A} StringEquals 'x'"},
    {"id": "a2", "principal": "u", "role": "all", "scope": "/subscriptions/s1/rg", "condition": f"{A} StringEquals 'x'"}]),
     check("u", "Svc/things/read", RES, {A: "x"}), allow("grant", "a2"),
     "the deciding conditional assignment is the deepest, as any other")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": f"{A} StringEquals 'x'"}],
    statements=[{"id": "s1", "principal": "u", "effect": "Allow", "actions": ["Svc/*"], "resources": ["/subscriptions/*"]}]),
     check("u", "Svc/things/read", RES, {}), allow("statement", "s1"),
     "a failing conditional grant, then an Allow statement in step 7")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": f"{A} StringEquals 'x'"}]),
     check("u", "Svc/admin/action", "/subscriptions/s1", {A: "y"}), deny("condition_not_met"),
     "a conditional grant at an effective scope whose condition fails")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1/rg"}]),
     check("u", "Svc/admin/action", "/subscriptions/s1/rg/x"), deny("not_effective_at_scope"),
     "a grant found only from assignments that fail effective_only_at")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1/rg"},
    {"id": "a2", "principal": "u", "role": "all", "scope": "/subscriptions/s1", "condition": f"{A} StringEquals 'x'"}]),
     check("u", "Svc/admin/action", "/subscriptions/s1/rg/x", {}), deny("not_effective_at_scope"),
     "step 8 checks not_effective_at_scope first (reading: a counted grant that fails effective_only_at wins over a failed condition; see AMBIGUITIES.md)")
case(S8, bundle(roles=[ROLE_ALL], assignments=[
    {"id": "a1", "principal": "u", "role": "all", "scope": "/subscriptions/s1/rg", "condition": f"{A} StringEquals 'x'"}]),
     check("u", "Svc/admin/action", "/subscriptions/s1/rg/x", {}), deny("no_grant"),
     "a conditional assignment that fails both its condition and effective_only_at (reading: no_grant; see AMBIGUITIES.md)")

# ---------------------------------------------------------------------------
# §10 context limits (invalid_input)
# ---------------------------------------------------------------------------
CL = "sec10_context_limits.jsonl"
B0 = bundle(statements=[st(resources=["*"])])
case(CL, B0, check(U, "s3:GetObject", OBJ, {f"k{i}": "v" for i in range(1024)}), allow("statement", "s1"),
     "1,024 context keys are within the limit")
case(CL, B0, check(U, "s3:GetObject", OBJ, {f"k{i}": "v" for i in range(1025)}), deny("invalid_input"),
     "A context over the limits (1,024 keys) makes the query invalid_input")
case(CL, B0, check(U, "s3:GetObject", OBJ, {"k": "x" * 4096}), allow("statement", "s1"), "a 4096-byte string is within the limit")
case(CL, B0, check(U, "s3:GetObject", OBJ, {"k": "x" * 4097}), deny("invalid_input"),
     "A context over the limits (4096 bytes a string) makes the query invalid_input")
case(CL, B0, check(U, "s3:GetObject", OBJ, {"k": ["x" * 4097]}), deny("invalid_input"),
     "4096 bytes a string, inside a list too")
case(CL, B0, check(U, "s3:GetObject", OBJ, {"k": ["v"] * 256}), allow("statement", "s1"), "256 values a key are within the limit")
case(CL, B0, check(U, "s3:GetObject", OBJ, {"k": ["v"] * 257}), deny("invalid_input"),
     "A context over the limits (256 values a key) makes the query invalid_input")
case(CL, B0, check(U, "s3:NoSuchAction", OBJ, {"k": ["v"] * 257}), deny("invalid_input"),
     "invalid_input is step 1, before unknown_action")

# ---------------------------------------------------------------------------
# §12 scope parents
# ---------------------------------------------------------------------------
SP = "sec12_scope_parents.jsonl"
MG = "/providers/Microsoft.Management/managementGroups"
PARENTS = [{"scope": "/subscriptions/s1", "parent": f"{MG}/mg1"}, {"scope": f"{MG}/mg1", "parent": f"{MG}/root"}]
RG = "/subscriptions/s1/resourceGroups/rg"


def sp_bundle(assignments, deny_assignments=None, parents=PARENTS, roles=None):
    b = bundle(roles=roles or [ROLE_ALL], assignments=assignments, scope_parents=parents)
    if deny_assignments:
        b["deny_assignments"] = deny_assignments
    return b


def asg(i, scope, p="u", **kw):
    return dict({"id": i, "principal": p, "role": "all", "scope": scope}, **kw)


case(SP, sp_bundle([asg("a1", f"{MG}/root")]), check("u", "Svc/things/read", RG), allow("grant", "a1"),
     "a management-group chain grants on a resource group below the subscription")
case(SP, sp_bundle([asg("a1", f"{MG}/mg1")]), check("u", "Svc/things/read", RG + "/x/y"), allow("grant", "a1"),
     "the ancestors are that resource group, /subscriptions/s1, mg1, ...")
case(SP, sp_bundle([asg("a1", "/subscriptions")]), check("u", "Svc/things/read", RG), deny("no_grant"),
     "/subscriptions is not one of them (the explicit parent replaces the path parent)")
case(SP, sp_bundle([asg("a1", "/")]), check("u", "Svc/things/read", RG), allow("grant", "a1"), "... and /")
case(SP, sp_bundle([asg("a1", "/providers/Microsoft.Management")]), check("u", "Svc/things/read", RG),
     allow("grant", "a1"), "mg1's own ancestors (its path ancestors above root)")
case(SP, sp_bundle([asg("a1", "/subscriptions")]), check("u", "Svc/things/read", "/subscriptions/s2/x"),
     allow("grant", "a1"), "a scope without an explicit parent keeps its path parent")
case(SP, sp_bundle([asg("a1", "/subscriptions/s1")]), check("u", "Svc/things/read", f"{MG}/mg1"),
     deny("no_grant"), "a parent does not inherit from its child")
case(SP, sp_bundle([asg("a1", f"{MG}/mg1"), asg("a2", "/subscriptions/s1")]), check("u", "Svc/things/read", RG),
     allow("grant", "a2"), "Explain's deepest is the closest to the resource in this hierarchy (not the most segments)")
case(SP, sp_bundle([asg("a2", "/subscriptions/s1"), asg("a1", f"{MG}/mg1")]), check("u", "Svc/things/read", RG),
     allow("grant", "a2"), "Explain's deepest is the closest to the resource, whatever the bundle order")
case(SP, sp_bundle([asg("a1", "/")], [
    {"id": "d1", "principals": ["*"], "actions": ["Svc/*"], "scope": f"{MG}/root"},
    {"id": "d2", "principals": ["*"], "actions": ["Svc/*"], "scope": "/subscriptions/s1"}]),
     check("u", "Svc/things/read", RG), deny("deny_assignment", "d2"), "the deciding deny assignment is the closest")
case(SP, sp_bundle([asg("a1", "/")], [
    {"id": "d1", "principals": ["*"], "actions": ["Svc/*"], "scope": f"{MG}/mg1"}]),
     check("u", "Svc/things/read", RG), deny("deny_assignment", "d1"), "deny assignments follow scope parents")
case(SP, sp_bundle([asg("a1", "/")], [
    {"id": "d1", "principals": ["*"], "actions": ["Svc/*"], "scope": f"{MG}/mg1", "apply_to_children": False}]),
     check("u", "Svc/things/read", "/subscriptions/s1"), allow("grant", "a1"),
     "apply_to_children false: only the deny assignment's own scope")
case(SP, sp_bundle([asg("a1", "/")], [
    {"id": "d1", "principals": ["*"], "actions": ["Svc/*"], "scope": "/subscriptions"}]),
     check("u", "Svc/things/read", RG), allow("grant", "a1"), "a deny at the replaced path parent does not apply")
case(SP, sp_bundle([asg("a1", "/subscriptions/s1")]), check("u", "Svc/admin/action", "/subscriptions/s1"),
     allow("grant", "a1"), "effective_only_at patterns still count the segments of the assignment's own scope")
case(SP, sp_bundle([asg("a1", f"{MG}/mg1")]), check("u", "Svc/admin/action", "/subscriptions/s1"),
     deny("not_effective_at_scope"), "effective_only_at counts the assignment's own segments (mg1 has four)")
case(SP, sp_bundle([asg("a1", "/SUBSCRIPTIONS/S1")]), check("u", "Svc/things/read", "/subscriptions/s1/RESOURCEGROUPS/rg"),
     allow("grant", "a1"), "scopes compare case-insensitively, in scope_parents too")
case(SP, sp_bundle([asg("a1", f"{MG}/ROOT")], parents=[{"scope": "/Subscriptions/S1", "parent": f"{MG}/root"}]),
     check("u", "Svc/things/read", RG), allow("grant", "a1"), "a scope_parents scope compares case-insensitively")
case(SP, sp_bundle([asg("a1", "/subscriptions/s1")], roles=[dict(ROLE_ALL, assignable_scopes=[f"{MG}/mg1"])]),
     check("u", "Svc/things/read", RG), allow("grant", "a1"),
     "assignable_scopes follow the hierarchy (reading: an assignment below a management group is inside it; see AMBIGUITIES.md)")
error(SP, sp_bundle([], parents=[{"scope": f"{MG}/a", "parent": f"{MG}/b"}, {"scope": f"{MG}/b", "parent": f"{MG}/a"}]),
      "a cycle is a compile error", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": f"{MG}/a", "parent": "/x"}, {"scope": "/x", "parent": f"{MG}/a/child"}]),
      "a cycle through a path parent is a compile error", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": "/a", "parent": "/a/b"}]), "a parent that is a descendant of its scope", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": "/a", "parent": "/A"}]), "a parent that is its scope itself", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": "/", "parent": "/a"}]), "the root has no parent (every scope descends from it)", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": "/a", "parent": "/b"}, {"scope": "/A", "parent": "/c"}]),
      "A scope has at most one explicit parent", "/scope_parents")
error(SP, sp_bundle([], parents=[{"scope": f"/x{i}", "parent": f"/x{i + 1}"} for i in range(64)]),
      "a named scope more than 64 levels below / (level 0) is a compile error (/x0 is 65 levels down)", "/scope_parents")
case(SP, sp_bundle([asg("a1", "/x63")], parents=[{"scope": f"/x{i}", "parent": f"/x{i + 1}"} for i in range(63)]),
     check("u", "Svc/things/read", "/x0"), allow("grant", "a1"), "a named scope exactly 64 levels below / is fine")
error(SP, sp_bundle([], parents=[{"scope": "/a", "parent": "/b", "extra": 1}]), "unknown keys are an error")
error(SP, sp_bundle([], parents=[{"scope": "/a/*", "parent": "/b"}]), "a scope in the bundle holds no *")

# ---------------------------------------------------------------------------
# §13 asserted groups
# ---------------------------------------------------------------------------
AG = "sec13_groups.jsonl"
GB = bundle(roles=[ROLE_ALL],
            groups=[{"id": "grp:parent", "members": ["grp:x"]}],
            assignments=[asg("a1", "/subscriptions/s1", p="grp:parent")])
case(AG, GB, check("u", "Svc/things/read", RES), deny("no_grant"), "without asserted groups u holds nothing")
case(AG, GB, check("u", "Svc/things/read", RES, groups=["grp:parent"]), allow("grant", "a1"),
     "P is the closure of the principal and of each asserted group")
case(AG, GB, check("u", "Svc/things/read", RES, groups=["grp:x"]), allow("grant", "a1"),
     "P is the closure of each asserted group (transitively)")
case(AG, GB, check("u", "Svc/things/read", RES, groups=["grp:other", "grp:x"]), allow("grant", "a1"),
     "an unknown asserted group holds nothing but does no harm")
case(AG, GB, check("u", "Svc/things/read", RES, groups=[""]), deny("invalid_input"), "an empty id makes the query invalid_input")
case(AG, GB, check("u", "Svc/things/read", RES, groups=[f"g{i}" for i in range(1025)]), deny("invalid_input"),
     "More than 1,024 groups makes the query invalid_input")
case(AG, GB, check("u", "Svc/things/read", RES, groups=[f"g{i}" for i in range(1023)] + ["grp:x"]),
     allow("grant", "a1"), "1,024 groups are within the limit")
EX = bundle(roles=[ROLE_ALL], assignments=[asg("a1", "/subscriptions/s1")],
            deny_assignments=[{"id": "d1", "principals": ["*"], "exclude_principals": ["grp:breakglass"],
                               "actions": ["Svc/*"], "scope": "/subscriptions/s1"}])
case(AG, EX, check("u", "Svc/things/read", RES), deny("deny_assignment", "d1"), "a deny for everyone")
case(AG, EX, check("u", "Svc/things/read", RES, groups=["grp:breakglass"]), allow("grant", "a1"),
     "a deny assignment's exclusion hit through an asserted group")
EX2 = bundle(roles=[ROLE_ALL], assignments=[asg("a1", "/subscriptions/s1")],
             deny_assignments=[{"id": "d1", "principals": ["grp:blocked"], "actions": ["Svc/*"],
                                "scope": "/subscriptions/s1"}])
case(AG, EX2, check("u", "Svc/things/read", RES, groups=["grp:blocked"]), deny("deny_assignment", "d1"),
     "a deny assignment's principal hit through an asserted group")
case(AG, bundle(statements=[{"id": "s1", "principal": "grp:readers", "effect": "Allow", "actions": ["s3:*"],
                             "resources": ["*"]}]),
     check(U, "s3:GetObject", OBJ, groups=["grp:readers"]), allow("statement", "s1"),
     "statements of an asserted group count")
RB = bundle(roles=[ROLE_ALL], assignments=[asg("a1", "/subscriptions/s1", p="grp:g", condition=f"{A} StringEquals 'x'")],
            routes=[{"id": "r1", "method": "GET", "path": "/api/(?P<n>[^/]+)", "action": "Svc/things/read",
                     "scope": "/subscriptions/s1/{n}"}])
case(AG, RB, {"op": "check_request", "principal": "u", "method": "GET", "path": "/api/x", "groups": ["grp:g"],
              "context": {A: "x"}}, allow("grant", "a1"), "check_request takes groups and context")
case(AG, RB, {"op": "check_request", "principal": "u", "method": "GET", "path": "/api/x", "groups": ["grp:g"]},
     deny("condition_not_met"), "check_request takes groups and context (condition fails)")
WB = bundle(roles=[ROLE_ALL], assignments=[asg("a1", "/subscriptions/s1", p="grp:g")],
            clouds=[{"id": "c1", "default_identity": "id:default"}])
case(AG, RB, {"op": "check_request", "principal": "u", "method": "GET", "path": "/nowhere", "groups": [""]},
     deny("invalid_input"), "an empty asserted group makes the QUERY invalid_input (before routing; see AMBIGUITIES.md)")
case(AG, RB, {"op": "check_request", "principal": "u", "method": "GET", "path": "/api/x",
              "context": {"k": ["v"] * 257}}, deny("invalid_input"),
     "a context over the limits makes a check_request invalid_input")
case(AG, WB, {"op": "check_workload", "cloud": "nope", "workload_type": "job", "project": "p", "user": "u",
              "action": "Svc/things/read", "resource": RES, "groups": [""]}, deny("invalid_input"),
     "an empty asserted group makes the QUERY invalid_input (before unknown_cloud; see AMBIGUITIES.md)")
case(AG, WB, {"op": "check_workload", "cloud": "c1", "workload_type": "job", "project": "p", "user": "u",
              "action": "Svc/things/read", "resource": RES, "groups": ["grp:g"]}, allow("grant", "a1"),
     "check_workload takes groups (they join the resolved identity's P)")


def write():
    for name in sorted(FILES):
        with open(os.path.join(HERE, name), "w") as f:
            for c in FILES[name]:
                if "_raw" in c:
                    f.write('{"bundle":' + c["_raw"] + ',"expect":{"error":true},"why":' + json.dumps(c["why"]) + "}\n")
                    continue
                f.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")


write()

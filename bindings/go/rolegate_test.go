package rolegate_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

func TestVersions(t *testing.T) {
	if rolegate.LibraryVersion()/1000000 != rolegate.HeaderVersion/1000000 {
		t.Fatalf("library %d vs header %d", rolegate.LibraryVersion(), rolegate.HeaderVersion)
	}
	if strings.Count(rolegate.LibraryVersionString(), ".") != 2 {
		t.Fatalf("version string %q", rolegate.LibraryVersionString())
	}
}

func TestReasonNames(t *testing.T) {
	want := []string{"grant", "statement", "deny_assignment", "deny_statement", "no_grant",
		"not_effective_at_scope", "unknown_action", "invalid_input", "no_route", "bad_path",
		"unknown_cloud", "no_identity", "condition_not_met"}
	if rolegate.NumReasons != len(want) {
		t.Fatalf("NumReasons = %d", rolegate.NumReasons)
	}
	for i, w := range want {
		if got := rolegate.Reason(i).String(); got != w {
			t.Errorf("Reason(%d) = %q, want %q", i, got, w)
		}
	}
	if got := rolegate.Reason(200).String(); got != "Reason(200)" {
		t.Errorf("unknown reason prints %q", got)
	}
}

func TestNewEngineAndLoadFile(t *testing.T) {
	q := [3]string{"user:alice", jobs + "write", c1 + "/projects/prod/jobs/j1"}
	e1, err := rolegate.NewEngine(exampleBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e1.Close()
	e2 := newExample(t)
	e3, err := rolegate.NewEngine(rolegate.ExampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	for _, e := range []*rolegate.Engine{e1, e2, e3} {
		d, err := e.Check(q[0], q[1], q[2])
		if err != nil || !d.Allowed || d.Reason != rolegate.ReasonGrant {
			t.Fatalf("Check = %v, %v", d, err)
		}
		if e.Generation() != 1 {
			t.Fatalf("Generation = %d", e.Generation())
		}
	}
	if string(rolegate.ExampleBundle()) != string(exampleBytes(t)) {
		t.Error("ExampleBundle differs from examples/anyscale.json")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	e, err := rolegate.NewEngine(exampleBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := e.Check("user:alice", jobs+"read", c1)
	if !errors.Is(err, rolegate.ErrClosed) || d.Allowed {
		t.Fatalf("Check after Close = %v, %v", d, err)
	}
	if _, err := e.Explain("a", "b", "c"); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if _, err := e.Resolve(rolegate.Workload{Cloud: "c1"}); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if _, err := e.CheckWorkload(rolegate.Workload{Cloud: "c1"}, "a", "b"); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if _, err := e.CheckRequest("a", "GET", "/"); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	var b rolegate.Batch
	b.Add("a", "b", "c")
	if _, err := e.CheckBatch(&b, nil); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if err := e.Publish(exampleBytes(t)); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if err := e.PublishFile(examplePath(t)); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if _, err := e.Acquire(); !errors.Is(err, rolegate.ErrClosed) {
		t.Fatal(err)
	}
	if e.Generation() != 0 {
		t.Fatal("Generation after Close")
	}
	// A snapshot outlives its engine.
	if d, err := snap.Check("user:alice", jobs+"read", c1); err != nil || !d.Allowed {
		t.Fatalf("snapshot after Close = %v, %v", d, err)
	}
	snap.Release()
	snap.Release()
	if _, err := snap.Check("user:alice", jobs+"read", c1); !errors.Is(err, rolegate.ErrReleased) {
		t.Fatal(err)
	}
}

func TestPublish(t *testing.T) {
	e := newExample(t)
	q := [3]string{"user:alice", jobs + "write", c1 + "/projects/prod/jobs/j1"}
	if err := e.Publish(withoutAliceContrib(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Check(q[0], q[1], q[2]); d.Allowed || d.Reason != rolegate.ReasonNoGrant {
		t.Fatalf("after publish: %v", d)
	}
	if e.Generation() != 2 {
		t.Fatalf("Generation = %d", e.Generation())
	}
	p := filepath.Join(t.TempDir(), "b.json")
	if err := os.WriteFile(p, exampleBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.PublishFile(p); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Check(q[0], q[1], q[2]); !d.Allowed {
		t.Fatalf("after PublishFile: %v", d)
	}
	var ioErr *rolegate.Error
	if err := e.PublishFile(p + ".missing"); !errors.As(err, &ioErr) || ioErr.Code != rolegate.CodeIO {
		t.Fatalf("PublishFile(missing) = %v", err)
	}
	if e.Generation() != 3 {
		t.Fatalf("Generation = %d", e.Generation())
	}
}

func TestRejectedPublishKeepsTheBundleInService(t *testing.T) {
	e := newExample(t)
	err := e.Publish([]byte(`{"version": 1, "actions": [], "roles": [{"id": "r", "actions": ["nope"]}]}`))
	var be *rolegate.BundleError
	if !errors.As(err, &be) {
		t.Fatalf("Publish(bad) = %v", err)
	}
	if !errors.Is(err, &rolegate.Error{Code: rolegate.CodeBundle}) {
		t.Error("errors.Is(BundleError, CodeBundle) is false")
	}
	if e.Generation() != 1 {
		t.Fatal("a rejected publish changed the generation")
	}
	if d, _ := e.Check("user:alice", jobs+"write", c1+"/projects/prod"); !d.Allowed {
		t.Fatal("a rejected publish changed the bundle")
	}
}

func checkBundleError(t *testing.T, bundle []byte, wantPointers []string) *rolegate.BundleError {
	t.Helper()
	_, err := rolegate.NewEngine(bundle)
	var be *rolegate.BundleError
	if !errors.As(err, &be) {
		t.Fatalf("NewEngine = %v, want a *BundleError", err)
	}
	var got []string
	for _, d := range be.Errors() {
		got = append(got, d.Pointer)
		if d.Severity != rolegate.SeverityError || d.Line == 0 || d.Column == 0 || d.Message == "" {
			t.Errorf("diagnostic %+v", d)
		}
		if !strings.Contains(err.Error(), d.String()) {
			t.Errorf("message %q lacks %q", err.Error(), d.String())
		}
	}
	if !reflect.DeepEqual(got, wantPointers) {
		t.Fatalf("error pointers %q, want %q", got, wantPointers)
	}
	return be
}

func TestBundleErrorListsEverySemanticError(t *testing.T) {
	be := checkBundleError(t, editedExample(t, func(b map[string]any) {
		role := b["roles"].([]any)[0].(map[string]any)
		role["actions"] = append(role["actions"].([]any), "Anyscale.Platform/not/in/catalog")
		b["assignments"].([]any)[1].(map[string]any)["role"] = "no-such-role"
		// and a warning: a group with no members
		b["groups"] = append(b["groups"].([]any), map[string]any{"id": "grp:empty", "members": []any{}})
	}), []string{"/roles/0/actions/4", "/assignments/1/role"})
	if len(be.Warnings()) == 0 {
		t.Error("warnings missing")
	}
	if !strings.HasPrefix(be.Error(), "rolegate: bundle rejected: 2 errors") {
		t.Errorf("message %q", be.Error())
	}
}

func TestBundleErrorListsEveryStructuralError(t *testing.T) {
	checkBundleError(t, editedExample(t, func(b map[string]any) {
		b["bogus"] = 1
		b["roles"].([]any)[1].(map[string]any)["actionz"] = []any{}
		b["groups"].([]any)[0].(map[string]any)["members"] = 5
	}), []string{"/bogus", "/groups/0/members", "/roles/1/actionz"}) // document order (json sorts keys)
}

func TestBadBundles(t *testing.T) {
	for _, b := range []string{"", "null", "[]", "{", `{"version": 2, "actions": []}`, `{"version": 1}`,
		"{\"version\": 1,\n \"actions\": [,]}"} {
		e, err := rolegate.NewEngine([]byte(b))
		var be *rolegate.BundleError
		if e != nil || !errors.As(err, &be) || len(be.Errors()) == 0 {
			t.Errorf("NewEngine(%q) = %v, %v", b, e, err)
		}
	}
	_, err := rolegate.NewEngine(nil)
	if err == nil {
		t.Error("NewEngine(nil) succeeded")
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := rolegate.LoadFile(filepath.Join(dir, "missing.json"))
	var re *rolegate.Error
	if !errors.As(err, &re) || re.Code != rolegate.CodeIO || re.Message == "" {
		t.Fatalf("LoadFile(missing) = %v", err)
	}
	if !errors.Is(err, &rolegate.Error{Code: rolegate.CodeIO}) {
		t.Error("errors.Is(CodeIO) is false")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version": 1}`), 0o644)
	var be *rolegate.BundleError
	if _, err := rolegate.LoadFile(bad); !errors.As(err, &be) {
		t.Fatalf("LoadFile(bad) = %v", err)
	}
}

func TestLimits(t *testing.T) {
	b := exampleBytes(t)
	if e, err := rolegate.NewEngine(b, rolegate.WithLimits(rolegate.Limits{})); err != nil {
		t.Fatal(err)
	} else {
		e.Close()
	}
	for _, l := range []rolegate.Limits{{MaxStringBytes: 16}, {MaxBundleBytes: 100}, {MaxListEntries: 2}} {
		var be *rolegate.BundleError
		if _, err := rolegate.NewEngine(b, rolegate.WithLimits(l)); !errors.As(err, &be) {
			t.Errorf("limits %+v: %v", l, err)
		}
		if _, err := rolegate.LoadFile(examplePath(t), rolegate.WithLimits(l)); !errors.As(err, &be) {
			t.Errorf("LoadFile limits %+v: %v", l, err)
		}
	}
}

// anyReason in a test case accepts any reason (the case only asks for a deny).
const anyReason = rolegate.Reason(255)

func TestCheck(t *testing.T) {
	e := newExample(t)
	cases := []struct {
		p, a, r string
		allowed bool
		reason  rolegate.Reason
	}{
		{"user:alice", jobs + "read", c1 + "/projects/prod/jobs/j1", true, rolegate.ReasonGrant},
		{"user:alice", jobs + "delete", c1 + "/projects/prod/jobs/j1", false, rolegate.ReasonDenyAssignment},
		{"user:carol", "Anyscale.Platform/admin/action", "/subscriptions/s1/resourceGroups/prod", false, rolegate.ReasonNotEffectiveAtScope},
		{pj, "secretsmanager:GetSecretValue", sec + "gh-token", true, rolegate.ReasonStatement},
		{pj, "secretsmanager:GetSecretValue", sec + "prod-db-1", false, rolegate.ReasonDenyStatement},
		{"user:nobody", "Anyscale.Platform/clouds/read", c1, false, rolegate.ReasonNoGrant},
		{"user:alice", "Anyscale.Platform/clouds/nope", c1, false, rolegate.ReasonUnknownAction},
		{"user:alice", "", c1, false, rolegate.ReasonUnknownAction},
		{"", "Anyscale.Platform/clouds/read", c1, false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "", false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "/a//b", false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "/a/../b", false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "/a/b/", false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "/a\x00b", false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", "/" + strings.Repeat("x", 5000), false, rolegate.ReasonInvalidInput},
		{"user:alice", "Anyscale.Platform/clouds/read", strings.Repeat("/s", 65), false, rolegate.ReasonInvalidInput},
		{"user:\xffalice", jobs + "read", c1, false, anyReason},
	}
	for _, c := range cases {
		d, err := e.Check(c.p, c.a, c.r)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed != c.allowed || (c.reason != anyReason && d.Reason != c.reason) {
			t.Errorf("Check(%q, %q, %.40q) = %v, want %v %v", c.p, c.a, c.r, d, c.allowed, c.reason)
		}
		x, err := e.Explain(c.p, c.a, c.r)
		if err != nil || x.Decision != d {
			t.Errorf("Explain(%q, %q, %.40q) = %v, %v; Check said %v", c.p, c.a, c.r, x, err, d)
		}
	}
}

func TestExplain(t *testing.T) {
	e := newExample(t)
	for _, c := range []struct {
		p, a, r string
		want    rolegate.Explanation
	}{
		{"user:alice", jobs + "read", c1 + "/projects/prod/jobs/j1", rolegate.Explanation{
			Decision: rolegate.Decision{Allowed: true, Reason: rolegate.ReasonGrant}, Rule: "a-contrib-alice", RuleKind: rolegate.RuleAssignment}},
		{"user:alice", jobs + "delete", c1 + "/projects/prod", rolegate.Explanation{
			Decision: rolegate.Decision{Reason: rolegate.ReasonDenyAssignment}, Rule: "d-no-delete-prod", RuleKind: rolegate.RuleDenyAssignment}},
		{pj, "secretsmanager:GetSecretValue", sec + "gh-x", rolegate.Explanation{
			Decision: rolegate.Decision{Allowed: true, Reason: rolegate.ReasonStatement}, Rule: "s-prod-jobs-secrets", RuleKind: rolegate.RuleStatement}},
		{"user:nobody", jobs + "read", c1, rolegate.Explanation{Decision: rolegate.Decision{Reason: rolegate.ReasonNoGrant}}},
	} {
		x, err := e.Explain(c.p, c.a, c.r)
		if err != nil || x != c.want {
			t.Errorf("Explain(%q, %q, %q) = %+v, %v; want %+v", c.p, c.a, c.r, x, err, c.want)
		}
	}
	x, _ := e.Explain("user:alice", jobs+"read", c1)
	if got := x.String(); got != "allow (grant) by a-reader-team" {
		t.Errorf("String() = %q", got)
	}
}

func TestResolve(t *testing.T) {
	e := newExample(t)
	for _, c := range []struct {
		w    rolegate.Workload
		want rolegate.Resolution
	}{
		{rolegate.Workload{Cloud: "c1", Type: rolegate.WorkloadJob, Project: "prod", User: "user:alice"}, rolegate.Resolution{Identity: pj, Source: "m-prod-jobs"}},
		{rolegate.Workload{Cloud: "c1", Type: rolegate.WorkloadJob, Project: "prod", User: "sa:launcher"}, rolegate.Resolution{Identity: "arn:aws:iam::123456789012:role/launcher", Source: "m-launcher"}},
		{rolegate.Workload{Cloud: "c1", Type: rolegate.WorkloadWorkspace, Project: "dev", User: "u"}, rolegate.Resolution{Identity: def, Source: "cloud_default"}},
		{rolegate.Workload{Cloud: "c2", Type: rolegate.WorkloadJob, Project: "x", User: "u"}, rolegate.Resolution{Error: rolegate.IdentityNoIdentity}},
		{rolegate.Workload{Cloud: "c3", Type: rolegate.WorkloadJob, Project: "x", User: "u"}, rolegate.Resolution{Error: rolegate.IdentityUnknownCloud}},
		{rolegate.Workload{Cloud: "c3", Project: "x", User: "u", NodeGroupIdentity: "ng"}, rolegate.Resolution{Error: rolegate.IdentityUnknownCloud}},
		{rolegate.Workload{Cloud: "c1", Project: "prod", User: "u", ComputeConfigIdentity: "cc"}, rolegate.Resolution{Identity: "cc", Source: "compute_config"}},
		{rolegate.Workload{Cloud: "c1", Project: "prod", User: "u", ComputeConfigIdentity: "cc", NodeGroupIdentity: "ng"}, rolegate.Resolution{Identity: "ng", Source: "node_group"}},
	} {
		r, err := e.Resolve(c.w)
		if err != nil || r != c.want {
			t.Errorf("Resolve(%+v) = %+v, %v; want %+v", c.w, r, err, c.want)
		}
	}
	if _, err := e.Resolve(rolegate.Workload{Cloud: "c1", Type: 7}); err == nil {
		t.Error("Resolve with a bad workload type succeeded")
	}
	if _, err := e.CheckWorkload(rolegate.Workload{Cloud: "c1", Type: -1}, "a", "b"); err == nil {
		t.Error("CheckWorkload with a bad workload type succeeded")
	}
}

func TestParseWorkloadType(t *testing.T) {
	for s, want := range map[string]rolegate.WorkloadType{"job": rolegate.WorkloadJob, "service": rolegate.WorkloadService, "workspace": rolegate.WorkloadWorkspace} {
		if got, err := rolegate.ParseWorkloadType(s); err != nil || got != want || got.String() != s {
			t.Errorf("ParseWorkloadType(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := rolegate.ParseWorkloadType("Job"); err == nil {
		t.Error("ParseWorkloadType(Job) succeeded")
	}
}

func TestCheckWorkload(t *testing.T) {
	e := newExample(t)
	w := rolegate.Workload{Cloud: "c1", Type: rolegate.WorkloadJob, Project: "prod", User: "user:alice"}
	d, err := e.CheckWorkload(w, "secretsmanager:GetSecretValue", sec+"gh-x")
	if err != nil || !d.Allowed || d.Reason != rolegate.ReasonStatement || d.Rule != "s-prod-jobs-secrets" ||
		d.Identity != pj || d.Source != "m-prod-jobs" || d.Resolution.Error != rolegate.IdentityOK {
		t.Fatalf("CheckWorkload = %+v, %v", d, err)
	}
	w.NodeGroupIdentity = def
	d, _ = e.CheckWorkload(w, "s3:GetObject", "arn:aws:s3:::anyscale-shared/x")
	if !d.Allowed || d.Identity != def || d.Source != "node_group" || d.Rule != "s-default-data" {
		t.Fatalf("CheckWorkload(override) = %+v", d)
	}
	d, _ = e.CheckWorkload(rolegate.Workload{Cloud: "c2", Project: "x", User: "u"}, "s3:GetObject", "x")
	if d.Allowed || d.Reason != rolegate.ReasonNoIdentity || d.Identity != "" || d.Resolution.Error != rolegate.IdentityNoIdentity {
		t.Fatalf("CheckWorkload(c2) = %+v", d)
	}
	d, _ = e.CheckWorkload(rolegate.Workload{Cloud: "c9"}, "s3:GetObject", "x")
	if d.Allowed || d.Reason != rolegate.ReasonUnknownCloud {
		t.Fatalf("CheckWorkload(c9) = %+v", d)
	}
}

func TestCheckRequest(t *testing.T) {
	e := newExample(t)
	d, err := e.CheckRequest("user:alice", "GET", "/api/clouds/c1/projects/prod/jobs/j1/logs?tail=5")
	want := rolegate.RequestDecision{
		Explanation: rolegate.Explanation{Decision: rolegate.Decision{Allowed: true, Reason: rolegate.ReasonGrant},
			Rule: "a-contrib-alice", RuleKind: rolegate.RuleAssignment},
		Route: "r-job-logs", Action: jobs + "logs/read", Resource: c1 + "/projects/prod/jobs/j1"}
	if err != nil || d != want {
		t.Fatalf("CheckRequest = %+v, %v", d, err)
	}
	if d.String() != "allow (grant) by a-contrib-alice via route r-job-logs" {
		t.Errorf("String() = %q", d.String())
	}
	d, _ = e.CheckRequest("user:alice", "GET", "/api/nothing")
	if d.Allowed || d.Reason != rolegate.ReasonNoRoute || d.Route != "" || d.Action != "" || d.Resource != "" {
		t.Fatalf("no route: %+v", d)
	}
	for _, bad := range []string{"/api/clouds/c1%2F/projects", "/api/clouds/%zz", "/api/clouds/%4", "/api/../x",
		"/api//clouds", "relative", "/api/clouds/c1%00", "/api/\\x", "/" + strings.Repeat("a", 5000)} {
		d, err := e.CheckRequest("user:alice", "GET", bad)
		if err != nil || d.Allowed || d.Reason != rolegate.ReasonBadPath {
			t.Errorf("CheckRequest(%.40q) = %+v, %v", bad, d, err)
		}
	}
}

func TestSnapshotPinsOneBundle(t *testing.T) {
	e := newExample(t)
	q := [3]string{"user:alice", jobs + "write", c1 + "/projects/prod"}
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if s.Generation() != 1 {
		t.Fatal(s.Generation())
	}
	if err := e.Publish(withoutAliceContrib(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Check(q[0], q[1], q[2]); !d.Allowed {
		t.Fatal("snapshot saw the new bundle")
	}
	if x, _ := s.Explain(q[0], q[1], q[2]); x.Rule != "a-contrib-alice" {
		t.Fatal(x)
	}
	if d, _ := e.Check(q[0], q[1], q[2]); d.Allowed {
		t.Fatal("engine still serves the old bundle")
	}
	var b rolegate.Batch
	for i := 0; i < 3; i++ {
		b.Add(q[0], q[1], q[2])
	}
	out, err := s.CheckBatch(&b, nil)
	if err != nil || len(out) != 3 || !out[0].Allowed || !out[2].Allowed {
		t.Fatal(out, err)
	}
	if r, _ := s.Resolve(rolegate.Workload{Cloud: "c1", Project: "prod", User: "u"}); r.Identity != pj {
		t.Fatal(r)
	}
	if d, _ := s.CheckWorkload(rolegate.Workload{Cloud: "c1", Project: "prod", User: "u"}, "s3:GetObject", "x"); d.Reason != rolegate.ReasonNoGrant {
		t.Fatal(d)
	}
	if d, _ := s.CheckRequest(q[0], "POST", "/api/clouds/c1/projects/prod/jobs"); !d.Allowed {
		t.Fatal(d)
	}
	s.Release()
	for _, err := range []error{
		func() error { _, err := s.Check("a", "b", "c"); return err }(),
		func() error { _, err := s.Explain("a", "b", "c"); return err }(),
		func() error { _, err := s.Resolve(rolegate.Workload{}); return err }(),
		func() error { _, err := s.CheckWorkload(rolegate.Workload{}, "a", "b"); return err }(),
		func() error { _, err := s.CheckRequest("a", "b", "c"); return err }(),
		func() error { _, err := s.CheckBatch(&b, nil); return err }(),
		func() error { _, err := s.PrincipalID("a"); return err }(),
		func() error { _, err := s.ActionID("a"); return err }(),
		func() error { _, err := s.CheckIDs(0, 0, "c"); return err }(),
	} {
		if !errors.Is(err, rolegate.ErrReleased) {
			t.Errorf("after Release: %v", err)
		}
	}
}

func TestIDFastPath(t *testing.T) {
	e := newExample(t)
	s, _ := e.Acquire()
	defer s.Release()
	pid, err := s.PrincipalID("user:alice")
	if err != nil || pid == rolegate.UnknownPrincipal {
		t.Fatal(pid, err)
	}
	aid, err := s.ActionID(jobs + "read")
	if err != nil || aid == rolegate.UnknownAction {
		t.Fatal(aid, err)
	}
	d1, _ := s.CheckIDs(pid, aid, c1+"/projects/prod")
	d2, _ := s.Check("user:alice", jobs+"read", c1+"/projects/prod")
	if d1 != d2 || !d1.Allowed {
		t.Fatal(d1, d2)
	}
	if id, err := s.PrincipalID("user:never-named"); err != nil || id != rolegate.UnknownPrincipal {
		t.Fatal(id, err)
	}
	if _, err := s.PrincipalID(""); err == nil {
		t.Fatal("PrincipalID(\"\") succeeded")
	}
	id, err := s.ActionID("no/such/action")
	var re *rolegate.Error
	if id != rolegate.UnknownAction || !errors.As(err, &re) || re.Code != rolegate.CodeNotFound {
		t.Fatal(id, err)
	}
	if d, _ := s.CheckIDs(pid, rolegate.UnknownAction, c1); d.Reason != rolegate.ReasonUnknownAction {
		t.Fatal(d)
	}
	del, _ := s.ActionID(jobs + "delete")
	if d, _ := s.CheckIDs(rolegate.UnknownPrincipal, del, c1+"/projects/prod"); d.Reason != rolegate.ReasonDenyAssignment {
		t.Fatal(d)
	}
}

func TestCheckBatch(t *testing.T) {
	e := newExample(t)
	principals := []string{"user:alice", "user:bob", "user:ivan", "user:dana", "user:nobody", "", pj}
	actions := []string{jobs + "read", jobs + "write", jobs + "delete", jobs + "logs/read", "secretsmanager:GetSecretValue", "nope"}
	resources := []string{c1, c1 + "/projects/prod/jobs/j1", "/subscriptions/s1", "/", "/bad//x", sec + "gh-x", ""}
	var b rolegate.Batch
	var qs [][3]string
	for _, p := range principals {
		for _, a := range actions {
			for _, r := range resources {
				b.Add(p, a, r)
				qs = append(qs, [3]string{p, a, r})
			}
		}
	}
	if b.Len() != len(qs) {
		t.Fatal(b.Len())
	}
	out, err := e.CheckBatch(&b, nil)
	if err != nil || len(out) != len(qs) {
		t.Fatal(len(out), err)
	}
	for i, q := range qs {
		d, _ := e.Check(q[0], q[1], q[2])
		if out[i] != d {
			t.Errorf("query %d %q: batch %v, check %v", i, q, out[i], d)
		}
		if p, a, r := b.Query(i); [3]string{p, a, r} != q {
			t.Errorf("Query(%d) = %q", i, [3]string{p, a, r})
		}
	}
	// A reused result slice is filled in place.
	buf := make([]Decision, 0, len(qs))
	out2, _ := e.CheckBatch(&b, buf)
	if &out2[0] != &buf[:1][0] || !reflect.DeepEqual(out, out2) {
		t.Error("CheckBatch did not reuse the result slice")
	}
	b.Reset()
	if b.Len() != 0 {
		t.Fatal(b.Len())
	}
	if out, err := e.CheckBatch(&b, out); err != nil || len(out) != 0 {
		t.Fatal(out, err)
	}
	var empty rolegate.Batch
	if out, err := e.CheckBatch(&empty, nil); err != nil || len(out) != 0 {
		t.Fatal(out, err)
	}
	nb := rolegate.NewBatch(2, 64)
	nb.Add("", "", "")
	if out, err := e.CheckBatch(nb, nil); err != nil || len(out) != 1 || out[0].Allowed || out[0].Reason != rolegate.ReasonInvalidInput {
		t.Fatal(out, err)
	}
}

type Decision = rolegate.Decision

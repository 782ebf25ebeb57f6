package rolegate_test

import (
	"errors"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// A route whose action only group:eng holds (on /g), and a condition-bound
// statement reached by another route.
const requestQueryBundle = `{"version":1,"actions":[{"name":"a/read"},{"name":"a/list"}],
  "roles":[{"id":"r","actions":["a/read"]}],
  "assignments":[{"id":"g1","principal":"group:eng","role":"r","scope":"/g"}],
  "statements":[{"id":"s1","principal":"u","effect":"Allow","actions":["a/list"],"resources":["/g/*"],
    "condition":{"StringEquals":{"region":"eu"}}}],
  "routes":[{"id":"rt","method":"GET","path":"/api/g/(?P<x>[^/]+)","action":"a/read","scope":"/g/{x}"},
            {"id":"rl","method":"GET","path":"/api/list/(?P<x>[^/]+)","action":"a/list","scope":"/g/{x}"}]}`

func newRequestQuery(t testing.TB) *rolegate.Engine {
	t.Helper()
	e, err := rolegate.NewEngine([]byte(requestQueryBundle))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestCheckRequestQueryGroups(t *testing.T) {
	e := newRequestQuery(t)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	d, err := e.CheckRequestQuery("user:v", "GET", "/api/g/1", nil)
	if err != nil || d.Allowed || d.Reason != rolegate.ReasonNoGrant || d.Route != "rt" {
		t.Fatalf("nil context: %+v, %v", d, err)
	}
	d, err = e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx)
	if err != nil || d.Allowed || d.Reason != rolegate.ReasonNoGrant {
		t.Fatalf("no groups: %+v, %v", d, err)
	}
	ctx.AddGroup("group:other")
	ctx.AddGroup("group:eng")
	d, err = e.CheckRequestQuery("user:v", "GET", "/api/g/1?x=1", ctx)
	want := rolegate.RequestDecision{
		Explanation: rolegate.Explanation{Decision: rolegate.Decision{Allowed: true, Reason: rolegate.ReasonGrant},
			Rule: "g1", RuleKind: rolegate.RuleAssignment},
		Route: "rt", Action: "a/read", Resource: "/g/1"}
	if err != nil || d != want {
		t.Fatalf("asserted group: %+v, %v", d, err)
	}
	// Without the group again (Reset), the same request is denied.
	ctx.Reset()
	if d, _ = e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); d.Allowed {
		t.Fatalf("after Reset: %+v", d)
	}
	// The context reaches conditions, too.
	ctx.AddString("region", "eu")
	if d, err = e.CheckRequestQuery("u", "GET", "/api/list/2", ctx); err != nil || !d.Allowed ||
		d.Reason != rolegate.ReasonStatement {
		t.Fatalf("condition: %+v, %v", d, err)
	}
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	ctx.Reset()
	ctx.AddGroup("group:eng")
	if d, err = s.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); err != nil || d != want {
		t.Fatalf("snapshot: %+v, %v", d, err)
	}
}

func TestCheckRequestQueryInvalid(t *testing.T) {
	e := newRequestQuery(t)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	for i := 0; i < 1025; i++ {
		ctx.AddGroup("group:eng")
	}
	d, err := e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx)
	if err != nil || d.Allowed || d.Reason != rolegate.ReasonInvalidInput || d.Route != "" || d.Resource != "" {
		t.Fatalf("1025 groups: %+v, %v", d, err)
	}
	ctx.Reset()
	for i := 0; i < 1024; i++ { // the limit itself is fine
		ctx.AddGroup("group:eng")
	}
	if d, err = e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); err != nil || !d.Allowed {
		t.Fatalf("1024 groups: %+v, %v", d, err)
	}
	ctx.Reset()
	ctx.AddGroup("")
	if d, err = e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); err != nil || d.Reason != rolegate.ReasonInvalidInput {
		t.Fatalf("empty group: %+v, %v", d, err)
	}
	ctx.Reset()
	ctx.AddGroup("group:eng")
	if d, _ = e.CheckRequestQuery("user:v", "GET", "/api/../g/1", ctx); d.Allowed || d.Reason != rolegate.ReasonBadPath {
		t.Fatalf("bad path: %+v", d)
	}
	s, _ := e.Acquire()
	s.Release()
	if d, err = s.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); !errors.Is(err, rolegate.ErrReleased) || d.Allowed {
		t.Fatalf("released: %+v, %v", d, err)
	}
	e.Close()
	if d, err = e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); !errors.Is(err, rolegate.ErrClosed) || d.Allowed {
		t.Fatalf("closed: %+v, %v", d, err)
	}
}

// A reused Context adds no allocation to a request check: the only ones are
// the result's strings, exactly as CheckRequest's (whose count is the bar).
// (CheckRequest is not in TestHotPathDoesNotAllocate: its result copies
// strings out of the snapshot by design.)
func TestCheckRequestQueryAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	e := newRequestQuery(t)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	ctx.AddGroup("group:eng")
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if d, _ := e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx); !d.Allowed {
		t.Fatal("denied")
	}
	// The bar is an allowed CheckRequest (group:eng holds the grant itself),
	// so that both results carry the same strings.
	if d, _ := e.CheckRequest("group:eng", "GET", "/api/g/1"); !d.Allowed {
		t.Fatal("denied")
	}
	bar := testing.AllocsPerRun(1000, func() { e.CheckRequest("group:eng", "GET", "/api/g/1") })
	if bar > 4 { // rule, route, action and scope strings
		t.Errorf("CheckRequest: %v allocations per call", bar)
	}
	for name, fn := range map[string]func(){
		"Engine.CheckRequestQuery":   func() { e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx) },
		"Snapshot.CheckRequestQuery": func() { s.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx) },
		"refill and check": func() {
			ctx.Reset()
			ctx.AddGroup("group:eng")
			e.CheckRequestQuery("user:v", "GET", "/api/g/1", ctx)
		},
	} {
		if n := testing.AllocsPerRun(1000, fn); n > bar {
			t.Errorf("%s: %v allocations per call, CheckRequest %v", name, n, bar)
		}
	}
}

package rolegate_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// A statement that holds only with the right context, and a grant to a group.
const condBundle = `{"version":1,"actions":[{"name":"a/read"}],
  "roles":[{"id":"r","actions":["a/read"]}],
  "assignments":[{"id":"g1","principal":"group:eng","role":"r","scope":"/g"}],
  "statements":[{"id":"s1","principal":"u","effect":"Allow","actions":["a/read"],"resources":["/s/*"],
    "condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"},"NumericLessThanEquals":{"n":10},
                 "Bool":{"b":true},"ForAnyValue:StringEquals":{"tags":["t1"]}}}]}`

func newCond(t testing.TB) *rolegate.Engine {
	t.Helper()
	e, err := rolegate.NewEngine([]byte(condBundle))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// fill makes ctx the context under which s1 holds (n as given).
func fill(ctx *rolegate.Context, n float64) {
	ctx.Reset()
	ctx.AddString("AWS:RequestedRegion", "us-west-2") // keys ignore case
	ctx.AddNumber("n", n)
	ctx.AddBool("b", true)
	ctx.AddStrings("tags", "t0", "t1")
}

func want(t *testing.T, what string, d rolegate.Decision, err error, allowed bool, reason rolegate.Reason) {
	t.Helper()
	if err != nil || d.Allowed != allowed || d.Reason != reason {
		t.Errorf("%s: got %v, %v; want allowed=%v %v", what, d, err, allowed, reason)
	}
}

func TestCheckQueryConditions(t *testing.T) {
	e := newCond(t)
	var ctx rolegate.Context // the zero value is ready
	defer ctx.Close()
	q := &rolegate.Query{Principal: "u", Action: "a/read", Resource: "/s/1"}
	d, err := e.CheckQuery(q)
	want(t, "no context", d, err, false, rolegate.ReasonConditionNotMet)
	if rolegate.ReasonConditionNotMet.String() != "condition_not_met" {
		t.Errorf("name %q", rolegate.ReasonConditionNotMet.String())
	}
	q.Context = &ctx
	d, err = e.CheckQuery(q)
	want(t, "empty context", d, err, false, rolegate.ReasonConditionNotMet)
	fill(&ctx, 3.5)
	d, err = e.CheckQuery(q)
	want(t, "good context", d, err, true, rolegate.ReasonStatement)
	fill(&ctx, 10.5)
	d, err = e.CheckQuery(q)
	want(t, "n too big", d, err, false, rolegate.ReasonConditionNotMet)
	fill(&ctx, 1)
	ctx.AddString("N", "again") // the same key in another case
	d, err = e.CheckQuery(q)
	want(t, "duplicate key", d, err, false, rolegate.ReasonInvalidInput)

	fill(&ctx, 1)
	x, err := e.ExplainQuery(q)
	if err != nil || !x.Allowed || x.Rule != "s1" || x.RuleKind != rolegate.RuleStatement {
		t.Errorf("ExplainQuery = %v, %v", x, err)
	}
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	d, err = s.CheckQuery(q)
	want(t, "snapshot", d, err, true, rolegate.ReasonStatement)
	x, err = s.ExplainQuery(q)
	if err != nil || x.Rule != "s1" {
		t.Errorf("Snapshot.ExplainQuery = %v, %v", x, err)
	}
	// The plain entry points are unchanged: no context.
	d, err = e.Check("u", "a/read", "/s/1")
	want(t, "Check", d, err, false, rolegate.ReasonConditionNotMet)
}

func TestCheckQueryGroupsAndLimits(t *testing.T) {
	e := newCond(t)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	q := &rolegate.Query{Principal: "v", Action: "a/read", Resource: "/g/1", Context: ctx}
	d, err := e.CheckQuery(q)
	want(t, "no groups", d, err, false, rolegate.ReasonNoGrant)
	ctx.AddGroup("group:other")
	ctx.AddGroup("group:eng")
	d, err = e.CheckQuery(q)
	want(t, "asserted group", d, err, true, rolegate.ReasonGrant)
	ctx.AddGroup("")
	d, err = e.CheckQuery(q)
	want(t, "empty group id", d, err, false, rolegate.ReasonInvalidInput)
	ctx.Reset()
	for i := 0; i < 1025; i++ {
		ctx.AddGroup("group:eng")
	}
	d, err = e.CheckQuery(q)
	want(t, "1025 groups", d, err, false, rolegate.ReasonInvalidInput)
	ctx.Reset()
	for i := 0; i < 1025; i++ {
		ctx.AddBool(fmt.Sprint("k", i), true)
	}
	d, err = e.CheckQuery(q)
	want(t, "1025 keys", d, err, false, rolegate.ReasonInvalidInput)
	ctx.Reset()
	ctx.AddString("k", strings.Repeat("x", 4097))
	d, err = e.CheckQuery(q)
	want(t, "long value", d, err, false, rolegate.ReasonInvalidInput)
	// Close empties it; it can be used again.
	ctx.Close()
	ctx.Close()
	ctx.AddGroup("group:eng")
	d, err = e.CheckQuery(q)
	want(t, "after Close", d, err, true, rolegate.ReasonGrant)
}

func TestCheckQueryErrors(t *testing.T) {
	e := newCond(t)
	if d, err := e.CheckQuery(nil); err == nil || d.Allowed {
		t.Errorf("nil query: %v, %v", d, err)
	}
	if x, err := e.ExplainQuery(nil); err == nil || x.Allowed {
		t.Errorf("nil query: %v, %v", x, err)
	}
	s, _ := e.Acquire()
	s.Release()
	q := &rolegate.Query{Principal: "v", Action: "a/read", Resource: "/g/1"}
	if _, err := s.CheckQuery(q); !errors.Is(err, rolegate.ErrReleased) {
		t.Errorf("released: %v", err)
	}
	e.Close()
	if _, err := e.CheckQuery(q); !errors.Is(err, rolegate.ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if _, err := e.ExplainQuery(q); !errors.Is(err, rolegate.ErrClosed) {
		t.Errorf("closed: %v", err)
	}
}

// Building a context and checking with it allocate nothing once warm.
func TestCheckQueryDoesNotAllocate(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	e := newCond(t)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	q := &rolegate.Query{Principal: "u", Action: "a/read", Resource: "/s/1", Context: ctx}
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	fill(ctx, 1)
	for name, fn := range map[string]func(){
		"build":               func() { fill(ctx, 1); ctx.AddGroup("group:eng") },
		"Engine.CheckQuery":   func() { e.CheckQuery(q) },
		"Snapshot.CheckQuery": func() { s.CheckQuery(q) },
		"build and check": func() {
			fill(ctx, 2)
			if d, _ := e.CheckQuery(q); !d.Allowed {
				panic("denied")
			}
		},
	} {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

// One context shared read-only by many goroutines, and one per goroutine
// rebuilt per call, while another goroutine publishes (run with -race).
func TestCheckQueryConcurrent(t *testing.T) {
	e := newCond(t)
	shared := &rolegate.Context{}
	defer shared.Close()
	fill(shared, 1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := e.Publish([]byte(condBundle)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for g := 0; g < 4; g++ {
		workers.Add(1)
		go func(g int) {
			defer workers.Done()
			own := &rolegate.Context{}
			defer own.Close()
			for i := 0; i < 300; i++ {
				d, err := e.CheckQuery(&rolegate.Query{Principal: "u", Action: "a/read", Resource: "/s/1", Context: shared})
				if err != nil || !d.Allowed {
					t.Errorf("shared: %v %v", d, err)
					return
				}
				fill(own, float64(i%20))
				d, err = e.CheckQuery(&rolegate.Query{Principal: "u", Action: "a/read", Resource: "/s/1", Context: own})
				if err != nil || d.Allowed != (i%20 <= 10) {
					t.Errorf("own n=%d: %v %v", i%20, d, err)
					return
				}
			}
		}(g)
	}
	workers.Wait()
	close(stop)
	wg.Wait()
}

func BenchmarkCheckQuery(b *testing.B) {
	e := newCond(b)
	ctx := &rolegate.Context{}
	defer ctx.Close()
	fill(ctx, 1)
	q := &rolegate.Query{Principal: "u", Action: "a/read", Resource: "/s/1", Context: ctx}
	b.Run("plain Check", func(b *testing.B) {
		for b.Loop() {
			e.Check("u", "a/read", "/s/1")
		}
	})
	b.Run("CheckQuery", func(b *testing.B) {
		for b.Loop() {
			e.CheckQuery(q)
		}
	})
	b.Run("build+CheckQuery", func(b *testing.B) {
		for b.Loop() {
			fill(ctx, 1)
			e.CheckQuery(q)
		}
	})
}

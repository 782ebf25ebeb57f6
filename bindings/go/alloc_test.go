package rolegate_test

import (
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// The hot path allocates nothing: strings go to C as pointer and length, and
// decisions come back in caller-owned memory.
func TestHotPathDoesNotAllocate(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	e := newExample(t)
	p, a, r := "user:alice", jobs+"read", c1+"/projects/prod/jobs/j1"
	s, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	pid, _ := s.PrincipalID(p)
	aid, _ := s.ActionID(a)
	var b rolegate.Batch
	for i := 0; i < 64; i++ {
		b.Add(p, a, r)
	}
	out := make([]rolegate.Decision, b.Len())
	for name, fn := range map[string]func(){
		"Engine.Check":        func() { e.Check(p, a, r) },
		"Snapshot.Check":      func() { s.Check(p, a, r) },
		"Snapshot.CheckIDs":   func() { s.CheckIDs(pid, aid, r) },
		"Engine.CheckBatch":   func() { e.CheckBatch(&b, out) },
		"Snapshot.CheckBatch": func() { s.CheckBatch(&b, out) },
		"Batch refill": func() {
			b.Reset()
			for i := 0; i < 64; i++ {
				b.Add(p, a, r)
			}
		},
	} {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

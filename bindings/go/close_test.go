package rolegate_test

import (
	"errors"
	"sync"
	"testing"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// Close may overlap calls on other goroutines: it waits for the calls in
// flight, and every call after it answers ErrClosed (with a deny). Before the
// in-flight guard this freed the engine under a running Check or Publish (a
// use-after-free the race detector and ASan saw as a crash). Run with -race.
func TestCloseConcurrentWithCalls(t *testing.T) {
	bundle := exampleBytes(t)
	for round := 0; round < 20; round++ {
		e, err := rolegate.NewEngine(bundle)
		if err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var bad []string
		note := func(s string) { mu.Lock(); bad = append(bad, s); mu.Unlock() }
		call := func(f func() error) {
			defer wg.Done()
			<-start
			for i := 0; i < 200; i++ {
				if err := f(); err != nil {
					if !errors.Is(err, rolegate.ErrClosed) {
						note(err.Error())
					}
					return // closed: every later call must say so too
				}
			}
		}
		wg.Add(5)
		go call(func() error {
			d, err := e.Check("user:alice", jobs+"read", c1+"/projects/prod/jobs/j1")
			if err != nil && d.Allowed {
				note("an error came with an allow")
			}
			return err
		})
		go call(func() error { return e.Publish(bundle) })
		go call(func() error { _, err := e.CheckRequest("user:alice", "GET", "/x"); return err })
		go call(func() error {
			s, err := e.Acquire()
			if err == nil {
				s.Release()
			}
			return err
		})
		go call(func() error { _, err := e.Explain("user:alice", jobs+"read", c1); return err })
		close(start)
		e.Close()
		wg.Wait()
		e.Close() // idempotent
		if _, err := e.Check("user:alice", jobs+"read", c1); !errors.Is(err, rolegate.ErrClosed) {
			t.Fatalf("Check after Close: %v", err)
		}
		if err := e.Publish(bundle); !errors.Is(err, rolegate.ErrClosed) {
			t.Fatalf("Publish after Close: %v", err)
		}
		if g := e.Generation(); g != 0 {
			t.Fatalf("Generation after Close: %d", g)
		}
		if len(bad) > 0 {
			t.Fatalf("round %d: %v", round, bad)
		}
	}
}

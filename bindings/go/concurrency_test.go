package rolegate_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// Several goroutines check (one by one, explained and in batches) while one
// publishes two bundles in turn. Every answer must be one of the two bundles'
// answers, and a batch must never mix them. Run with -race.
func TestCheckWhilePublishing(t *testing.T) {
	e := newExample(t)
	bundles := [][]byte{exampleBytes(t), withoutAliceContrib(t)}
	q := [3]string{"user:alice", jobs + "write", c1 + "/projects/prod/jobs/j1"}
	old := rolegate.Decision{Allowed: true, Reason: rolegate.ReasonGrant}
	neu := rolegate.Decision{Allowed: false, Reason: rolegate.ReasonNoGrant}

	var stop atomic.Bool
	var seenOld, seenNew atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	fail := func(msg string) {
		select {
		case errs <- msg:
		default:
		}
		stop.Store(true)
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				for i := 0; i < 100; i++ {
					d, err := e.Check(q[0], q[1], q[2])
					switch {
					case err != nil:
						fail(err.Error())
					case d == old:
						seenOld.Add(1)
					case d == neu:
						seenNew.Add(1)
					default:
						fail("unexpected decision " + d.String())
					}
					x, _ := e.Explain(q[0], q[1], q[2])
					if x.Decision != old && x.Decision != neu {
						fail("unexpected explanation " + x.String())
					}
					if d, _ := e.Check("user:ivan", jobs+"read", c1); !d.Allowed {
						fail("ivan denied")
					}
				}
			}
		}()
	}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b rolegate.Batch
			for i := 0; i < 5000; i++ {
				b.Add(q[0], q[1], q[2])
			}
			out := make([]rolegate.Decision, b.Len())
			for !stop.Load() {
				out, err := e.CheckBatch(&b, out)
				if err != nil {
					fail(err.Error())
				}
				for _, d := range out[1:] {
					if d != out[0] {
						fail("a batch mixed two bundles")
						break
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop.Store(true)
		for i := 0; i < 60 && !stop.Load(); i++ {
			if err := e.Publish(bundles[(i+1)%2]); err != nil {
				fail(err.Error())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if g := e.Generation(); g != 61 {
		t.Errorf("Generation = %d", g)
	}
	if seenOld.Load() == 0 || seenNew.Load() == 0 {
		t.Errorf("saw old %d, new %d", seenOld.Load(), seenNew.Load())
	}
}

func TestRejectedPublishesWhileChecking(t *testing.T) {
	e := newExample(t)
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := e.Publish([]byte(`{"version": 1, "actions": [{"name": "a"}, {"name": "A"}]}`)); err == nil {
					t.Error("a bad bundle was published")
				}
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		if d, _ := e.Check("user:alice", jobs+"write", c1+"/projects/prod"); !d.Allowed {
			t.Fatal("a rejected publish changed the answer")
		}
	}
	wg.Wait()
	if e.Generation() != 1 {
		t.Fatal(e.Generation())
	}
}

// Snapshots shared by goroutines, acquired and released concurrently.
func TestSnapshotsAcrossGoroutines(t *testing.T) {
	e := newExample(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s, err := e.Acquire()
				if err != nil {
					t.Error(err)
					return
				}
				if d, _ := s.Check("user:alice", jobs+"read", c1); !d.Allowed {
					t.Error("denied")
				}
				s.Release()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			if err := e.Publish(exampleBytes(t)); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
}

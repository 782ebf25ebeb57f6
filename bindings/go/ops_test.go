package rolegate

import (
	"strings"
	"sync"
	"testing"
)

const opsC1 = "/subscriptions/s1/resourceGroups/prod/providers/Anyscale.Platform/clouds/c1"
const opsRead = "Anyscale.Platform/clouds/read"

func TestOpsCountersRulesAndLog(t *testing.T) {
	e, err := NewEngine(ExampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if s, _ := e.Stats(true); s.Decisions != 0 {
		t.Fatalf("counted while off: %+v", s)
	}
	if err := e.SetOps(OpsOptions{Counters: true, CountRules: true, Log: true, LogSampleRate: 1}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.Check("user:alice", opsRead, opsC1)
	}
	e.Check("user:"+strings.Repeat("x", 300), opsRead, opsC1)
	s, err := e.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Decisions != 4 || s.Allows != 3 || s.ByReason[ReasonGrant] != 3 || s.ByReason[ReasonNoGrant] != 1 {
		t.Fatalf("counters: %+v", s)
	}
	if len(s.Rules) != 1 || s.Rules[0].Rule != "a-reader-team" || s.Rules[0].Allows != 3 || !s.Rules[0].InService {
		t.Fatalf("rules: %+v", s.Rules)
	}
	buf := make([]DecisionRecord, 10)
	n, err := e.DrainDecisions(buf)
	if err != nil || n != 4 {
		t.Fatalf("drained %d, %v", n, err)
	}
	if buf[0].Rule != "a-reader-team" || !buf[0].Decision.Allowed || buf[0].Op != OpCheck || buf[0].Shadow != nil {
		t.Fatalf("record: %+v", buf[0])
	}
	if len(buf[3].Truncated) != 1 || buf[3].Truncated[0] != "principal" || len(buf[3].Principal) != 128 {
		t.Fatalf("truncated record: %+v", buf[3])
	}
}

func TestOpsShadow(t *testing.T) {
	e, err := NewEngine(ExampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, ok := e.PublishShadow([]byte("{")).(*BundleError); !ok {
		t.Fatal("a bad shadow bundle must be a *BundleError")
	}
	// The shadow grants nothing: every live allow is a disagreement.
	empty := []byte(`{"version":1,"actions":[{"name":"Anyscale.Platform/clouds/read"}]}`)
	if err := e.PublishShadow(empty); err != nil {
		t.Fatal(err)
	}
	if err := e.SetOps(OpsOptions{Counters: true, Log: true, LogSampleRate: 0.000001}); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.Check("user:alice", opsRead, opsC1); !d.Allowed {
		t.Fatal("answers come from the live bundle")
	}
	s, _ := e.Stats(false)
	if s.ShadowChecked != 1 || s.ShadowDenied != 1 || s.ShadowAllowed != 0 {
		t.Fatalf("shadow counters: %+v", s)
	}
	buf := make([]DecisionRecord, 4)
	if n, _ := e.DrainDecisions(buf); n != 1 || buf[0].Shadow == nil || buf[0].Shadow.Decision.Allowed {
		t.Fatalf("disagreement record: %d %+v", n, buf[0])
	}
	if err := e.ClearShadow(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if err := e.SetOps(OpsOptions{}); err != ErrClosed {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := e.Stats(true); err != ErrClosed {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := e.DrainDecisions(buf); err != ErrClosed {
		t.Fatalf("after Close: %v", err)
	}
	if e.PublishShadow(empty) != ErrClosed || e.ClearShadow() != ErrClosed {
		t.Fatal("after Close: want ErrClosed")
	}
}

func TestOpsConcurrentExact(t *testing.T) {
	e, err := NewEngine(ExampleBundle())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.SetOps(OpsOptions{Counters: true, Log: true, LogSampleRate: 1, LogRingRecords: 64}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	drained := 0
	done := make(chan struct{})
	go func() {
		buf := make([]DecisionRecord, 256)
		for {
			n, _ := e.DrainDecisions(buf)
			drained += n
			select {
			case <-stop:
				close(done)
				return
			default:
			}
		}
	}()
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				e.Check("user:alice", opsRead, opsC1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-done
	buf := make([]DecisionRecord, 4096)
	for n, _ := e.DrainDecisions(buf); n > 0; n, _ = e.DrainDecisions(buf) {
		drained += n
	}
	s, _ := e.Stats(false)
	if s.Decisions != 8000 || s.LogRecords+s.LogDropped != 8000 || uint64(drained) != s.LogRecords {
		t.Fatalf("decisions %d, records %d + dropped %d, drained %d", s.Decisions, s.LogRecords, s.LogDropped, drained)
	}
}

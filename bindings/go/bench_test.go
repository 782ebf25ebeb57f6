package rolegate_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// Benchmarks run on the bundle named by ROLEGATE_BENCH_BUNDLE (default:
// examples/anyscale.json), with the "check" queries of the JSON Lines file
// ROLEGATE_BENCH_QUERIES (the generator's output, as the C++ benchmark
// uses), or else a fixed mix drawn from the bundle's own names:
//
//	rolegate_gen_bundle --size M --out m.json
//	rolegate_gen_bundle --size M --queries hot --count 100000 --out m_hot.jsonl
//	ROLEGATE_BENCH_BUNDLE=m.json ROLEGATE_BENCH_QUERIES=m_hot.jsonl \
//	  go test -run '^$' -bench . -benchtime 2s
//
// CheckBatch reports decisions/s; Check's ns/op is the per-call latency. On a
// shared machine wall-clock figures move with its load, so the single-goroutine
// benchmarks also report the process's CPU time per operation (cpu-ns/op).

type benchSet struct {
	engine  *rolegate.Engine
	queries [][3]string
}

var (
	benchOnce sync.Once
	bench     benchSet
	benchErr  error
)

func loadBench(b *testing.B) *benchSet {
	benchOnce.Do(func() {
		path := os.Getenv("ROLEGATE_BENCH_BUNDLE")
		if path == "" {
			path = examplePath(b)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			benchErr = err
			return
		}
		bench.engine, benchErr = rolegate.NewEngine(raw)
		if benchErr != nil {
			return
		}
		if qf := os.Getenv("ROLEGATE_BENCH_QUERIES"); qf != "" {
			bench.queries, benchErr = fileQueries(qf, 1<<16)
		} else {
			bench.queries = benchQueries(raw, 1<<14)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return &bench
}

// benchQueries draws n queries from the bundle's own names: principals from
// assignments, groups and statements, catalog actions, and scopes at and
// below assignment and deny-assignment scopes, plus statement resources.
func benchQueries(raw []byte, n int) [][3]string {
	var bundle struct {
		Actions []struct {
			Name string `json:"name"`
		} `json:"actions"`
		Groups []struct {
			ID      string   `json:"id"`
			Members []string `json:"members"`
		} `json:"groups"`
		Assignments []struct {
			Principal string `json:"principal"`
			Scope     string `json:"scope"`
		} `json:"assignments"`
		Deny []struct {
			Scope string `json:"scope"`
		} `json:"deny_assignments"`
		Statements []struct {
			Principal string   `json:"principal"`
			Resources []string `json:"resources"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		panic(err)
	}
	var principals, actions, scopes, arns []string
	for _, a := range bundle.Actions {
		actions = append(actions, a.Name)
	}
	for _, g := range bundle.Groups {
		principals = append(principals, g.Members...)
	}
	for _, a := range bundle.Assignments {
		principals = append(principals, a.Principal)
		scopes = append(scopes, a.Scope)
	}
	for _, d := range bundle.Deny {
		scopes = append(scopes, d.Scope)
	}
	for _, s := range bundle.Statements {
		principals = append(principals, s.Principal)
		for _, r := range s.Resources {
			arns = append(arns, strings.ReplaceAll(strings.ReplaceAll(r, "*", "x1"), "?", "q"))
		}
	}
	principals = append(principals, "user:nobody")
	if len(scopes) == 0 {
		scopes = append(scopes, "/")
	}
	rng := rand.New(rand.NewSource(1))
	pick := func(s []string) string { return s[rng.Intn(len(s))] }
	out := make([][3]string, n)
	for i := range out {
		r := pick(scopes)
		switch rng.Intn(4) {
		case 0:
			r = strings.TrimSuffix(r, "/") + "/jobs/j" + string(rune('0'+rng.Intn(10)))
		case 1:
			if len(arns) > 0 {
				r = pick(arns)
			}
		}
		out[i] = [3]string{pick(principals), pick(actions), r}
	}
	return out
}

// fileQueries reads up to n "check" queries of a JSON Lines file, rounded
// down to a power of two (the benchmarks index with a mask).
func fileQueries(path string, n int) ([][3]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var out [][3]string
	for sc.Scan() && len(out) < n {
		var q struct{ Op, Principal, Action, Resource string }
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, err
		}
		if q.Op == "check" {
			out = append(out, [3]string{q.Principal, q.Action, q.Resource})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no check queries", path)
	}
	p := 1
	for p*2 <= len(out) {
		p *= 2
	}
	return out[:p], nil
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTimer reports CPU ns per op (and per decision for batches) at the end.
func cpuTimer(b *testing.B, perOp int) func() {
	start := cpuTime()
	return func() {
		cpu := float64(cpuTime() - start)
		b.ReportMetric(cpu/float64(b.N), "cpu-ns/op")
		if perOp > 1 {
			b.ReportMetric(float64(perOp)*float64(b.N)/(cpu/1e9), "cpu-decisions/s")
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	s := loadBench(b)
	q := s.queries
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b, 1)()
	for i := 0; i < b.N; i++ {
		x := &q[i&(len(q)-1)]
		s.engine.Check(x[0], x[1], x[2])
	}
}

func BenchmarkCheckParallel(b *testing.B) {
	s := loadBench(b)
	q := s.queries
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			x := &q[i&(len(q)-1)]
			s.engine.Check(x[0], x[1], x[2])
			i++
		}
	})
}

func BenchmarkSnapshotCheck(b *testing.B) {
	s := loadBench(b)
	snap, err := s.engine.Acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Release()
	q := s.queries
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b, 1)()
	for i := 0; i < b.N; i++ {
		x := &q[i&(len(q)-1)]
		snap.Check(x[0], x[1], x[2])
	}
}

func BenchmarkCheckIDs(b *testing.B) {
	s := loadBench(b)
	snap, err := s.engine.Acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer snap.Release()
	type idq struct {
		p, a uint32
		r    string
	}
	ids := make([]idq, len(s.queries))
	for i, x := range s.queries {
		p, _ := snap.PrincipalID(x[0])
		a, _ := snap.ActionID(x[1])
		ids[i] = idq{p, a, x[2]}
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b, 1)()
	for i := 0; i < b.N; i++ {
		x := &ids[i&(len(ids)-1)]
		snap.CheckIDs(x.p, x.a, x.r)
	}
}

func benchmarkCheckBatch(b *testing.B, size int) {
	s := loadBench(b)
	var batch rolegate.Batch
	for i := 0; i < size; i++ {
		x := s.queries[i%len(s.queries)]
		batch.Add(x[0], x[1], x[2])
	}
	out := make([]rolegate.Decision, size)
	b.ReportAllocs()
	b.ResetTimer()
	defer cpuTimer(b, size)()
	for i := 0; i < b.N; i++ {
		if _, err := s.engine.CheckBatch(&batch, out); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds()
	if sec > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/sec, "decisions/s")
		b.ReportMetric(sec*1e9/(float64(size)*float64(b.N)), "ns/decision")
	}
}

func BenchmarkCheckBatch(b *testing.B)      { benchmarkCheckBatch(b, 4096) }
func BenchmarkCheckBatch256(b *testing.B)   { benchmarkCheckBatch(b, 256) }
func BenchmarkCheckBatch65536(b *testing.B) { benchmarkCheckBatch(b, 65536) }

func BenchmarkCheckBatchParallel(b *testing.B) {
	s := loadBench(b)
	const size = 4096
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var batch rolegate.Batch
		for i := 0; i < size; i++ {
			x := s.queries[i%len(s.queries)]
			batch.Add(x[0], x[1], x[2])
		}
		out := make([]rolegate.Decision, size)
		for pb.Next() {
			s.engine.CheckBatch(&batch, out)
		}
	})
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/sec, "decisions/s")
	}
}
